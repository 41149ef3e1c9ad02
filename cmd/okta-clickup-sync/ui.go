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

// approval is how an approve run went, here or, forwarded, on the leader.
type approval struct {
	RunID   string `json:"run_id,omitempty"`
	Outcome string `json:"outcome,omitempty"`
	Applied int    `json:"applied,omitempty"`
	Error   string `json:"error,omitempty"`
}

func (a approval) err() error {
	if a.Error == "" {
		return nil
	}
	return fmt.Errorf("approve run %s: %s", a.RunID, a.Error)
}

// approvalOf says how a run went; a run whose writes failed failed.
func approvalOf(res engine.Result) approval {
	s := res.Plan.Summarize()
	a := approval{RunID: res.ID, Outcome: res.Outcome, Applied: s.Outcomes[core.OutcomeApplied]}
	switch {
	case res.Err != nil:
		a.Error = res.Err.Error()
	case s.Failures > 0:
		a.Error = fmt.Sprintf("%d of the approved writes failed", s.Failures)
	}
	return a
}

// approveRun makes an approve run of a held run, and says how it went.
type approveRun func(ctx context.Context, runID string) (approval, error)

// engineApprove approves with e, here; observe, when set, is told of every approval run.
func engineApprove(e *engine.Engine, observe func(engine.Result)) approveRun {
	return func(ctx context.Context, runID string) (approval, error) {
		res := e.Run(ctx, engine.Spec{Kind: engine.KindFull, Trigger: store.TriggerConsole, Approves: runID})
		if observe != nil {
			observe(res)
		}
		a := approvalOf(res)
		return a, a.err()
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
		a, err := approve(ctx, runID)
		out := console.ApproveResult{RunID: a.RunID, Status: a.Outcome}
		if err != nil {
			return out, err
		}
		out.Message = fmt.Sprintf("Approved the deactivations held by run %s: %d applied.", runID, a.Applied)
		return out, nil
	}
}

// mountConsole builds the daemon's console when SYNC_UI_TOKEN is set.
func (d *daemon) mountConsole() error {
	if d.cfg.Sync.UIToken == "" {
		return nil
	}
	here := engineApprove(d.app.engine, func(res engine.Result) { d.observe(res, res.Outcome) })
	approve := func(ctx context.Context, runID string) (approval, error) {
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
