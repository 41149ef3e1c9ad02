package main

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/okta-clickup-sync/okta-clickup-sync/clickup/clickuptest"
	"github.com/okta-clickup-sync/okta-clickup-sync/okta/oktatest"
	"github.com/okta-clickup-sync/okta-clickup-sync/store"
	"github.com/okta-clickup-sync/okta-clickup-sync/store/storetest"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// withStore points the harness at a fresh state file and returns its path.
func withStore(t *testing.T, h *harness) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "state.db")
	h.env["SYNC_STATE_PATH"] = path
	return path
}

func TestStoreKeepsUsersLinked(t *testing.T) {
	t.Run("login and email change after creation: same user, no create", func(t *testing.T) {
		h := newHarness(t)
		path := withStore(t, h)
		id := h.person("lee@x.io", "ACTIVE", map[string]any{"role": "member"})
		if r := h.run(t, "reconcile"); r.code != exitOK {
			t.Fatalf("first reconcile: %d\n%s", r.code, r.stderr)
		}
		created := h.find(t, "lee@x.io")
		h.okta.UpdateUser(oktatest.User{ID: id, Status: "ACTIVE", Login: "lee.new@y.io", Email: "lee.new@y.io", FirstName: "First", LastName: "Last"})
		for _, step := range []string{"with the store", "with the store deleted"} {
			if step == "with the store deleted" {
				if err := os.Remove(path); err != nil {
					t.Fatal(err)
				}
			}
			h.cu.ResetRequests()
			r := h.run(t, "reconcile", "--detailed-exitcode")
			if r.code != exitOK || len(h.cu.Writes()) != 0 {
				t.Fatalf("%s: exit %d, writes %+v\n%s", step, r.code, h.cu.Writes(), r.stdout)
			}
			if !strings.Contains(r.stdout, "profile_drift_ignored") {
				t.Errorf("%s: no profile_drift_ignored:\n%s", step, r.stdout)
			}
			if u := h.find(t, "lee@x.io"); u != created {
				t.Errorf("%s: user changed: %+v", step, u)
			}
		}
	})
	t.Run("a user matched by email stays linked after the Okta email changes", func(t *testing.T) {
		h := newHarness(t)
		withStore(t, h)
		id := h.person("mo@x.io", "ACTIVE", map[string]any{"role": "member"})
		invited := h.clickup(clickuptest.User{UserName: "mo@x.io", Active: true}) // invited by hand, no externalId
		if r := h.run(t, "reconcile"); r.code != exitOK {
			t.Fatalf("first reconcile: %d\n%s", r.code, r.stderr)
		}
		h.okta.UpdateUser(oktatest.User{ID: id, Status: "ACTIVE", Login: "mo@y.io", Email: "mo@y.io", FirstName: "First", LastName: "Last"})
		h.cu.ResetRequests()
		if r := h.run(t, "reconcile"); r.code != exitOK || len(h.cu.Writes()) != 0 {
			t.Fatalf("exit %d, writes %+v: the link should have kept the match\n%s", r.code, h.cu.Writes(), r.stdout)
		}
		if u := h.find(t, "mo@x.io"); u != invited {
			t.Errorf("user changed: %+v", u)
		}
	})
}

func TestStoreTwoConcurrentReconciles(t *testing.T) {
	h := newHarness(t)
	withStore(t, h)
	for _, login := range []string{"a@x.io", "b@x.io", "c@x.io"} {
		h.person(login, "ACTIVE", map[string]any{"role": "member"})
	}
	var wg gosync.WaitGroup
	results := make([]result, 2)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = h.run(t, "reconcile", "--output", "json")
		}()
	}
	wg.Wait()
	applied := 0
	for _, r := range results {
		if r.code != exitOK {
			t.Fatalf("exit %d\n%s", r.code, r.stderr)
		}
		applied += strings.Count(r.stdout, `"outcome": "applied"`)
	}
	if applied != 3 {
		t.Errorf("%d creates applied across both processes, want 3 (exactly one run applies)", applied)
	}
	for _, login := range []string{"a@x.io", "b@x.io", "c@x.io"} {
		h.find(t, login) // exactly one each
	}
}

func TestApprove(t *testing.T) {
	h := newHarness(t)
	withStore(t, h)
	h.env["SYNC_MAX_DEACTIVATIONS"] = "1"
	ids := map[string]string{}
	for _, login := range []string{"a@x.io", "b@x.io", "c@x.io"} {
		ids[login] = h.person(login, "ACTIVE", nil)
		h.clickup(clickuptest.User{ExternalID: ids[login], UserName: login, Active: true})
	}
	r := h.run(t, "reconcile")
	if r.code != exitHeld {
		t.Fatalf("exit %d, want 3\n%s", r.code, r.stderr)
	}
	runID := regexp.MustCompile(`okta-clickup-sync approve ([0-9]{8}T[0-9]{6}Z-[0-9a-f]+)`).FindStringSubmatch(r.stderr)
	if runID == nil {
		t.Fatalf("the held log line does not say how to approve:\n%s", r.stderr)
	}
	// Since the hold, c was assigned again: approving must not deactivate c.
	h.okta.Assign(appID, ids["c@x.io"], "PROVISIONED", map[string]any{"role": "member"})
	h.cu.ResetRequests()
	r = h.run(t, "approve", runID[1])
	if r.code != exitOK {
		t.Fatalf("approve exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if h.find(t, "a@x.io").Active || h.find(t, "b@x.io").Active || !h.find(t, "c@x.io").Active {
		t.Errorf("after approve: a %v b %v c %v; want a, b inactive and c active",
			h.find(t, "a@x.io").Active, h.find(t, "b@x.io").Active, h.find(t, "c@x.io").Active)
	}
	if n := len(h.cu.Writes()); n != 2 {
		t.Errorf("approve made %d writes, want 2", n)
	}
	if r := h.run(t, "approve", runID[1]); r.code != exitError || !strings.Contains(r.stderr, "approve") {
		t.Errorf("second approve: exit %d\n%s", r.code, r.stderr)
	}
	if r := h.run(t, "approve", "20990101T000000Z-nohold"); r.code != exitError || !strings.Contains(r.stderr, "no run 20990101T000000Z-nohold") {
		t.Errorf("approve of an unknown run: exit %d\n%s", r.code, r.stderr)
	}
}

func TestStoreCommandsWithoutStore(t *testing.T) {
	h := newHarness(t)
	for _, args := range [][]string{{"drift"}, {"history"}, {"approve", "x"}} {
		r := h.run(t, args...)
		if r.code != exitError || !strings.Contains(r.stderr, "no store is configured") {
			t.Errorf("%v: exit %d, stderr %q", args, r.code, r.stderr)
		}
	}
}

// seedStore writes two runs with fixed times for the golden drift and history output.
func seedStore(t *testing.T, path string) {
	t.Helper()
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	st, err := store.Open(t.Context(), path, store.Options{Now: func() time.Time { return at }})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	runs := []struct {
		id      string
		start   time.Time
		outcome string
		entries []core.Entry
	}{
		{"20261120T090000Z-aaaaaa", at, store.RunChanged, []core.Entry{
			{Action: core.ActionCreateUser, OktaUserID: "00u1", ClickUpUserID: "111", User: "nina@x.io", Field: "role", To: "member", Outcome: core.OutcomeApplied},
			{Action: core.ActionDeactivate, OktaUserID: "00u2", ClickUpUserID: "112", User: "sam@x.io", Field: "active", From: "true", To: "false", Outcome: core.OutcomeApplied},
		}},
		{"20261121T090000Z-bbbbbb", at.Add(24 * time.Hour), store.RunSuccess, []core.Entry{
			{Action: core.ActionProfileDriftIgnored, OktaUserID: "00u3", ClickUpUserID: "113", User: "eve.new@x.io", Field: "email", From: "eve@x.io", To: "eve.new@x.io", Outcome: core.OutcomeIgnored},
			{Action: core.ActionUnmanagedUser, ClickUpUserID: "114", User: "hank@x.io", Outcome: core.OutcomeIgnored},
		}},
	}
	for _, r := range runs {
		if err := st.BeginRun(t.Context(), store.Run{ID: r.id, Trigger: store.TriggerSchedule, Start: r.start}); err != nil {
			t.Fatal(err)
		}
		if err := storetest.SaveEntries(t.Context(), st, r.id, r.entries); err != nil {
			t.Fatal(err)
		}
		p := core.Plan{Entries: r.entries}
		if err := st.FinishRun(t.Context(), r.id, store.Finish{End: r.start.Add(1500 * time.Millisecond), Outcome: r.outcome, Summary: p.Summarize()}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestDriftAndHistoryGolden(t *testing.T) {
	h := newHarness(t)
	seedStore(t, withStore(t, h))
	for _, c := range []struct {
		name string
		args []string
	}{
		{"drift_latest.txt", []string{"drift"}},
		{"drift_run.json", []string{"drift", "--run", "20261120T090000Z-aaaaaa", "--output", "json"}},
		{"drift_action.txt", []string{"drift", "--run", "20261120T090000Z-aaaaaa", "--action", "deactivate"}},
		{"drift_user.txt", []string{"drift", "--run", "20261121T090000Z-bbbbbb", "--user", "HANK@x.io"}},
		{"history.txt", []string{"history"}},
		{"history.json", []string{"history", "--output", "json"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := h.run(t, c.args...)
			if r.code != exitOK {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			if strings.HasSuffix(c.name, ".json") && !json.Valid([]byte(r.stdout)) {
				t.Fatalf("not JSON:\n%s", r.stdout)
			}
			golden(t, c.name, r.stdout)
		})
	}
	if r := h.run(t, "drift", "--action", "nonsense"); r.code != exitError || !strings.Contains(r.stderr, "nonsense") {
		t.Errorf("unknown action: exit %d %q", r.code, r.stderr)
	}
}

var update = flag.Bool("update", false, "rewrite golden files")

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (go test ./cmd/... -update creates it): %v", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (review, then -update)\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}
