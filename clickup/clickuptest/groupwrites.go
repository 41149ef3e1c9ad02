package clickuptest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// POST, PUT, PATCH and DELETE of a group, Okta's Group Push (reference §3.2 item 8).

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
	return a, name, refs, e
}

// scimCreateGroup is Okta's "Push New Group".
func (s *Server) scimCreateGroup(w http.ResponseWriter, r *http.Request) {
	_, name, refs, e := readGroupBody(r)
	if e == nil && len(refs) > MaxGroupChanges {
		e = tooMany(len(refs))
	}
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

// scimReplaceGroup is PUT: the name and the whole member list. Its batch limit counts the members
// it adds and removes, as a PATCH's would: a service without PATCH must take a PUT of a large
// Team whose membership changes a little.
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
	if e == nil {
		if n := memberChanges(g.members, members); n > MaxGroupChanges {
			e = tooMany(n)
		}
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

// memberChanges counts the members a replace by next adds to and removes from have.
func memberChanges(have map[int]bool, next []int) int {
	n, kept := 0, 0
	seen := make(map[int]bool, len(next))
	for _, m := range next {
		if seen[m] {
			continue
		}
		seen[m] = true
		if have[m] {
			kept++
		} else {
			n++
		}
	}
	return n + len(have) - kept
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
