package config

import (
	"math"
	"net"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

func (c Config) validateSync(v *validator) {
	s := c.Sync
	if p := checkSchedule(s.Schedule); p != "" {
		v.add("SYNC_SCHEDULE", "%s", p)
	}
	if s.MaxDeactivations < 0 {
		v.add("SYNC_MAX_DEACTIVATIONS", "must be 0 or more, got %d", s.MaxDeactivations)
	}
	if p := s.MaxDeactivationPercent; math.IsNaN(p) || p < 0 || p > 100 {
		v.add("SYNC_MAX_DEACTIVATION_PERCENT", "must be between 0 and 100, got %v", p)
	}
	if s.Concurrency < 1 || s.Concurrency > 64 {
		v.add("SYNC_CONCURRENCY", "must be between 1 and 64, got %d", s.Concurrency)
	}
	positive := func(env string, d time.Duration) {
		if d <= 0 {
			v.add(env, "must be more than zero, got %s", d)
		}
	}
	positive("SYNC_RETENTION", s.Retention)
	positive("SYNC_RUN_TIMEOUT", s.RunTimeout)
	positive("SYNC_RATE_LIMIT_MAX_WAIT", s.RateLimitMaxWait)
	checkEntries(v, "SYNC_PROTECTED_USERS", s.ProtectedUsers, false)
	// A group listed twice would be pushed as two competing Teams.
	checkEntries(v, "SYNC_PUSH_GROUPS", s.PushGroups, true)
	if v.required("SYNC_LISTEN_ADDR", s.ListenAddr, "host:port to listen on, like :8080") {
		if _, _, err := net.SplitHostPort(s.ListenAddr); err != nil {
			v.add("SYNC_LISTEN_ADDR", "not a host:port address (like :8080 or 127.0.0.1:8080): %s", show(s.ListenAddr))
		}
	}
}

// validateStore checks where the store lives. SYNC_STATE_URL may carry a password, so its
// messages describe it and never quote it.
func (c Config) validateStore(v *validator) {
	s := c.Sync
	if s.StateURL == "" {
		return
	}
	checkToken(v, "SYNC_STATE_URL", s.StateURL)
	if p := checkStateURL(s.StateURL.Reveal()); p != "" {
		v.add("SYNC_STATE_URL", "%s", p)
	}
	if s.StatePath != "" {
		v.add("SYNC_STATE_URL", "set together with SYNC_STATE_PATH (sync.state_path); the PostgreSQL store replaces the SQLite file: unset SYNC_STATE_PATH, or set it to \"\" where an image or a unit sets it")
	}
}

// checkStateURL accepts the URL form pgx reads; the key=value form is refused so that there is one
// shape to check and to redact.
func checkStateURL(raw string) string {
	const want = "must be a PostgreSQL URL, postgres://user:password@host:5432/database (or postgresql://); its text is not shown, since it may hold a password"
	u, err := url.Parse(raw)
	if err != nil {
		return want
	}
	switch strings.ToLower(u.Scheme) {
	case "postgres", "postgresql":
	default:
		return want
	}
	if u.Opaque != "" {
		return want
	}
	// No host is allowed: postgres:///db?host=/run/postgresql reaches a Unix socket.
	return ""
}

// validateEvents checks the near-real-time settings (DESIGN.md §10). The intervals are checked even
// with events off: SYNC_CAP_WINDOW also governs --user runs, and a typo should not wait for the
// day events are turned on.
func (c Config) validateEvents(v *validator) {
	s := c.Sync
	on := s.Events == EventsSystemLog
	if s.Events != EventsOff && !on {
		v.add("SYNC_EVENTS", "must be off or systemlog, got %s", show(s.Events))
	}
	if s.EventsInterval < time.Second {
		v.add("SYNC_EVENTS_INTERVAL", "must be at least 1s, got %s", s.EventsInterval)
	}
	if s.CapWindow <= 0 {
		v.add("SYNC_CAP_WINDOW", "must be more than zero, got %s", s.CapWindow)
	}
	if on && s.StatePath == "" && s.StateURL == "" {
		v.add("SYNC_EVENTS", "systemlog needs the store, which keeps the System Log cursor across restarts: set SYNC_STATE_PATH or SYNC_STATE_URL")
	}
	if s.EventHookSecret != "" && !on {
		v.add("SYNC_EVENT_HOOK_SECRET", "needs SYNC_EVENTS=systemlog: the System Log poller is the hook's backstop for events Okta fails to deliver")
	}
}

// productTokens are the secrets this product defines (rather than receives from Okta or ClickUp),
// so it can demand that they be strong.
var productTokens = []string{"SYNC_TRIGGER_TOKEN", "SYNC_UI_TOKEN", "SYNC_EVENT_HOOK_SECRET"}

func (c Config) validateTokens(v *validator) {
	values := map[string]Secret{
		"SYNC_TRIGGER_TOKEN":     c.Sync.TriggerToken,
		"SYNC_UI_TOKEN":          c.Sync.UIToken,
		"SYNC_EVENT_HOOK_SECRET": c.Sync.EventHookSecret,
	}
	seen := map[Secret]string{}
	for _, env := range productTokens {
		t := values[env]
		if t == "" || isPlaceholder(t.Reveal()) {
			continue // unset, or refused as a placeholder already
		}
		checkToken(v, env, t)
		if n := utf8.RuneCountInString(t.Reveal()); n < MinTokenLength {
			v.add(env, "is %d characters long; it must have at least %d (generate one with: openssl rand -hex 32)", n, MinTokenLength)
		}
		// Each token has its own audience (automation, people, Okta): one leaked must not open
		// the others' doors.
		if other, dup := seen[t]; dup {
			v.add(env, "has the same value as %s; give each its own token", other)
			continue
		}
		seen[t] = env
	}
}

// validatePlaceholders refuses values left from a sample: a secret that looks like REPLACEME,
// <token> or an unexpanded ${VAR}, and any other setting that carries REPLACEME or CHANGEME. A
// placeholder would otherwise reach Okta or ClickUp as a credential, or name a Workspace.
func (c Config) validatePlaceholders(v *validator) {
	for _, s := range settings {
		switch p := s.ptr(&c).(type) {
		case *Secret:
			if *p != "" && isPlaceholder(p.Reveal()) {
				v.add(s.env, "looks like a placeholder, not a real secret; set the real value")
			}
		case *string:
			if hasSampleMarker(*p) {
				v.add(s.env, "looks like a placeholder left from a sample: %s; set the real value", show(*p))
			}
		case *[]string:
			for i, e := range *p {
				if hasSampleMarker(e) {
					v.add(s.env, "entry %d looks like a placeholder left from a sample: %s", i+1, show(e))
				}
			}
		}
	}
}

// checkRoleSchema accepts auto, empty (the top level of the user) or something shaped like a URN.
// The check is loose on purpose: discovery (DESIGN.md §11) is what knows the service's URNs.
func checkRoleSchema(v string) string {
	switch {
	case v == SCIMRoleSchemaAuto, v == "":
		return ""
	case len(v) > len("urn:") && strings.EqualFold(v[:4], "urn:") && !strings.ContainsFunc(v, isSpaceOrControl):
		return ""
	}
	return "must be auto (discover it), a schema URN like " + show(DefaultSCIMRoleSchemaURN) + ", or empty for the top level of the user; got " + show(v)
}

// checkSCIMAttrName applies RFC 7643 §2.1: ATTRNAME = ALPHA *(nameChar), nameChar = "-" / "_" /
// DIGIT / ALPHA.
func checkSCIMAttrName(name string) string {
	ok := name != "" && isASCIIAlpha(rune(name[0]))
	for _, r := range name {
		if !isASCIIAlpha(r) && !('0' <= r && r <= '9') && r != '-' && r != '_' {
			ok = false
		}
	}
	if ok {
		return ""
	}
	if strings.ContainsAny(name, ":.") {
		return "must be a bare SCIM attribute name (a letter, then letters, digits, - or _), got " + show(name) + "; the schema URN goes in CLICKUP_SCIM_ROLE_SCHEMA"
	}
	return "must be a SCIM attribute name (a letter, then letters, digits, - or _), got " + show(name)
}

func isASCIIAlpha(r rune) bool { return ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') }

func isSpaceOrControl(r rune) bool { return r <= ' ' || r == 0x7f }
