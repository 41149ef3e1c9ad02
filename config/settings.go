package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// SettingError is one problem with one setting. It names the setting both ways, because an
// operator may have set it in either place.
type SettingError struct {
	Env     string // environment name, e.g. SYNC_MAX_DEACTIVATIONS; empty for an unknown YAML key
	Key     string // YAML key, e.g. sync.max_deactivations
	Where   string // where the bad value was read, when known: "config.yaml:12", "line 12"
	Problem string // never contains a secret value
}

// Error reads "ENV (yaml.key): problem", or "file:line: yaml.key (ENV): problem" for a value read
// from the file, where the YAML key is what the operator sees.
func (e *SettingError) Error() string {
	var b strings.Builder
	if e.Where != "" {
		b.WriteString(e.Where)
		b.WriteString(": ")
		b.WriteString(e.Key)
		if e.Env != "" {
			b.WriteString(" (" + e.Env + ")")
		}
	} else {
		b.WriteString(e.Env)
		if e.Key != "" {
			b.WriteString(" (" + e.Key + ")")
		}
	}
	b.WriteString(": ")
	b.WriteString(e.Problem)
	return b.String()
}

// setting ties one configuration field to its environment name and YAML key. The field's Go type
// (through ptr) decides how a value is parsed, so the environment and the file cannot disagree.
type setting struct {
	env string
	key string
	ptr func(*Config) any
	// keepEmpty: an empty value is a choice (disable the store, top-level role attributes), not
	// "unset".
	keepEmpty bool
	// spaceSeparated: the environment form may separate entries by spaces as well as commas (OAuth
	// scopes are space-separated on the wire), and the YAML form may be a single string.
	spaceSeparated bool
	// lower: the value is a name from a fixed lower-case set (zerolog's level names, SYNC_EVENTS),
	// so INFO is taken as a harmless spelling of info.
	lower bool
}

func (s *setting) secret() bool {
	_, ok := s.ptr(&Config{}).(*Secret)
	return ok
}

func (s *setting) err(where, format string, args ...any) *SettingError {
	return &SettingError{Env: s.env, Key: s.key, Where: where, Problem: fmt.Sprintf(format, args...)}
}

// fileErr names the NAME_FILE / *_file form of a secret setting.
func (s *setting) fileErr(where, format string, args ...any) *SettingError {
	return &SettingError{Env: s.env + "_FILE", Key: s.key + "_file", Where: where, Problem: fmt.Sprintf(format, args...)}
}

var settings = []*setting{
	{env: "OKTA_ORG_URL", key: "okta.org_url", ptr: func(c *Config) any { return &c.Okta.OrgURL }},
	{env: "OKTA_APP_ID", key: "okta.app_id", ptr: func(c *Config) any { return &c.Okta.AppID }},
	{env: "OKTA_API_TOKEN", key: "okta.api_token", ptr: func(c *Config) any { return &c.Okta.APIToken }},
	{env: "OKTA_CLIENT_ID", key: "okta.client_id", ptr: func(c *Config) any { return &c.Okta.ClientID }},
	{env: "OKTA_PRIVATE_KEY", key: "okta.private_key", ptr: func(c *Config) any { return &c.Okta.PrivateKey }},
	{env: "OKTA_PRIVATE_KEY_ID", key: "okta.private_key_id", ptr: func(c *Config) any { return &c.Okta.PrivateKeyID }},
	{env: "OKTA_SCOPES", key: "okta.scopes", ptr: func(c *Config) any { return &c.Okta.Scopes }, spaceSeparated: true},
	{env: "OKTA_ROLE_ATTRIBUTE", key: "okta.role_attribute", ptr: func(c *Config) any { return &c.Okta.RoleAttribute }},
	{env: "OKTA_CUSTOM_ROLE_NAME_ATTRIBUTE", key: "okta.custom_role_name_attribute", ptr: func(c *Config) any { return &c.Okta.CustomRoleNameAttribute }},
	{env: "OKTA_CUSTOM_ROLE_ID_ATTRIBUTE", key: "okta.custom_role_id_attribute", ptr: func(c *Config) any { return &c.Okta.CustomRoleIDAttribute }},

	{env: "CLICKUP_SCIM_BASE_URL", key: "clickup.scim_base_url", ptr: func(c *Config) any { return &c.ClickUp.SCIMBaseURL }},
	{env: "CLICKUP_SCIM_TOKEN", key: "clickup.scim_token", ptr: func(c *Config) any { return &c.ClickUp.SCIMToken }},
	{env: "CLICKUP_SCIM_ROLE_SCHEMA", key: "clickup.scim_role_schema", ptr: func(c *Config) any { return &c.ClickUp.SCIMRoleSchema }, keepEmpty: true},
	{env: "CLICKUP_SCIM_ROLE_ATTRIBUTE", key: "clickup.scim_role_attribute", ptr: func(c *Config) any { return &c.ClickUp.SCIMRoleAttribute }},
	{env: "CLICKUP_SCIM_CUSTOM_ROLE_NAME_ATTRIBUTE", key: "clickup.scim_custom_role_name_attribute", ptr: func(c *Config) any { return &c.ClickUp.SCIMCustomRoleNameAttribute }},
	{env: "CLICKUP_SCIM_CUSTOM_ROLE_ID_ATTRIBUTE", key: "clickup.scim_custom_role_id_attribute", ptr: func(c *Config) any { return &c.ClickUp.SCIMCustomRoleIDAttribute }},
	{env: "CLICKUP_API_TOKEN", key: "clickup.api_token", ptr: func(c *Config) any { return &c.ClickUp.APIToken }},
	{env: "CLICKUP_API_BASE_URL", key: "clickup.api_base_url", ptr: func(c *Config) any { return &c.ClickUp.APIBaseURL }},
	{env: "CLICKUP_WORKSPACE_ID", key: "clickup.workspace_id", ptr: func(c *Config) any { return &c.ClickUp.WorkspaceID }},

	{env: "SYNC_SCHEDULE", key: "sync.schedule", ptr: func(c *Config) any { return &c.Sync.Schedule }},
	{env: "SYNC_STATE_PATH", key: "sync.state_path", ptr: func(c *Config) any { return &c.Sync.StatePath }, keepEmpty: true},
	{env: "SYNC_STATE_URL", key: "sync.state_url", ptr: func(c *Config) any { return &c.Sync.StateURL }},
	{env: "SYNC_SECRETS_DIR", key: "sync.secrets_dir", ptr: func(c *Config) any { return &c.Sync.SecretsDir }},
	{env: "SYNC_MAX_DEACTIVATIONS", key: "sync.max_deactivations", ptr: func(c *Config) any { return &c.Sync.MaxDeactivations }},
	{env: "SYNC_MAX_DEACTIVATION_PERCENT", key: "sync.max_deactivation_percent", ptr: func(c *Config) any { return &c.Sync.MaxDeactivationPercent }},
	{env: "SYNC_PROTECTED_USERS", key: "sync.protected_users", ptr: func(c *Config) any { return &c.Sync.ProtectedUsers }},
	{env: "SYNC_PUSH_GROUPS", key: "sync.push_groups", ptr: func(c *Config) any { return &c.Sync.PushGroups }},
	{env: "SYNC_DELETE_UNPUSHED_TEAMS", key: "sync.delete_unpushed_teams", ptr: func(c *Config) any { return &c.Sync.DeleteUnpushedTeams }},
	{env: "SYNC_LISTEN_ADDR", key: "sync.listen_addr", ptr: func(c *Config) any { return &c.Sync.ListenAddr }},
	{env: "SYNC_TRIGGER_TOKEN", key: "sync.trigger_token", ptr: func(c *Config) any { return &c.Sync.TriggerToken }},
	{env: "SYNC_UI_TOKEN", key: "sync.ui_token", ptr: func(c *Config) any { return &c.Sync.UIToken }},
	{env: "SYNC_ALLOW_INSECURE_HTTP", key: "sync.allow_insecure_http", ptr: func(c *Config) any { return &c.Sync.AllowInsecureHTTP }},
	{env: "SYNC_ALLOW_EMPTY_SOURCE", key: "sync.allow_empty_source", ptr: func(c *Config) any { return &c.Sync.AllowEmptySource }},
	{env: "SYNC_RETENTION", key: "sync.retention", ptr: func(c *Config) any { return &c.Sync.Retention }},
	{env: "SYNC_RUN_TIMEOUT", key: "sync.run_timeout", ptr: func(c *Config) any { return &c.Sync.RunTimeout }},
	{env: "SYNC_RATE_LIMIT_MAX_WAIT", key: "sync.rate_limit_max_wait", ptr: func(c *Config) any { return &c.Sync.RateLimitMaxWait }},
	{env: "SYNC_CONCURRENCY", key: "sync.concurrency", ptr: func(c *Config) any { return &c.Sync.Concurrency }},
	{env: "SYNC_EVENTS", key: "sync.events", ptr: func(c *Config) any { return &c.Sync.Events }, lower: true},
	{env: "SYNC_EVENTS_INTERVAL", key: "sync.events_interval", ptr: func(c *Config) any { return &c.Sync.EventsInterval }},
	{env: "SYNC_CAP_WINDOW", key: "sync.cap_window", ptr: func(c *Config) any { return &c.Sync.CapWindow }},
	{env: "SYNC_EVENT_HOOK_SECRET", key: "sync.event_hook_secret", ptr: func(c *Config) any { return &c.Sync.EventHookSecret }},

	{env: "LOG_LEVEL", key: "log.level", ptr: func(c *Config) any { return &c.Log.Level }, lower: true},
	{env: "LOG_FORMAT", key: "log.format", ptr: func(c *Config) any { return &c.Log.Format }, lower: true},
}

// settingByEnv finds a setting by its environment name; Validate uses it so that its messages name
// settings exactly as the loaders do.
func settingByEnv(env string) *setting {
	for _, s := range settings {
		if s.env == env {
			return s
		}
	}
	panic("config: no setting " + env) // a typo in this package, caught by any test
}

// set parses one value given as text (an environment variable or a YAML scalar) into the field.
// The returned problem never shows a secret: secrets are strings and cannot be malformed here.
func (s *setting) set(c *Config, v string) (problem string) {
	switch p := s.ptr(c).(type) {
	case *Secret:
		*p = Secret(v)
		return ""
	case *string:
		v = strings.TrimSpace(v)
		if s.lower {
			v = strings.ToLower(v)
		}
		*p = v
	case *int:
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return "not a whole number: " + show(v)
		}
		*p = n
	case *float64:
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		// NaN would slip through every range check, since all comparisons with it are false.
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return "not a number: " + show(v)
		}
		*p = f
	case *bool:
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			return "not a boolean (true or false): " + show(v)
		}
		*p = b
	case *time.Duration:
		d, err := parseDuration(strings.TrimSpace(v))
		if err != nil {
			return "not a duration (like 90d, 36h or 10m): " + show(v)
		}
		*p = d
	case *[]string:
		*p = splitList(v, s.spaceSeparated)
	default:
		panic(fmt.Sprintf("config: setting %s has unsupported type %T", s.env, p))
	}
	return ""
}

// parseDuration accepts Go durations and a whole number of days ("90d"), the unit retention is
// naturally thought of in and that time.ParseDuration lacks.
func parseDuration(v string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(v, "d"); ok && n != "" && strings.Trim(n, "0123456789") == "" {
		days, err := strconv.ParseInt(n, 10, 64)
		if err != nil || days > int64(math.MaxInt64/(24*time.Hour)) {
			return 0, fmt.Errorf("days out of range")
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	return time.ParseDuration(v)
}

// splitList splits an environment list. Empty entries ("a,,b", a trailing comma) are dropped: they
// carry no meaning and are a common artefact of templated environments.
func splitList(v string, spaces bool) []string {
	sep := func(r rune) bool { return r == ',' || (spaces && unicode.IsSpace(r)) }
	var out []string
	for _, f := range strings.FieldsFunc(v, sep) {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// show quotes a non-secret value for an error message, cut short so that a pasted file does not
// flood the log.
func show(v string) string {
	const max = 80
	if utf8.RuneCountInString(v) <= max {
		return strconv.Quote(v)
	}
	r := []rune(v)
	return strconv.Quote(string(r[:max])) + "..."
}

// redactText replaces every secret value in s. Secrets shorter than four characters are left:
// replacing "1" or "ab" everywhere would garble messages, and such values are not credentials.
func redactText(s string, secrets []string) string {
	for _, v := range secrets {
		if len(v) >= 4 {
			s = strings.ReplaceAll(s, v, redacted)
		}
	}
	return s
}
