package main

import (
	"context"
	"regexp"
	"testing"

	"github.com/rs/zerolog"

	"github.com/okta-clickup-sync/okta-clickup-sync/config"
)

// A standby's console Approve goes to the leader through the store, and says what the leader did.
func TestForwardedApprovalSaysWhatTheLeaderApplied(t *testing.T) {
	h := newHarness(t)
	withStore(t, h)
	a, _ := h.assigned("a@x.io", true)
	b, _ := h.assigned("b@x.io", true)
	h.okta.Unassign(appID, a)
	h.okta.Unassign(appID, b)
	h.env["SYNC_MAX_DEACTIVATIONS"] = "0"
	held := h.run(t, "reconcile")
	runID := regexp.MustCompile(`okta-clickup-sync approve ([0-9]{8}T[0-9]{6}Z-[0-9a-f]+)`).FindStringSubmatch(held.stderr)
	if held.code != exitHeld || runID == nil {
		t.Fatalf("exit %d\n%s", held.code, held.stderr)
	}

	cfg, _, err := config.Build(config.Sources{Lookup: h.lookup, Environ: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	newReplica := func(lead bool) *daemon {
		app, err := buildApp(t.Context(), cfg, zerolog.Nop(), adapterClients{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(app.close)
		d := newDaemon(cfg, app, zerolog.Nop(), newMetrics())
		d.setLeading(lead)
		return d
	}
	leader, standby := newReplica(true), newReplica(false)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go leader.takeRequests(ctx)

	got, err := standby.forwardApprove(t.Context(), runID[1])
	if err != nil {
		t.Fatal(err)
	}
	if got.Applied != 2 || got.RunID == "" {
		t.Fatalf("the standby was told %+v, want the leader's run with 2 applied", got)
	}
	if h.find(t, "a@x.io").Active || h.find(t, "b@x.io").Active {
		t.Fatal("the held deactivations were not applied")
	}
}
