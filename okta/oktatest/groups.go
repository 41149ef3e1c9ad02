package oktatest

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Group is an Okta group of the fake org.
type Group struct {
	ID          string // 00g...; generated when empty
	Name        string // profile.name; required. Several groups may share one, as an imported AD group and an Okta group can.
	Description string
}

type group struct {
	Group
	created, updated, membershipUpdated string          // timestamps, as rendered
	href                                string          // its _links base
	members                             map[string]bool // user ids
	// sorted is the member ids in order, nil after the set changed, as app.sorted is.
	sorted []string
	// deleted groups stay in the map so that a cursor naming one still pages (Okta's cursors
	// outlive the object) and a deleted id is never handed out again.
	deleted bool
}

const (
	routeGroups routeKind = 200 + iota // outside route.go's iota range, like routeAppUserSchema
	routeGroup
	routeGroupUsers
)

// Page sizes of the group endpoints. Options.MaxPageLimit does not apply to them: it caps the
// app users listing, and these endpoints have limits of their own.
const (
	// GroupsPageLimit is the default and the cap of limit on GET /api/v1/groups (Okta documents
	// 10000 as the default of a search).
	GroupsPageLimit = 10000
	// GroupMembersPageLimit is the default and the cap of limit on GET /api/v1/groups/{id}/users
	// (Okta: 1000, "very high for historical reasons"; it recommends asking for 200).
	GroupMembersPageLimit = 1000
)

// AddGroup adds a group and returns it with its ID filled in. Generated ids sort in creation
// order, which keeps listings predictable.
func (s *Server) AddGroup(g Group) Group {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g.Name == "" {
		panic("oktatest: AddGroup: empty name")
	}
	if g.ID == "" {
		for {
			s.org.groupSeq++
			g.ID = fmt.Sprintf("00gfake%013d", s.org.groupSeq)
			if _, taken := s.org.groups[g.ID]; !taken {
				break
			}
		}
	}
	if _, ok := s.org.groups[g.ID]; ok {
		panic(fmt.Sprintf("oktatest: AddGroup: group %s exists or existed", g.ID))
	}
	now := timestamp(s.now())
	ng := &group{Group: g, created: now, updated: now, membershipUpdated: now,
		href: s.URL() + "/api/v1/groups/" + g.ID, members: map[string]bool{}}
	s.org.groups[g.ID] = ng
	s.record(LogEvent{EventType: "group.lifecycle.create", Targets: []LogTarget{groupTarget(ng)}})
	return g
}

// RenameGroup changes the group's profile.name.
func (s *Server) RenameGroup(id, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if name == "" {
		panic("oktatest: RenameGroup: empty name")
	}
	g := s.group("RenameGroup", id)
	g.Name, g.updated = name, timestamp(s.now())
	s.record(LogEvent{EventType: "group.profile.update", Targets: []LogTarget{groupTarget(g)}})
}

// DeleteGroup deletes the group; it then answers 404 and no search finds it.
func (s *Server) DeleteGroup(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.group("DeleteGroup", id)
	g.deleted = true
	s.record(LogEvent{EventType: "group.lifecycle.delete", Targets: []LogTarget{groupTarget(g)}})
}

// AddGroupMember makes the user a member of the group; adding a member twice is a no-op, as in
// Okta.
func (s *Server) AddGroupMember(groupID, userID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.group("AddGroupMember", groupID)
	u := s.user("AddGroupMember", userID)
	if g.members[userID] {
		return
	}
	g.sorted = nil
	g.members[userID], g.membershipUpdated = true, timestamp(s.now())
	s.record(LogEvent{EventType: "group.user_membership.add", Targets: []LogTarget{userTarget(u), groupTarget(g)}})
}

// RemoveGroupMember removes the user from the group, if a member.
func (s *Server) RemoveGroupMember(groupID, userID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.group("RemoveGroupMember", groupID)
	if !g.members[userID] {
		return
	}
	g.sorted = nil
	delete(g.members, userID)
	g.membershipUpdated = timestamp(s.now())
	s.record(LogEvent{EventType: "group.user_membership.remove", Targets: []LogTarget{userTarget(s.org.users[userID]), groupTarget(g)}})
}

// group expects s.mu held.
func (s *Server) group(op, id string) *group {
	g, ok := s.org.groups[id]
	if !ok || g.deleted {
		panic(fmt.Sprintf("oktatest: %s: no group %q", op, id))
	}
	return g
}

// parseGroupRoute recognises /api/v1/groups, /api/v1/groups/{id} and /api/v1/groups/{id}/users;
// other paths keep rt.
func parseGroupRoute(path string, rt route) route {
	if path == "/api/v1/groups" {
		return route{kind: routeGroups, bucket: "/api/v1/groups"}
	}
	rest, ok := strings.CutPrefix(path, "/api/v1/groups/")
	if !ok {
		return rt
	}
	parts := strings.Split(rest, "/")
	switch {
	case parts[0] == "":
	case len(parts) == 1:
		return route{kind: routeGroup, bucket: "/api/v1/groups/{id}"}
	case len(parts) == 2 && parts[1] == "users":
		return route{kind: routeGroupUsers, bucket: "/api/v1/groups/{id}/users"}
	}
	return route{bucket: "/api/v1/groups"}
}

func (s *Server) serveGroups(w http.ResponseWriter, r *http.Request, rt route) {
	id, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/api/v1/groups/"), "/")
	switch rt.kind {
	case routeGroups:
		s.listGroups(w, r)
	case routeGroup:
		s.getGroup(w, id)
	case routeGroupUsers:
		s.listGroupUsers(w, r, id)
	}
}

// groupJSON is an Okta group.
type groupJSON struct {
	ID                    string   `json:"id"`
	Created               string   `json:"created"`
	LastUpdated           string   `json:"lastUpdated"`
	LastMembershipUpdated string   `json:"lastMembershipUpdated"`
	ObjectClass           []string `json:"objectClass"`
	Type                  string   `json:"type"`
	Profile               struct {
		Name        string `json:"name"`
		Description string `json:"description"`
	} `json:"profile"`
	Links struct {
		Apps  link             `json:"apps"`
		Logo  [1]groupLogoJSON `json:"logo"`
		Users link             `json:"users"`
	} `json:"_links"`
}

type groupLogoJSON struct {
	Href string `json:"href"`
	Name string `json:"name"`
	Type string `json:"type"`
}

var groupObjectClass = []string{"okta:user_group"}

// renderGroup expects s.mu held.
func (s *Server) renderGroup(g *group) groupJSON {
	out := groupJSON{
		ID: g.ID, Created: g.created, LastUpdated: g.updated, LastMembershipUpdated: g.membershipUpdated,
		ObjectClass: groupObjectClass, Type: "OKTA_GROUP",
	}
	out.Profile.Name, out.Profile.Description = g.Name, g.Description
	out.Links.Apps.Href, out.Links.Users.Href = g.href+"/apps", g.href+"/users"
	out.Links.Logo[0] = groupLogoJSON{Href: s.URL() + "/assets/img/logos/groups/okta-medium.png", Name: "medium", Type: "image/png"}
	return out
}

func (s *Server) groupNotFound(w http.ResponseWriter, id string) {
	s.writeError(w, http.StatusNotFound, "E0000007", "Not found: Resource not found: "+id+" (UserGroup)")
}

func (s *Server) getGroup(w http.ResponseWriter, id string) {
	s.mu.Lock()
	g, ok := s.org.groups[id]
	ok = ok && !g.deleted
	var body groupJSON
	if ok {
		body = s.renderGroup(g)
	}
	s.mu.Unlock()
	if !ok {
		s.groupNotFound(w, id)
		return
	}
	s.writeJSON(w, http.StatusOK, body)
}

// pageLimit reads the limit parameter: def when absent, capped at most, 400 below 1.
func (s *Server) pageLimit(w http.ResponseWriter, q url.Values, def, most int) (int, bool) {
	if !q.Has("limit") {
		return def, true
	}
	n, err := strconv.Atoi(q.Get("limit"))
	if err != nil || n < 1 {
		s.writeError(w, http.StatusBadRequest, "E0000001", "Api validation failed: limit",
			"limit: must be a positive integer")
		return 0, false
	}
	return min(n, most), true
}

// groupSearch is a parsed search parameter: either one name or a set of ids.
type groupSearch struct {
	name *string
	ids  map[string]bool
}

// matches expects s.mu held.
func (q groupSearch) matches(g *group) bool {
	switch {
	case q.name != nil:
		// Okta compares strings in search expressions without regard to case, so a client that
		// needs an exact name has to check what comes back.
		return strings.EqualFold(g.Name, *q.name)
	case q.ids != nil:
		return q.ids[g.ID]
	}
	return true
}

// parseGroupSearch accepts exactly the two forms the adapter sends: profile.name eq "x", and one
// or more id eq "x" joined by or. Okta's search language is larger; anything else here is a
// request the adapter was not meant to make, so it fails loudly rather than being half-understood.
func parseGroupSearch(expr string) (groupSearch, error) {
	type clause struct{ attr, value string }
	var clauses []clause
	rest := expr
	for {
		attr, after, ok := strings.Cut(rest, " eq ")
		if !ok || (attr != "id" && attr != "profile.name") {
			return groupSearch{}, fmt.Errorf("expected id eq \"...\" or profile.name eq \"...\" at %q", rest)
		}
		value, tail, err := parseQuoted(after)
		if err != nil {
			return groupSearch{}, err
		}
		clauses = append(clauses, clause{attr, value})
		if tail == "" {
			break
		}
		if rest, ok = strings.CutPrefix(tail, " or "); !ok {
			return groupSearch{}, fmt.Errorf("expected \" or \" at %q", tail)
		}
	}
	if len(clauses) == 1 && clauses[0].attr == "profile.name" {
		return groupSearch{name: &clauses[0].value}, nil
	}
	ids := map[string]bool{}
	for _, c := range clauses {
		if c.attr != "id" {
			return groupSearch{}, errors.New("profile.name eq can only stand alone")
		}
		ids[c.value] = true
	}
	return groupSearch{ids: ids}, nil
}

// parseQuoted reads a double-quoted string with backslash escapes from the start of s.
func parseQuoted(s string) (value, rest string, _ error) {
	if !strings.HasPrefix(s, `"`) {
		return "", "", fmt.Errorf("expected a quoted string at %q", s)
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			return b.String(), s[i+1:], nil
		case '\\':
			if i+1 == len(s) {
				return "", "", errors.New("string ends in a lone backslash")
			}
			i++
			b.WriteByte(s[i])
		default:
			b.WriteByte(c)
		}
	}
	return "", "", fmt.Errorf("unterminated string in %q", s)
}

// listGroups serves GET /api/v1/groups in group id order, paged by an after cursor that is the
// last group id of the previous page.
func (s *Server) listGroups(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	for _, p := range []string{"q", "filter", "expand", "sortBy", "sortOrder"} {
		if q.Has(p) {
			s.writeError(w, http.StatusBadRequest, "E0000031", "Invalid search criteria.",
				p+": not supported by the fake org; use search")
			return
		}
	}
	limit, ok := s.pageLimit(w, q, GroupsPageLimit, GroupsPageLimit)
	if !ok {
		return
	}
	var search groupSearch
	if q.Has("search") {
		var err error
		if search, err = parseGroupSearch(q.Get("search")); err != nil {
			s.writeError(w, http.StatusBadRequest, "E0000031", "Invalid search criteria.", "search: "+err.Error())
			return
		}
	}
	after := q.Get("after")

	s.mu.Lock()
	if _, known := s.org.groups[after]; after != "" && !known {
		s.mu.Unlock()
		s.writeError(w, http.StatusBadRequest, "E0000001", "Api validation failed: after", "after: unknown cursor")
		return
	}
	var ids []string
	for id, g := range s.org.groups {
		if !g.deleted && search.matches(g) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	start, end, next := pageBounds(ids, after, limit)
	page := make([]groupJSON, 0, end-start)
	for _, id := range ids[start:end] {
		page = append(page, s.renderGroup(s.org.groups[id]))
	}
	s.mu.Unlock()

	nq := url.Values{"after": {next}, "limit": {strconv.Itoa(limit)}}
	if q.Has("search") {
		nq.Set("search", q.Get("search"))
	}
	s.pageLinks(w, r, next, nq)
	s.writeJSON(w, http.StatusOK, page)
}

// listGroupUsers serves GET /api/v1/groups/{id}/users in user id order, paged like the app users.
func (s *Server) listGroupUsers(w http.ResponseWriter, r *http.Request, id string) {
	q := r.URL.Query()
	limit, ok := s.pageLimit(w, q, GroupMembersPageLimit, GroupMembersPageLimit)
	if !ok {
		return
	}
	after := q.Get("after")

	s.mu.Lock()
	g, found := s.org.groups[id]
	if !found || g.deleted {
		s.mu.Unlock()
		s.groupNotFound(w, id)
		return
	}
	if _, known := s.org.users[after]; after != "" && !known {
		s.mu.Unlock()
		s.writeError(w, http.StatusBadRequest, "E0000001", "Api validation failed: after", "after: unknown cursor")
		return
	}
	ids := g.sortedMembers()
	start, end, next := pageBounds(ids, after, limit)
	if s.repeatNext && len(ids) > 0 {
		next = ids[min(limit, len(ids))-1]
	}
	page := make([]userJSON, 0, end-start)
	for _, uid := range ids[start:end] {
		page = append(page, renderUser(s.org.users[uid]))
	}
	s.mu.Unlock()

	s.pageLinks(w, r, next, url.Values{"after": {next}, "limit": {strconv.Itoa(limit)}})
	s.writeJSON(w, http.StatusOK, page)
}

// sortedMembers returns the member ids in order; the caller holds s.mu and does not change it.
func (g *group) sortedMembers() []string {
	if g.sorted == nil {
		g.sorted = make([]string, 0, len(g.members))
		for id := range g.members {
			g.sorted = append(g.sorted, id)
		}
		slices.Sort(g.sorted)
	}
	return g.sorted
}

// pageBounds returns the page of the sorted ids after the cursor, and the cursor of the next
// page ("" on the last one).
func pageBounds(ids []string, after string, limit int) (start, end int, next string) {
	if after != "" {
		i, found := slices.BinarySearch(ids, after)
		start = i
		if found {
			start++
		}
	}
	end = min(start+limit, len(ids))
	if end < len(ids) {
		next = ids[end-1]
	}
	return start, end, next
}

// pageLinks adds the self link and, when next is set, the next link: one header per rel, since
// the SDK reads each value separately and mistakes a folded header's self link for the next page.
func (s *Server) pageLinks(w http.ResponseWriter, r *http.Request, next string, nextQuery url.Values) {
	w.Header().Add("Link", "<"+s.URL()+r.URL.RequestURI()+`>; rel="self"`)
	if next != "" {
		w.Header().Add("Link", "<"+s.URL()+r.URL.Path+"?"+nextQuery.Encode()+`>; rel="next"`)
	}
}
