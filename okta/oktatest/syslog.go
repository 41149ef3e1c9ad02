package oktatest

import (
	"fmt"
	"slices"
	"time"
)

// The fake's System Log: every change its state makes is recorded as the LogEvent Okta records
// for it, in the order recorded (Okta's persistence order, which polling follows), with its
// published time from the fake's clock. Tests can record events of their own (duplicates, late
// ones, ones out of order by published) with RecordEvent.

// LogEvent is a System Log event of the fake org.
type LogEvent struct {
	UUID           string    // generated when empty; may repeat another's, as a duplicate
	EventType      string    // required, e.g. application.user_membership.add
	Published      time.Time // the clock's now when zero; may lie before events recorded earlier
	DisplayMessage string    // a default per known type when empty
	Actor          *LogTarget
	Targets        []LogTarget
}

// LogTarget is an actor or a target of a LogEvent.
type LogTarget struct {
	ID          string
	Type        string // User, AppInstance, AppUser, UserGroup, ...
	AlternateID string // a user's login; a group's is "unknown", as Okta writes it
	DisplayName string
}

// logEntry is a recorded event and when it was stored.
type logEntry struct {
	LogEvent
	persisted time.Time
}

// systemLog is guarded by Server.mu.
type systemLog struct {
	clock   func() time.Time // nil: time.Now
	entries []*logEntry
	seq     int // of generated uuids and app-user ids
}

// adminActor is the actor of the changes the fake's mutators make: an admin at the console.
var adminActor = LogTarget{ID: "00ufakeadmin00000001", Type: "User", AlternateID: "admin@fake-okta.example", DisplayName: "Fake Admin"}

// SetClock replaces the clock that stamps recorded events and the objects' timestamps, and
// that the System Log's since is measured by; nil restores time.Now. The clock is called with
// the server's lock held, so it must not call the server.
func (s *Server) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log.clock = now
}

// now expects s.mu held.
func (s *Server) now() time.Time {
	if s.log.clock != nil {
		return s.log.clock()
	}
	return time.Now()
}

// RecordEvent records e as the next event of the System Log, as if Okta had just stored it,
// and returns it with its UUID, Published and DisplayMessage filled in. The event hook, when
// verified, delivers it like any other.
func (s *Server) RecordEvent(e LogEvent) LogEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e.EventType == "" {
		panic("oktatest: RecordEvent: empty event type")
	}
	return s.record(e)
}

// StartSession records a user.session.start of the user, noise a poller must not act on.
func (s *Server) StartSession(userID string) LogEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.user("StartSession", userID)
	actor := userTarget(u)
	return s.record(LogEvent{EventType: "user.session.start", Actor: &actor})
}

// Events returns the System Log so far, in the order recorded.
func (s *Server) Events() []LogEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]LogEvent, len(s.log.entries))
	for i, e := range s.log.entries {
		out[i] = e.LogEvent
		out[i].Targets = slices.Clone(e.Targets)
	}
	return out
}

// record expects s.mu held.
func (s *Server) record(e LogEvent) LogEvent {
	now := s.now()
	if e.UUID == "" {
		s.log.seq++
		e.UUID = fmt.Sprintf("fa4e0000-0000-4000-8000-%012x", s.log.seq)
	}
	if e.Published.IsZero() {
		e.Published = now
	}
	if e.DisplayMessage == "" {
		e.DisplayMessage = displayMessages[e.EventType]
	}
	if e.Actor == nil {
		a := adminActor
		e.Actor = &a
	}
	e.Targets = slices.Clone(e.Targets)
	entry := &logEntry{LogEvent: e, persisted: now}
	s.log.entries = append(s.log.entries, entry)
	s.queueForHook(entry)
	return e
}

// newAppUserID expects s.mu held: the id of an assignment as the System Log names it (AppUser).
func (s *Server) newAppUserID() string {
	s.log.seq++
	return fmt.Sprintf("0uafake%013d", s.log.seq)
}

var displayMessages = map[string]string{
	"application.lifecycle.create":                "Create application",
	"application.user_membership.add":             "Add user to application membership",
	"application.user_membership.remove":          "Remove users application membership",
	"application.user_membership.update":          "Update user's application membership",
	"application.user_membership.change_username": "Change users application username",
	"application.user_membership.provision":       "Provision user to app",
	"application.user_membership.deprovision":     "Deprovision user from application",
	"application.user_membership.revoke":          "Revoke user from application",
	"application.user_membership.restore":         "Restore user to application",
	"user.lifecycle.create":                       "Create Okta user",
	"user.lifecycle.activate":                     "Activate Okta user",
	"user.lifecycle.reactivate":                   "Reactivate Okta user",
	"user.lifecycle.deactivate":                   "Deactivate Okta user",
	"user.lifecycle.suspend":                      "Suspend Okta user",
	"user.lifecycle.unsuspend":                    "Unsuspend Okta user",
	"user.account.lock":                           "Max sign in attempts exceeded",
	"user.account.unlock":                         "Unlock user account",
	"user.account.update_profile":                 "Update user profile for Okta",
	"user.session.start":                          "User login to Okta",
	"group.lifecycle.create":                      "Create Okta group",
	"group.lifecycle.delete":                      "Delete Okta group",
	"group.profile.update":                        "Update Okta group profile",
	"group.user_membership.add":                   "Add user to group membership",
	"group.user_membership.remove":                "Remove user from group membership",
}

// The targets of the events the mutators record, as Okta names them. They expect s.mu held.

func userTarget(u *user) LogTarget {
	name := u.FirstName
	if u.LastName != "" {
		name += " " + u.LastName
	}
	return LogTarget{ID: u.ID, Type: "User", AlternateID: u.Login, DisplayName: name}
}

func appTarget(a *app) LogTarget {
	return LogTarget{ID: a.id, Type: "AppInstance", AlternateID: a.label, DisplayName: a.label}
}

// membershipTargets are an app membership event's: the app user, the app, the user.
func membershipTargets(a *app, u *user, as *assignment) []LogTarget {
	return []LogTarget{
		{ID: as.logID, Type: "AppUser", AlternateID: u.Login, DisplayName: userTarget(u).DisplayName},
		appTarget(a),
		userTarget(u),
	}
}

func groupTarget(g *group) LogTarget {
	return LogTarget{ID: g.ID, Type: "UserGroup", AlternateID: "unknown", DisplayName: g.Name}
}

// recordMembership records an app membership event of the user's assignment.
func (s *Server) recordMembership(eventType string, a *app, u *user, as *assignment) {
	s.record(LogEvent{EventType: eventType, Targets: membershipTargets(a, u, as)})
}

// userStatusEvent is the System Log event type of a user's status change, "" for none.
func userStatusEvent(from, to string) string {
	switch {
	case from == to:
		return ""
	case to == "DEPROVISIONED":
		return "user.lifecycle.deactivate"
	case to == "SUSPENDED":
		return "user.lifecycle.suspend"
	case from == "SUSPENDED":
		return "user.lifecycle.unsuspend"
	case from == "DEPROVISIONED":
		return "user.lifecycle.reactivate"
	case from == "STAGED":
		return "user.lifecycle.activate"
	case to == "LOCKED_OUT":
		return "user.account.lock"
	case from == "LOCKED_OUT":
		return "user.account.unlock"
	}
	return ""
}

// appUserStatusEvent is the System Log event type of an app user's status change, "" for none.
func appUserStatusEvent(from, to string) string {
	switch {
	case from == to:
		return ""
	case to == "REVOKED":
		return "application.user_membership.revoke"
	case to == "DEPROVISIONED":
		return "application.user_membership.deprovision"
	case from == "SUSPENDED":
		return "application.user_membership.restore"
	case from == "STAGED" && to == "PROVISIONED":
		return "application.user_membership.provision"
	}
	return "application.user_membership.update"
}
