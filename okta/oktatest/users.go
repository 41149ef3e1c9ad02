package oktatest

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

const (
	routeUser       routeKind = 300 + iota // GET /api/v1/users/{id or login}
	routeUsers                             // GET /api/v1/users, optionally ?search=
	routeUserGroups                        // GET /api/v1/users/{id}/groups
)

// Page sizes of the users endpoints.
const (
	// UsersPageLimit is the default and the cap of limit on GET /api/v1/users (Okta: 200).
	UsersPageLimit = 200
	// UserGroupsPageLimit is the page the fake serves on GET /api/v1/users/{id}/groups, which
	// takes no limit: a user in more groups gets a next link.
	UserGroupsPageLimit = 200
)

// parseUserRoute recognises the users routes in escaped, an escaped path, since a login may
// hold a slash; other paths keep rt.
func parseUserRoute(escaped string, rt route) route {
	if escaped == "/api/v1/users" {
		return route{kind: routeUsers, bucket: "/api/v1/users"}
	}
	rest, ok := strings.CutPrefix(escaped, "/api/v1/users/")
	if !ok {
		return rt
	}
	parts := strings.Split(rest, "/")
	key, err := url.PathUnescape(parts[0])
	switch {
	case err != nil || key == "":
	case len(parts) == 1:
		return route{kind: routeUser, id: key, bucket: "/api/v1/users/{id}"}
	case len(parts) == 2 && parts[1] == "groups":
		return route{kind: routeUserGroups, id: key, bucket: "/api/v1/users/{id}/groups"}
	}
	return route{bucket: "/api/v1"}
}

func (s *Server) serveUsers(w http.ResponseWriter, r *http.Request, rt route) {
	switch rt.kind {
	case routeUser:
		s.getUser(w, rt.id)
	case routeUsers:
		s.listUsers(w, r)
	case routeUserGroups:
		s.listUserGroups(w, r, rt.id)
	}
}

func (s *Server) userNotFound(w http.ResponseWriter, key string) {
	s.writeError(w, http.StatusNotFound, "E0000007", "Not found: Resource not found: "+key+" (User)")
}

// lookupUser finds a user by id or, without regard to case, by login; it expects s.mu held.
func (s *Server) lookupUser(key string) *user {
	if u, ok := s.org.users[key]; ok {
		return u
	}
	return s.org.users[s.org.byLogin[strings.ToLower(key)]]
}

// getUser serves GET /api/v1/users/{id or login}, whatever the user's status.
func (s *Server) getUser(w http.ResponseWriter, key string) {
	s.mu.Lock()
	u := s.lookupUser(key)
	var body userJSON
	if u != nil {
		body = renderUser(u)
	}
	s.mu.Unlock()
	if u == nil {
		s.userNotFound(w, key)
		return
	}
	s.writeJSON(w, http.StatusOK, body)
}

// listUsers serves GET /api/v1/users in user id order, all users or those a search selects,
// paged by an after cursor that is the last user id of the previous page.
func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	for _, p := range []string{"q", "filter", "sortBy", "sortOrder"} {
		if q.Has(p) {
			s.writeError(w, http.StatusBadRequest, "E0000031", "Invalid search criteria.",
				p+": not supported by the fake org; use search")
			return
		}
	}
	limit, ok := s.pageLimit(w, q, UsersPageLimit, UsersPageLimit)
	if !ok {
		return
	}
	match := func(*user) bool { return true }
	if q.Has("search") {
		attr, value, err := parseUserSearch(q.Get("search"))
		if err != nil {
			s.writeError(w, http.StatusBadRequest, "E0000031", "Invalid search criteria.", "search: "+err.Error())
			return
		}
		// Okta compares strings in search expressions without regard to case.
		match = func(u *user) bool {
			return strings.EqualFold(map[string]string{"profile.email": u.Email, "profile.login": u.Login}[attr], value)
		}
	}
	after := q.Get("after")

	s.mu.Lock()
	if _, known := s.org.users[after]; after != "" && !known {
		s.mu.Unlock()
		s.writeError(w, http.StatusBadRequest, "E0000001", "Api validation failed: after", "after: unknown cursor")
		return
	}
	var ids []string
	for id, u := range s.org.users {
		if match(u) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	start, end, next := pageBounds(ids, after, limit)
	page := make([]userJSON, 0, end-start)
	for _, id := range ids[start:end] {
		page = append(page, renderUser(s.org.users[id]))
	}
	s.mu.Unlock()

	nq := url.Values{"after": {next}, "limit": {strconv.Itoa(limit)}}
	if q.Has("search") {
		nq.Set("search", q.Get("search"))
	}
	s.pageLinks(w, r, next, nq)
	s.writeJSON(w, http.StatusOK, page)
}

// parseUserSearch accepts the one form the adapter sends, profile.email eq "x" (and
// profile.login eq "x"); anything else is a request it was not meant to make.
func parseUserSearch(expr string) (attr, value string, _ error) {
	attr, rest, ok := strings.Cut(expr, " eq ")
	if !ok || (attr != "profile.email" && attr != "profile.login") {
		return "", "", fmt.Errorf("expected profile.email eq \"...\" or profile.login eq \"...\" at %q", expr)
	}
	value, tail, err := parseQuoted(rest)
	if err != nil {
		return "", "", err
	}
	if tail != "" {
		return "", "", fmt.Errorf("unexpected %q after the value", tail)
	}
	return attr, value, nil
}

// listUserGroups serves GET /api/v1/users/{id}/groups in group id order, paged by an after
// cursor that is the last group id of the previous page.
func (s *Server) listUserGroups(w http.ResponseWriter, r *http.Request, id string) {
	after := r.URL.Query().Get("after")
	s.mu.Lock()
	u, ok := s.org.users[id]
	if !ok {
		s.mu.Unlock()
		s.userNotFound(w, id)
		return
	}
	if _, known := s.org.groups[after]; after != "" && !known {
		s.mu.Unlock()
		s.writeError(w, http.StatusBadRequest, "E0000001", "Api validation failed: after", "after: unknown cursor")
		return
	}
	var ids []string
	for gid, g := range s.org.groups {
		if !g.deleted && g.members[u.ID] {
			ids = append(ids, gid)
		}
	}
	slices.Sort(ids)
	start, end, next := pageBounds(ids, after, UserGroupsPageLimit)
	page := make([]groupJSON, 0, end-start)
	for _, gid := range ids[start:end] {
		page = append(page, s.renderGroup(s.org.groups[gid]))
	}
	s.mu.Unlock()

	s.pageLinks(w, r, next, url.Values{"after": {next}})
	s.writeJSON(w, http.StatusOK, page)
}
