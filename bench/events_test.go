package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/okta-clickup-sync/okta-clickup-sync/clickup/clickuptest"
	"github.com/okta-clickup-sync/okta-clickup-sync/okta/oktatest"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

var (
	eventChanges = flag.Int("event-changes", 20, "changes made in Okta per event benchmark")
	logsRate     = flag.Int("okta-logs-rate", 50, "Okta /api/v1/logs requests per minute (Enterprise publishes 50)")
	usersRate    = flag.Int("okta-users-rate", 600, "Okta /api/v1/users requests per minute (published: 600)")
)

const hookSecret = "bench-hook-secret-0123456789"

// arrivals notes when each user's create reached ClickUp and was answered.
type arrivals struct {
	mu  gosync.Mutex
	at  map[string]time.Time
	all []string // "METHOD path" of every request, for the per-user count
}

func (a *arrivals) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct{ UserName string }
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/Users") {
			raw, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(raw))
			_ = json.Unmarshal(raw, &body)
		}
		next.ServeHTTP(w, r)
		a.mu.Lock()
		defer a.mu.Unlock()
		a.all = append(a.all, r.Method+" "+r.URL.Path)
		if body.UserName != "" {
			a.at[strings.ToLower(body.UserName)] = time.Now()
		}
	})
}

func (a *arrivals) when(login string) (time.Time, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	t, ok := a.at[login]
	return t, ok
}

// daemon is the product running `run` as a child process, its log lines watched.
type daemon struct {
	cmd   *exec.Cmd
	mu    gosync.Mutex
	lines []map[string]any
}

func startEventDaemon(b *testing.B, env []string) *daemon {
	cmd := exec.Command(binary(b), "run")
	cmd.Env = env
	stderr, err := cmd.StderrPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	d := &daemon{cmd: cmd}
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var m map[string]any
			if json.Unmarshal(sc.Bytes(), &m) == nil {
				d.mu.Lock()
				d.lines = append(d.lines, m)
				d.mu.Unlock()
			}
		}
	}()
	b.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return d
}

func (d *daemon) find(msg string) []map[string]any {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []map[string]any
	for _, l := range d.lines {
		if l["message"] == msg {
			out = append(out, l)
		}
	}
	return out
}

func waitUntil(b *testing.B, limit time.Duration, what string, cond func() bool) {
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			b.Fatalf("timed out after %s waiting for %s", limit, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// eventFakes seeds users in step on both sides, with the published rate limits and latency.
func eventFakes(users int) (*oktatest.Server, *clickuptest.Server, *arrivals) {
	o := oktatest.NewServer(oktatest.Options{})
	c := clickuptest.NewServer(clickuptest.Options{})
	o.AddApp(appID, "ClickUp")
	c.AddUser(clickuptest.User{UserName: "owner@bench.io", Email: "owner@bench.io", GivenName: "O", FamilyName: "Wner", Active: true, Owner: true})
	for i := range users {
		login := fmt.Sprintf("user%06d@bench.io", i)
		u := o.AddUser(oktatest.User{Status: "ACTIVE", Login: login, Email: login, FirstName: "User", LastName: fmt.Sprint(i)})
		o.Assign(appID, u.ID, "PROVISIONED", map[string]any{"role": "member"})
		c.AddUser(clickuptest.User{ExternalID: u.ID, UserName: login, Email: login, GivenName: "User", FamilyName: fmt.Sprint(i), Active: true, Role: "member"})
	}
	o.SetBucketRateLimit("/api/v1/apps", *oktaRate)
	o.SetBucketRateLimit("/api/v1/logs", *logsRate)
	o.SetBucketRateLimit("/api/v1/users", *usersRate)
	c.SetSCIMRateLimit(*scimRate)
	om, cm := &meter{}, &meter{}
	o.Use(om.middleware)
	arr := &arrivals{at: map[string]time.Time{}}
	c.Use(cm.middleware)
	c.Use(arr.middleware)
	return o, c, arr
}

func eventEnv(b *testing.B, o *oktatest.Server, c *clickuptest.Server, extra map[string]string) []string {
	env := map[string]string{
		"OKTA_ORG_URL": o.URL(), "OKTA_APP_ID": appID, "OKTA_API_TOKEN": o.Token(),
		"CLICKUP_SCIM_BASE_URL": c.SCIMBaseURL(), "CLICKUP_SCIM_TOKEN": c.SCIMToken(),
		"CLICKUP_API_BASE_URL": c.APIBaseURL(), "CLICKUP_API_TOKEN": c.APIToken(), "CLICKUP_WORKSPACE_ID": c.WorkspaceID(),
		"SYNC_ALLOW_INSECURE_HTTP": "true", "SYNC_STATE_PATH": filepath.Join(b.TempDir(), "state.db"),
		"SYNC_LISTEN_ADDR": "127.0.0.1:0", "SYNC_SCHEDULE": "@every 24h", "LOG_FORMAT": "json",
		"SYNC_EVENTS": "systemlog", "SYNC_EVENTS_INTERVAL": "15s", "PATH": os.Getenv("PATH"),
	}
	for k, v := range extra {
		env[k] = v
	}
	var out []string
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	return out
}

// BenchmarkEvents measures how soon an assignment in Okta becomes a user in ClickUp through the
// System Log poller at 15 s and through the event hook, under the published rate limits with
// latency on every request; what each changed user costs in requests; and that an idle poll costs
// the same whatever the org's size. Run with -benchtime=1x; each takes minutes.
func BenchmarkEvents(b *testing.B) {
	for _, mode := range []string{"poll-15s", "hook"} {
		b.Run(mode, func(b *testing.B) {
			for range b.N {
				lagRun(b, mode)
			}
		})
	}
	for _, users := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("idle-polls-%dk", users/1000), func(b *testing.B) {
			for range b.N {
				idlePolls(b, users)
			}
		})
	}
}

func lagRun(b *testing.B, mode string) {
	o, c, arr := eventFakes(1_000)
	defer o.Close()
	defer c.Close()
	extra := map[string]string{}
	if mode == "hook" {
		extra["SYNC_EVENT_HOOK_SECRET"] = hookSecret
	}
	d := startEventDaemon(b, eventEnv(b, o, c, extra))
	waitUntil(b, 3*time.Minute, "the start-up run", func() bool { return len(d.find("run summary")) > 0 })
	if mode == "hook" {
		addr, _ := d.find("daemon started")[0]["addr"].(string)
		o.SetEventHook("http://"+addr+"/hooks/okta", hookSecret, core.EventTypes...)
		if err := o.VerifyEventHook(); err != nil {
			b.Fatal(err)
		}
	}
	o.ResetRequests()
	arr.mu.Lock()
	arr.all = nil
	arr.mu.Unlock()

	rnd := rand.New(rand.NewPCG(7, 11))
	published := map[string]time.Time{}
	var logins []string
	for i := range *eventChanges {
		// Spread over the poll interval, so the lag samples every phase of it.
		pause := time.Duration(2+rnd.IntN(8)) * time.Second
		if mode == "hook" {
			pause = time.Duration(500+rnd.IntN(1000)) * time.Millisecond
		}
		time.Sleep(pause)
		login := fmt.Sprintf("hire%03d@bench.io", i)
		u := o.AddUser(oktatest.User{Status: "ACTIVE", Login: login, Email: login, FirstName: "New", LastName: "Hire"})
		o.Assign(appID, u.ID, "PROVISIONED", map[string]any{"role": "member"})
		published[login] = o.Events()[len(o.Events())-1].Published
		logins = append(logins, login)
	}
	waitUntil(b, 2*time.Minute, "every create", func() bool {
		for _, l := range logins {
			if _, ok := arr.when(l); !ok {
				return false
			}
		}
		return true
	})
	var lags []float64
	for _, l := range logins {
		at, _ := arr.when(l)
		lags = append(lags, at.Sub(published[l]).Seconds())
	}
	sort.Float64s(lags)
	b.ReportMetric(quantile(lags, 0.5), "p50-s")
	b.ReportMetric(quantile(lags, 0.95), "p95-s")
	b.ReportMetric(lags[len(lags)-1], "max-s")

	// Requests per changed user: what the events runs read and wrote, polls left out.
	oktaReads := 0
	for _, r := range o.Requests() {
		if !strings.HasPrefix(r.Path, "/api/v1/logs") {
			oktaReads++
		}
	}
	// SCIM reads of users and groups are per user; the REST reads (custom roles, owner) are the
	// once-per-run extras DESIGN.md §10 leaves out of the goal.
	cuReads, restReads, cuWrites := 0, 0, 0
	arr.mu.Lock()
	for _, r := range arr.all {
		switch {
		case !strings.HasPrefix(r, "GET "):
			cuWrites++
		case strings.Contains(r, "/Users") || strings.Contains(r, "/Groups"):
			cuReads++
		default:
			restReads++
		}
	}
	arr.mu.Unlock()
	runs := 0
	for _, l := range d.find("run summary") {
		if l["kind"] == "events" {
			runs++
		}
	}
	n := float64(len(logins))
	b.ReportMetric(float64(oktaReads)/n, "okta-reads/user")
	b.ReportMetric(float64(cuReads)/n, "clickup-reads/user")
	b.ReportMetric(float64(cuWrites)/n, "writes/user")
	b.ReportMetric(float64(runs), "event-runs")
	b.ReportMetric(float64(restReads)/max(float64(runs), 1), "rest-reads/run")
	b.Logf("%s: %d changes; lags %v", mode, len(lags), lags)
}

func quantile(sorted []float64, q float64) float64 {
	i := int(q*float64(len(sorted)) + 0.5)
	return sorted[min(max(i-1, 0), len(sorted)-1)]
}

// idlePolls counts the requests and time of polls that find nothing, after the start-up run.
func idlePolls(b *testing.B, users int) {
	o, c, _ := eventFakes(users)
	defer o.Close()
	defer c.Close()
	d := startEventDaemon(b, eventEnv(b, o, c, map[string]string{"SYNC_EVENTS_INTERVAL": "1s"}))
	waitUntil(b, 10*time.Minute, "the start-up run", func() bool { return len(d.find("run summary")) > 0 })
	o.ResetRequests()
	c.ResetRequests()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start := time.Now()
	const polls = 10
	for ctx.Err() == nil && len(pollsOf(o)) < polls {
		time.Sleep(50 * time.Millisecond)
	}
	took := time.Since(start)
	b.ReportMetric(float64(len(o.Requests()))/polls, "okta-requests/poll")
	b.ReportMetric(float64(len(c.Requests()))/polls, "clickup-requests/poll")
	b.ReportMetric(took.Seconds()/polls, "s/poll")
}

func pollsOf(o *oktatest.Server) []oktatest.Request {
	var out []oktatest.Request
	for _, r := range o.Requests() {
		if strings.HasPrefix(r.Path, "/api/v1/logs") {
			out = append(out, r)
		}
	}
	return out
}
