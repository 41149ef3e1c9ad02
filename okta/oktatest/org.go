package oktatest

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// User is an Okta user of the fake org.
type User struct {
	ID        string // 00u...; generated when empty
	Status    string // ACTIVE (default), SUSPENDED, DEPROVISIONED, ...
	Login     string
	Email     string
	FirstName string
	LastName  string
}

type org struct {
	apps     map[string]*app
	users    map[string]*user
	byLogin  map[string]string // user id by lower-case login, for GET /api/v1/users/{login}
	userSeq  int
	groups   map[string]*group // see groups.go
	groupSeq int
}

type app struct {
	id, label        string
	created, updated string                 // timestamps, as rendered
	href             string                 // its _links.self
	assignments      map[string]*assignment // by user id
	// sorted is the assigned user ids in order, nil after the set changed: sorting 100,000 ids per
	// page would make the fake, not the client, the pace of a benchmark.
	sorted []string
}

// sortedIDs returns the assigned user ids in order; the caller holds s.mu and does not change it.
func (a *app) sortedIDs() []string {
	if a.sorted == nil {
		a.sorted = make([]string, 0, len(a.assignments))
		for id := range a.assignments {
			a.sorted = append(a.sorted, id)
		}
		slices.Sort(a.sorted)
	}
	return a.sorted
}

type user struct {
	User
	created, updated, statusChanged string // timestamps, as rendered
	href                            string // its _links.self
}

type assignment struct {
	logID                           string // the AppUser id the System Log names
	status                          string
	profile                         json.RawMessage
	created, updated, statusChanged string
}

func newOrg() org {
	return org{apps: make(map[string]*app), users: make(map[string]*user), byLogin: make(map[string]string), groups: make(map[string]*group)}
}

// The objects keep their timestamps as Okta renders them, so a listing formats none.
const timestampLayout = "2006-01-02T15:04:05.000Z"

func timestamp(t time.Time) string { return t.UTC().Format(timestampLayout) }

// The mutators panic on a call that makes no sense (an unknown app or user, a duplicate id):
// that is a bug in the test or the demo setup, and a silent no-op would only hide it.

// AddApp adds an app instance with the given id and label.
func (s *Server) AddApp(appID, label string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if appID == "" {
		panic("oktatest: AddApp: empty app id")
	}
	if _, ok := s.org.apps[appID]; ok {
		panic(fmt.Sprintf("oktatest: AddApp: app %s exists", appID))
	}
	now := timestamp(s.now())
	a := &app{id: appID, label: label, created: now, updated: now, href: s.URL() + "/api/v1/apps/" + appID,
		assignments: make(map[string]*assignment)}
	s.org.apps[appID] = a
	s.record(LogEvent{EventType: "application.lifecycle.create", Targets: []LogTarget{appTarget(a)}})
}

// AddUser adds a user and returns it with its ID and Status filled in. Generated ids sort in
// creation order, which keeps listings predictable.
func (s *Server) AddUser(u User) User {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.ID == "" {
		for {
			s.org.userSeq++
			u.ID = fmt.Sprintf("00ufake%013d", s.org.userSeq)
			if _, taken := s.org.users[u.ID]; !taken {
				break
			}
		}
	}
	if _, ok := s.org.users[u.ID]; ok {
		panic(fmt.Sprintf("oktatest: AddUser: user %s exists", u.ID))
	}
	if u.Status == "" {
		u.Status = "ACTIVE"
	}
	now := timestamp(s.now())
	nu := &user{User: u, created: now, updated: now, statusChanged: now, href: s.URL() + "/api/v1/users/" + u.ID}
	s.org.users[u.ID] = nu
	s.indexLogin("", u)
	s.record(LogEvent{EventType: "user.lifecycle.create", Targets: []LogTarget{userTarget(nu)}})
	if u.Status != "STAGED" && u.Status != "DEPROVISIONED" {
		s.record(LogEvent{EventType: "user.lifecycle.activate", Targets: []LogTarget{userTarget(nu)}})
	}
	return u
}

// UpdateUser replaces the profile and status of the user with u.ID; an empty Status keeps the
// current one.
func (s *Server) UpdateUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.user("UpdateUser", u.ID)
	now := timestamp(s.now())
	if u.Status == "" {
		u.Status = cur.Status
	}
	if u.Status != cur.Status {
		cur.statusChanged = now
	}
	s.indexLogin(cur.Login, u)
	old := cur.User
	cur.User, cur.updated = u, now
	s.recordUserChange(old, cur)
}

// recordUserChange records what an update of the user changed: its profile, the username of
// each of its assignments with its login, and its status. It expects s.mu held.
func (s *Server) recordUserChange(old User, cur *user) {
	profile := cur.User
	profile.Status = old.Status
	if profile != old {
		s.record(LogEvent{EventType: "user.account.update_profile", Targets: []LogTarget{userTarget(cur)}})
	}
	if cur.Login != old.Login {
		for _, id := range slices.Sorted(maps.Keys(s.org.apps)) {
			a := s.org.apps[id]
			if as, ok := a.assignments[cur.ID]; ok {
				s.recordMembership("application.user_membership.change_username", a, cur, as)
			}
		}
	}
	if t := userStatusEvent(old.Status, cur.Status); t != "" {
		s.record(LogEvent{EventType: t, Targets: []LogTarget{userTarget(cur)}})
	}
}

// indexLogin expects s.mu held: u's login replaces old in the index. Okta's logins are unique
// without regard to case; the fake keeps the first user of a login, as a strict org would
// refuse the second.
func (s *Server) indexLogin(old string, u User) {
	if id, ok := s.org.byLogin[strings.ToLower(old)]; ok && id == u.ID {
		delete(s.org.byLogin, strings.ToLower(old))
	}
	if _, taken := s.org.byLogin[strings.ToLower(u.Login)]; !taken && u.Login != "" {
		s.org.byLogin[strings.ToLower(u.Login)] = u.ID
	}
}

// Assign assigns the user to the app, or replaces an existing assignment. status defaults to
// PROVISIONED; profile is the app-user profile (role attributes under whatever keys the test
// configures), encoded as JSON now so later changes to the map do not leak in.
func (s *Server) Assign(appID, userID, status string, profile map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.app("Assign", appID)
	u := s.user("Assign", userID)
	if status == "" {
		status = "PROVISIONED"
	}
	now := timestamp(s.now())
	old, existed := a.assignments[userID]
	as := &assignment{
		status: status, profile: encodeProfile("Assign", profile),
		created: now, updated: now, statusChanged: now,
	}
	if existed {
		as.logID, as.created = old.logID, old.created
		if old.status == status {
			as.statusChanged = old.statusChanged
		}
		a.assignments[userID] = as
		s.recordMembership("application.user_membership.update", a, u, as)
		return
	}
	a.sorted = nil
	as.logID = s.newAppUserID()
	a.assignments[userID] = as
	s.recordMembership("application.user_membership.add", a, u, as)
}

// SetAssignmentProfile replaces the app-user profile of an existing assignment.
func (s *Server) SetAssignmentProfile(appID, userID string, profile map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	as := s.assignment("SetAssignmentProfile", appID, userID)
	as.profile, as.updated = encodeProfile("SetAssignmentProfile", profile), timestamp(s.now())
	s.recordMembership("application.user_membership.update", s.org.apps[appID], s.org.users[userID], as)
}

// SetAssignmentStatus changes the app-user status of an existing assignment.
func (s *Server) SetAssignmentStatus(appID, userID, status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	as := s.assignment("SetAssignmentStatus", appID, userID)
	now := timestamp(s.now())
	if as.status != status {
		as.statusChanged = now
	}
	t := appUserStatusEvent(as.status, status)
	as.status, as.updated = status, now
	if t != "" {
		s.recordMembership(t, s.org.apps[appID], s.org.users[userID], as)
	}
}

// Unassign removes the user's assignment to the app, if any.
func (s *Server) Unassign(appID, userID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.app("Unassign", appID)
	as, ok := a.assignments[userID]
	if !ok {
		return
	}
	delete(a.assignments, userID)
	a.sorted = nil
	s.recordMembership("application.user_membership.remove", a, s.org.users[userID], as)
}

// The helpers below expect s.mu held.

func (s *Server) app(op, id string) *app {
	a, ok := s.org.apps[id]
	if !ok {
		panic(fmt.Sprintf("oktatest: %s: no app %s", op, id))
	}
	return a
}

func (s *Server) user(op, id string) *user {
	u, ok := s.org.users[id]
	if !ok {
		panic(fmt.Sprintf("oktatest: %s: no user %q", op, id))
	}
	return u
}

func (s *Server) assignment(op, appID, userID string) *assignment {
	as, ok := s.app(op, appID).assignments[userID]
	if !ok {
		panic(fmt.Sprintf("oktatest: %s: user %s is not assigned to app %s", op, userID, appID))
	}
	return as
}

func encodeProfile(op string, p map[string]any) json.RawMessage {
	if p == nil {
		return json.RawMessage("{}")
	}
	b, err := json.Marshal(p)
	if err != nil {
		panic(fmt.Sprintf("oktatest: %s: profile is not JSON: %v", op, err))
	}
	return b
}
