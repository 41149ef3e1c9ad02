package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/okta-clickup-sync/okta-clickup-sync/store"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// Store is the state runs keep: links, the run lock, the run record with its write journal, held
// deactivations, and what small runs need across runs. *store.Store implements it.
type Store interface {
	Links(ctx context.Context) (map[string]string, error)
	SaveLinks(ctx context.Context, links map[string]string) error
	DeleteLink(ctx context.Context, oktaID string) error
	GroupLinks(ctx context.Context) (map[string]string, error)
	SaveGroupLinks(ctx context.Context, links map[string]string) error

	Lock(ctx context.Context, owner string, wait time.Duration) (unlock func() error, err error)
	MarkInterrupted(ctx context.Context) (runIDs []string, err error)
	BeginRun(ctx context.Context, r store.Run) error
	SavePlan(ctx context.Context, runID string, entries []core.Entry) error
	WriteStarted(ctx context.Context, runID string, seq int) error
	WriteDone(ctx context.Context, runID string, seq int, e core.Entry) error
	FinishRun(ctx context.Context, id string, f store.Finish) error
	Prune(ctx context.Context, before time.Time) (runs, entries int, err error)

	Holds(ctx context.Context) ([]store.Hold, error)
	SaveHeld(ctx context.Context, runID string, entries []core.Entry) error
	ReleaseHolds(ctx context.Context, keys []string) error
	Held(ctx context.Context, runID string) ([]core.Entry, error)
	MarkApproved(ctx context.Context, runID, approvingRunID string) error

	DeactivationsSince(ctx context.Context, since time.Time, kinds ...string) (int, error)
	LastFullRun(ctx context.Context) (store.Run, error)
}

// journalPlan records the whole plan before any write, so that the drift log has every entry even
// if the process dies in the middle of the writes.
func (r *run) journalPlan(ctx context.Context, p core.Plan) error {
	if r.e.Store == nil {
		return nil
	}
	if err := r.e.Store.SavePlan(ctx, r.res.ID, p.Entries); err != nil {
		return fmt.Errorf("record the plan: %w", err)
	}
	return nil
}

// apply records the held plan, takes an approval, then writes, journaling each write as it
// happens: its entry is marked sent before the request and gets its outcome after, so after a
// kill -9 the drift log shows every write that reached ClickUp (outcome unknown when its answer
// was never recorded). Links are kept as soon as a create succeeds, for the same reason.
func (r *run) apply(ctx context.Context, p core.Plan) {
	e, st := r.e, r.e.Store
	// Journal writes run to completion even once the run is cut short: the record must match
	// what was sent.
	jctx := context.WithoutCancel(ctx)
	if st != nil {
		if len(r.checked.Held) > 0 && r.spec.Approves == "" {
			if err := st.SaveHeld(jctx, r.res.ID, r.checked.Held); err != nil {
				r.log.Error().Err(err).Msg("record held deactivations")
			}
		}
		if err := st.ReleaseHolds(jctx, r.release()); err != nil {
			r.log.Error().Err(err).Msg("release holds no longer warranted")
		}
		if r.spec.Approves != "" {
			// Taken before the writes, so two approvals racing cannot both apply.
			if err := st.MarkApproved(ctx, r.spec.Approves, r.res.ID); err != nil {
				r.res.Err = fmt.Errorf("approve run %s: %w", r.spec.Approves, err)
				r.log.Error().Err(r.res.Err).Msg("approval not applied")
				r.res.Plan = notApplied(p)
				return
			}
		}
	}
	if p.Writes() > 0 {
		r.startWrites(toSend(p))
		opts := e.Apply
		opts.Teams = e.Teams
		opts.OnStart = func(i int, en core.Entry) error {
			if st == nil {
				return nil
			}
			return st.WriteStarted(jctx, r.res.ID, i+1)
		}
		opts.OnPanic = func(p *core.PanicError) {
			logPanic(r.log, p)
			r.res.Err = p // the run fails; the other writes went on
		}
		opts.OnDone = func(i int, en core.Entry) {
			r.wrote()
			logEntry(r.log, "action result", en, false)
			if st == nil {
				return
			}
			if err := st.WriteDone(jctx, r.res.ID, i+1, en); err != nil {
				r.log.Error().Err(err).Int("seq", i+1).Msg("journal the outcome of a write")
			}
			r.keepLink(jctx, en)
		}
		p = core.Apply(ctx, e.Workspace, p, opts)
		if err := ctx.Err(); err != nil {
			r.res.Err = fmt.Errorf("run interrupted: %w", err)
			r.log.Warn().Err(err).Msg("run interrupted")
		}
	}
	r.res.Plan = p
	r.recordLinks(jctx, p)
	if st != nil && r.spec.Approves != "" {
		if err := st.ReleaseHolds(jctx, appliedKeys(p)); err != nil {
			r.log.Error().Err(err).Msg("release approved holds")
		}
	}
}

// release returns the open holds to close. A small run saw only its own users, so it releases
// only theirs: the others are still held, whatever this plan says.
func (r *run) release() []string {
	if r.spec.Kind == KindFull {
		return r.checked.Release
	}
	mine := make(map[string]bool)
	for _, en := range r.res.Plan.Entries {
		mine["user:"+en.ClickUpUserID] = true
	}
	var keys []string
	for _, k := range r.checked.Release {
		if mine[k] {
			keys = append(keys, k)
		}
	}
	return keys
}

// toSend counts the writes Apply will send: the planned ones, not those held or failed already.
func toSend(p core.Plan) int {
	n := 0
	for _, en := range p.Entries {
		if en.Action.IsWrite() && en.Outcome == core.OutcomePlanned {
			n++
		}
	}
	return n
}

func appliedKeys(p core.Plan) []string {
	var keys []string
	for _, en := range p.Entries {
		if en.Outcome == core.OutcomeApplied {
			keys = append(keys, core.HoldKey(en))
		}
	}
	return keys
}

// notApplied marks the planned writes of a plan that will not be applied as failed with why.
func notApplied(p core.Plan) core.Plan {
	out := p
	out.Entries = append([]core.Entry(nil), p.Entries...)
	for i := range out.Entries {
		if en := &out.Entries[i]; en.Action.IsWrite() && en.Outcome == core.OutcomePlanned {
			en.Outcome, en.Error = core.OutcomeFailed, "not applied: the approval could not be taken"
		}
	}
	return out
}

// keepLink stores the link a create just made, so a crash before the run ends cannot lose it:
// a Team whose link is lost would be created twice once its group is renamed in Okta.
func (r *run) keepLink(ctx context.Context, en core.Entry) {
	if en.Outcome != core.OutcomeApplied {
		return
	}
	var err error
	switch {
	case en.Action == core.ActionCreateUser && en.ClickUpUserID != "":
		err = r.e.Store.SaveLinks(ctx, map[string]string{en.OktaUserID: en.ClickUpUserID})
	case en.Action == core.ActionCreateTeam && en.Team != nil && en.Team.ClickUpTeamID != "":
		err = r.e.Store.SaveGroupLinks(ctx, map[string]string{en.Team.OktaGroupID: en.Team.ClickUpTeamID})
	}
	if err != nil {
		r.log.Error().Err(err).Str("action", string(en.Action)).Msg("keep the link of a create")
	}
}

// recordLinks keeps every match and every create of the applied plan, and forgets links whose
// ClickUp user vanished.
func (r *run) recordLinks(ctx context.Context, p core.Plan) {
	st := r.e.Store
	if st == nil {
		return
	}
	for o := range p.Vanished {
		if err := st.DeleteLink(ctx, o); err != nil {
			r.log.Error().Err(err).Str("okta_user_id", o).Msg("forget a vanished link")
		}
	}
	if err := st.SaveLinks(ctx, p.AppliedLinks()); err != nil {
		r.log.Error().Err(err).Msg("keep links")
	}
	if r.e.readsTeams() {
		if err := st.SaveGroupLinks(ctx, p.AppliedGroupLinks()); err != nil {
			r.log.Error().Err(err).Msg("keep group links")
		}
	}
}

// finish records how the run ended, releases the lock and prunes old runs. It runs once, even
// after a panic.
func (r *run) finish(ctx context.Context) {
	if r.finished {
		return
	}
	r.finished = true
	if r.stopProgress != nil {
		r.stopProgress()
	}
	res := r.res
	res.End = r.e.now()
	res.Outcome = outcomeOf(*res)
	ctx = context.WithoutCancel(ctx) // an interrupted run is recorded too
	if st := r.e.Store; st != nil && r.begun {
		errText := ""
		if res.Err != nil {
			errText = res.Err.Error()
		}
		err := st.FinishRun(ctx, res.ID, store.Finish{End: res.End, Outcome: res.Outcome, Summary: res.Plan.Summarize(),
			Error: errText, ManagedActive: r.checked.ManagedActive})
		if err != nil {
			r.log.Error().Err(err).Msg("record the end of the run")
		}
		if r.e.Retention > 0 {
			if _, _, err := st.Prune(ctx, res.End.Add(-r.e.Retention)); err != nil {
				r.log.Error().Err(err).Msg("prune old runs")
			}
		}
	}
	if r.unlock != nil {
		if err := r.unlock(); err != nil {
			r.log.Warn().Err(err).Msg("release the run lock")
		}
	}
	logSummary(r.log, *res, res.End.Sub(res.Start))
}

// outcomeOf names how a run ended, for the store and the metrics.
func outcomeOf(res Result) string {
	s := res.Plan.Summarize()
	switch {
	case errors.Is(res.Err, core.ErrEmptySource):
		return store.RunRefused
	case errors.Is(res.Err, context.Canceled) || errors.Is(res.Err, context.DeadlineExceeded):
		return store.RunInterrupted
	case res.Err != nil || s.Failures > 0:
		return store.RunFailed
	case s.Outcomes[core.OutcomeHeld] > 0:
		return store.RunHeld
	case s.Outcomes[core.OutcomeApplied] > 0:
		return store.RunChanged
	default:
		return store.RunSuccess
	}
}

// Exit codes (DESIGN.md §8).
const (
	ExitOK      = 0
	ExitError   = 1
	ExitChanges = 2 // only with --detailed-exitcode
	ExitHeld    = 3
)

// ExitCode is the process exit code a one-off run ends with.
func (res Result) ExitCode(detailed bool) int {
	s := res.Plan.Summarize()
	switch {
	case errors.Is(res.Err, core.ErrEmptySource):
		return ExitHeld
	case res.Err != nil || s.Failures > 0:
		return ExitError
	case s.Outcomes[core.OutcomeHeld] > 0:
		return ExitHeld
	case detailed && s.Writes > 0:
		return ExitChanges
	default:
		return ExitOK
	}
}
