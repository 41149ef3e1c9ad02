package sync

import (
	"context"
	"errors"
	"fmt"
	gosync "sync"
	"time"

	"golang.org/x/sync/errgroup"
)

// ApplyOptions tune Apply.
type ApplyOptions struct {
	// Concurrency bounds the writes in flight at once (default 4; the daemon's configuration
	// defaults to config.DefaultConcurrency).
	Concurrency int
	// OnStart, when set, is called with the entry's index in the plan just before its write is
	// sent, from Apply's goroutines, one call at a time. An error stops that write before it is
	// sent (the entry fails with it): a write that cannot be journaled is not made.
	OnStart func(i int, e Entry) error
	// OnDone is called with the entry's index once per write entry after it finished, from
	// Apply's goroutines, one call at a time.
	OnDone func(i int, e Entry)
	// Teams applies team entries; plans with team entries need it.
	Teams TeamWorkspace
	// OnPanic, when set, is told of a panic in a write; the entry fails with it either way.
	OnPanic func(*PanicError)
}

// journal serialises the callbacks of one Apply.
type journal struct {
	mu  gosync.Mutex
	opt ApplyOptions
	out []Entry
}

func (j *journal) start(i int) error {
	e := &j.out[i]
	if j.opt.OnStart == nil {
		return nil
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if err := j.opt.OnStart(i, *e); err != nil {
		e.Outcome, e.Error = OutcomeFailed, "not sent: "+err.Error()
		return err
	}
	return nil
}

// recover runs writes and returns a panic in them, once reported to OnPanic.
func (j *journal) recover(writes func()) *PanicError {
	var p *PanicError
	if !errors.As(Safely(func() error { writes(); return nil }), &p) {
		return nil
	}
	if j.opt.OnPanic != nil {
		j.mu.Lock()
		j.opt.OnPanic(p)
		j.mu.Unlock()
	}
	return p
}

func (j *journal) done(i int) {
	if j.opt.OnDone == nil {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.opt.OnDone(i, j.out[i])
}

// Apply carries out the plan's write entries and returns the plan with their outcomes. A failed
// write does not stop the others: each entry is independent, and the next run retries what failed.
// Once ctx is done no new write starts; entries not started keep the outcome planned. A write
// already started runs to its end regardless (bounded by the client's own timeouts): cutting a
// request off midway leaves its effect unknown, which is worse than letting it finish.
func Apply(ctx context.Context, ws Workspace, p Plan, opt ApplyOptions) Plan {
	n := opt.Concurrency
	if n <= 0 {
		n = 4
	}
	out := p.withEntries(append([]Entry(nil), p.Entries...))
	j := &journal{opt: opt, out: out.Entries}
	var g errgroup.Group
	g.SetLimit(n)
	for i := range out.Entries {
		e := &out.Entries[i]
		if !e.Action.IsWrite() || e.Action.isTeam() || e.Outcome != OutcomePlanned {
			continue
		}
		if ctx.Err() != nil {
			break
		}
		g.Go(func() error {
			if ctx.Err() != nil {
				return nil // stopped while waiting for a slot: not started, still planned
			}
			if j.start(i) == nil {
				if p := j.recover(func() { applyEntry(sendContext(ctx), ws, e) }); p != nil {
					e.Outcome, e.Error = OutcomeFailed, p.Error()
				}
			}
			j.done(i)
			return nil
		})
	}
	_ = g.Wait() // the goroutines report through the entries, never an error
	if opt.Teams != nil && ctx.Err() == nil {
		applyTeams(ctx, opt.Teams, out.Entries, n, j)
	}
	return out
}

// sendContext is ctx for a write about to be sent: no longer canceled, since a request cut off
// midway leaves its effect unknown, but keeping the run's deadline, which bounds how long the
// write may wait for a rate-limit reset before it is sent (DESIGN.md §7).
func sendContext(ctx context.Context) context.Context {
	d, ok := ctx.Deadline()
	return deadlineOnly{Context: context.WithoutCancel(ctx), deadline: d, ok: ok}
}

// deadlineOnly reports a deadline it never enforces itself: waits check it before they start.
type deadlineOnly struct {
	context.Context
	deadline time.Time
	ok       bool
}

func (c deadlineOnly) Deadline() (time.Time, bool) { return c.deadline, c.ok }

func applyEntry(ctx context.Context, ws Workspace, e *Entry) {
	err := write(ctx, ws, e)
	if err != nil {
		e.Outcome, e.Error = OutcomeFailed, err.Error()
		return
	}
	e.Outcome = OutcomeApplied
}

func write(ctx context.Context, ws Workspace, e *Entry) error {
	switch e.Action {
	case ActionCreateUser:
		u, err := ws.CreateUser(ctx, *e.NewUser)
		if err != nil {
			return fmt.Errorf("create user %s: %w", e.User, err)
		}
		e.ClickUpUserID = u.ID
		return nil
	case ActionUpdateRole:
		t := *e.Target
		t.Role = *e.Role
		if _, err := ws.ReplaceUser(ctx, t); err != nil {
			return fmt.Errorf("update role of user %s: %w", e.ClickUpUserID, err)
		}
		return nil
	case ActionReactivate:
		if sameRole(*e.Role, e.Target.Role) {
			if err := ws.SetActive(ctx, e.ClickUpUserID, true); err != nil {
				return fmt.Errorf("reactivate user %s: %w", e.ClickUpUserID, err)
			}
			return nil
		}
		// One write for both: a reactivated user must never hold the old role, even briefly.
		t := *e.Target
		t.Active, t.Role = true, *e.Role
		if _, err := ws.ReplaceUser(ctx, t); err != nil {
			return fmt.Errorf("reactivate user %s with role %s: %w", e.ClickUpUserID, e.Role, err)
		}
		return nil
	case ActionDeactivate:
		if err := ws.SetActive(ctx, e.ClickUpUserID, false); err != nil {
			return fmt.Errorf("deactivate user %s: %w", e.ClickUpUserID, err)
		}
		return nil
	}
	return fmt.Errorf("apply %s: not a write action", e.Action)
}
