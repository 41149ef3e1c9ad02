package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rs/zerolog"

	"github.com/okta-clickup-sync/okta-clickup-sync/config"
	"github.com/okta-clickup-sync/okta-clickup-sync/store"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// lockWait bounds how long a run waits for another process's run to finish.
const lockWait = 30 * time.Second

// errNoStore is what the store-backed commands say when SYNC_STATE_PATH is empty.
var errNoStore = errors.New("no store is configured (SYNC_STATE_PATH is empty): runs, drift and held plans are kept only with a store")

// openStore opens the configured state file, or returns nil when the store is disabled.
func openStore(ctx context.Context, cfg config.Config) (*store.Store, error) {
	// Running on without a store would drop leader election, and with it the one-writer rule
	// that two replicas pointed at PostgreSQL rely on.
	if cfg.Sync.StateURL != "" {
		return nil, errors.New("SYNC_STATE_URL: the PostgreSQL store is not available in this build; use SYNC_STATE_PATH")
	}
	if cfg.Sync.StatePath == "" {
		return nil, nil
	}
	st, err := store.Open(ctx, cfg.Sync.StatePath, store.Options{})
	if err != nil {
		return nil, fmt.Errorf("open state file: %w", err)
	}
	return st, nil
}

// runOutcome names how a run ended, for the store and the metrics.
func runOutcome(res runResult) string {
	s := res.plan.Summarize()
	switch {
	case errors.Is(res.err, core.ErrEmptySource):
		return "refused"
	case errors.Is(res.err, context.Canceled) || errors.Is(res.err, context.DeadlineExceeded):
		return "interrupted"
	case res.err != nil || s.Failures > 0:
		return "failed"
	case s.Outcomes[core.OutcomeHeld] > 0:
		return "held"
	case s.Outcomes[core.OutcomeApplied] > 0:
		return "changed"
	default:
		return "success"
	}
}

// recordRun keeps a finished run, its entries and any held deactivations, then prunes old runs.
// A store failure is logged, not fatal: the run's effect on ClickUp already happened and the
// drift log on stderr has it.
func recordRun(ctx context.Context, st *store.Store, cfg config.Config, log zerolog.Logger, res runResult, end time.Time) {
	if st == nil {
		return
	}
	ctx = context.WithoutCancel(ctx) // record an interrupted run too
	errText := ""
	if res.err != nil {
		errText = res.err.Error()
	}
	var held []core.Entry
	for _, e := range res.plan.Entries {
		if e.Outcome == core.OutcomeHeld {
			held = append(held, e)
		}
	}
	steps := []struct {
		what string
		do   func() error
	}{
		{"save entries", func() error { return st.SaveEntries(ctx, res.id, res.plan.Entries) }},
		{"save held plan", func() error {
			if len(held) == 0 {
				return nil
			}
			return st.SaveHeld(ctx, res.id, held)
		}},
		{"finish run", func() error {
			return st.FinishRun(ctx, res.id, end, runOutcome(res), res.plan.Summarize(), errText)
		}},
		{"prune", func() error {
			if cfg.Sync.Retention <= 0 {
				return nil
			}
			_, _, err := st.Prune(ctx, end.Add(-cfg.Sync.Retention))
			return err
		}},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			log.Error().Err(err).Str("step", s.what).Msg("record run in the store")
		}
	}
}
