package store

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	gosync "sync"
	"testing"

	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

func heldEntries() []core.Entry {
	return []core.Entry{
		{Action: core.ActionDeactivate, OktaUserID: "00u2", ClickUpUserID: "102", User: "bob@x.io", Field: "active", From: "true", To: "false", Reason: "held: cap", Outcome: core.OutcomeHeld},
		{Action: core.ActionDeactivate, ClickUpUserID: "103", User: "cy@x.io", Field: "active", From: "true", To: "false", Reason: "held: cap", Outcome: core.OutcomeHeld},
	}
}

func TestStore_Held(t *testing.T) {
	eachBackend(t, func(t *testing.T, be backend) {
		ctx := t.Context()
		c := newClock()
		s := MustOpen(t, be.fresh(t), c)
		MustBeginRun(t, s, "r1", c.Now())
		MustBeginRun(t, s, "r2", c.Now())

		if _, err := s.Held(ctx, "r1"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("held of a run that held nothing: %v, want ErrNotFound", err)
		}
		if err := s.SaveHeld(ctx, "r1", heldEntries()[:1]); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveHeld(ctx, "r1", heldEntries()); err != nil {
			t.Fatalf("replacing a held plan: %v", err)
		}
		got, err := s.Held(ctx, "r1")
		if err != nil || !reflect.DeepEqual(got, heldEntries()) {
			t.Fatalf("held %+v (%v), want %+v", got, err, heldEntries())
		}

		if err := s.MarkApproved(ctx, "r1", "r2"); err != nil {
			t.Fatal(err)
		}
		err = s.MarkApproved(ctx, "r1", "r3")
		if !errors.Is(err, ErrAlreadyApproved) || !strings.Contains(err.Error(), "by run r2 at 2025-03-01T12:00:00Z") {
			t.Fatalf("second approval: %v, want ErrAlreadyApproved naming r2", err)
		}
		if err := s.SaveHeld(ctx, "r1", heldEntries()[:1]); !errors.Is(err, ErrAlreadyApproved) {
			t.Fatalf("replacing an approved plan: %v, want ErrAlreadyApproved", err)
		}
		if got, err := s.Held(ctx, "r1"); err != nil || len(got) != 2 {
			t.Fatalf("approved plan: %d entries (%v), want it kept", len(got), err)
		}

		if err := s.MarkApproved(ctx, "r2", "r3"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("approving a run that held nothing: %v, want ErrNotFound", err)
		}
		if err := s.SaveHeld(ctx, "nope", heldEntries()); !errors.Is(err, ErrNotFound) {
			t.Fatalf("held plan of an unknown run: %v, want ErrNotFound", err)
		}

		// No entries removes an unapproved plan.
		if err := s.SaveHeld(ctx, "r2", heldEntries()); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveHeld(ctx, "r2", nil); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Held(ctx, "r2"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("emptied plan: %v, want ErrNotFound", err)
		}
	})
}

func TestStore_MarkApprovedRace(t *testing.T) {
	eachBackend(t, func(t *testing.T, be backend) {
		// Two approve commands in two processes: exactly one may go on to apply.
		ctx := t.Context()
		c := newClock()
		path := be.fresh(t)
		a, b := MustOpen(t, path, c), MustOpen(t, path, c)
		MustBeginRun(t, a, "r1", c.Now())
		if err := a.SaveHeld(ctx, "r1", heldEntries()); err != nil {
			t.Fatal(err)
		}
		var wg gosync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			s := a
			if i%2 == 1 {
				s = b
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = s.MarkApproved(ctx, "r1", "approver")
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, ErrAlreadyApproved):
				t.Errorf("unexpected error: %v", err)
			}
		}
		if won != 1 {
			t.Fatalf("%d approvals succeeded, want 1", won)
		}
	})
}

func TestStore_StickyHolds(t *testing.T) {
	eachBackend(t, func(t *testing.T, be backend) {
		ctx := t.Context()
		c := newClock()
		s := MustOpen(t, be.fresh(t), c)
		bob := core.Entry{Action: core.ActionDeactivate, OktaUserID: "00u2", ClickUpUserID: "102", User: "bob@x.io", Field: "active", From: "true", To: "false", Reason: "held: cap", Outcome: core.OutcomeHeld}
		cy := core.Entry{Action: core.ActionDeactivate, ClickUpUserID: "103", User: "cy@x.io", Reason: "held: cap", Outcome: core.OutcomeHeld}
		team := core.Entry{Action: core.ActionDeleteTeam, User: "Sales", Reason: "held: cap", Outcome: core.OutcomeHeld}

		if got, err := s.Holds(ctx); err != nil || len(got) != 0 {
			t.Fatalf("holds of a new store %+v (%v)", got, err)
		}
		MustBeginRun(t, s, "r1", c.Now())
		if err := s.SaveHeld(ctx, "r1", []core.Entry{bob, team}); err != nil {
			t.Fatal(err)
		}
		// r2 holds bob again (sticky) and cy for the first time, with a newer reason for bob.
		MustBeginRun(t, s, "r2", c.Now())
		bob2 := bob
		bob2.Reason = "held: sticky"
		if err := s.SaveHeld(ctx, "r2", []core.Entry{bob2, cy}); err != nil {
			t.Fatal(err)
		}
		want := []Hold{
			{Key: "team:Sales", RunID: "r1", LastRunID: "r1", Entry: team},
			{Key: "user:102", RunID: "r1", LastRunID: "r2", Entry: bob2},
			{Key: "user:103", RunID: "r2", LastRunID: "r2", Entry: cy},
		}
		got, err := s.Holds(ctx)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("holds\n got %+v (%v)\nwant %+v", got, err, want)
		}

		// Either run that held bob can be approved, and each finds bob in its own held plan.
		for _, id := range []string{"r1", "r2"} {
			plan, err := s.Held(ctx, id)
			if err != nil || !slices.ContainsFunc(plan, func(e core.Entry) bool { return e.ClickUpUserID == "102" }) {
				t.Fatalf("held plan of %s %+v (%v): bob missing", id, plan, err)
			}
		}
		MustBeginRun(t, s, "approve", c.Now())
		if err := s.MarkApproved(ctx, "r1", "approve"); err != nil {
			t.Fatal(err)
		}
		// Approving does not close the holds: applying does, and then the caller releases them.
		if got, _ := s.Holds(ctx); len(got) != 3 {
			t.Fatalf("holds after approval: %+v, want all 3 still open", got)
		}
		if err := s.ReleaseHolds(ctx, []string{"user:102", "team:Sales", "user:999"}); err != nil {
			t.Fatal(err)
		}
		got, err = s.Holds(ctx)
		if err != nil || !reflect.DeepEqual(got, want[2:]) {
			t.Fatalf("holds after release %+v (%v), want %+v", got, err, want[2:])
		}
		if err := s.ReleaseHolds(ctx, nil); err != nil {
			t.Fatalf("release nothing: %v", err)
		}

		// A released key held again opens a new hold, named after the run that holds it now.
		MustBeginRun(t, s, "r3", c.Now())
		if err := s.SaveHeld(ctx, "r3", []core.Entry{bob}); err != nil {
			t.Fatal(err)
		}
		got, _ = s.Holds(ctx)
		if len(got) != 2 || got[0].Key != "user:102" || got[0].RunID != "r3" || got[0].LastRunID != "r3" {
			t.Fatalf("hold held again after release: %+v", got)
		}
	})
}

func TestStore_DryRunOpensNoHold(t *testing.T) {
	eachBackend(t, func(t *testing.T, be backend) {
		// A dry run changes nothing: what it held is its own plan, not a hold on later runs.
		ctx := t.Context()
		c := newClock()
		s := MustOpen(t, be.fresh(t), c)
		if err := s.BeginRun(ctx, Run{ID: "dry", Trigger: TriggerManual, DryRun: true}); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveHeld(ctx, "dry", heldEntries()); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Held(ctx, "dry"); err != nil || len(got) != 2 {
			t.Fatalf("held plan of the dry run %+v (%v)", got, err)
		}
		if got, err := s.Holds(ctx); err != nil || len(got) != 0 {
			t.Fatalf("holds after a dry run %+v (%v), want none", got, err)
		}
	})
}

func TestStore_SaveHeldRefusesKeylessEntries(t *testing.T) {
	eachBackend(t, func(t *testing.T, be backend) {
		// A held deactivation without a ClickUp id would open a hold no approval can match.
		ctx := t.Context()
		c := newClock()
		s := MustOpen(t, be.fresh(t), c)
		MustBeginRun(t, s, "r1", c.Now())
		for _, e := range []core.Entry{
			{Action: core.ActionDeactivate, OktaUserID: "00u2", User: "bob@x.io", Outcome: core.OutcomeHeld},
			{Action: core.ActionDeleteTeam, Outcome: core.OutcomeHeld},
		} {
			if err := s.SaveHeld(ctx, "r1", []core.Entry{e}); err == nil {
				t.Errorf("held %+v saved without a key", e)
			}
		}
		if _, err := s.Held(ctx, "r1"); !errors.Is(err, ErrNotFound) {
			t.Errorf("a refused save left a held plan: %v", err)
		}
		if got, _ := s.Holds(ctx); len(got) != 0 {
			t.Errorf("a refused save left holds: %+v", got)
		}
	})
}
