package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/okta-clickup-sync/okta-clickup-sync/store"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// EventFilter decides which events concern this product (DESIGN.md §10): application events whose
// targets include the app, lifecycle events of a linked user, and membership events of a pushed
// group. Everything else is noise from the rest of the org.
type EventFilter struct {
	AppID      string
	PushGroups []string
	// Linked reports which of these Okta user ids have a stored link; called only when a
	// lifecycle event needs it.
	Linked func(ctx context.Context, oktaIDs []string) (map[string]bool, error)
}

// Affected returns the Okta user ids the events point at, sorted and without repeats, and the
// events kept.
func (f EventFilter) Affected(ctx context.Context, events []core.Event) (users []string, kept []core.Event, err error) {
	var lifecycle []core.Event
	for _, ev := range events {
		switch {
		case strings.HasPrefix(ev.Type, "application.user_membership."):
			if hasTarget(ev, "AppInstance", f.AppID) {
				kept = append(kept, ev)
			}
		case strings.HasPrefix(ev.Type, "group.user_membership."):
			if slices.ContainsFunc(f.PushGroups, func(g string) bool { return hasTarget(ev, "UserGroup", g) }) {
				kept = append(kept, ev)
			}
		case strings.HasPrefix(ev.Type, "user.lifecycle."):
			lifecycle = append(lifecycle, ev)
		}
	}
	if len(lifecycle) > 0 {
		var ids []string
		for _, ev := range lifecycle {
			ids = append(ids, targetsOf(ev, "User")...)
		}
		linked, err := f.Linked(ctx, ids)
		if err != nil {
			return nil, nil, fmt.Errorf("look up links of event users: %w", err)
		}
		for _, ev := range lifecycle {
			if slices.ContainsFunc(targetsOf(ev, "User"), func(id string) bool { return linked[id] }) {
				kept = append(kept, ev)
			}
		}
	}
	for _, ev := range kept {
		users = append(users, targetsOf(ev, "User")...)
	}
	slices.Sort(users)
	return slices.Compact(users), kept, nil
}

func hasTarget(ev core.Event, typ, id string) bool {
	return id != "" && slices.ContainsFunc(ev.Targets, func(t core.EventTarget) bool { return t.Type == typ && t.ID == id })
}

func targetsOf(ev core.Event, typ string) []string {
	var ids []string
	for _, t := range ev.Targets {
		if t.Type == typ && t.ID != "" {
			ids = append(ids, t.ID)
		}
	}
	return ids
}

// CursorStore keeps the System Log cursor across restarts.
type CursorStore interface {
	Cursor(ctx context.Context, name string) (string, error)
	SaveCursor(ctx context.Context, name, value string) error
}

// cursorName is the store key of the System Log poller's cursor.
const cursorName = "okta_system_log"

// Poller reads the System Log on a schedule and reconciles the users its events point at, one
// events run per poll. Its cursor lives in the store, so a restart neither misses nor repeats a
// window; a failed poll does not move it.
type Poller struct {
	Log    core.EventLog
	Store  CursorStore
	Filter EventFilter
	// Run makes the events run (the daemon's single run slot).
	Run    func(ctx context.Context, spec Spec) Result
	Logger zerolog.Logger
	// Since is where the first poll starts when no cursor is stored: the daemon's start.
	Since time.Time
	// Observe, when set, is told of every poll: events seen, events kept, the run (nil when
	// none was needed).
	Observe func(seen int, kept []core.Event, res *Result)
}

// Poll reads the events after the stored cursor and reconciles the users they point at. The
// cursor advances once the events are handled: a poll whose read or run failed before any write
// is repeated next time, and the events run is idempotent, so a repeat is harmless.
func (p *Poller) Poll(ctx context.Context) error {
	cursor, err := p.Store.Cursor(ctx, cursorName)
	if err != nil {
		return fmt.Errorf("read the system log cursor: %w", err)
	}
	events, next, err := p.Log.Events(ctx, cursor, p.Since)
	if err != nil {
		return fmt.Errorf("poll the system log: %w", err)
	}
	users, kept, err := p.Filter.Affected(ctx, events)
	if err != nil {
		return err
	}
	var res *Result
	if len(users) > 0 {
		r := p.Run(ctx, Spec{Kind: KindEvents, Trigger: store.TriggerEvents, Users: users})
		res = &r
		p.Logger.Info().Str("run_id", r.ID).Int("events", len(events)).Int("kept", len(kept)).Strs("users", users).
			Str("outcome", r.Outcome).Msg("event run")
		if r.Outcome == "" || r.Plan.Entries == nil && r.Err != nil {
			// Nothing was planned (a read failed, the lock was busy): try these events again.
			if p.Observe != nil {
				p.Observe(len(events), kept, res)
			}
			return fmt.Errorf("events run %s: %w", r.ID, r.Err)
		}
	}
	if p.Observe != nil {
		p.Observe(len(events), kept, res)
	}
	if next != "" && next != cursor {
		if err := p.Store.SaveCursor(ctx, cursorName, next); err != nil {
			return fmt.Errorf("save the system log cursor: %w", err)
		}
	}
	return nil
}
