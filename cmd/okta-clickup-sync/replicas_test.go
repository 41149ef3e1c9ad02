//go:build unix

package main

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	gosync "sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"github.com/okta-clickup-sync/okta-clickup-sync/store"
)

// failoverLimit is how soon a standby must lead once the leader is gone (DESIGN.md §14).
const failoverLimit = 15 * time.Second

// postgresDatabase makes a fresh database on the test server and returns its URL; the test skips
// without a server unless OCS_REQUIRE_POSTGRES is set, as in CI.
func postgresDatabase(t *testing.T) string {
	t.Helper()
	base := os.Getenv("OCS_TEST_POSTGRES_URL")
	if base == "" {
		if os.Getenv("OCS_REQUIRE_POSTGRES") != "" {
			t.Fatal("OCS_REQUIRE_POSTGRES is set but OCS_TEST_POSTGRES_URL is not: start one with scripts/postgres-test-server")
		}
		t.Skip("no PostgreSQL server: set OCS_TEST_POSTGRES_URL (scripts/postgres-test-server start)")
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "ocs_replicas_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(t.Context(), "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec("DROP DATABASE " + name + " WITH (FORCE)")
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// slowWrites makes every write to the fake ClickUp take d, so that a run is long enough to be
// cut in the middle; afterNth, when set, is called once the n-th write has reached ClickUp.
type slowWrites struct {
	d        time.Duration
	mu       gosync.Mutex
	n, at    int
	afterNth func()
}

func (s *slowWrites) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			next.ServeHTTP(w, r)
			return
		}
		time.Sleep(s.d) // the service is slow: this is the fake's latency, not a test's wait
		next.ServeHTTP(w, r)
		s.mu.Lock()
		s.n++
		fire := s.afterNth != nil && s.n == s.at
		s.mu.Unlock()
		if fire {
			s.afterNth()
		}
	})
}

func (s *slowWrites) arm(at int, f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n, s.at, s.afterNth = 0, at, f
}

// replicaEnv is the harness's environment for a daemon on the PostgreSQL store.
func replicaEnv(h *harness, stateURL string) map[string]string {
	env := map[string]string{}
	for k, v := range h.env {
		env[k] = v
	}
	env["SYNC_STATE_PATH"] = ""
	env["SYNC_STATE_URL"] = stateURL
	env["SYNC_LISTEN_ADDR"] = "127.0.0.1:0"
	env["SYNC_SCHEDULE"] = "@every 1h"
	env["SYNC_CONCURRENCY"] = "2"
	env["LOG_FORMAT"] = "json"
	return env
}

// creates counts the creates ClickUp received per userName.
func creates(h *harness) map[string]int {
	n := map[string]int{}
	for _, r := range h.cu.Writes() {
		if r.Method == http.MethodPost && strings.HasSuffix(r.Path, "/Users") {
			var body struct{ UserName string }
			_ = json.Unmarshal(r.Body, &body)
			n[strings.ToLower(body.UserName)]++
		}
	}
	return n
}

func TestReplicas_OneLeadsAndAStandbyTakesOver(t *testing.T) {
	stateURL := postgresDatabase(t)
	bin := buildBinary(t, t.TempDir())
	h := newHarness(t)
	var logins []string
	for i := range 30 {
		login := fmt.Sprintf("r%02d@x.io", i)
		h.person(login, "ACTIVE", map[string]any{"role": "member"})
		logins = append(logins, login)
	}
	slow := &slowWrites{d: 100 * time.Millisecond}
	h.cu.Use(slow.middleware)

	// The leader is killed once ten of its creates reached ClickUp.
	var leader *proc
	killed := make(chan time.Time, 1)
	slow.arm(10, func() {
		_ = syscall.Kill(leader.cmd.Process.Pid, syscall.SIGKILL)
		killed <- time.Now()
	})
	env := replicaEnv(h, stateURL)
	a := startDaemon(t, bin, env)
	waitFor(t, "replica a to lead", func() bool { return len(a.find("leading")) > 0 })
	leader = a
	b := startDaemon(t, bin, env)
	if code, body := httpGet(t, "http://"+b.addr(t)+"/readyz"); code != http.StatusOK || !strings.Contains(body, "standby") {
		t.Fatalf("the second replica's /readyz: %d %q, want 200 standby", code, body)
	}
	if len(b.find("leading")) != 0 {
		t.Fatal("two replicas lead at once")
	}

	var at time.Time
	select {
	case at = <-killed:
	case <-time.After(waitLimit):
		t.Fatal("the leader never reached its tenth write")
	}
	if len(b.find("action result")) != 0 {
		t.Fatal("the standby wrote while the leader led")
	}
	deadline := at.Add(failoverLimit)
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for len(b.find("leading")) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no replica led within %s of the leader's death", failoverLimit)
		}
		<-tick.C
	}
	waitFor(t, "the new leader's run", func() bool {
		for _, l := range b.find("run summary") {
			if l["trigger"] == "schedule" || l["trigger"] == "startup" {
				return true
			}
		}
		return false
	})

	// Converged, nothing created twice, and the killed leader's run no longer running.
	made := creates(h)
	for _, login := range logins {
		if h.find(t, login); made[login] != 1 {
			t.Errorf("%s was created %d times", login, made[login])
		}
	}
	st, err := store.OpenURL(t.Context(), stateURL, store.Options{MustExist: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	runs, err := st.Runs(t.Context(), store.RunFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runs {
		if r.Outcome == store.RunRunning {
			t.Errorf("run %s is still running", r.ID)
		}
	}
	entries, err := st.Entries(t.Context(), store.EntryFilter{})
	if err != nil {
		t.Fatal(err)
	}
	soakEveryWriteJournaled(t, h.cu, entries)
}

func TestReplicas_DatabaseDroppedMidRun(t *testing.T) {
	stateURL := postgresDatabase(t)
	bin := buildBinary(t, t.TempDir())
	h := newHarness(t)
	for i := range 20 {
		h.person(fmt.Sprintf("d%02d@x.io", i), "ACTIVE", map[string]any{"role": "member"})
	}
	slow := &slowWrites{d: 100 * time.Millisecond}
	h.cu.Use(slow.middleware)
	admin, err := sql.Open("pgx", os.Getenv("OCS_TEST_POSTGRES_URL"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	dbName := strings.TrimPrefix(mustParse(t, stateURL).Path, "/")
	dropped := make(chan struct{})
	slow.arm(5, func() {
		// Every connection of the replica goes at once, as when the database restarts.
		_, err := admin.Exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, dbName)
		if err != nil {
			t.Errorf("terminate the replica's connections: %v", err)
		}
		close(dropped)
	})
	p := startDaemon(t, bin, replicaEnv(h, stateURL))
	select {
	case <-dropped:
	case <-time.After(waitLimit):
		t.Fatal("the run never reached its fifth write")
	}
	// The run fails cleanly; the replica campaigns again, leads, and its next run converges.
	waitFor(t, "leadership lost and taken again", func() bool { return len(p.find("leading")) >= 2 })
	waitFor(t, "a run that converges", func() bool {
		for _, l := range p.find("run summary") {
			if l["outcome"] == "changed" || l["outcome"] == "success" {
				return len(creates(h)) == 20
			}
		}
		return false
	})
	for login, n := range creates(h) {
		if n != 1 {
			t.Errorf("%s was created %d times", login, n)
		}
	}
	st, err := store.OpenURL(t.Context(), stateURL, store.Options{MustExist: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	entries, err := st.Entries(t.Context(), store.EntryFilter{})
	if err != nil {
		t.Fatal(err)
	}
	soakEveryWriteJournaled(t, h.cu, entries)
}

func mustParse(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
