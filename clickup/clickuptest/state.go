package clickuptest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Built-in roles as SCIM names them, and their REST numbers (reference §1.4).
const (
	roleOwner  = "owner"
	roleAdmin  = "admin"
	roleMember = "member"
	roleGuest  = "guest"
)

var roleNumbers = map[string]int{roleOwner: 1, roleAdmin: 2, roleMember: 3, roleGuest: 4}

func roleName(n int) string {
	for name, m := range roleNumbers {
		if m == n {
			return name
		}
	}
	return ""
}

// state is the Workspace (reference §4): users with their membership and SCIM link in one record,
// and the custom role catalogue. SCIM lists every user; REST lists those not deactivated.
type state struct {
	users map[int]*user
	// sorted is users by id, rebuilt only after an insert: listing pages at 100,000 users must not
	// sort the Workspace per page, or the fake, not the client, sets the pace of a benchmark.
	sorted []*user
	// byName holds every user under the foldKey of its userName and of its email, so that the
	// uniqueness check of a create is not a scan of the Workspace.
	byName    map[string][]*user
	roles     map[int]*customRole
	roleOrder []int // custom roles in creation order, as REST lists them
	nextID    int

	groups    map[string]*group // SCIM Groups, ClickUp's user groups ("Teams"); see scimgroups.go
	nextGroup int
	// groupPatch204 answers a group PATCH with 204 and no body, which Okta accepts too.
	groupPatch204 bool

	// drifts is how many more listings see a user invited between their pages; driftArmed is
	// set once such a listing's first page was read (see ChangeTotalBetweenPages).
	drifts     int
	driftArmed bool
}

type user struct {
	id                    int
	externalID, userName  string
	email                 string
	givenName, familyName string
	displayName           string
	active                bool
	// joined is false for a pending invite: what a SCIM create makes (reference §2.1).
	joined       bool
	owner        bool
	role         string // owner, admin, member, guest; for a custom role, its inherited role
	customRoleID int    // 0: none
	created      time.Time
	modified     time.Time
}

type customRole struct {
	id            int
	name          string
	inheritedRole int // 2, 3 or 4
	created       time.Time
}

func newState() *state {
	return &state{users: map[int]*user{}, byName: map[string][]*user{}, roles: map[int]*customRole{}, nextID: 101,
		groups: map[string]*group{}, nextGroup: 1}
}

// sortedUsers returns the users by id. The slice is shared: callers hold s.mu and do not change it.
func (st *state) sortedUsers() []*user {
	if st.sorted == nil || len(st.sorted) != len(st.users) {
		out := make([]*user, 0, len(st.users))
		for _, u := range st.users {
			out = append(out, u)
		}
		slices.SortFunc(out, func(a, b *user) int { return a.id - b.id })
		st.sorted = out
	}
	return st.sorted
}

// insert adds a new user. userName and email never change after creation, so the index stays
// right.
func (st *state) insert(u *user) {
	st.users[u.id] = u
	if n := len(st.sorted); n > 0 && n == len(st.users)-1 && st.sorted[n-1].id < u.id {
		st.sorted = append(st.sorted, u)
	} else {
		st.sorted = nil
	}
	keys := []string{foldKey(u.userName)}
	if k := foldKey(u.email); k != keys[0] {
		keys = append(keys, k)
	}
	for _, k := range keys {
		if k != "" {
			st.byName[k] = append(st.byName[k], u)
		}
	}
}

// foldKey maps s to one representative of its class under strings.EqualFold (simple Unicode
// folding): two strings are EqualFold exactly when their keys are equal.
func foldKey(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		m := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			m = min(m, f)
		}
		b.WriteRune(m)
	}
	return b.String()
}

func (st *state) owner() *user {
	for _, u := range st.users {
		if u.owner {
			return u
		}
	}
	return nil
}

func (st *state) newID() int {
	id := st.nextID
	st.nextID++
	return id
}

// User is a ClickUp user as tests seed and inspect it.
type User struct {
	ID         string // an integer, also the REST user id
	ExternalID string
	UserName   string
	Email      string
	GivenName  string
	FamilyName string
	Active     bool
	Role       string // owner, admin, member or guest; for a custom role, its inherited role
	// CustomRoleID is the custom role's id, "" for none.
	CustomRoleID string
	Owner        bool // the Workspace owner, whose role is owner
}

func (u *user) public() User {
	p := User{
		ID: strconv.Itoa(u.id), ExternalID: u.externalID, UserName: u.userName, Email: u.email,
		GivenName: u.givenName, FamilyName: u.familyName, Active: u.active, Role: u.role, Owner: u.owner,
	}
	if u.customRoleID != 0 {
		p.CustomRoleID = strconv.Itoa(u.customRoleID)
	}
	return p
}

// AddUser seeds a user, bypassing the SCIM rules (duplicates, the owner role), and returns it as
// stored. An empty ID gets the next integer; an empty Role is member; Owner and Role "owner" mean
// the same. A seeded user has joined the Workspace. It panics on input no Workspace could hold: a
// non-integer or taken id, an unknown role, a second or inactive owner.
func (s *Server) AddUser(in User) User {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.st
	u := &user{
		externalID: in.ExternalID, userName: in.UserName, email: in.Email,
		givenName: in.GivenName, familyName: in.FamilyName, active: in.Active, joined: true,
		role: strings.ToLower(strings.TrimSpace(in.Role)), created: s.now(),
	}
	u.modified = u.created
	u.displayName = joinName(u.givenName, u.familyName)
	if in.ID == "" {
		u.id = st.newID()
	} else {
		id, err := strconv.Atoi(in.ID)
		if err != nil || id <= 0 {
			panic(fmt.Sprintf("clickuptest: user id %q is not a positive integer", in.ID))
		}
		if st.users[id] != nil {
			panic(fmt.Sprintf("clickuptest: user id %d exists already", id))
		}
		u.id = id
		st.nextID = max(st.nextID, id+1)
	}
	if in.CustomRoleID != "" {
		id, err := strconv.Atoi(in.CustomRoleID)
		if err != nil || id <= 0 {
			panic(fmt.Sprintf("clickuptest: custom role id %q is not a positive integer", in.CustomRoleID))
		}
		u.customRoleID = id
		if cr := st.roles[id]; cr != nil && u.role == "" {
			u.role = roleName(cr.inheritedRole)
		}
	}
	if in.Owner || u.role == roleOwner {
		if st.owner() != nil {
			panic("clickuptest: the Workspace has an owner already")
		}
		if !in.Active {
			panic("clickuptest: the Workspace owner cannot be inactive")
		}
		u.owner, u.role = true, roleOwner
	}
	if u.role == "" {
		u.role = roleMember
	}
	if _, ok := roleNumbers[u.role]; !ok {
		panic(fmt.Sprintf("clickuptest: unknown role %q (owner, admin, member, guest)", in.Role))
	}
	st.insert(u)
	return u.public()
}

// Users returns every user, inactive ones included, sorted by numeric id.
func (s *Server) Users() []User {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []User
	for _, u := range s.st.sortedUsers() {
		out = append(out, u.public())
	}
	return out
}

// User returns the user with that id.
func (s *Server) User(id string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, err := strconv.Atoi(id)
	if err != nil {
		return User{}, false
	}
	u := s.st.users[n]
	if u == nil {
		return User{}, false
	}
	return u.public(), true
}

// AddCustomRole adds a custom role; inheritedRole is 2 (admin), 3 (member) or 4 (guest). It
// panics on an invalid or taken id, an empty name or another inherited role.
func (s *Server) AddCustomRole(id int, name string, inheritedRole int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case id <= 0:
		panic(fmt.Sprintf("clickuptest: custom role id %d is not positive", id))
	case s.st.roles[id] != nil:
		panic(fmt.Sprintf("clickuptest: custom role %d exists already", id))
	case strings.TrimSpace(name) == "":
		panic("clickuptest: custom role name is empty")
	case inheritedRole < 2 || inheritedRole > 4:
		panic(fmt.Sprintf("clickuptest: inherited role %d is not 2 (admin), 3 (member) or 4 (guest)", inheritedRole))
	}
	s.st.roles[id] = &customRole{id: id, name: name, inheritedRole: inheritedRole, created: s.now()}
	s.st.roleOrder = append(s.st.roleOrder, id)
}

// RenameCustomRole renames a custom role, as an admin would in ClickUp's settings.
func (s *Server) RenameCustomRole(id int, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cr := s.st.roles[id]
	if cr == nil {
		panic(fmt.Sprintf("clickuptest: no custom role %d", id))
	}
	if strings.TrimSpace(name) == "" {
		panic("clickuptest: custom role name is empty")
	}
	cr.name = name
}

func joinName(given, family string) string {
	return strings.TrimSpace(strings.TrimSpace(given) + " " + strings.TrimSpace(family))
}
