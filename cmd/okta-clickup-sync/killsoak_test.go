//go:build unix

package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	gosync "sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/okta-clickup-sync/okta-clickup-sync/clickup/clickuptest"
	"github.com/okta-clickup-sync/okta-clickup-sync/okta/oktatest"
	"github.com/okta-clickup-sync/okta-clickup-sync/store"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

var (
	killSoakKills = flag.Int("killsoak.kills", 20, "SIGKILLs TestKillSoak deals the built binary")
	killSoakSeed  = flag.Uint64("killsoak.seed", 1, "seed of TestKillSoak's kill points and Okta changes")
)

// assassin SIGKILLs the reconcile process at its n-th request to ClickUp: before ClickUp answers
// it (the write reached ClickUp, its answer never reaches the process), or after.
type assassin struct {
	mu     gosync.Mutex
	pid    int
	n, at  int
	before bool
	killed atomic.Bool
}

func (a *assassin) arm(pid, at int, before bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.pid, a.n, a.at, a.before = pid, 0, at, before
	a.killed.Store(false)
}

func (a *assassin) strike(before bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.pid == 0 || a.before != before || a.n != a.at {
		return
	}
	_ = syscall.Kill(a.pid, syscall.SIGKILL)
	a.killed.Store(true)
	a.pid = 0
}

func (a *assassin) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		a.n++
		a.mu.Unlock()
		// The request is recorded by the fake either way; killing before it is served leaves a
		// request ClickUp never applied, killing before the answer leaves one it did.
		a.strike(true)
		next.ServeHTTP(w, r)
		a.strike(false)
	})
}

// TestKillSoak SIGKILLs the built binary at random points of its reconciles, while Okta changes
// between them, and then checks what a crash must never cost (DESIGN.md §7): no duplicate user
// or Team, every entitled user active once, nobody wrongly inactive, no run left running, and
// every write ClickUp received is in the drift log, applied or unknown.
func TestKillSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills it many times")
	}
	seed := *killSoakSeed
	t.Logf("seed %d, %d kills (rerun with -killsoak.seed=%d -killsoak.kills=%d)", seed, *killSoakKills, seed, *killSoakKills)
	rnd := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	bin := buildBinary(t, t.TempDir())

	h := newHarness(t)
	statePath := withStore(t, h)
	h.env["SYNC_MAX_DEACTIVATIONS"] = "1000"
	h.env["SYNC_CONCURRENCY"] = "4"
	var kill assassin
	h.cu.Use(kill.middleware)

	people := []*soakPerson{{id: h.steady, login: "steady@x.io", status: "ACTIVE", assigned: true, role: "member"}}
	for i := range 24 {
		p := &soakPerson{login: fmt.Sprintf("k%02d@x.io", i), status: "ACTIVE", role: "member", assigned: i < 16}
		p.id = h.person(p.login, "ACTIVE", nil)
		if p.assigned {
			h.okta.Assign(appID, p.id, "PROVISIONED", p.profile())
		}
		people = append(people, p)
	}
	group := &soakGroup{name: "Kill Team", members: map[string]bool{}}
	group.id = h.okta.AddGroup(oktatest.Group{Name: group.name}).ID
	h.env["SYNC_PUSH_GROUPS"] = group.id

	kills, runs := 0, 0
	for kills < *killSoakKills && runs < 10**killSoakKills {
		runs++
		soakChangeOkta(t, h, rnd, people, group)
		cmd := exec.Command(bin, "reconcile")
		cmd.Env = []string{"HOME=" + t.TempDir(), "LOG_FORMAT=json"}
		for k, v := range h.env {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Most kills land among the first requests of a run: its reads, then its writes.
		kill.arm(cmd.Process.Pid, 1+rnd.IntN(12), rnd.IntN(2) == 0)
		err := cmd.Wait()
		if kill.killed.Load() {
			kills++
			continue
		}
		kill.arm(0, 0, false)
		// A run that was not killed must not be kept from running by the one killed before it.
		if err != nil && strings.Contains(stderr.String(), "run lock") {
			t.Fatalf("run %d: the lock of a killed process held up the next run:\n%s", runs, stderr.String())
		}
		soakNoDuplicates(t, h)
	}
	if kills < *killSoakKills {
		t.Fatalf("only %d kills in %d runs", kills, runs)
	}
	t.Logf("%d kills in %d runs", kills, runs)

	// Two clean runs settle everything the kills left undone; the second finds nothing to do.
	h.cu.Use(func(next http.Handler) http.Handler { return next })
	if r := h.run(t, "reconcile"); r.code != exitOK {
		t.Fatalf("settling run: exit %d\n%s", r.code, r.stderr)
	}
	before := len(h.cu.Writes())
	if r := h.run(t, "reconcile"); r.code != exitOK || len(h.cu.Writes()) != before {
		t.Fatalf("second settling run: exit %d, %d writes\n%s", r.code, len(h.cu.Writes())-before, r.stderr)
	}
	soakNoDuplicates(t, h)
	soakCheckState(t, h, people)
	soakCheckTeams(t, h, people, map[string]*soakGroup{group.id: group})

	st, err := store.Open(t.Context(), statePath, store.Options{MustExist: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	recorded, err := st.Runs(t.Context(), store.RunFilter{})
	if err != nil {
		t.Fatal(err)
	}
	interrupted := 0
	for _, r := range recorded {
		switch r.Outcome {
		case store.RunRunning:
			t.Errorf("run %s is still running after every process ended", r.ID)
		case store.RunInterrupted:
			interrupted++
		}
	}
	if interrupted == 0 {
		t.Error("no killed run was marked interrupted")
	}
	entries, err := st.Entries(t.Context(), store.EntryFilter{})
	if err != nil {
		t.Fatal(err)
	}
	soakEveryWriteJournaled(t, h.cu, entries)
}

// soakChangeOkta makes one or two random changes in Okta: assign or unassign, a role, a
// suspension, a group membership.
func soakChangeOkta(t *testing.T, h *harness, rnd *rand.Rand, people []*soakPerson, g *soakGroup) {
	t.Helper()
	for range 1 + rnd.IntN(2) {
		p := people[1+rnd.IntN(len(people)-1)] // never the steady user
		switch rnd.IntN(5) {
		case 0:
			if p.assigned {
				h.okta.Unassign(appID, p.id)
			} else {
				h.okta.Assign(appID, p.id, "PROVISIONED", p.profile())
			}
			p.assigned = !p.assigned
		case 1:
			p.role = []string{"admin", "member", "guest"}[rnd.IntN(3)]
			if p.assigned {
				h.okta.SetAssignmentProfile(appID, p.id, p.profile())
			}
		case 2:
			p.status = map[string]string{"ACTIVE": "SUSPENDED", "SUSPENDED": "ACTIVE"}[p.status]
			h.okta.UpdateUser(oktatest.User{ID: p.id, Status: p.status, Login: p.login, Email: p.login, FirstName: "First", LastName: "Last"})
		default:
			if g.members[p.id] {
				h.okta.RemoveGroupMember(g.id, p.id)
			} else {
				h.okta.AddGroupMember(g.id, p.id)
			}
			g.members[p.id] = !g.members[p.id]
		}
	}
}

// soakNoDuplicates fails when two ClickUp users share a userName or two Teams a name.
func soakNoDuplicates(t *testing.T, h *harness) {
	t.Helper()
	seen := map[string]bool{}
	for _, u := range h.cu.Users() {
		k := strings.ToLower(u.UserName)
		if seen[k] {
			t.Fatalf("two ClickUp users named %s", u.UserName)
		}
		seen[k] = true
	}
	clear(seen)
	for _, g := range h.cu.Groups() {
		if seen[g.DisplayName] {
			t.Fatalf("two Teams named %s", g.DisplayName)
		}
		seen[g.DisplayName] = true
	}
}

// soakEveryWriteJournaled checks that each write ClickUp received, whatever became of the
// process that sent it, has its entry in the drift log, applied or unknown.
func soakEveryWriteJournaled(t *testing.T, cu *clickuptest.Server, entries []store.StoredEntry) {
	t.Helper()
	users := map[string]string{} // ClickUp id -> userName
	for _, u := range cu.Users() {
		users[u.ID] = strings.ToLower(u.UserName)
	}
	written := func(match func(e store.StoredEntry) bool) bool {
		return slices.ContainsFunc(entries, func(e store.StoredEntry) bool {
			return (e.Outcome == core.OutcomeApplied || e.Outcome == core.OutcomeUnknown) && match(e)
		})
	}
	checked := 0
	for _, r := range cu.Writes() {
		id := strings.TrimPrefix(r.Path[strings.LastIndex(r.Path, "/"):], "/")
		var ok bool
		switch {
		case r.Method == http.MethodPost && strings.HasSuffix(r.Path, "/Users"):
			var body struct{ UserName string }
			_ = json.Unmarshal(r.Body, &body)
			ok = written(func(e store.StoredEntry) bool {
				return e.Action == core.ActionCreateUser && strings.EqualFold(e.User, body.UserName)
			})
		case strings.Contains(r.Path, "/Users/"):
			ok = written(func(e store.StoredEntry) bool {
				return e.ClickUpUserID == id && (e.Action == core.ActionUpdateRole || e.Action == core.ActionReactivate || e.Action == core.ActionDeactivate)
			})
		case r.Method == http.MethodPost && strings.HasSuffix(r.Path, "/Groups"):
			ok = written(func(e store.StoredEntry) bool { return e.Action == core.ActionCreateTeam })
		case strings.Contains(r.Path, "/Groups/"):
			ok = written(func(e store.StoredEntry) bool {
				return e.Action == core.ActionUpdateTeamMembers || e.Action == core.ActionRenameTeam || e.Action == core.ActionCreateTeam
			})
		default:
			continue
		}
		checked++
		if !ok {
			t.Errorf("ClickUp received %s %s (%s), and no drift entry shows it applied or unknown", r.Method, r.Path, users[id])
		}
	}
	if checked == 0 {
		t.Error("no write to check")
	}
	if t.Failed() {
		path := filepath.Join(t.TempDir(), "entries.json")
		b, _ := json.MarshalIndent(entries, "", " ")
		_ = os.WriteFile(path, b, 0o600)
		t.Logf("entries in %s", path)
	}
}
