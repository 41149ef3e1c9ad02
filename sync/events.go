package sync

import (
	"context"
	"time"
)

// Event is one Okta System Log event, reduced to what decides whom it points at. Events are hints:
// a run always reads the users they name afresh, so a duplicate, late or out-of-order event is
// harmless (DESIGN.md §10).
type Event struct {
	UUID      string
	Type      string // eventType, e.g. application.user_membership.add
	Published time.Time
	Targets   []EventTarget
}

// EventTarget is one of an event's targets.
type EventTarget struct {
	ID          string
	Type        string // User, AppInstance, UserGroup, AppUser, ...
	AlternateID string // a user's login
}

// EventTypes are the System Log event types that can change who should be in ClickUp, and how
// (DESIGN.md §10).
var EventTypes = []string{
	"application.user_membership.add",
	"application.user_membership.remove",
	"application.user_membership.update",
	"application.user_membership.change_username",
	// The app user's status changing without a profile update: entitlement changes all the same.
	"application.user_membership.revoke",
	"application.user_membership.deprovision",
	"application.user_membership.restore",
	"application.user_membership.provision",
	"user.lifecycle.activate",
	"user.lifecycle.reactivate",
	"user.lifecycle.deactivate",
	"user.lifecycle.suspend",
	"user.lifecycle.unsuspend",
	"group.user_membership.add",
	"group.user_membership.remove",
}

// EventLog reads Okta's System Log as a poller does: in ascending order of when Okta stored
// the events, following Okta's next link, which is always present.
type EventLog interface {
	// Events returns the events after cursor, or, with an empty cursor, those published since
	// since; and the cursor to read from next time. Only EventTypes are asked for. On error the
	// cursor is not to be advanced.
	Events(ctx context.Context, cursor string, since time.Time) (events []Event, next string, err error)
}
