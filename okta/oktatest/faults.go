package oktatest

import (
	"net/http"

	"github.com/okta-clickup-sync/okta-clickup-sync/internal/faults"
)

// Faults installs a fault injector in front of the org and returns it; add rules to it (see
// package faults) to make requests fail, slow down or come back spoiled. Its randomness is
// seeded with seed. Injected answers still reach Requests.
func (s *Server) Faults(seed uint64) *faults.Injector {
	in := faults.New(seed)
	s.Use(in.Middleware)
	return in
}

// Paths of the fake, as patterns for fault rules.
const (
	PathApp      = "/api/v1/apps/*"
	PathAppUsers = "/api/v1/apps/*/users"
	// PathGroups is the groups listing and search; PathGroup one group; PathGroupUsers its members.
	PathGroups     = "/api/v1/groups"
	PathGroup      = "/api/v1/groups/*"
	PathGroupUsers = "/api/v1/groups/*/users"
	// PathAppUser is one app user; PathUser one user; PathUsers the users listing and search;
	// PathUserGroups a user's groups.
	PathAppUser    = "/api/v1/apps/*/users/*"
	PathUser       = "/api/v1/users/*"
	PathUsers      = "/api/v1/users"
	PathUserGroups = "/api/v1/users/*/groups"
)

// ServerError is an Okta-shaped 5xx answer.
func ServerError(status int) faults.Rule {
	return faults.Rule{Kind: faults.Status, Status: status,
		Body: `{"errorCode":"E0000009","errorSummary":"Internal Server Error","errorLink":"E0000009","errorId":"oaefault","errorCauses":[]}`}
}

// Body answers status with body as it is, under the JSON content type: an answer that is not what
// the endpoint returns, such as a 200 with null.
func Body(status int, body string) faults.Rule {
	return faults.Rule{Kind: faults.Status, Status: status, Body: body}
}

// RawLink lets the fake answer and replaces its Link headers with values, sent as they are: a
// header no Okta would send.
func RawLink(values ...string) faults.Rule {
	return faults.Rule{Kind: faults.Rewrite, Header: http.Header{"Link": values}}
}

// Redirect answers status (a 3xx) with location, where a client that follows it goes next.
func Redirect(status int, location string) faults.Rule {
	return faults.Rule{Kind: faults.Status, Status: status, Header: http.Header{"Location": {location}}}
}
