package store

import (
	"errors"
	"reflect"
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
	ctx := t.Context()
	c := newClock()
	s := MustOpen(t, statePath(t), c)
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
}

func TestStore_MarkApprovedRace(t *testing.T) {
	// Two approve commands in two processes: exactly one may go on to apply.
	ctx := t.Context()
	c := newClock()
	path := statePath(t)
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
}
