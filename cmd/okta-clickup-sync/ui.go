package main

import (
	"context"
	"fmt"
	"net/http"

	"github.com/rs/zerolog"

	"github.com/okta-clickup-sync/okta-clickup-sync/console"
	"github.com/okta-clickup-sync/okta-clickup-sync/engine"
	"github.com/okta-clickup-sync/okta-clickup-sync/store"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// newConsole builds the drift console (DESIGN.md §13) on a store, with approvals made by e;
// observe, when set, is told of every approval run.
func newConsole(token string, st *store.Store, e *engine.Engine, log zerolog.Logger, observe func(engine.Result)) (http.Handler, error) {
	if st == nil {
		return nil, fmt.Errorf("SYNC_UI_TOKEN is set, but the console needs the state file: set %s", stateSetting)
	}
	h, err := console.New(console.Options{
		Token:   token,
		Store:   console.StoreReader(st),
		Approve: consoleApprove(e, observe),
		Log:     log,
	})
	if err != nil {
		return nil, fmt.Errorf("drift console: %w", err)
	}
	return h, nil
}

// consoleApprove is the console's Approve button: the same run as `approve RUN_ID`.
func consoleApprove(e *engine.Engine, observe func(engine.Result)) console.ApproveFunc {
	return func(ctx context.Context, runID string) (console.ApproveResult, error) {
		res := e.Run(ctx, engine.Spec{Kind: engine.KindFull, Trigger: store.TriggerConsole, Approves: runID})
		if observe != nil {
			observe(res)
		}
		out := console.ApproveResult{RunID: res.ID, Status: res.Outcome}
		if res.Err != nil {
			return out, res.Err
		}
		s := res.Plan.Summarize()
		if s.Failures > 0 {
			return out, fmt.Errorf("%d of the approved writes failed", s.Failures)
		}
		out.Message = fmt.Sprintf("Approved the deactivations held by run %s: %d applied.", runID, s.Outcomes[core.OutcomeApplied])
		return out, nil
	}
}

// mountConsole builds the daemon's console when SYNC_UI_TOKEN is set.
func (d *daemon) mountConsole() error {
	if d.cfg.Sync.UIToken == "" {
		return nil
	}
	h, err := newConsole(d.cfg.Sync.UIToken.Reveal(), d.app.st, d.app.engine, d.log,
		func(res engine.Result) { d.observe(res, res.Outcome) })
	if err != nil {
		return err
	}
	d.console = h
	return nil
}
