//go:build unix

package okta_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	gosync "sync"
	"syscall"
	"testing"
	"time"

	"github.com/okta-clickup-sync/okta-clickup-sync/okta"
	"github.com/okta-clickup-sync/okta-clickup-sync/okta/oktatest"
)

// recordedPage is one answer of the app users listing, captured from the fake so that replaying
// it costs the server next to nothing and a benchmark measures the client alone.
type recordedPage struct {
	link []string
	body []byte
}

// recordListing seeds the fake like bench/ does (users with a login, a name and a role) and
// captures every page of the listing at the given page size, keyed by the after cursor.
func recordListing(b *testing.B, users, limit int) (map[string]recordedPage, string) {
	b.Helper()
	s := oktatest.NewServer(oktatest.Options{})
	defer s.Close()
	s.AddApp(appID, "ClickUp")
	for i := range users {
		login := fmt.Sprintf("user%06d@bench.io", i)
		u := s.AddUser(oktatest.User{Status: "ACTIVE", Login: login, Email: login, FirstName: "User", LastName: strconv.Itoa(i)})
		s.Assign(appID, u.ID, "PROVISIONED", map[string]any{"role": "member"})
	}
	pages := map[string]recordedPage{}
	next := s.URL() + "/api/v1/apps/" + appID + "/users?limit=" + strconv.Itoa(limit) + "&expand=user"
	for next != "" {
		u, err := url.Parse(next)
		if err != nil {
			b.Fatal(err)
		}
		req, _ := http.NewRequest("GET", next, nil)
		req.Header.Set("Authorization", "SSWS "+s.Token())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("recording %s: %d %v", next, resp.StatusCode, err)
		}
		pages[u.Query().Get("after")] = recordedPage{link: resp.Header.Values("Link"), body: body}
		next = ""
		for _, l := range resp.Header.Values("Link") {
			if n := len(l); n > 0 && l[n-len(`rel="next"`):] == `rel="next"` {
				next = l[1 : len(l)-len(`>; rel="next"`)]
			}
		}
	}
	return pages, s.URL()
}

// BenchmarkListAppUsers measures the client's CPU time and allocations per listed user (the
// replaying server's share is small), and, with latency, the gap between the end of one answer
// and the request for the next page: the client's share of the cursor's critical path.
func BenchmarkListAppUsers(b *testing.B) {
	for _, tc := range []struct {
		users   int
		latency time.Duration
	}{{500, 0}, {2500, 0}, {2500, 20 * time.Millisecond}} {
		b.Run(fmt.Sprintf("users=%d/latency=%s", tc.users, tc.latency), func(b *testing.B) {
			pages, recordedAt := recordListing(b, tc.users, okta.MaxPageLimit)
			var (
				mu      gosync.Mutex
				lastEnd time.Time
				gaps    time.Duration
				ngaps   int
			)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				after := r.URL.Query().Get("after")
				mu.Lock()
				if after != "" && !lastEnd.IsZero() {
					gaps += time.Since(lastEnd)
					ngaps++
				}
				mu.Unlock()
				p, ok := pages[after]
				if !ok {
					http.Error(w, "unknown cursor", http.StatusBadRequest)
					return
				}
				time.Sleep(tc.latency)
				for _, l := range p.link {
					// The links name the origin they were recorded at; a client follows only
					// its own.
					w.Header().Add("Link", strings.Replace(l, recordedAt, "http://"+r.Host, 1))
				}
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write(p.body)
				http.NewResponseController(w).Flush()
				mu.Lock()
				lastEnd = time.Now()
				mu.Unlock()
			}))
			defer srv.Close()
			c, err := okta.New(b.Context(), okta.Options{OrgURL: srv.URL, AppID: appID, Token: "t", AllowInsecureHTTP: true})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			cpu := cpuTime()
			b.ResetTimer()
			for b.Loop() {
				users, err := c.ListAppUsers(b.Context())
				if err != nil || len(users) != tc.users {
					b.Fatalf("ListAppUsers = %d users, %v", len(users), err)
				}
			}
			b.StopTimer()
			perUser := float64(b.N * tc.users)
			b.ReportMetric(float64((cpuTime()-cpu).Nanoseconds())/perUser, "cpu-ns/user")
			if ngaps > 0 {
				b.ReportMetric(float64(gaps.Microseconds())/float64(ngaps), "µs-gap/page")
			}
		})
	}
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
