package oktatest

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

const defaultPageLimit = 50 // Okta's default for /api/v1/apps/{appId}/users

func (s *Server) getApp(w http.ResponseWriter, appID string) {
	s.mu.Lock()
	a, ok := s.org.apps[appID]
	var body appJSON
	if ok {
		body = s.renderApp(a)
	}
	s.mu.Unlock()
	if !ok {
		s.appNotFound(w, appID)
		return
	}
	s.writeJSON(w, http.StatusOK, body)
}

func (s *Server) appNotFound(w http.ResponseWriter, appID string) {
	s.writeError(w, http.StatusNotFound, "E0000007",
		"Not found: Resource not found: "+appID+" (AppInstance)")
}

// listAppUsers serves GET /api/v1/apps/{appId}/users in user id order, paged by an after cursor
// that is the last user id of the previous page.
func (s *Server) listAppUsers(w http.ResponseWriter, r *http.Request, appID string) {
	q := r.URL.Query()
	// Real Okta rejects filter on this endpoint (okta-sdk-dotnet#484); only q and after select.
	if q.Has("filter") {
		s.writeError(w, http.StatusBadRequest, "E0000031", "Invalid search criteria.",
			"filter: is not supported on this endpoint")
		return
	}
	limit := min(defaultPageLimit, s.maxPageLimit)
	if v := q.Get("limit"); q.Has("limit") {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			s.writeError(w, http.StatusBadRequest, "E0000001", "Api validation failed: limit",
				"limit: must be a positive integer")
			return
		}
		limit = min(n, s.maxPageLimit)
	}
	expand := q.Get("expand")
	if expand != "" && expand != "user" {
		s.writeError(w, http.StatusBadRequest, "E0000001", "Api validation failed: expand",
			"expand: the only valid value is user")
		return
	}
	search := strings.ToLower(q.Get("q"))
	after := q.Get("after")

	s.mu.Lock()
	a, ok := s.org.apps[appID]
	if !ok {
		s.mu.Unlock()
		s.appNotFound(w, appID)
		return
	}
	// Okta's cursor is a user id; the fake accepts any id it ever issued, so a user unassigned
	// between two pages does not break the walk, but a made-up cursor does.
	if _, known := s.org.users[after]; after != "" && !known {
		s.mu.Unlock()
		s.writeError(w, http.StatusBadRequest, "E0000001", "Api validation failed: after",
			"after: unknown cursor")
		return
	}
	ids := a.sortedIDs()
	if search != "" {
		ids = slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return !s.org.users[id].matches(search) })
	}
	start := 0
	if after != "" {
		i, found := slices.BinarySearch(ids, after)
		start = i
		if found {
			start++
		}
	}
	end := min(start+limit, len(ids))
	page := make([]appUserJSON, 0, end-start)
	for _, id := range ids[start:end] {
		page = append(page, renderAppUser(a, s.org.users[id], a.assignments[id], expand == "user"))
	}
	var next string
	switch {
	case s.repeatNext && len(ids) > 0:
		next = ids[min(limit, len(ids))-1]
	case end < len(ids):
		next = ids[end-1]
	}
	s.mu.Unlock()

	nq := url.Values{"after": {next}, "limit": {strconv.Itoa(limit)}}
	if expand != "" {
		nq.Set("expand", expand)
	}
	if q.Has("q") {
		nq.Set("q", q.Get("q"))
	}
	s.pageLinks(w, r, next, nq)
	s.writeJSON(w, http.StatusOK, page)
}

// getAppUser serves GET /api/v1/apps/{appId}/users/{userId}: one assignment, with the user on
// expand=user. A user that exists but is not assigned is as unknown as one that does not exist.
func (s *Server) getAppUser(w http.ResponseWriter, r *http.Request, appID, userID string) {
	expand := r.URL.Query().Get("expand")
	if expand != "" && expand != "user" {
		s.writeError(w, http.StatusBadRequest, "E0000001", "Api validation failed: expand",
			"expand: the only valid value is user")
		return
	}
	s.mu.Lock()
	a, ok := s.org.apps[appID]
	if !ok {
		s.mu.Unlock()
		s.appNotFound(w, appID)
		return
	}
	as, assigned := a.assignments[userID]
	var body appUserJSON
	if assigned {
		body = renderAppUser(a, s.org.users[userID], as, expand == "user")
	}
	s.mu.Unlock()
	if !assigned {
		s.writeError(w, http.StatusNotFound, "E0000007", "Not found: Resource not found: "+userID+" (AppUser)")
		return
	}
	s.writeJSON(w, http.StatusOK, body)
}

// matches is Okta's q on app users: a case-insensitive prefix of login, first name, last name or
// email.
func (u *user) matches(lowerPrefix string) bool {
	for _, f := range []string{u.Login, u.FirstName, u.LastName, u.Email} {
		if strings.HasPrefix(strings.ToLower(f), lowerPrefix) {
			return true
		}
	}
	return false
}
