package clickuptest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// SCIM Groups are ClickUp's user groups ("Teams" in its UI), pushed by Okta's Group Push
// (reference §2.3 "Groups", §3.2 item 8). The rules the real service's documentation leaves open
// are chosen strictly, all [P]:
//   - displayName is unique per Workspace, compared case-insensitively (RFC 7643 makes it
//     caseExact false); a duplicate is 409 uniqueness, on create, rename and PUT alike.
//   - The filter displayName eq "x" matches case-insensitively too, so after a 409 it finds the
//     group that caused it, and the client must decide whether that is its own.
//   - Every member added must be an existing, active user, else 400 invalidValue; removing a
//     non-member changes nothing.
//   - One request carries at most MaxGroupChanges changes, else 400 tooMany: each member in an
//     add, a replace or a create counts one, each other operation one.
//   - A PATCH applies all its operations or none.
//   - Members are shown as null when there are none, which Okta accepts and which keeps clients
//     from relying on a list being there.
//   - Deactivating a user removes them from every group.

const schemaGroup = "urn:ietf:params:scim:schemas:core:2.0:Group"

// MaxGroupChanges is the batch limit the fake imposes on one group request [P].
const MaxGroupChanges = 100

// Path patterns of the SCIM Groups endpoints for fault rules.
const (
	PathSCIMGroups = "/scim/v2/*/Groups"
	PathSCIMGroup  = "/scim/v2/*/Groups/*"
)

type group struct {
	id                string
	displayName       string
	members           map[int]bool
	created, modified time.Time
	// listedIDs and listedJSON are the sorted member ids and the members array rendered from
	// them, kept because rendering 100 Teams of 1,000 members for every page costs more than
	// anything the client does with them. Members change in several places; rather than have
	// each of them drop these, renderedMembers checks that listedIDs are still the members.
	// What it renders of a member, the id and the userName, never changes, and users are never
	// deleted.
	listedIDs  []int
	listedJSON []byte
}

// Group is a SCIM group (a ClickUp user group) as tests seed and inspect it.
type Group struct {
	ID          string
	DisplayName string
	Members     []string // user ids
}

func (g *group) public() Group {
	return Group{ID: g.id, DisplayName: g.displayName, Members: memberIDs(g.members)}
}

// memberIDs returns the members as ids in numeric order, never nil.
func memberIDs(m map[int]bool) []string {
	ids := make([]int, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		out = append(out, strconv.Itoa(id))
	}
	return out
}

// newGroupID is UUID-shaped, as ClickUp's group ids are (reference §1.5.11), and counts up, so
// that ordering by id is creation order and runs are reproducible.
func (st *state) newGroupID() string {
	for {
		id := fmt.Sprintf("00000000-0000-4000-8000-%012d", st.nextGroup)
		st.nextGroup++
		if st.groups[id] == nil {
			return id
		}
	}
}

func (st *state) sortedGroups() []*group {
	out := make([]*group, 0, len(st.groups))
	for _, g := range st.groups {
		out = append(out, g)
	}
	slices.SortFunc(out, func(a, b *group) int { return strings.Compare(a.id, b.id) })
	return out
}

// nameTaken returns a group other than self named name, compared case-insensitively.
func (st *state) nameTaken(name, self string) *group {
	for _, g := range st.sortedGroups() {
		if g.id != self && strings.EqualFold(g.displayName, name) {
			return g
		}
	}
	return nil
}

// leaveGroups removes a user from every group, as deactivation does; the caller holds s.mu.
func (st *state) leaveGroups(userID int) {
	for _, g := range st.groups {
		delete(g.members, userID)
	}
}

// AddGroup seeds a group, bypassing the SCIM rules (unique names, active members, the batch
// limit), and returns it as stored. An empty ID gets the next generated one. It panics on a taken
// id, an empty name or a member that is not a user.
func (s *Server) AddGroup(in Group) Group {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.st
	if strings.TrimSpace(in.DisplayName) == "" {
		panic("clickuptest: group displayName is empty")
	}
	g := &group{id: in.ID, displayName: in.DisplayName, members: map[int]bool{}, created: s.now()}
	g.modified = g.created
	if g.id == "" {
		g.id = st.newGroupID()
	} else if st.groups[g.id] != nil {
		panic(fmt.Sprintf("clickuptest: group id %q exists already", g.id))
	}
	for _, m := range in.Members {
		n, err := strconv.Atoi(m)
		if err != nil || st.users[n] == nil {
			panic(fmt.Sprintf("clickuptest: group member %q is not a user", m))
		}
		g.members[n] = true
	}
	st.groups[g.id] = g
	return g.public()
}

// Groups returns every group, sorted by displayName then id, members in numeric order.
func (s *Server) Groups() []Group {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Group
	for _, g := range s.st.groups {
		out = append(out, g.public())
	}
	slices.SortFunc(out, func(a, b Group) int {
		if c := strings.Compare(a.DisplayName, b.DisplayName); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}

// Group returns the group with that id.
func (s *Server) Group(id string) (Group, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.st.groups[id]
	if g == nil {
		return Group{}, false
	}
	return g.public(), true
}

// SetGroupPatchReturns204 makes group PATCHes answer 204 without a body instead of 200 with the
// group; Okta accepts both (reference §3.2 item 8).
func (s *Server) SetGroupPatchReturns204(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.groupPatch204 = on
}

func (s *Server) scimListGroups(w http.ResponseWriter, r *http.Request) {
	start, e := queryInt(r, "startIndex", 1)
	if e != nil {
		writeSCIMError(w, e)
		return
	}
	count, e := queryInt(r, "count", DefaultMaxCount)
	if e != nil {
		writeSCIMError(w, e)
		return
	}
	name, filtered := "", false
	if q := r.URL.Query(); q.Has("filter") {
		if s.opt.NoFilter {
			writeSCIMError(w, noFilter())
			return
		}
		if name, e = parseGroupFilter(q.Get("filter")); e != nil {
			writeSCIMError(w, e)
			return
		}
		filtered = true
	}

	s.mu.Lock()
	var matched []*group
	for _, g := range s.st.sortedGroups() {
		if !filtered || strings.EqualFold(g.displayName, name) {
			matched = append(matched, g)
		}
	}
	lo, hi, start := pageOf(len(matched), start, count, s.opt.MaxCount)
	resources := make([]groupResource, 0, hi-lo)
	for _, g := range matched[lo:hi] {
		resources = append(resources, s.groupResource(g))
	}
	s.mu.Unlock()
	writeSCIM(w, http.StatusOK, listOf(len(matched), start, resources))
}

// parseGroupFilter accepts displayName eq "<value>" only, the filter Okta's Group Push uses.
func parseGroupFilter(f string) (string, *scimError) {
	invalid := func(why string) (string, *scimError) {
		return "", badRequest("invalidFilter", "filter %q: %s; supported: displayName eq \"value\"", f, why)
	}
	attr, rest, ok := strings.Cut(strings.TrimSpace(f), " ")
	if !ok {
		return invalid("not an eq expression")
	}
	if len(attr) > len(schemaGroup)+1 && strings.EqualFold(attr[:len(schemaGroup)+1], schemaGroup+":") {
		attr = attr[len(schemaGroup)+1:]
	}
	if !strings.EqualFold(attr, "displayName") {
		return invalid("unsupported attribute " + attr)
	}
	op, lit, ok := strings.Cut(strings.TrimLeft(rest, " "), " ")
	if !ok || !strings.EqualFold(op, "eq") {
		return invalid("only the eq operator is supported")
	}
	value, ok := stringLiteral(lit)
	if !ok {
		return invalid("the value must be one quoted string")
	}
	return value, nil
}

func (s *Server) scimGetGroup(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, e := s.lookupGroup(r)
	if e != nil {
		writeSCIMError(w, e)
		return
	}
	writeSCIM(w, http.StatusOK, s.groupResource(g))
}

// lookupGroup finds the group named by the path; the caller holds s.mu.
func (s *Server) lookupGroup(r *http.Request) (*group, *scimError) {
	id := r.PathValue("id")
	if g := s.st.groups[id]; g != nil {
		return g, nil
	}
	return nil, &scimError{status: http.StatusNotFound, detail: "Group " + id + " not found"}
}

// groupResource is a group as reference §2.3 shows it.
type groupResource struct {
	Schemas     []string        `json:"schemas"`
	ID          string          `json:"id"`
	DisplayName string          `json:"displayName"`
	Members     json.RawMessage `json:"members"` // see renderedMembers
	Meta        metaResource    `json:"meta"`
}

// groupResource renders g; the caller holds s.mu.
func (s *Server) groupResource(g *group) groupResource {
	return groupResource{
		Schemas: []string{schemaGroup}, ID: g.id, DisplayName: g.displayName, Members: s.renderedMembers(g),
		Meta: metaResource{"Group", g.created.Format(time.RFC3339), g.modified.Format(time.RFC3339), s.groupLocation(g.id)},
	}
}

type memberResource struct {
	Value   string `json:"value"`
	Display string `json:"display,omitempty"`
}

// renderedMembers returns g's members array: null when there are none, else each member's id
// and userName in numeric order. The caller holds s.mu.
func (s *Server) renderedMembers(g *group) json.RawMessage {
	fresh := g.listedJSON != nil && len(g.listedIDs) == len(g.members)
	for _, id := range g.listedIDs {
		if !fresh {
			break
		}
		fresh = g.members[id]
	}
	if fresh {
		return g.listedJSON
	}
	ids := make([]int, 0, len(g.members))
	for id := range g.members {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var members []memberResource // stays nil, and is sent as null, when there are none
	for _, id := range ids {
		m := memberResource{Value: strconv.Itoa(id)}
		if u := s.st.users[id]; u != nil {
			m.Display = u.userName
		}
		members = append(members, m)
	}
	var b bytes.Buffer
	if err := encode(&b, members); err != nil {
		panic(fmt.Sprintf("clickuptest: encode the members of group %s: %v", g.id, err)) // ids and strings
	}
	g.listedIDs, g.listedJSON = ids, b.Bytes()
	return g.listedJSON
}

func (s *Server) groupLocation(id string) string { return s.scimURL + "/Groups/" + url.PathEscape(id) }
