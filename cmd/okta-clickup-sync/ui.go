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

// approveRun makes an approve run of a held run, and says how it went.
type approveRun func(ctx context.Context, runID string) (engine.Result, error)

// engineApprove approves with e, here; observe, when set, is told of every approval run.
func engineApprove(e *engine.Engine, observe func(engine.Result)) approveRun {
	return func(ctx context.Context, runID string) (engine.Result, error) {
		res := e.Run(ctx, engine.Spec{Kind: engine.KindFull, Trigger: store.TriggerConsole, Approves: runID})
		if observe != nil {
			observe(res)
		}
		if res.Err != nil {
			return res, res.Err
		}
		if s := res.Plan.Summarize(); s.Failures > 0 {
			return res, fmt.Errorf("%d of the approved writes failed", s.Failures)
		}
		return res, nil
	}
}

// newConsole builds the drift console (DESIGN.md §13) on a store, with approvals made by approve.
func newConsole(token string, st *store.Store, approve approveRun, log zerolog.Logger) (http.Handler, error) {
	if st == nil {
		return nil, fmt.Errorf("SYNC_UI_TOKEN is set, but the console needs the state file: set %s", stateSetting)
	}
	h, err := console.New(console.Options{
		Token:   token,
		Store:   console.StoreReader(st),
		Approve: consoleApprove(approve),
		Log:     log,
	})
	if err != nil {
		return nil, fmt.Errorf("drift console: %w", err)
	}
	return h, nil
}

// consoleApprove is the console's Approve button: the same run as `approve RUN_ID`.
func consoleApprove(approve approveRun) console.ApproveFunc {
	return func(ctx context.Context, runID string) (console.ApproveResult, error) {
		res, err := approve(ctx, runID)
		out := console.ApproveResult{RunID: res.ID, Status: res.Outcome}
		if err != nil {
			return out, err
		}
		out.Message = fmt.Sprintf("Approved the deactivations held by run %s: %d applied.", runID, res.Plan.Summarize().Outcomes[core.OutcomeApplied])
		return out, nil
	}
}

// mountConsole builds the daemon's console when SYNC_UI_TOKEN is set.
func (d *daemon) mountConsole() error {
	if d.cfg.Sync.UIToken == "" {
		return nil
	}
	here := engineApprove(d.app.engine, func(res engine.Result) { d.observe(res, res.Outcome) })
	approve := func(ctx context.Context, runID string) (engine.Result, error) {
		if d.leading.Load() {
			return here(ctx, runID)
		}
		return d.forwardApprove(ctx, runID) // a standby: the leader applies it
	}
	h, err := newConsole(d.cfg.Sync.UIToken.Reveal(), d.app.st, approve, d.log)
	if err != nil {
		return err
	}
	d.console = h
	return nil
}
