package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/okta-clickup-sync/okta-clickup-sync/config"
	"github.com/okta-clickup-sync/okta-clickup-sync/engine"
	"github.com/okta-clickup-sync/okta-clickup-sync/internal/httpretry"
	"github.com/okta-clickup-sync/okta-clickup-sync/internal/httpretry/httpretrytest"
	"github.com/okta-clickup-sync/okta-clickup-sync/okta/oktatest"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// eventsRig is the daemon's events path over real adapters and the fakes: a poller whose runs
// are made by the engine, and a daemon for the hook.
type eventsRig struct {
	h      *harness
	app    *app
	poller *engine.Poller
	d      *daemon
	runs   []engine.Result
}

func newEventsRig(t *testing.T, h *harness) *eventsRig {
	t.Helper()
	withStore(t, h)
	h.env["SYNC_EVENTS"] = "systemlog"
	h.env["SYNC_EVENT_HOOK_SECRET"] = "hook-secret-0123456789"
	cfg, _, err := config.Build(config.Sources{Lookup: h.lookup, Environ: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	var waits httpretrytest.Waits // retries after a failed poll are counted, not slept
	a, err := buildApp(t.Context(), cfg, zerolog.Nop(), adapterClients{retry: httpretry.Policy{Sleep: waits.Sleep}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.close)
	// The run that brings ClickUp in step before any event.
	if res := a.engine.Run(t.Context(), engine.Spec{}); res.Err != nil {
		t.Fatal(res.Err)
	}
	r := &eventsRig{h: h, app: a}
	r.d = newDaemon(cfg, a, zerolog.Nop(), newMetrics())
	r.d.setLeading(true)
	r.poller = r.d.newPoller(time.Now())
	r.poller.Run = func(ctx context.Context, s engine.Spec) engine.Result {
		res := a.engine.Run(ctx, s)
		r.runs = append(r.runs, res)
		return res
	}
	return r
}

func (r *eventsRig) poll(t *testing.T) {
	t.Helper()
	r.h.cu.ResetRequests()
	if err := r.poller.Poll(t.Context()); err != nil {
		t.Fatal(err)
	}
}

func TestEvents_EachTypeLeadsToTheRightWrite(t *testing.T) {
	h := newHarness(t)
	ann := h.person("ann@x.io", "ACTIVE", map[string]any{"role": "member"})
	bob := h.person("bob@x.io", "ACTIVE", nil) // in Okta, not assigned yet
	g := h.okta.AddGroup(oktatest.Group{Name: "Eng"})
	h.env["SYNC_PUSH_GROUPS"] = g.ID
	r := newEventsRig(t, h)

	step := func(name string, change func(), check func(t *testing.T)) {
		t.Run(name, func(t *testing.T) {
			change()
			r.poll(t)
			check(t)
		})
	}
	step("application.user_membership.add creates", func() {
		h.okta.Assign(appID, bob, "PROVISIONED", map[string]any{"role": "member"})
	}, func(t *testing.T) {
		if u := h.find(t, "bob@x.io"); !u.Active {
			t.Errorf("bob %+v", u)
		}
	})
	step("application.user_membership.update changes the role", func() {
		h.okta.SetAssignmentProfile(appID, ann, map[string]any{"role": "admin"})
	}, func(t *testing.T) {
		if u := h.find(t, "ann@x.io"); u.Role != "admin" {
			t.Errorf("ann %+v", u)
		}
	})
	step("group.user_membership.add adds to the Team", func() {
		h.okta.AddGroupMember(g.ID, ann)
	}, func(t *testing.T) {
		if ms := h.team(t, "Eng"); len(ms) != 1 || ms[0] != "ann@x.io" {
			t.Errorf("Team members %v", ms)
		}
	})
	step("user.lifecycle.suspend deactivates", func() {
		h.okta.UpdateUser(oktatest.User{ID: ann, Status: "SUSPENDED", Login: "ann@x.io", Email: "ann@x.io", FirstName: "First", LastName: "Last"})
	}, func(t *testing.T) {
		if u := h.find(t, "ann@x.io"); u.Active {
			t.Errorf("ann still active")
		}
	})
	step("user.lifecycle.unsuspend reactivates", func() {
		h.okta.UpdateUser(oktatest.User{ID: ann, Status: "ACTIVE", Login: "ann@x.io", Email: "ann@x.io", FirstName: "First", LastName: "Last"})
	}, func(t *testing.T) {
		if u := h.find(t, "ann@x.io"); !u.Active || u.Role != "admin" {
			t.Errorf("ann %+v", u)
		}
	})
	step("group.user_membership.remove removes from the Team", func() {
		h.okta.RemoveGroupMember(g.ID, ann)
	}, func(t *testing.T) {
		if ms := h.team(t, "Eng"); len(ms) != 0 {
			t.Errorf("Team members %v", ms)
		}
	})
	step("application.user_membership.remove deactivates", func() {
		h.okta.Unassign(appID, bob)
	}, func(t *testing.T) {
		if u := h.find(t, "bob@x.io"); u.Active {
			t.Errorf("bob still active")
		}
	})
	for _, res := range r.runs {
		if res.Kind != engine.KindEvents {
			t.Errorf("run %s is of kind %s, want events", res.ID, res.Kind)
		}
	}
}

func TestEvents_NoiseDuplicatesAndOrderAreHarmless(t *testing.T) {
	h := newHarness(t)
	ann := h.person("ann@x.io", "ACTIVE", map[string]any{"role": "member"})
	stranger := h.person("stranger@x.io", "ACTIVE", nil)
	h.okta.AddApp("0oaslack", "Slack")
	other := h.okta.AddGroup(oktatest.Group{Name: "Not pushed"})
	r := newEventsRig(t, h)

	// Noise: another app's assignment, an unpushed group, a session, a stranger's lifecycle.
	h.okta.Assign("0oaslack", stranger, "PROVISIONED", nil)
	h.okta.AddGroupMember(other.ID, ann)
	h.okta.StartSession(ann)
	h.okta.UpdateUser(oktatest.User{ID: stranger, Status: "SUSPENDED", Login: "stranger@x.io", Email: "stranger@x.io", FirstName: "F", LastName: "L"})
	r.poll(t)
	if w := h.cu.Writes(); len(w) != 0 || len(r.runs) != 0 {
		t.Fatalf("noise led to %d runs and writes %+v", len(r.runs), w)
	}

	// A duplicate of an old event, and one published earlier than the state it points at: the
	// fresh read decides, and finds nothing to do.
	h.okta.SetAssignmentProfile(appID, ann, map[string]any{"role": "guest"})
	for _, e := range h.okta.Events() {
		if e.EventType == "application.user_membership.update" {
			dup := e
			dup.UUID = ""
			dup.Published = e.Published.Add(-time.Hour) // late and out of order
			h.okta.RecordEvent(dup)
		}
	}
	r.poll(t)
	if u := h.find(t, "ann@x.io"); u.Role != "guest" {
		t.Fatalf("ann %+v", u)
	}
	writes := len(h.cu.Writes())
	h.okta.RecordEvent(h.okta.Events()[len(h.okta.Events())-1])
	r.poll(t)
	if len(h.cu.Writes()) != 0 {
		t.Fatalf("a repeated event wrote again (%d writes before)", writes)
	}
}

func TestEvents_CursorSurvivesARestartAndAFailedPoll(t *testing.T) {
	h := newHarness(t)
	r := newEventsRig(t, h)
	r.poll(t) // takes the cursor
	in := h.okta.Faults(1)
	in.Add(oktatest.ServerError(http.StatusServiceUnavailable))
	h.person("late@x.io", "ACTIVE", map[string]any{"role": "member"})
	if err := r.poller.Poll(t.Context()); err == nil {
		t.Fatal("want the failed poll's error")
	}
	in.Clear()
	// A restart: a new daemon and poller on the same store.
	again := newEventsRigFromApp(t, h, r.app)
	again.poll(t)
	if u := h.find(t, "late@x.io"); !u.Active {
		t.Fatal("the event of the failed poll was lost")
	}
	again.poll(t)
	if len(h.cu.Writes()) != 0 {
		t.Fatal("the restart repeated a window")
	}
}

func newEventsRigFromApp(t *testing.T, h *harness, a *app) *eventsRig {
	t.Helper()
	r := &eventsRig{h: h, app: a}
	r.d = newDaemon(a.cfg, a, zerolog.Nop(), newMetrics())
	r.d.setLeading(true)
	r.poller = r.d.newPoller(time.Now())
	r.poller.Run = a.engine.Run
	return r
}

func TestEvents_Hook(t *testing.T) {
	h := newHarness(t)
	r := newEventsRig(t, h)
	srv := httptest.NewServer(r.d.routes())
	defer srv.Close()
	go r.d.runner(t.Context())

	t.Run("a wrong secret is refused", func(t *testing.T) {
		for _, auth := range []string{"", "wrong", "hook-secret-0123456789x"} {
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/hooks/okta", strings.NewReader(`{}`))
			if auth != "" {
				req.Header.Set("Authorization", auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("Authorization %q: %d, want 401", auth, resp.StatusCode)
			}
		}
	})
	t.Run("Okta's verification", func(t *testing.T) {
		h.okta.SetEventHook(srv.URL+"/hooks/okta", "hook-secret-0123456789", core.EventTypes...)
		if err := h.okta.VerifyEventHook(); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("a delivery is applied", func(t *testing.T) {
		h.cu.ResetRequests()
		h.person("hooked@x.io", "ACTIVE", map[string]any{"role": "member"})
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
		defer cancel()
		if err := h.okta.WaitEventHook(ctx); err != nil {
			t.Fatal(err)
		}
		for ctx.Err() == nil {
			if len(h.cu.Writes()) > 0 {
				break
			}
			select {
			case <-ctx.Done():
			case <-time.After(20 * time.Millisecond):
			}
		}
		if u := h.find(t, "hooked@x.io"); !u.Active {
			t.Fatalf("hooked %+v", u)
		}
	})
}
