package engine

import (
	"time"

	"github.com/rs/zerolog"

	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

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
func logSummary(l zerolog.Logger, res Result, took time.Duration) {
	s := res.Plan.Summarize()
	actions := zerolog.Dict()
	for a, n := range s.Actions {
		actions = actions.Int(string(a), n)
	}
	outcomes := zerolog.Dict()
	for o, n := range s.Outcomes {
		outcomes = outcomes.Int(string(o), n)
	}
	ev := l.Info()
	if s.Failures > 0 || res.Err != nil {
		ev = l.Warn()
	}
	if res.Err != nil {
		ev = ev.Err(res.Err)
	}
	ev.Str("outcome", res.Outcome).Dict("actions", actions).Dict("outcomes", outcomes).
		Int("writes", s.Writes).Int("failures", s.Failures).
		Bool("dry_run", res.DryRun).Dur("took", took).Msg("run summary")
}
