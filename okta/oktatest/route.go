package oktatest

import (
	"crypto/subtle"
	"net/http"
	"strings"
)

type routeKind int

const (
	routeUnknown routeKind = iota
	routeApp
	routeAppUsers
	routeAppUser
)

type route struct {
	kind   routeKind
	appID  string
	id     string // the user's of routeAppUser and the users routes (users.go)
	bucket string // rate-limit bucket, named like Okta's rate limit dashboard
}

// parseRoute maps a path onto the endpoints the fake serves. Okta counts /api/v1/apps/{id} and
// everything below it in separate buckets, and so does the fake.
func parseRoute(path string) route {
	rest, ok := strings.CutPrefix(path, "/api/v1/apps/")
	if !ok {
		return route{bucket: "/api/v1"}
	}
	parts := strings.Split(rest, "/")
	if parts[0] == "" {
		return route{bucket: "/api/v1/apps"}
	}
	switch {
	case len(parts) == 1:
		return route{kind: routeApp, appID: parts[0], bucket: "/api/v1/apps/{id}"}
	case len(parts) == 2 && parts[1] == "users":
		return route{kind: routeAppUsers, appID: parts[0], bucket: "/api/v1/apps/{id}/users"}
	case len(parts) == 3 && parts[1] == "users" && parts[2] != "":
		return route{kind: routeAppUser, appID: parts[0], id: parts[2], bucket: "/api/v1/apps/{id}/users/{id}"}
	}
	return route{bucket: "/api/v1/apps"}
}

func (s *Server) authorized(r *http.Request) bool {
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "SSWS ")
	return ok && subtle.ConstantTimeCompare([]byte(got), []byte(s.token)) == 1
}
