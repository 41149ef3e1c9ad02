package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/okta-clickup-sync/okta-clickup-sync/clickup/clickuptest"
	"github.com/okta-clickup-sync/okta-clickup-sync/internal/faults"
	"github.com/okta-clickup-sync/okta-clickup-sync/internal/httpretry/httpretrytest"
	"github.com/okta-clickup-sync/okta-clickup-sync/okta/oktatest"
	"github.com/okta-clickup-sync/okta-clickup-sync/store"
)

// These tests make a service, a header or an operator lie to the whole program, one lie each
// (DESIGN.md §7): none may lock out an entitled person, lose the audit of a write or stall sync.

// noWrites fails when ClickUp received any write.
func noWrites(t *testing.T, h *harness, r result) {
	t.Helper()
	if w := h.cu.Writes(); len(w) != 0 {
		t.Fatalf("writes %+v\nstderr:\n%s", w, r.stderr)
	}
}

func TestLie_AccountFromAnotherIdPIsAdoptedNotDeactivated(t *testing.T) {
	h := newHarness(t)
	path := withStore(t, h)
	h.person("mig@x.io", "ACTIVE", map[string]any{"role": "member"})
	// Created by the IdP the Workspace used before Okta: its externalId is a GUID.
	h.clickup(clickuptest.User{ExternalID: "9c1f0e2a-4b7d-4e55-9a51-0f3b2c1d7e88", UserName: "mig@x.io", Active: true})
	h.clickup(clickuptest.User{ExternalID: "3b7e1c55-0d0e-4c1a-8f0e-5d6a2f9b1c00", UserName: "other.idp@x.io", Active: true})
	h.cu.ResetRequests()
	for range 2 { // and every later run
		r := h.run(t, "reconcile")
		if r.code != exitOK {
			t.Fatalf("exit %d\n%s", r.code, r.stderr)
		}
		noWrites(t, h, r)
		if !strings.Contains(r.stdout, "foreign_external_id") {
			t.Errorf("the other IdP's account is not reported:\n%s", r.stdout)
		}
	}
	if u := h.find(t, "mig@x.io"); !u.Active || u.ExternalID != "9c1f0e2a-4b7d-4e55-9a51-0f3b2c1d7e88" {
		t.Errorf("adopted account changed: %+v", u)
	}
	st, err := store.Open(t.Context(), path, store.Options{MustExist: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if links, _ := st.Links(t.Context()); len(links) != 2 { // the steady user and the adopted one
		t.Errorf("links %v: the adoption is not kept", links)
	}
}

func TestLie_EmptyAppUserPageDeactivatesNobody(t *testing.T) {
	for _, body := range []string{"", "null", "{}", `{"users":[]}`, "[] []"} {
		t.Run(body, func(t *testing.T) {
			h := newHarness(t)
			for _, login := range []string{"a@x.io", "b@x.io", "c@x.io"} {
				h.assigned(login, true)
			}
			h.cu.ResetRequests()
			h.okta.Faults(1).Add(faults.Rule{Method: http.MethodGet, Path: oktatest.PathAppUsers, Kind: faults.Status, Status: 200, Body: body})
			r := h.run(t, "reconcile")
			if r.code != exitError {
				t.Fatalf("exit %d, want 1\n%s", r.code, r.stderr)
			}
			noWrites(t, h, r)
		})
	}
}

func TestLie_ResetTenHoursAwayFailsAtOnce(t *testing.T) {
	for _, rule := range []faults.Rule{
		oktatest.RateLimited(oktatest.ResetIn(10*time.Hour, false)),
		{Kind: faults.Rewrite, Header: http.Header{"X-Rate-Limit-Remaining": {"0"}, "X-Rate-Limit-Reset": {oktatest.ResetIn(10*time.Hour, false)}}},
	} {
		h := newHarness(t)
		h.assigned("a@x.io", true)
		rule.Method, rule.Path = http.MethodGet, oktatest.PathAppUsers
		h.okta.Faults(1).Add(rule)
		var waits httpretrytest.Waits
		h.cu.ResetRequests()
		r := h.runCtx(t, t.Context(), waits.Sleep, "reconcile")
		if r.code == exitOK && rule.Status == http.StatusTooManyRequests {
			t.Fatalf("a 429 with a reset 10h away: exit 0\n%s", r.stderr)
		}
		for _, w := range waits.All() {
			if w > 3*time.Minute {
				t.Fatalf("waited %s for a reset 10 hours away", w)
			}
		}
		if rule.Status == http.StatusTooManyRequests && !strings.Contains(r.stderr, "X-Rate-Limit-Reset") {
			t.Errorf("the error does not name the header:\n%s", r.stderr)
		}
	}
}

func TestLie_MalformedLinkHeaderFailsTheRunNotTheProcess(t *testing.T) {
	h := newHarness(t)
	withStore(t, h)
	h.assigned("a@x.io", true)
	lie := oktatest.RawLink(`<%zz>; rel="next"`)
	lie.Method, lie.Path = http.MethodGet, oktatest.PathAppUsers
	in := h.okta.Faults(1)
	in.Add(lie)
	h.cu.ResetRequests()
	r := h.run(t, "reconcile")
	if r.code != exitError {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	noWrites(t, h, r)
	// The lock was released and the run recorded: the next run starts at once and succeeds.
	in.Clear()
	if r := h.run(t, "reconcile"); r.code != exitOK {
		t.Fatalf("next run: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	hist := h.run(t, "history")
	if strings.Contains(hist.stdout, "running") {
		t.Errorf("a run is still running:\n%s", hist.stdout)
	}
}

func TestLie_HeldStaysHeldWhenNewUsersLowerThePercent(t *testing.T) {
	h := newHarness(t)
	withStore(t, h)
	h.env["SYNC_MAX_DEACTIVATION_PERCENT"] = "20"
	var ids []string
	for _, login := range []string{"a@x.io", "b@x.io", "c@x.io", "d@x.io", "e@x.io", "f@x.io", "g@x.io", "h@x.io", "i@x.io"} {
		id, _ := h.assigned(login, true)
		ids = append(ids, id)
	}
	h.okta.Unassign(appID, ids[0])
	h.okta.Unassign(appID, ids[1]) // 2 of 10 managed: 20%, at the cap... and a third:
	h.okta.Unassign(appID, ids[2]) // 3 of 10: held
	held := h.run(t, "reconcile")
	if held.code != exitHeld {
		t.Fatalf("exit %d\n%s", held.code, held.stderr)
	}
	// Ten new hires: 3 of 17 managed is under 20%. A plain run must still hold the three.
	for i := range 10 {
		h.person("new"+string(rune('a'+i))+"@x.io", "ACTIVE", map[string]any{"role": "member"})
	}
	h.cu.ResetRequests()
	again := h.run(t, "reconcile")
	if again.code != exitHeld {
		t.Fatalf("exit %d\n%s", again.code, again.stderr)
	}
	for _, w := range h.cu.Writes() {
		if w.Method == http.MethodPatch {
			t.Fatalf("a held deactivation was applied without approval: %+v", w)
		}
	}
	runID := regexp.MustCompile(`okta-clickup-sync approve ([0-9]{8}T[0-9]{6}Z-[0-9a-f]+)`).FindStringSubmatch(held.stderr)
	if runID == nil {
		t.Fatalf("no approve hint:\n%s", held.stderr)
	}
	if r := h.run(t, "approve", runID[1]); r.code != exitOK {
		t.Fatalf("approve: exit %d\n%s", r.code, r.stderr)
	}
	for _, login := range []string{"a@x.io", "b@x.io", "c@x.io"} {
		if h.find(t, login).Active {
			t.Errorf("%s still active after approval", login)
		}
	}
}

func TestLie_RedirectToAnotherPortGetsNoToken(t *testing.T) {
	var reached atomic.Int32
	var sawToken atomic.Bool
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
		if r.Header.Get("Authorization") != "" {
			sawToken.Store(true)
		}
		http.Error(w, "not here", http.StatusNotFound)
	}))
	defer other.Close()
	h := newHarness(t)
	h.assigned("a@x.io", true)
	rule := oktatest.Redirect(http.StatusTemporaryRedirect, other.URL+"/api/v1/apps/"+appID+"/users")
	rule.Method, rule.Path = http.MethodGet, oktatest.PathAppUsers
	h.okta.Faults(1).Add(rule)
	h.cu.ResetRequests()
	r := h.run(t, "reconcile")
	if r.code != exitError {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	noWrites(t, h, r)
	if sawToken.Load() || reached.Load() != 0 {
		t.Fatalf("the other origin got %d requests (token: %v)", reached.Load(), sawToken.Load())
	}
}

func TestLie_HugeValueIsRefusedWithoutBeingCopied(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 120 MB")
	}
	h := newHarness(t)
	h.assigned("a@x.io", true)
	huge := `[{"id":"` + strings.Repeat("x", 120<<20) + `"}]`
	h.okta.Faults(1).Add(faults.Rule{Method: http.MethodGet, Path: oktatest.PathAppUsers, Kind: faults.Status, Status: 200, Body: huge})
	h.cu.ResetRequests()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	r := h.runCtx(t, ctx, nil, "reconcile")
	if r.code != exitError {
		t.Fatalf("exit %d", r.code)
	}
	noWrites(t, h, r)
	if len(r.stderr) > 64<<10 {
		t.Fatalf("stderr is %d bytes: the value was copied into the error", len(r.stderr))
	}
}
