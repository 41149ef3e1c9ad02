package clickuptest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/okta-clickup-sync/okta-clickup-sync/internal/faults"
)

// Faults installs a fault injector in front of the fake and returns it; add rules to it (see
// package faults) to make requests fail, slow down or come back spoiled. Its randomness is
// seeded with seed. Requests a fault answers are recorded like any other, so Writes still shows
// a write that was applied before its connection was dropped.
func (s *Server) Faults(seed uint64) *faults.Injector {
	in := faults.New(seed)
	s.Use(in.Middleware)
	return in
}

// Path patterns of the fake for fault rules; SCIM paths are under any workspace id.
const (
	PathSCIMUsers   = "/scim/v2/*/Users"
	PathSCIMUser    = "/scim/v2/*/Users/*"
	PathTeams       = "/api/v2/team"
	PathCustomRoles = "/api/v2/team/*/customroles"
)

// RateLimited is a 429 as ClickUp sends it, the window spent until reset, the value of
// X-RateLimit-Reset (epoch seconds, epoch milliseconds, or anything a test wants to try).
func RateLimited(reset string) faults.Rule {
	return errorRule(rateLimited(), func(h http.Header) { setRateLimitHeaders(h, 100, 0, reset) })
}

// ResetIn is an X-RateLimit-Reset value d from now, in epoch seconds or, with ms, milliseconds.
func ResetIn(d time.Duration, ms bool) string {
	t := time.Now().Add(d)
	if ms {
		return strconv.FormatInt(t.UnixMilli(), 10)
	}
	return strconv.FormatInt(t.Unix(), 10)
}

// ServerError is a SCIM-shaped 5xx answer.
func ServerError(status int) faults.Rule {
	return errorRule(&scimError{status: status, detail: "internal error"}, nil)
}

// errorRule answers e as writeSCIMError does, with headers set by header when it is not nil.
func errorRule(e *scimError, header func(http.Header)) faults.Rule {
	h := http.Header{}
	h.Set("Content-Type", contentTypeSCIM)
	if header != nil {
		header(h)
	}
	body, err := json.Marshal(e.resource())
	if err != nil {
		panic(fmt.Sprintf("clickuptest: encode an error: %v", err)) // a struct of strings
	}
	return faults.Rule{Kind: faults.Status, Status: e.status, Header: h, Body: string(body)}
}

var listCounters = []string{"totalResults", "startIndex", "itemsPerPage"}

// CountersAsStrings sends a ListResponse's counters as JSON strings ("2" for 2), which RFC 7644
// does not allow and Okta rejects.
func CountersAsStrings(b []byte) []byte {
	return faults.EditObject(func(m map[string]any) {
		for _, k := range listCounters {
			if n, ok := m[k].(json.Number); ok {
				m[k] = n.String()
			}
		}
	})(b)
}

// TotalOffBy makes totalResults disagree with the pages by delta.
func TotalOffBy(delta int64) func([]byte) []byte {
	return faults.EditObject(func(m map[string]any) {
		if n, ok := m["totalResults"].(json.Number); ok {
			if v, err := n.Int64(); err == nil {
				m["totalResults"] = json.Number(strconv.FormatInt(v+delta, 10))
			}
		}
	})
}

// ShortPage drops the last resource of a ListResponse and lowers itemsPerPage to match: a page
// that is consistent in itself but holds fewer users than the listing promised.
func ShortPage(b []byte) []byte {
	return faults.EditObject(func(m map[string]any) {
		rs, ok := m["Resources"].([]any)
		if !ok || len(rs) == 0 {
			return
		}
		m["Resources"] = rs[:len(rs)-1]
		m["itemsPerPage"] = json.Number(strconv.Itoa(len(rs) - 1))
	})(b)
}
