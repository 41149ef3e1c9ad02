package sync

import (
	"context"
	"fmt"
	gosync "sync"
)

// ApplyOptions tune Apply.
type ApplyOptions struct {
	// Concurrency bounds the writes in flight at once (default 4; the daemon's configuration
	// defaults to config.DefaultConcurrency).
	Concurrency int
	// OnDone is called once per write entry after it finished, from Apply's goroutines, one call
	// at a time.
	OnDone func(Entry)
	// Teams applies team entries; plans with team entries need it.
	Teams TeamWorkspace
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
	var (
		wg  gosync.WaitGroup
		mu  gosync.Mutex
		sem = make(chan struct{}, n)
	)
	done := func(e *Entry) {
		if opt.OnDone != nil {
			mu.Lock()
			opt.OnDone(*e)
			mu.Unlock()
		}
	}
	for i := range out.Entries {
		if !out.Entries[i].Action.IsWrite() || out.Entries[i].Action.isTeam() || out.Entries[i].Outcome != OutcomePlanned {
			continue
		}
		select {
		case <-ctx.Done():
		case sem <- struct{}{}:
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func(e *Entry) {
			defer wg.Done()
			defer func() { <-sem }()
			applyEntry(context.WithoutCancel(ctx), ws, e)
			done(e)
		}(&out.Entries[i])
	}
	wg.Wait()
	if opt.Teams != nil && ctx.Err() == nil {
		applyTeams(ctx, opt.Teams, out.Entries, n, done)
	}
	return out
}

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
