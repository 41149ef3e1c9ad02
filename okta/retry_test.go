package okta_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/okta-clickup-sync/okta-clickup-sync/internal/faults"
	"github.com/okta-clickup-sync/okta-clickup-sync/internal/httpretry"
	"github.com/okta-clickup-sync/okta-clickup-sync/internal/httpretry/httpretrytest"
	"github.com/okta-clickup-sync/okta-clickup-sync/okta"
	"github.com/okta-clickup-sync/okta-clickup-sync/okta/oktatest"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// failing answers the first n requests for page 2 of the listing (after= set) with fail, and
// counts every request.
type failing struct {
	mu    gosync.Mutex
	n     int
	calls int
	fail  func(w http.ResponseWriter, r *http.Request)
}

func (f *failing) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

func (f *failing) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.calls++
		hit := r.URL.Query().Get("after") != "" && f.n > 0
		if hit {
			f.n--
		}
		f.mu.Unlock()
		if hit {
			f.fail(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func hangUp(w http.ResponseWriter, _ *http.Request) {
	if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
		conn.Close()
	}
}

// cutBody promises a longer body than it sends, then drops the connection.
func cutBody(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", "1000")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(`[{"id":"00u`))
	http.NewResponseController(w).Flush()
	hangUp(w, nil)
}

func status(code int) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		fmt.Fprintf(w, `{"errorCode":"E0000009","errorSummary":"status %d","errorCauses":[]}`, code)
	}
}

func TestTransport_TransientFailuresAreRetried(t *testing.T) {
	for _, tc := range []struct {
		name string
		fail func(http.ResponseWriter, *http.Request)
	}{
		{"503", status(http.StatusServiceUnavailable)},
		{"500", status(http.StatusInternalServerError)},
		{"hang-up", hangUp},
		{"cut body", cutBody},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, times := range []int{1, httpretry.DefaultMaxRetries} {
				s := newFake(t)
				addAssigned(t, s, 3)
				f := &failing{n: times, fail: tc.fail}
				s.Use(f.middleware)
				var w httpretrytest.Waits
				c := newClient(t, s, func(o *okta.Options) { o.PageLimit = 2; o.Retry.Sleep = w.Sleep; o.HTTPClient = noReuse() })
				users, err := c.ListAppUsers(t.Context())
				if err != nil || len(users) != 3 {
					t.Fatalf("page failing %d times: ListAppUsers = %d users, %v", times, len(users), err)
				}
				if f.count() != 2+times || len(w.All()) != times {
					t.Errorf("page failing %d times: %d requests and waits %v, want %d and %d waits", times, f.count(), w.All(), 2+times, times)
				}
			}
		})
	}
}

func TestTransport_RetriesAreBounded(t *testing.T) {
	for _, tc := range []struct {
		name string
		fail func(http.ResponseWriter, *http.Request)
		want string
	}{
		{"503", status(http.StatusServiceUnavailable), "page 2: HTTP 503 E0000009: "},
		{"hang-up", hangUp, "page 2: "},
		{"cut body", cutBody, "page 2: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newFake(t)
			addAssigned(t, s, 3)
			f := &failing{n: 1000, fail: tc.fail}
			s.Use(f.middleware)
			c := newClient(t, s, func(o *okta.Options) {
				o.PageLimit = 2
				o.Retry.Sleep = httpretrytest.NoSleep
				o.HTTPClient = noReuse()
			})
			users, err := c.ListAppUsers(t.Context())
			var apiErr *okta.APIError
			if users != nil || !errors.As(err, &apiErr) {
				t.Fatalf("ListAppUsers = %v, %v; want an *APIError", users, err)
			}
			if !strings.Contains(err.Error(), "okta: list app users: GET /api/v1/apps/"+appID+"/users "+tc.want) {
				t.Errorf("error %q does not name the service, request and cause (%q)", err, tc.want)
			}
			if want := 1 + 1 + httpretry.DefaultMaxRetries; f.count() != want {
				t.Errorf("%d requests, want %d: the first page and %d attempts at the second", f.count(), want, 1+httpretry.DefaultMaxRetries)
			}
		})
	}
}

// Reset headers in seconds and in milliseconds both mean "wait until then"; the SDK's own
// 429 retries, which only know seconds and the wall clock, stay off.
func TestTransport_429WaitsUntilTheReset(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	for _, tc := range []struct{ name, reset string }{
		{"seconds", strconv.FormatInt(now.Add(9*time.Second).Unix(), 10)},
		{"milliseconds", strconv.FormatInt(now.Add(9*time.Second).UnixMilli(), 10)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newFake(t)
			addAssigned(t, s, 3)
			f := &failing{n: 2, fail: func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("X-Rate-Limit-Limit", "100")
				w.Header().Set("X-Rate-Limit-Remaining", "0")
				w.Header().Set("X-Rate-Limit-Reset", tc.reset)
				status(http.StatusTooManyRequests)(w, nil)
			}}
			s.Use(f.middleware)
			var w httpretrytest.Waits
			c := newClient(t, s, func(o *okta.Options) {
				o.PageLimit = 2
				o.Retry = httpretry.Policy{Sleep: w.Sleep, Now: func() time.Time { return now }, Rand: func() float64 { return 0 }}
			})
			users, err := c.ListAppUsers(t.Context())
			if err != nil || len(users) != 3 {
				t.Fatalf("ListAppUsers = %d users, %v", len(users), err)
			}
			got := w.All()
			if len(got) < 2 {
				t.Fatalf("waits %v, want one per 429 at least", got)
			}
			for _, d := range got {
				if d != 9*time.Second {
					t.Errorf("waits %v, want each 9s", got)
					break
				}
			}
			if f.count() != 4 {
				t.Errorf("%d requests, want 4", f.count())
			}
		})
	}
}

func TestTransport_SpentBudgetWaitsForReset(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	s := newFake(t)
	addAssigned(t, s, 7)
	var n atomic.Int32
	s.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// 3 of 100 left with 8 seconds to go, counted down by each request.
			left := max(3-int(n.Add(1)), 0)
			next.ServeHTTP(&headerOverride{ResponseWriter: w, set: map[string]string{
				"X-Rate-Limit-Limit": "100", "X-Rate-Limit-Remaining": strconv.Itoa(left),
				"X-Rate-Limit-Reset": strconv.FormatInt(now.Add(8*time.Second).Unix(), 10),
			}}, r)
		})
	})
	var w httpretrytest.Waits
	c := newClient(t, s, func(o *okta.Options) {
		o.PageLimit = 2
		o.Retry = httpretry.Policy{Sleep: w.Sleep, Now: func() time.Time { return now }, Rand: func() float64 { return 0 }}
	})
	if _, err := c.ListAppUsers(t.Context()); err != nil {
		t.Fatal(err)
	}
	// Four pages: the first three go at once (the budget the first answer named), the fourth
	// waits for the reset.
	if got, want := fmt.Sprint(w.All()), fmt.Sprint([]time.Duration{8 * time.Second}); got != want {
		t.Errorf("waits %s, want %s", got, want)
	}
	if n.Load() != 4 {
		t.Errorf("%d requests, want 4", n.Load())
	}
}

type headerOverride struct {
	http.ResponseWriter
	set map[string]string
}

func (h *headerOverride) WriteHeader(code int) {
	for k, v := range h.set {
		h.Header().Set(k, v)
	}
	h.ResponseWriter.WriteHeader(code)
}

func TestTransport_SlowAttemptTimesOutAndIsRetried(t *testing.T) {
	s := newFake(t)
	addAssigned(t, s, 1)
	f := &failing{}
	s.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			f.mu.Lock()
			f.calls++
			first := f.calls == 1
			f.mu.Unlock()
			if first {
				<-r.Context().Done() // hangs until the client gives up on the attempt
				return
			}
			next.ServeHTTP(w, r)
		})
	})
	c := newClient(t, s, func(o *okta.Options) { o.RequestTimeout = 50 * time.Millisecond; o.Retry.Sleep = httpretrytest.NoSleep })
	users, err := c.ListAppUsers(t.Context())
	if err != nil || len(users) != 1 || f.count() != 2 {
		t.Errorf("ListAppUsers = %d users, %v after %d requests; want 1 user after 2", len(users), err, f.count())
	}
}

func TestTransport_OnResponse(t *testing.T) {
	s := newFake(t)
	addAssigned(t, s, 1)
	s.Use((&failing{}).middleware)
	var (
		mu  gosync.Mutex
		got []string
	)
	c := newClient(t, s, func(o *okta.Options) {
		o.Token = "wrong"
		o.Retry.OnResponse = func(svc string, status int) {
			mu.Lock()
			defer mu.Unlock()
			got = append(got, fmt.Sprint(svc, " ", status))
		}
	})
	if _, err := c.ListAppUsers(t.Context()); !errors.Is(err, core.ErrUnauthorized) {
		t.Fatalf("error %v", err)
	}
	if fmt.Sprint(got) != "[okta 401]" {
		t.Errorf("OnResponse saw %v, want one 401 (no retry of a refusal)", got)
	}
}

// noReuse is a client whose connections are not kept alive: net/http silently resends a GET
// once when a kept-alive connection turns out closed, which would blur the request counts.
func noReuse() *http.Client {
	return &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
}

// A 429, or a spent budget, announcing a reset ten hours away fails the read at once, naming
// the header (SYNC_RATE_LIMIT_MAX_WAIT), and leaves nothing behind: the next listing goes.
func TestTransport_FarResetFailsAtOnce(t *testing.T) {
	for _, tc := range []struct {
		name     string
		rule     faults.Rule
		requests int // before the failure
	}{
		{"429", oktatest.RateLimited(oktatest.ResetIn(10*time.Hour, false)), 1},
		{"spent budget", faults.Rule{Kind: faults.Rewrite, Times: 1, Header: http.Header{
			"X-Rate-Limit-Remaining": {"0"}, "X-Rate-Limit-Reset": {oktatest.ResetIn(10*time.Hour, false)}}}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newFake(t)
			addAssigned(t, s, 3)
			remove := s.Faults(1).Add(tc.rule)
			var w httpretrytest.Waits
			c := newClient(t, s, func(o *okta.Options) { o.PageLimit = 2; o.Retry.Sleep = w.Sleep })
			users, err := c.ListAppUsers(t.Context())
			if !errors.Is(err, core.ErrRateLimited) || users != nil ||
				!strings.Contains(err.Error(), "X-Rate-Limit-Reset announces a reset in ") ||
				!strings.Contains(err.Error(), "more than SYNC_RATE_LIMIT_MAX_WAIT (2m0s)") {
				t.Fatalf("ListAppUsers = %d users, %v; want ErrRateLimited naming the header", len(users), err)
			}
			if n := len(s.Requests()); len(w.All()) != 0 || n != tc.requests {
				t.Errorf("%d requests and waits %v; want %d and none", n, w.All(), tc.requests)
			}
			remove()
			if users, err := c.ListAppUsers(t.Context()); err != nil || len(users) != 3 || len(w.All()) != 0 {
				t.Errorf("the next listing: %d users, %v after waits %v; the refused reset stayed", len(users), err, w.All())
			}
		})
	}
}

// A reset within MaxWait but past the run's deadline fails at once too.
func TestTransport_ResetPastTheDeadline(t *testing.T) {
	s := newFake(t)
	addAssigned(t, s, 1)
	s.Faults(1).Add(oktatest.RateLimited(oktatest.ResetIn(90*time.Second, false)))
	var w httpretrytest.Waits
	c := newClient(t, s, func(o *okta.Options) { o.Retry.Sleep = w.Sleep })
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	_, err := c.ListAppUsers(ctx)
	if !errors.Is(err, core.ErrRateLimited) || !strings.Contains(err.Error(), "after the deadline of the run") || len(w.All()) != 0 {
		t.Errorf("ListAppUsers: %v after waits %v; want refused at once, naming the deadline", err, w.All())
	}
}
