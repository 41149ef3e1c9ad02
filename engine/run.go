package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rs/zerolog"

	"github.com/okta-clickup-sync/okta-clickup-sync/store"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// run is one run in the making.
type run struct {
	e    *Engine
	spec Spec
	res  *Result
	log  zerolog.Logger

	unlock   func() error
	begun    bool // recorded in the store
	finished bool
	checked  core.Checked // what the rails decided
	orgIDs   map[string]bool
	approved []core.Entry // approve: the held entries of the approved run
	prog     progress
	// stopProgress ends the progress lines; finish calls it so none follows the summary.
	stopProgress func()
}

func (r *run) do(ctx context.Context) {
	defer r.finish(ctx)
	if !r.start(ctx) {
		return
	}
	p, err := r.plan(ctx)
	if err != nil {
		r.res.Err = err
		switch {
		case errors.Is(err, core.ErrEmptySource):
			r.log.Warn().Err(err).Msg("run refused by a safety rail, nothing was written")
		case ctx.Err() != nil:
			r.log.Warn().Err(err).Msg("run interrupted before any write")
		default:
			logPanic(r.log, err)
			r.log.Error().Err(err).Msg("run failed before any write")
		}
		return
	}
	r.res.Plan = p
	for o, c := range p.Vanished {
		r.log.Warn().Str("okta_user_id", o).Str("clickup_user_id", c).Msg("linked ClickUp user vanished; link dropped")
	}
	for _, en := range p.Entries {
		logEntry(r.log, "plan entry", en, r.spec.DryRun)
	}
	if err := r.journalPlan(ctx, p); err != nil {
		r.res.Err = err
		r.log.Error().Err(err).Msg("run failed before any write")
		return
	}
	r.logHeld(p)
	if r.spec.DryRun {
		return
	}
	r.apply(ctx, p)
}

// start takes the lock and records the run. It reports false, with the result's error set, when
// the run cannot go on.
func (r *run) start(ctx context.Context) bool {
	st := r.e.Store
	r.log.Info().Bool("dry_run", r.spec.DryRun).Str("approves", r.spec.Approves).Strs("users", r.spec.Users).Msg("run started")
	if st == nil {
		if r.spec.Approves != "" {
			r.res.Err = fmt.Errorf("approve run %s: %w", r.spec.Approves, ErrNoStore)
			return false
		}
		return true
	}
	// A process killed mid-run leaves its run "running"; say so now rather than forever.
	ids, err := st.MarkInterrupted(ctx)
	if err != nil {
		r.log.Warn().Err(err).Msg("mark runs of dead processes interrupted")
	}
	for _, id := range ids {
		r.log.Warn().Str("interrupted_run_id", id).Msg("a run left unfinished by a process that died was marked interrupted")
	}
	r.res.Interrupted = ids
	if !r.spec.DryRun {
		unlock, err := st.Lock(ctx, lockOwner(r.spec, r.res.ID), r.e.lockWait())
		if err != nil {
			r.res.Err = fmt.Errorf("take the run lock: %w", err)
			r.log.Error().Err(r.res.Err).Msg("run not started")
			return false
		}
		r.unlock = unlock
	}
	err = st.BeginRun(ctx, store.Run{ID: r.res.ID, Kind: string(r.spec.Kind), Trigger: r.spec.Trigger, DryRun: r.spec.DryRun,
		Start: r.res.Start, ApprovesRun: r.spec.Approves})
	if err != nil {
		r.res.Err = fmt.Errorf("record run start: %w", err)
		r.log.Error().Err(r.res.Err).Msg("run not started")
		return false
	}
	r.begun = true
	if r.spec.Approves != "" {
		held, err := st.Held(ctx, r.spec.Approves)
		if errors.Is(err, store.ErrNotFound) {
			err = ErrNothingHeld
		}
		if err != nil {
			r.res.Err = fmt.Errorf("approve run %s: %w", r.spec.Approves, err)
			r.log.Error().Err(r.res.Err).Msg("run not started")
			return false
		}
		r.approved = held
	}
	return true
}

func (e *Engine) lockWait() time.Duration {
	if e.LockWait > 0 {
		return e.LockWait
	}
	return DefaultLockWait
}

// plan reads, plans, applies the rails and confirms the deactivations, writing nothing.
func (r *run) plan(ctx context.Context) (core.Plan, error) {
	e := r.e
	opt := e.Options
	if rc, ok := e.Workspace.(core.RoleCarrier); ok && opt.CarryRole == nil {
		opt.CarryRole = rc.CarriedRole
	}
	rs := core.RailState{Small: r.spec.Kind != KindFull}
	if st := e.Store; st != nil {
		var err error
		if opt.Links, err = st.Links(ctx); err != nil {
			return core.Plan{}, fmt.Errorf("load links: %w", err)
		}
		if e.readsTeams() {
			if opt.GroupLinks, err = st.GroupLinks(ctx); err != nil {
				return core.Plan{}, fmt.Errorf("load group links: %w", err)
			}
		}
		if rs.Holds, err = r.openHolds(ctx); err != nil {
			return core.Plan{}, err
		}
		if rs.Small {
			if rs.Earlier, rs.Base, err = r.window(ctx); err != nil {
				return core.Plan{}, err
			}
		}
	}
	var d core.Desired
	var a core.Actual
	var err error
	if rs.Small {
		opt.Scoped = true
		d, a, err = e.readUsers(ctx, r.spec.Users, opt.Links, opt.GroupLinks)
	} else {
		d, a, err = e.readAll(ctx)
	}
	if err != nil {
		return core.Plan{}, err
	}
	p := core.Diff(d, a, opt)
	if len(p.Unverified) > 0 {
		if opt.OrgExternalIDs, err = e.checkExternalIDs(ctx, p.Unverified, opt.OrgExternalIDs); err != nil {
			return core.Plan{}, err
		}
		p = core.Diff(d, a, opt)
	}
	rs.Links, rs.OrgExternalIDs = opt.Links, opt.OrgExternalIDs
	r.checked, err = core.CheckRails(d, a, p, e.Rails, rs)
	if err != nil {
		return core.Plan{}, err
	}
	p = r.checked.Plan
	if r.approved != nil {
		p = core.Approve(p, r.approved)
	}
	pages := 0 // without single reads, a second listing confirms
	if e.Users != nil {
		pages = (len(d.Users) + e.pageSize() - 1) / e.pageSize()
	}
	if p, err = core.Confirm(ctx, p, e.Directory, e.Users, pages); err != nil {
		return core.Plan{}, fmt.Errorf("%w: %w", ErrRead, err)
	}
	return p, nil
}

func (e *Engine) pageSize() int {
	if e.ListingPageSize > 0 {
		return e.ListingPageSize
	}
	return DefaultListingPageSize
}

// openHolds returns the sticky holds by key, each with the run that first held it.
func (r *run) openHolds(ctx context.Context) (map[string]string, error) {
	holds, err := r.e.Store.Holds(ctx)
	if err != nil {
		return nil, fmt.Errorf("load held deactivations: %w", err)
	}
	m := make(map[string]string, len(holds))
	for _, h := range holds {
		m[h.Key] = h.RunID
	}
	return m, nil
}

// window returns the deactivations small runs wrote within the cap window, and the managed
// active users of the last full run, which the percent cap of small runs is taken of.
func (r *run) window(ctx context.Context) (earlier, base int, err error) {
	st := r.e.Store
	if r.e.CapWindow > 0 {
		earlier, err = st.DeactivationsSince(ctx, r.res.Start.Add(-r.e.CapWindow), store.KindUser, store.KindEvents)
		if err != nil {
			return 0, 0, fmt.Errorf("count recent deactivations: %w", err)
		}
	}
	last, err := st.LastFullRun(ctx)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return earlier, 0, nil
	case err != nil:
		return 0, 0, fmt.Errorf("read the last full run: %w", err)
	}
	return earlier, last.ManagedActive, nil
}

// logHeld says what is held and how to release it.
func (r *run) logHeld(p core.Plan) {
	n := p.Summarize().Outcomes[core.OutcomeHeld]
	if n == 0 {
		return
	}
	hint := "rerun once with higher SYNC_MAX_DEACTIVATIONS and SYNC_MAX_DEACTIVATION_PERCENT to apply them"
	if r.e.Store != nil && !r.spec.DryRun {
		hint = "review them with: okta-clickup-sync drift --run " + r.res.ID + " --action deactivate; apply them with: okta-clickup-sync approve " + r.res.ID
	}
	r.log.Warn().Int("held", n).Int("max_deactivations", r.e.Rails.MaxDeactivations).
		Float64("max_deactivation_percent", r.e.Rails.MaxDeactivationPercent).
		Str("hint", hint).Msg("deactivations held by the cap")
}
