package clickuptest

import (
	"encoding/json"
	"fmt"
	"github.com/okta-clickup-sync/okta-clickup-sync/internal/jsontext"
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
	// listedIDs and listedJSON are the sorted member ids and the members array the listing
	// rendered from them, kept because rendering 100 Teams of 1,000 members for every page
	// costs more than anything the client does with them. Members change in several places;
	// rather than have each of them drop these, the listing checks that listedIDs are still
	// the members. What it renders of a member, the id and the userName, never changes, and
	// users are never deleted.
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
	start = max(start, 1)
	count = min(max(count, 0), s.opt.MaxCount)
	name, filtered := "", false
	if q := r.URL.Query(); q.Has("filter") {
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
	lo := min(start-1, len(matched))
	page := matched[lo:min(lo+count, len(matched))]
	p := startList(len(matched), start, len(page))
	for _, g := range page {
		p.b = s.appendGroupResource(p.next(), g)
	}
	s.mu.Unlock()
	p.send(w)
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

// readGroupBody reads a whole Group resource, as POST and PUT send it: its name and member ids.
func readGroupBody(r *http.Request) (a attrs, name string, refs []string, e *scimError) {
	a, e = readBody(r)
	if e == nil {
		e = requireSchemas(a, schemaGroup)
	}
	if e == nil {
		name, e = groupName(a)
	}
	if e == nil {
		raw, _ := a.get("members")
		refs, e = memberValues(raw)
	}
	if e == nil && len(refs) > MaxGroupChanges {
		e = tooMany(len(refs))
	}
	return a, name, refs, e
}

// scimCreateGroup is Okta's "Push New Group".
func (s *Server) scimCreateGroup(w http.ResponseWriter, r *http.Request) {
	_, name, refs, e := readGroupBody(r)
	if e != nil {
		writeSCIMError(w, e)
		return
	}

	s.mu.Lock()
	members, e := s.activeMembers(refs)
	if e == nil {
		e = s.uniqueName(name, "")
	}
	if e != nil {
		s.mu.Unlock()
		writeSCIMError(w, e)
		return
	}
	now := s.now()
	g := &group{id: s.st.newGroupID(), displayName: name, members: map[int]bool{}, created: now, modified: now}
	for _, m := range members {
		g.members[m] = true
	}
	s.st.groups[g.id] = g
	res := s.groupResource(g)
	s.mu.Unlock()

	w.Header().Set("Location", s.groupLocation(g.id))
	writeSCIM(w, http.StatusCreated, res)
}

// scimReplaceGroup is PUT: the name and the whole member list.
func (s *Server) scimReplaceGroup(w http.ResponseWriter, r *http.Request) {
	a, name, refs, e := readGroupBody(r)
	if e != nil {
		writeSCIMError(w, e)
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	g, e := s.lookupGroup(r)
	if e == nil {
		e = sameID(a, g.id)
	}
	var members []int
	if e == nil {
		members, e = s.activeMembers(refs)
	}
	if e == nil {
		e = s.uniqueName(name, g.id)
	}
	if e != nil {
		writeSCIMError(w, e)
		return
	}
	g.displayName, g.members = name, map[int]bool{}
	for _, m := range members {
		g.members[m] = true
	}
	g.modified = s.now()
	writeSCIM(w, http.StatusOK, s.groupResource(g))
}

// scimPatchGroup takes Okta's operations: a path-less replace of {id, displayName}, add to
// members, remove members[value eq "id"], replace of members; also displayName by path and remove
// of members (all of them).
func (s *Server) scimPatchGroup(w http.ResponseWriter, r *http.Request) {
	ops, e := readPatchOps(r)
	if e != nil {
		writeSCIMError(w, e)
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	g, e := s.lookupGroup(r)
	if e != nil {
		writeSCIMError(w, e)
		return
	}
	// The operations apply to a copy, committed only when all of them succeeded.
	p := groupPatch{id: g.id, name: g.displayName, members: make(map[int]bool, len(g.members))}
	for m := range g.members {
		p.members[m] = true
	}
	for i, op := range ops {
		if e := s.applyGroupOp(&p, op); e != nil {
			e.detail = "Operations[" + strconv.Itoa(i) + "]: " + e.detail
			writeSCIMError(w, e)
			return
		}
	}
	if p.changes > MaxGroupChanges {
		writeSCIMError(w, tooMany(p.changes))
		return
	}
	if e := s.uniqueName(p.name, g.id); e != nil {
		writeSCIMError(w, e)
		return
	}
	g.displayName, g.members, g.modified = p.name, p.members, s.now()
	if s.st.groupPatch204 {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeSCIM(w, http.StatusOK, s.groupResource(g))
}

// groupPatch is a group while a PATCH's operations apply, and the changes counted so far.
type groupPatch struct {
	id      string
	name    string
	members map[int]bool
	changes int
}

// applyGroupOp applies one operation to p; the caller holds s.mu.
func (s *Server) applyGroupOp(p *groupPatch, op patchOp) *scimError {
	kind, value, e := opKind(op)
	if e != nil {
		return e
	}
	if value != nil {
		// Sorted, so that which of two bad attributes is reported does not vary.
		keys := make([]string, 0, len(value))
		for k := range value {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if e := s.applyGroupAttr(p, kind, k, value[k]); e != nil {
				return e
			}
		}
		return nil
	}
	path := strings.TrimSpace(*op.Path)
	if len(path) > len(schemaGroup)+1 && strings.EqualFold(path[:len(schemaGroup)+1], schemaGroup+":") {
		path = path[len(schemaGroup)+1:]
	}
	if id, ok, e := memberFilter(path); e != nil || ok {
		if e != nil {
			return e
		}
		if kind != "remove" {
			return badRequest("invalidPath", "%s of %s is not supported; add to members instead", kind, path)
		}
		p.changes++
		if n, err := strconv.Atoi(id); err == nil {
			delete(p.members, n) // a non-member, or no user at all, is already not a member
		}
		return nil
	}
	if kind == "remove" {
		switch {
		case strings.EqualFold(path, "members"):
			p.changes++
			clear(p.members)
			return nil
		case strings.EqualFold(path, "displayName"):
			return badRequest("mutability", "displayName is required and cannot be removed")
		}
		return badRequest("invalidPath", "attribute %q is not supported", path)
	}
	if op.Value == nil {
		return badRequest("invalidValue", "%s of %s needs a value", kind, path)
	}
	return s.applyGroupAttr(p, kind, path, op.Value)
}

// applyGroupAttr applies add or replace of one attribute, by path or as a key of a path-less
// value.
func (s *Server) applyGroupAttr(p *groupPatch, kind, attr string, v json.RawMessage) *scimError {
	switch {
	case strings.EqualFold(attr, "displayName"):
		var name string
		if json.Unmarshal(v, &name) != nil || strings.TrimSpace(name) == "" {
			return badRequest("invalidValue", "displayName must be a non-empty string")
		}
		p.name = name
		p.changes++
	case strings.EqualFold(attr, "id"):
		// Okta sends the id in its path-less rename; it must be this group's, and changes nothing.
		var id string
		if json.Unmarshal(v, &id) != nil || id != p.id {
			return badRequest("mutability", "id %s does not match the group %s", v, p.id)
		}
	case strings.EqualFold(attr, "schemas") || strings.EqualFold(attr, "meta"):
		// read-only, carried along by clients that send a resource back
	case strings.EqualFold(attr, "members"):
		refs, e := memberValues(v)
		if e != nil {
			return e
		}
		ids, e := s.activeMembers(refs)
		if e != nil {
			return e
		}
		p.changes += max(len(refs), 1)
		if kind == "replace" {
			clear(p.members)
		}
		for _, id := range ids {
			p.members[id] = true
		}
	default:
		return badRequest("invalidPath", "attribute %q is not supported", attr)
	}
	return nil
}

// memberFilter reads the value path members[value eq "<id>"]; ok is false for any other path.
func memberFilter(path string) (string, bool, *scimError) {
	const prefix = "members["
	if len(path) <= len(prefix) || !strings.EqualFold(path[:len(prefix)], prefix) {
		return "", false, nil
	}
	inner, found := strings.CutSuffix(path[len(prefix):], "]")
	if !found {
		return "", true, badRequest("invalidPath", "%s: unterminated value filter", path)
	}
	attr, rest, _ := strings.Cut(strings.TrimSpace(inner), " ")
	op, lit, _ := strings.Cut(strings.TrimLeft(rest, " "), " ")
	id, ok := stringLiteral(lit)
	if !strings.EqualFold(attr, "value") || !strings.EqualFold(op, "eq") || !ok {
		return "", true, badRequest("invalidFilter", "%s: supported is members[value eq \"<id>\"]", path)
	}
	return id, true, nil
}

func groupName(a attrs) (string, *scimError) {
	name, ok, e := optString(a, "displayName")
	switch {
	case e != nil:
		return "", e
	case !ok || strings.TrimSpace(name) == "":
		return "", badRequest("invalidValue", "displayName is required")
	}
	return name, nil
}

// memberValues reads a members list, [{"value":"<id>","display":...}]; null is no members.
func memberValues(raw json.RawMessage) ([]string, *scimError) {
	if isNull(raw) {
		return nil, nil
	}
	var list []struct {
		Value *string `json:"value"`
	}
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, badRequest("invalidValue", "members must be an array of {value, display}: %v", err)
	}
	out := make([]string, 0, len(list))
	for i, m := range list {
		if m.Value == nil || *m.Value == "" {
			return nil, badRequest("invalidValue", "members[%d] has no value", i)
		}
		out = append(out, *m.Value)
	}
	return out, nil
}

// activeMembers resolves member ids to users that exist and are active; the caller holds s.mu.
func (s *Server) activeMembers(refs []string) ([]int, *scimError) {
	out := make([]int, 0, len(refs))
	for _, ref := range refs {
		n, err := strconv.Atoi(ref)
		u := s.st.users[n]
		switch {
		case err != nil || u == nil:
			return nil, badRequest("invalidValue", "member %s is not a user of this Workspace", ref)
		case !u.active:
			return nil, badRequest("invalidValue", "member %s is deactivated and cannot join a group", ref)
		}
		out = append(out, n)
	}
	return out, nil
}

// uniqueName refuses a name another group holds; the caller holds s.mu.
func (s *Server) uniqueName(name, self string) *scimError {
	if other := s.st.nameTaken(name, self); other != nil {
		return &scimError{status: http.StatusConflict, scimType: "uniqueness",
			detail: fmt.Sprintf("Group already exists: displayName %q is held by group %s", other.displayName, other.id)}
	}
	return nil
}

// sameID refuses a body whose id is not the path's.
func sameID(a attrs, id string) *scimError {
	raw, ok := a.get("id")
	if !ok || isNull(raw) {
		return nil
	}
	var got string
	if json.Unmarshal(raw, &got) != nil || got != id {
		return badRequest("mutability", "id %s does not match the group %s", raw, id)
	}
	return nil
}

func tooMany(n int) *scimError {
	return badRequest("tooMany", "%d membership changes in one request; at most %d", n, MaxGroupChanges)
}

func (s *Server) scimDeleteGroup(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, e := s.lookupGroup(r)
	if e != nil {
		writeSCIMError(w, e)
		return
	}
	delete(s.st.groups, g.id)
	w.WriteHeader(http.StatusNoContent)
}

// groupResource renders g as reference §2.3 shows it; the caller holds s.mu.
func (s *Server) groupResource(g *group) obj {
	var members []obj // stays nil, and is sent as null, when there are none
	for _, id := range memberIDs(g.members) {
		m := obj{{"value", id}}
		if n, _ := strconv.Atoi(id); s.st.users[n] != nil {
			m = append(m, kv{"display", s.st.users[n].userName})
		}
		members = append(members, m)
	}
	return obj{
		{"schemas", []string{schemaGroup}},
		{"id", g.id},
		{"displayName", g.displayName},
		{"members", members},
		{"meta", obj{
			{"resourceType", "Group"},
			{"created", g.created.Format(time.RFC3339)},
			{"lastModified", g.modified.Format(time.RFC3339)},
			{"location", s.groupLocation(g.id)},
		}},
	}
}

// appendGroupResource appends g as groupResource renders it, without building it first. The
// caller holds s.mu.
func (s *Server) appendGroupResource(dst []byte, g *group) []byte {
	dst = append(dst, `{"schemas":["`+schemaGroup+`"],"id":`...)
	dst = jsontext.AppendString(dst, g.id, false)
	dst = jsontext.AppendString(append(dst, `,"displayName":`...), g.displayName, false)
	dst = append(dst, `,"members":`...)
	dst = append(dst, s.listedMembers(g)...)
	dst = append(dst, `,"meta":{"resourceType":"Group","created":`...)
	dst = appendTime(dst, g.created)
	dst = append(dst, `,"lastModified":`...)
	dst = appendTime(dst, g.modified)
	dst = append(dst, `,"location":`...)
	dst = append(dst, s.enc.groupLocation...)
	dst = jsontext.AppendEscaped(dst, url.PathEscape(g.id), false) // ASCII: escaped apart, the same
	return append(dst, `"}}`...)
}

// listedMembers returns g's members array as the listing renders it; the caller holds s.mu.
func (s *Server) listedMembers(g *group) []byte {
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
	var b []byte
	if len(ids) == 0 {
		b = []byte("null")
	} else {
		b = append(b, '[')
		for i, id := range ids {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"value":"`...)
			b = append(strconv.AppendInt(b, int64(id), 10), '"')
			if u := s.st.users[id]; u != nil {
				b = jsontext.AppendString(append(b, `,"display":`...), u.userName, false)
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	g.listedIDs, g.listedJSON = ids, b
	return b
}

func (s *Server) groupLocation(id string) string { return s.scimURL + "/Groups/" + url.PathEscape(id) }
