package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"reflect"
	"sort"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/okta-clickup-sync/okta-clickup-sync/clickup/clickuptest"
	"github.com/okta-clickup-sync/okta-clickup-sync/internal/faults"
	"github.com/okta-clickup-sync/okta-clickup-sync/internal/httpretry/httpretrytest"
	"github.com/okta-clickup-sync/okta-clickup-sync/okta/oktatest"
)

var (
	soakCycles = flag.Int("soak.cycles", 200, "reconcile cycles TestSoak runs under faults")
	soakSeed   = flag.Uint64("soak.seed", 1, "seed of TestSoak's faults and Okta changes; a failure names it")
)

// soakPerson is the test's own record of an Okta user and assignment: the expected ClickUp
// state is computed from it, not from anything the daemon read.
type soakPerson struct {
	id, login    string
	status       string // ACTIVE or SUSPENDED
	assigned     bool
	role         string // admin, member, guest
	customRoleID string // one of the harness's custom roles, or ""
}

func (p *soakPerson) entitled() bool { return p.assigned && p.status == "ACTIVE" }

func (p *soakPerson) profile() map[string]any {
	m := map[string]any{"role": p.role}
	if p.customRoleID != "" {
		m["customRoleId"] = p.customRoleID
	}
	return m
}

// The harness's custom roles and the base role each inherits.
var soakCustomRoles = map[string]string{"4547089": "guest", "6715664": "member", "2957195": "admin"}

// killer cancels a run's context right after the k-th write reached ClickUp: a process stopped
// in the middle of Apply.
type killer struct {
	mu     gosync.Mutex
	k, n   int
	cancel context.CancelFunc
}

func (k *killer) arm(after int, cancel context.CancelFunc) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.k, k.n, k.cancel = after, 0, cancel
}

func (k *killer) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r)
		if r.Method == http.MethodGet {
			return
		}
		k.mu.Lock()
		defer k.mu.Unlock()
		if k.cancel == nil {
			return
		}
		if k.n++; k.n == k.k {
			k.cancel()
			k.cancel = nil
		}
	})
}

// TestSoak runs many reconciles while Okta changes between them and both services misbehave,
// and runs are cut off in the middle of their writes. Under faults it only checks what must
// hold at every moment (no duplicate user, owner untouched); once the faults stop, two clean runs
// must bring ClickUp exactly to the state Okta asks for, the second one planning nothing.
func TestSoak(t *testing.T) {
	seed := *soakSeed
	t.Logf("seed %d, %d cycles (rerun with -soak.seed=%d -soak.cycles=%d)", seed, *soakCycles, seed, *soakCycles)
	rnd := rand.New(rand.NewPCG(seed, seed+1))

	h := newHarness(t)
	h.env["SYNC_MAX_DEACTIVATION_PERCENT"] = "100"
	h.env["SYNC_MAX_DEACTIVATIONS"] = "1000"
	h.okta.SetRateLimit(1 << 30)
	h.cu.SetSCIMRateLimit(1 << 30)
	h.cu.SetRESTRateLimit(1 << 30)
	oktaFaults, cuFaults := h.okta.Faults(seed), h.cu.Faults(seed+1)
	var latency httpretrytest.Waits
	oktaFaults.SetSleep(latency.Sleep)
	cuFaults.SetSleep(latency.Sleep)
	var kill killer
	h.cu.Use(kill.middleware)

	// The steady user stays assigned throughout, so no cycle looks like an empty source.
	people := []*soakPerson{{id: h.steady, login: "steady@x.io", status: "ACTIVE", assigned: true, role: "member"}}
	for i := range 30 {
		p := &soakPerson{login: fmt.Sprintf("p%02d.v0@x.io", i), status: "ACTIVE", role: "member", assigned: i < 20}
		p.id = h.person(p.login, "ACTIVE", nil)
		if p.assigned {
			h.okta.Assign(appID, p.id, "PROVISIONED", p.profile())
		}
		people = append(people, p)
	}
	// Two pushed groups, with a store so that a renamed group keeps its Team.
	withStore(t, h)
	groups := map[string]*soakGroup{}
	var groupIDs []string
	for i := range 2 {
		g := &soakGroup{name: fmt.Sprintf("Team %d", i), members: map[string]bool{}}
		g.id = h.okta.AddGroup(oktatest.Group{Name: g.name}).ID
		for _, p := range people[1:] {
			if rnd.IntN(2) == 0 {
				g.members[p.id] = true
				h.okta.AddGroupMember(g.id, p.id)
			}
		}
		groups[g.id] = g
		groupIDs = append(groupIDs, g.id)
	}
	h.env["SYNC_PUSH_GROUPS"] = strings.Join(groupIDs, ",")
	renames := 0

	version := 0
	mutable := people[1:]
	pick := func(ok func(*soakPerson) bool) *soakPerson {
		var c []*soakPerson
		for _, p := range mutable {
			if ok(p) {
				c = append(c, p)
			}
		}
		if len(c) == 0 {
			return nil
		}
		return c[rnd.IntN(len(c))]
	}
	updateUser := func(p *soakPerson) {
		h.okta.UpdateUser(oktatest.User{ID: p.id, Status: p.status, Login: p.login, Email: p.login, FirstName: "First", LastName: "Last"})
	}
	change := func() {
		switch rnd.IntN(8) {
		case 6:
			g := groups[groupIDs[rnd.IntN(len(groupIDs))]]
			if p := pick(func(*soakPerson) bool { return true }); p != nil {
				if g.members[p.id] {
					delete(g.members, p.id)
					h.okta.RemoveGroupMember(g.id, p.id)
				} else {
					g.members[p.id] = true
					h.okta.AddGroupMember(g.id, p.id)
				}
			}
		case 7:
			g := groups[groupIDs[rnd.IntN(len(groupIDs))]]
			renames++
			g.name = fmt.Sprintf("Team %s r%d", g.id[len(g.id)-2:], renames)
			h.okta.RenameGroup(g.id, g.name)
		case 0:
			if p := pick(func(p *soakPerson) bool { return !p.assigned }); p != nil {
				p.assigned, p.role, p.customRoleID = true, []string{"admin", "member", "guest"}[rnd.IntN(3)], ""
				h.okta.Assign(appID, p.id, "PROVISIONED", p.profile())
			}
		case 1:
			if p := pick(func(p *soakPerson) bool { return p.assigned }); p != nil {
				p.assigned = false
				h.okta.Unassign(appID, p.id)
			}
		case 2:
			if p := pick(func(p *soakPerson) bool { return true }); p != nil {
				p.status = map[string]string{"ACTIVE": "SUSPENDED", "SUSPENDED": "ACTIVE"}[p.status]
				updateUser(p)
			}
		case 3, 4:
			if p := pick(func(p *soakPerson) bool { return p.assigned }); p != nil {
				p.role, p.customRoleID = []string{"admin", "member", "guest"}[rnd.IntN(3)], ""
				if rnd.IntN(3) == 0 {
					for id := range soakCustomRoles {
						p.customRoleID = id
						break
					}
				}
				h.okta.SetAssignmentProfile(appID, p.id, p.profile())
			}
		case 5:
			// A new login and email: pushed only on create, ignored as drift afterwards.
			if p := pick(func(p *soakPerson) bool { return true }); p != nil {
				version++
				p.login = fmt.Sprintf("%s.v%d@x.io", strings.SplitN(p.login, ".", 2)[0], version)
				updateUser(p)
			}
		}
	}
	injectFaults := func() {
		oktaFaults.Clear()
		cuFaults.Clear()
		if rnd.IntN(10) < 3 {
			return // a clean cycle now and then, so the runs also make progress
		}
		writes := []string{http.MethodPost, http.MethodPut, http.MethodPatch}
		ms := rnd.IntN(2) == 0
		for _, r := range []faults.Rule{
			{Method: writes[rnd.IntN(3)], Kind: faults.DropAfterWrite, Rate: 0.3},
			{Method: writes[rnd.IntN(3)], Kind: faults.Status, Status: 503, Rate: 0.2},
			{Method: http.MethodGet, Kind: faults.HangUp, Rate: 0.05},
			{Method: http.MethodGet, Kind: faults.Rewrite, Transform: faults.BadJSON, Rate: 0.02},
			{Method: http.MethodGet, Path: clickuptest.PathSCIMUsers, Kind: faults.Rewrite, Transform: clickuptest.CountersAsStrings, Rate: 0.02},
			{Kind: faults.Latency, Latency: 50 * time.Millisecond, Rate: 0.2},
		} {
			if rnd.IntN(2) == 0 {
				cuFaults.Add(r)
			}
		}
		if rnd.IntN(2) == 0 {
			r := clickuptest.RateLimited(clickuptest.ResetIn(2*time.Second, ms))
			r.Rate = 0.1
			cuFaults.Add(r)
		}
		for _, r := range []faults.Rule{
			oktatest.ServerError(503),
			{Kind: faults.HangUp},
			{Kind: faults.Rewrite, Transform: faults.HalfBody},
			oktatest.RateLimited(oktatest.ResetIn(time.Second, ms)),
		} {
			if rnd.IntN(3) == 0 {
				r.Rate = 0.15
				oktaFaults.Add(r)
			}
		}
	}
	checkInvariants := func(cycle int) {
		t.Helper()
		names, exts := map[string]string{}, map[string]string{}
		var owners int
		for _, u := range h.cu.Users() {
			if prev, dup := names[strings.ToLower(u.UserName)]; dup {
				t.Fatalf("cycle %d: users %s and %s share userName %s", cycle, prev, u.ID, u.UserName)
			}
			names[strings.ToLower(u.UserName)] = u.ID
			if u.ExternalID != "" {
				if prev, dup := exts[u.ExternalID]; dup {
					t.Fatalf("cycle %d: users %s and %s are both Okta user %s", cycle, prev, u.ID, u.ExternalID)
				}
				exts[u.ExternalID] = u.ID
			}
			if u.Owner {
				owners++
				if !u.Active || u.Role != "owner" {
					t.Fatalf("cycle %d: the owner was changed: %+v", cycle, u)
				}
			}
		}
		if owners != 1 {
			t.Fatalf("cycle %d: %d owners", cycle, owners)
		}
		teams := map[string]bool{}
		for _, g := range h.cu.Groups() {
			k := strings.ToLower(g.DisplayName)
			if teams[k] {
				t.Fatalf("cycle %d: two Teams named %s", cycle, g.DisplayName)
			}
			teams[k] = true
		}
		if len(teams) > len(groups) {
			t.Fatalf("cycle %d: %d Teams for %d pushed groups: %+v", cycle, len(teams), len(groups), h.cu.Groups())
		}
	}

	codes := map[int]int{}
	for cycle := range *soakCycles {
		for range rnd.IntN(4) {
			change()
		}
		injectFaults()
		ctx, cancel := context.WithCancel(t.Context())
		if rnd.IntN(5) == 0 {
			kill.arm(1+rnd.IntN(3), cancel)
		} else {
			kill.arm(0, nil)
		}
		r := h.runCtx(t, ctx, httpretrytest.NoSleep, "reconcile")
		cancel()
		codes[r.code]++
		if r.code != exitOK && r.code != exitError {
			t.Fatalf("cycle %d: exit %d\n%s", cycle, r.code, r.stderr)
		}
		checkInvariants(cycle)
	}
	t.Logf("exit codes under faults: %v; fault hits: okta %d, clickup %d", codes, oktaFaults.Hits(), cuFaults.Hits())
	if codes[exitOK] == 0 || codes[exitError] == 0 {
		t.Errorf("exit codes %v: the faults never bit, or no run ever succeeded", codes)
	}

	oktaFaults.Clear()
	cuFaults.Clear()
	kill.arm(0, nil)
	if r := h.runCtx(t, t.Context(), httpretrytest.NoSleep, "reconcile"); r.code != exitOK {
		t.Fatalf("first clean run: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	h.cu.ResetRequests()
	r := h.runCtx(t, t.Context(), httpretrytest.NoSleep, "reconcile", "--detailed-exitcode")
	if r.code != exitOK || len(h.cu.Writes()) != 0 {
		t.Fatalf("second clean run: exit %d, writes %+v; want a run that plans nothing\n%s", r.code, h.cu.Writes(), r.stdout)
	}
	checkInvariants(-1)
	soakCheckState(t, h, people)
	soakCheckTeams(t, h, people, groups)
}

type soakGroup struct {
	id, name string
	members  map[string]bool // Okta user ids
}

// soakCheckTeams checks that every pushed group has exactly one Team, named like the group, whose
// members are the group's entitled users.
func soakCheckTeams(t *testing.T, h *harness, people []*soakPerson, groups map[string]*soakGroup) {
	t.Helper()
	clickupID := map[string]string{}
	for _, u := range h.cu.Users() {
		clickupID[u.ExternalID] = u.ID
	}
	teams := h.cu.Groups()
	if len(teams) != len(groups) {
		t.Errorf("%d Teams for %d groups: %+v", len(teams), len(groups), teams)
	}
	for _, g := range groups {
		want := []string{}
		for _, p := range people {
			if g.members[p.id] && p.entitled() {
				want = append(want, clickupID[p.id])
			}
		}
		sort.Slice(want, func(i, j int) bool {
			return len(want[i]) < len(want[j]) || len(want[i]) == len(want[j]) && want[i] < want[j]
		})
		found := false
		for _, tm := range teams {
			if tm.DisplayName != g.name {
				continue
			}
			found = true
			got := append([]string{}, tm.Members...)
			sort.Slice(got, func(i, j int) bool { return len(got[i]) < len(got[j]) || len(got[i]) == len(got[j]) && got[i] < got[j] })
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Team %s: members %v, want %v", g.name, got, want)
			}
		}
		if !found {
			t.Errorf("no Team named %s for group %s: %+v", g.name, g.id, teams)
		}
	}
}

// soakCheckState compares ClickUp with what the test's record of Okta asks for.
func soakCheckState(t *testing.T, h *harness, people []*soakPerson) {
	t.Helper()
	byExt := map[string]clickuptest.User{}
	for _, u := range h.cu.Users() {
		switch {
		case u.Owner:
		case u.ExternalID == "":
			t.Errorf("ClickUp user %s (%s) is linked to no Okta user", u.ID, u.UserName)
		default:
			byExt[u.ExternalID] = u
		}
	}
	known := map[string]bool{}
	for _, p := range people {
		known[p.id] = true
		u, ok := byExt[p.id]
		if !p.entitled() {
			if ok && u.Active {
				t.Errorf("%s is not entitled (assigned %t, %s) but active in ClickUp: %+v", p.login, p.assigned, p.status, u)
			}
			continue
		}
		wantRole, wantCustom := p.role, ""
		if p.customRoleID != "" {
			wantRole, wantCustom = soakCustomRoles[p.customRoleID], p.customRoleID
		}
		switch {
		case !ok:
			t.Errorf("%s is entitled but has no ClickUp user", p.login)
		case !u.Active || u.Role != wantRole || u.CustomRoleID != wantCustom:
			t.Errorf("%s: ClickUp has %+v, want active with role %s custom %q", p.login, u, wantRole, wantCustom)
		}
	}
	for ext, u := range byExt {
		if !known[ext] {
			t.Errorf("ClickUp user %s has externalId %s, no Okta user of the test", u.ID, ext)
		}
	}
}
