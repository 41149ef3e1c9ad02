package main

import (
	"crypto/rand"
	"encoding/hex"
	"io"
	"time"

	"github.com/rs/zerolog"

	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// newLogger builds the root logger: JSON by default, colourless console lines on request.
func newLogger(w io.Writer, level, format string) zerolog.Logger {
	lvl, err := zerolog.ParseLevel(level)
	if err != nil || level == "" {
		lvl = zerolog.InfoLevel
	}
	if format == "console" {
		w = zerolog.ConsoleWriter{Out: w, NoColor: true, TimeFormat: time.RFC3339}
	}
	return zerolog.New(w).Level(lvl).With().Timestamp().
		Str("service", "okta-clickup-sync").Str("version", buildVersion()).Logger()
}

// newRunID names a run in logs, plans and the store: sortable by time, unique by its suffix.
func newRunID(now time.Time) string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

// logEntry writes one drift log line (DESIGN.md §8). The message is constant; what changed is in
// the fields, so the lines can be filtered and counted.
func logEntry(l zerolog.Logger, msg string, e core.Entry, dryRun bool) {
	ev := l.Info()
	if e.Outcome == core.OutcomeFailed {
		ev = l.Warn()
	}
	ev = ev.Str("action", string(e.Action)).
		Str("okta_user_id", e.OktaUserID).
		Str("clickup_user_id", e.ClickUpUserID).
		Str("user", e.User).
		Str("field", e.Field).
		Str("from", e.From).
		Str("to", e.To).
		Str("outcome", string(e.Outcome)).
		Bool("dry_run", dryRun)
	if e.Reason != "" {
		ev = ev.Str("reason", e.Reason)
	}
	if e.Error != "" {
		ev = ev.Str("error", e.Error)
	}
	ev.Msg(msg)
}

// logSummary writes the one summary line of a run.
func logSummary(l zerolog.Logger, p core.Plan, dryRun bool, took time.Duration) {
	s := p.Summarize()
	actions := zerolog.Dict()
	for a, n := range s.Actions {
		actions = actions.Int(string(a), n)
	}
	outcomes := zerolog.Dict()
	for o, n := range s.Outcomes {
		outcomes = outcomes.Int(string(o), n)
	}
	ev := l.Info()
	if s.Failures > 0 {
		ev = l.Warn()
	}
	ev.Dict("actions", actions).Dict("outcomes", outcomes).
		Int("writes", s.Writes).Int("failures", s.Failures).
		Bool("dry_run", dryRun).Dur("took", took).Msg("run summary")
}
