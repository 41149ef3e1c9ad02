package clickup_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/okta-clickup-sync/okta-clickup-sync/clickup"
	"github.com/okta-clickup-sync/okta-clickup-sync/clickup/clickuptest"
	"github.com/okta-clickup-sync/okta-clickup-sync/internal/faults"
	"github.com/okta-clickup-sync/okta-clickup-sync/internal/httpretry"
	"github.com/okta-clickup-sync/okta-clickup-sync/internal/httpretry/httpretrytest"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// counter counts requests by "METHOD path" for handlers that run on the server's goroutines.
type counter struct {
	mu gosync.Mutex
	n  map[string]int
}

func (c *counter) inc(r *http.Request) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	k := r.Method + " " + r.URL.Path
	c.n[k]++
	return c.n[k]
}

func (c *counter) get(k string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[k]
}

// hangUp closes the connection without an answer: what a client sees when a proxy or the
// server dies after the request arrived.
func hangUp(t *testing.T, w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	conn.Close()
}

const userJSON = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"301","externalId":"00u1","userName":"nina@x.io","active":true}`

func TestSCIMRetry_ReadsAreRetriedABoundedNumberOfTimes(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fail  func(t *testing.T, w http.ResponseWriter)
		check func(t *testing.T, err error)
	}{
		{"503", func(_ *testing.T, w http.ResponseWriter) { http.Error(w, "busy", http.StatusServiceUnavailable) },
			func(t *testing.T, err error) { wantAPIError(t, err, nil, http.StatusServiceUnavailable) }},
		{"hang-up", hangUp, func(t *testing.T, err error) {
			if !strings.Contains(err.Error(), "clickup scim GET /Users?startIndex=1&count=2: ") {
				t.Errorf("error %q does not name the request", err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var n counter
			var w httpretrytest.Waits
			c := newHandlerWith(t, func(rw http.ResponseWriter, r *http.Request) {
				n.inc(r)
				tc.fail(t, rw)
			}, clickup.SCIMOptions{RoleSchema: extURN, PageSize: 2, Retry: httpretry.Policy{Sleep: w.Sleep}})
			users, err := c.ListUsers(t.Context())
			if users != nil || err == nil {
				t.Fatalf("ListUsers = %v, %v", users, err)
			}
			tc.check(t, err)
			want := 1 + httpretry.DefaultMaxRetries
			if got := n.get("GET /scim/v2/42/Users"); got != want {
				t.Errorf("%d attempts, want %d", got, want)
			}
			if !strings.Contains(err.Error(), fmt.Sprintf("gave up after %d attempts", want)) {
				t.Errorf("error %q does not say how often it tried", err)
			}
			if got := len(w.All()); got != want-1 {
				t.Errorf("%d backoff waits, want %d", got, want-1)
			}
		})
	}
}

func TestSCIMRetry_PageThatFailsOnceIsRetried(t *testing.T) {
	var n counter
	c := newHandler(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("startIndex") == "3" && n.inc(r) == 1 {
			http.Error(w, "busy", http.StatusBadGateway)
			return
		}
		switch r.URL.Query().Get("startIndex") {
		case "1":
			io.WriteString(w, list("3", "1", "2", res("1"), res("2")))
		case "3":
			io.WriteString(w, list("3", "3", "1", res("3")))
		}
	})
	users, err := c.ListUsers(t.Context())
	if err != nil || len(users) != 3 {
		t.Fatalf("ListUsers = %d users, %v; want 3", len(users), err)
	}
}

// A create whose answer is lost may have been applied. The client looks before it sends again,
// so an applied create is not made twice.
func TestSCIMRetry_CreateAfterUnclearFailureLooksFirst(t *testing.T) {
	for _, tc := range []struct {
		name      string
		applied   bool // the lost POST took effect
		wantPosts int
	}{
		{"applied: found, not sent again", true, 1},
		{"not applied: sent again", false, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var (
				n      counter
				mu     gosync.Mutex
				exists bool
			)
			c := newHandler(t, func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				defer mu.Unlock()
				switch {
				case r.Method == http.MethodPost:
					if n.inc(r) == 1 {
						exists = tc.applied
						hangUp(t, w)
						return
					}
					exists = true
					w.WriteHeader(http.StatusCreated)
					io.WriteString(w, userJSON)
				case r.Method == http.MethodGet && r.URL.Query().Get("filter") == `userName eq "nina@x.io"`:
					n.inc(r)
					if exists {
						io.WriteString(w, list("1", "1", "1", userJSON))
					} else {
						io.WriteString(w, list("0", "1", "0"))
					}
				default:
					t.Errorf("unexpected %s %s", r.Method, r.URL)
				}
			})
			got, err := c.CreateUser(t.Context(), core.NewUser{ExternalID: "00u1", UserName: "nina@x.io", Role: core.Role{Base: core.RoleMember}})
			if err != nil || got.ID != "301" {
				t.Fatalf("CreateUser = %+v, %v", got, err)
			}
			if p, g := n.get("POST /scim/v2/42/Users"), n.get("GET /scim/v2/42/Users"); p != tc.wantPosts || g != 1 {
				t.Errorf("%d POSTs and %d lookups, want %d and 1", p, g, tc.wantPosts)
			}
		})
	}
}

func TestSCIMRetry_CreateIsNotRetriedBlindly(t *testing.T) {
	var n counter
	c := newHandler(t, func(w http.ResponseWriter, r *http.Request) {
		n.inc(r)
		if r.Method == http.MethodPost {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, list("0", "1", "0"))
	})
	_, err := c.CreateUser(t.Context(), core.NewUser{ExternalID: "00u1", UserName: "nina@x.io"})
	wantAPIError(t, err, nil, http.StatusServiceUnavailable)
	// Every POST is preceded by a lookup that found nobody, and the whole is bounded.
	want := 1 + httpretry.DefaultMaxRetries
	if p, g := n.get("POST /scim/v2/42/Users"), n.get("GET /scim/v2/42/Users"); p != want || g != want {
		t.Errorf("%d POSTs and %d lookups, want %d of each", p, g, want)
	}
}

func TestSCIMRetry_ConflictIsResolvedByLookup(t *testing.T) {
	for _, tc := range []struct {
		name    string
		found   string // the resource the lookup returns, "" for none
		wantErr string // "" for success
	}{
		{"ours", userJSON, ""},
		{"unlinked", strings.Replace(userJSON, `"externalId":"00u1",`, "", 1), ""},
		{"another Okta user's", strings.Replace(userJSON, "00u1", "00u9", 1), "held by ClickUp user 301, which is linked to another Okta user (externalId 00u9)"},
		{"deactivated", strings.Replace(userJSON, `"active":true`, `"active":false`, 1), "held by the deactivated ClickUp user 301"},
		{"nobody", "", "no user has userName nina@x.io"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var n counter
			c := newHandler(t, func(w http.ResponseWriter, r *http.Request) {
				n.inc(r)
				if r.Method == http.MethodPost {
					w.WriteHeader(http.StatusConflict)
					io.WriteString(w, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"409","scimType":"uniqueness","detail":"User already exists"}`)
					return
				}
				if tc.found == "" {
					io.WriteString(w, list("0", "1", "0"))
					return
				}
				io.WriteString(w, list("1", "1", "1", tc.found))
			})
			got, err := c.CreateUser(t.Context(), core.NewUser{ExternalID: "00u1", UserName: "nina@x.io"})
			if n.get("POST /scim/v2/42/Users") != 1 {
				t.Errorf("%d POSTs, want 1", n.get("POST /scim/v2/42/Users"))
			}
			if tc.wantErr == "" {
				if err != nil || got.ID != "301" {
					t.Errorf("CreateUser = %+v, %v; want user 301", got, err)
				}
				return
			}
			ae := wantAPIError(t, err, core.ErrConflict, http.StatusConflict)
			if ae.SCIMType != "uniqueness" || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %q, want it to mention %q", err, tc.wantErr)
			}
		})
	}
}

// A PATCH is idempotent: when the answer is lost after the change was made, sending it again
// is harmless.
func TestSCIMRetry_PatchAfterDroppedAnswer(t *testing.T) {
	var n counter
	c := newHandler(t, func(w http.ResponseWriter, r *http.Request) {
		if n.inc(r) == 1 {
			hangUp(t, w)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	if err := c.SetActive(t.Context(), "301", false); err != nil {
		t.Fatal(err)
	}
	if got := n.get("PATCH /scim/v2/42/Users/301"); got != 2 {
		t.Errorf("%d PATCHes, want 2", got)
	}
}

func TestSCIMRetry_429WaitsUntilTheReset(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	for _, tc := range []struct{ name, reset string }{
		{"seconds", strconv.FormatInt(now.Add(7*time.Second).Unix(), 10)},
		{"milliseconds", strconv.FormatInt(now.Add(7*time.Second).UnixMilli(), 10)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var n counter
			var w httpretrytest.Waits
			c := newHandlerWith(t, func(rw http.ResponseWriter, r *http.Request) {
				h := rw.Header()
				h.Set("X-RateLimit-Limit", "100")
				h.Set("X-RateLimit-Reset", tc.reset)
				if n.inc(r) <= 2 {
					h.Set("X-RateLimit-Remaining", "0")
					rw.WriteHeader(http.StatusTooManyRequests)
					io.WriteString(rw, `{"status":"429","detail":"Rate limit exceeded"}`)
					return
				}
				h.Set("X-RateLimit-Remaining", "99")
				io.WriteString(rw, list("1", "1", "1", res("1")))
			}, clickup.SCIMOptions{RoleSchema: extURN, PageSize: 2, Retry: httpretry.Policy{
				Sleep: w.Sleep, Now: func() time.Time { return now }, Rand: func() float64 { return 0 },
			}})
			users, err := c.ListUsers(t.Context())
			if err != nil || len(users) != 1 {
				t.Fatalf("ListUsers = %v, %v", users, err)
			}
			got := w.All()
			if len(got) == 0 {
				t.Fatal("no wait before the retry")
			}
			for _, d := range got {
				if d != 7*time.Second {
					t.Errorf("waits %v, want each 7s (until the reset)", got)
					break
				}
			}
			if n.get("GET /scim/v2/42/Users") != 3 {
				t.Errorf("%d requests, want 3", n.get("GET /scim/v2/42/Users"))
			}
		})
	}
}

func TestSCIMRetry_SpentBudgetWaitsForReset(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	var w httpretrytest.Waits
	var n atomic.Int32
	c := newHandlerWith(t, func(rw http.ResponseWriter, r *http.Request) {
		h := rw.Header()
		// 3 of 100 left with 10 seconds to go, counted down by each request.
		h.Set("X-RateLimit-Limit", "100")
		h.Set("X-RateLimit-Remaining", strconv.Itoa(max(3-int(n.Add(1)), 0)))
		h.Set("X-RateLimit-Reset", strconv.FormatInt(now.Add(10*time.Second).Unix(), 10))
		rw.WriteHeader(http.StatusNoContent)
	}, clickup.SCIMOptions{RoleSchema: extURN, Retry: httpretry.Policy{Sleep: w.Sleep, Now: func() time.Time { return now }, Rand: func() float64 { return 0 }}})
	for range 4 {
		if err := c.SetActive(t.Context(), "7", true); err != nil {
			t.Fatal(err)
		}
	}
	// The budget the first answer names (2) goes at once; the request past it waits for the
	// reset.
	got := w.All()
	want := []time.Duration{10 * time.Second}
	if fmt.Sprint(got) != fmt.Sprint(want) || n.Load() != 4 {
		t.Errorf("waits %v over %d requests, want %v over 4", got, n.Load(), want)
	}
}

func TestRESTRetry(t *testing.T) {
	var n counter
	var w httpretrytest.Waits
	srv := newServer(t, func(rw http.ResponseWriter, r *http.Request) {
		if n.inc(r) == 1 {
			http.Error(rw, "busy", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(rw, `{"custom_roles":[]}`)
	})
	c, err := clickup.NewREST(clickup.RESTOptions{BaseURL: srv + "/api/v2", Token: "pk_1", WorkspaceID: "1", AllowInsecureHTTP: true,
		Retry: httpretry.Policy{Sleep: w.Sleep}})
	if err != nil {
		t.Fatal(err)
	}
	roles, err := c.ListCustomRoles(t.Context())
	if err != nil || roles == nil || n.get("GET /api/v2/team/1/customroles") != 2 || len(w.All()) != 1 {
		t.Errorf("ListCustomRoles = %v, %v after %d requests and waits %v", roles, err, n.get("GET /api/v2/team/1/customroles"), w.All())
	}
}

func TestSCIMRetry_CanceledWhileWaiting(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	c := newHandlerWith(t, func(rw http.ResponseWriter, r *http.Request) {
		http.Error(rw, "busy", http.StatusServiceUnavailable)
	}, clickup.SCIMOptions{RoleSchema: extURN, Retry: httpretry.Policy{Sleep: func(ctx context.Context, d time.Duration) error {
		cancel()
		return ctx.Err()
	}}})
	_, err := c.ListUsers(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
}

func newServer(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts.URL
}

// GET /team is decoded as it streams; a body cut off in transit is a failed attempt, retried,
// not a malformed answer.
func TestRESTRetry_TeamCutOffInTransitIsRetried(t *testing.T) {
	var n counter
	var w httpretrytest.Waits
	full := `{"teams":[{"id":"1","members":[{"user":{"id":5,"role":1}}]}]}`
	srv := newServer(t, func(rw http.ResponseWriter, r *http.Request) {
		if n.inc(r) == 1 {
			rw.Header().Set("Content-Length", strconv.Itoa(len(full)))
			io.WriteString(rw, full[:30]) // the connection closes before the rest
			return
		}
		io.WriteString(rw, full)
	})
	c, err := clickup.NewREST(clickup.RESTOptions{BaseURL: srv + "/api/v2", Token: "pk_1", WorkspaceID: "1", AllowInsecureHTTP: true,
		Retry: httpretry.Policy{Sleep: w.Sleep}})
	if err != nil {
		t.Fatal(err)
	}
	id, err := c.WorkspaceOwner(t.Context())
	if err != nil || id != "5" || n.get("GET /api/v2/team") != 2 || len(w.All()) != 1 {
		t.Errorf("WorkspaceOwner = %q, %v after %d requests and waits %v; want 5 after 2", id, err, n.get("GET /api/v2/team"), w.All())
	}
}

// The create path against the fake, through the library decoder and the fake's real filter:
// the normal path is one POST; a create whose answer was lost after the fake applied it, and a
// 409 for a user an earlier run created, are each resolved by one userName lookup, and the user
// found is kept for a later PUT like any user read.
func TestSCIMClient_CreateRecheckAgainstTheFake(t *testing.T) {
	s := clickuptest.NewServer(clickuptest.Options{})
	t.Cleanup(s.Close)
	c := newFakeClientNoSleep(t, s)
	requests := func() []string {
		var out []string
		for _, r := range s.Requests() {
			out = append(out, r.Method+" "+strings.TrimPrefix(r.Path, "/scim/v2/"+s.WorkspaceID())+" "+r.RawQuery)
		}
		s.ResetRequests()
		return out
	}
	newUser := func(n string) core.NewUser {
		return core.NewUser{ExternalID: "00u" + n, UserName: n + "@x.io", Role: core.Role{Base: core.RoleMember}}
	}

	if _, err := c.CreateUser(t.Context(), newUser("plain")); err != nil {
		t.Fatal(err)
	}
	if got := requests(); len(got) != 1 || got[0] != "POST /Users " {
		t.Errorf("the normal path made %q, want one POST", got)
	}

	in := s.Faults(1)
	remove := in.Add(faults.Rule{Method: http.MethodPost, Path: clickuptest.PathSCIMUsers, Times: 1, Kind: faults.DropAfterWrite})
	lost, err := c.CreateUser(t.Context(), newUser("lost"))
	remove()
	if err != nil || lost.ExternalID != "00ulost" {
		t.Fatalf("CreateUser after a lost answer = %+v, %v", lost, err)
	}
	if got := requests(); len(got) != 2 || got[0] != "POST /Users " || !strings.HasPrefix(got[1], "GET /Users filter=userName%20eq%20%22lost%40x.io%22") {
		t.Errorf("a lost answer made %q, want the POST then one lookup", got)
	}
	if n := len(s.Users()); n != 2 {
		t.Errorf("%d users, want 2: the create was not sent twice", n)
	}

	_, fresh := newFakeClient(t, s)
	again, err := fresh.CreateUser(t.Context(), newUser("lost"))
	if err != nil || again.ID != lost.ID {
		t.Fatalf("CreateUser of an existing user = %+v, %v; want user %s", again, err, lost.ID)
	}
	if got := requests(); len(got) != 2 || !strings.HasPrefix(got[1], "GET /Users filter=userName") {
		t.Errorf("a 409 made %q, want the POST then one lookup", got)
	}
	again.Role = core.Role{Base: core.RoleGuest}
	if _, err := fresh.ReplaceUser(t.Context(), again); err != nil {
		t.Errorf("the user found by the lookup cannot be replaced: %v", err)
	}
}

// newFakeClientNoSleep is a client of s whose retries do not wait.
func newFakeClientNoSleep(t *testing.T, s *clickuptest.Server) *clickup.SCIMClient {
	t.Helper()
	c, err := clickup.NewSCIM(clickup.SCIMOptions{BaseURL: s.SCIMBaseURL(), Token: s.SCIMToken(), RoleSchema: extURN,
		AllowInsecureHTTP: true, Retry: httpretry.Policy{Sleep: httpretrytest.NoSleep}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
