package oktatest

import (
	"net/http"
	"strconv"
	"time"

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
)

// RateLimited is a 429 as Okta sends it, with the bucket spent until reset. reset is the value
// of X-Rate-Limit-Reset, so a test can send epoch seconds, epoch milliseconds or garbage.
func RateLimited(reset string) faults.Rule {
	h := http.Header{}
	h.Set("X-Rate-Limit-Limit", "100")
	h.Set("X-Rate-Limit-Remaining", "0")
	h.Set("X-Rate-Limit-Reset", reset)
	return faults.Rule{Kind: faults.Status, Status: http.StatusTooManyRequests, Header: h,
		Body: `{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit due to too many requests.","errorLink":"E0000047","errorId":"oaefault","errorCauses":[]}`}
}

// ResetIn is an X-Rate-Limit-Reset value d from now, in epoch seconds or, with ms, milliseconds.
func ResetIn(d time.Duration, ms bool) string {
	t := time.Now().Add(d)
	if ms {
		return strconv.FormatInt(t.UnixMilli(), 10)
	}
	return strconv.FormatInt(t.Unix(), 10)
}

// ServerError is an Okta-shaped 5xx answer.
func ServerError(status int) faults.Rule {
	return faults.Rule{Kind: faults.Status, Status: status,
		Body: `{"errorCode":"E0000009","errorSummary":"Internal Server Error","errorLink":"E0000009","errorId":"oaefault","errorCauses":[]}`}
}
