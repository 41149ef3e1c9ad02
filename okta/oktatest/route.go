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
)

type route struct {
	kind   routeKind
	appID  string
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
	}
	return route{bucket: "/api/v1/apps"}
}

func (s *Server) authorized(r *http.Request) bool {
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "SSWS ")
	return ok && subtle.ConstantTimeCompare([]byte(got), []byte(s.token)) == 1
}
