package main

import (
	"context"
	"errors"
	"time"

	"github.com/okta-clickup-sync/okta-clickup-sync/store"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// What became of a held deactivation, as drift and history show it: a held entry is pending only
// while its hold is open (holds are sticky, DESIGN.md §7).
const (
	heldPending  = "pending"  // awaiting approve RUN_ID
	heldApproved = "approved" // approved: this run's held plan was approved by another run
	heldReleased = "released" // no longer held: approved through another run that held it too, or no longer warranted
)

// heldView reads, once per run, what became of the deactivations runs held.
type heldView struct {
	ctx  context.Context
	st   *store.Store
	open map[string]bool // keys of the holds still open; nil until read
	runs map[string]heldRun
}

// heldRun is what became of one run's held plan.
type heldRun struct {
	dryRun     bool
	approvedBy string
	approvedAt time.Time
}

func newHeldView(ctx context.Context, st *store.Store) *heldView {
	return &heldView{ctx: ctx, st: st, runs: map[string]heldRun{}}
}

func (v *heldView) run(id string) (heldRun, error) {
	if r, ok := v.runs[id]; ok {
		return r, nil
	}
	var r heldRun
	rec, err := v.st.Run(v.ctx, id)
	if err != nil {
		return r, err
	}
	r.dryRun = rec.DryRun
	by, at, err := v.st.Approval(v.ctx, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return r, err
	default:
		r.approvedBy, r.approvedAt = by, at
	}
	v.runs[id] = r
	return r, nil
}

func (v *heldView) isOpen(key string) (bool, error) {
	if v.open == nil {
		holds, err := v.st.Holds(v.ctx)
		if err != nil {
			return false, err
		}
		v.open = map[string]bool{}
		for _, h := range holds {
			v.open[h.Key] = true
		}
	}
	return v.open[key], nil
}

// status says what became of a held entry of run runID: "" for an entry that is not held or
// belongs to a dry run (which holds nothing for approval).
func (v *heldView) status(runID string, e core.Entry) (status string, r heldRun, err error) {
	if e.Outcome != core.OutcomeHeld {
		return "", r, nil
	}
	if r, err = v.run(runID); err != nil || r.dryRun {
		return "", r, err
	}
	if r.approvedBy != "" {
		return heldApproved, r, nil
	}
	open, err := v.isOpen(core.HoldKey(e))
	switch {
	case err != nil:
		return "", r, err
	case open:
		return heldPending, r, nil
	}
	return heldReleased, r, nil
}

// runStatus says what became of everything a run held: approved, released when none of its holds
// is open any more, else pending.
func (v *heldView) runStatus(runID string) (status string, r heldRun, err error) {
	held, err := v.st.Held(v.ctx, runID)
	if errors.Is(err, store.ErrNotFound) {
		return "", r, nil
	}
	if err != nil {
		return "", r, err
	}
	status = heldReleased
	for _, e := range held {
		e.Outcome = core.OutcomeHeld
		s, hr, err := v.status(runID, e)
		if err != nil {
			return "", hr, err
		}
		r = hr
		if s != heldReleased {
			return s, r, nil
		}
	}
	return status, r, nil
}

// heldText is a held entry's outcome as the tables show it.
func heldText(status string, r heldRun) string {
	switch status {
	case heldApproved:
		return "held, approved by " + r.approvedBy
	case heldReleased:
		return "held, released"
	}
	return "held"
}
