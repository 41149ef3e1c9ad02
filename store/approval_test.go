package store

import (
	"errors"
	"path/filepath"
	"testing"
	"time"
)

func TestStore_Approval(t *testing.T) {
	ctx := t.Context()
	at := time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	s, err := Open(ctx, filepath.Join(t.TempDir(), "state.db"), Options{Now: func() time.Time { return at }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	for _, id := range []string{"held", "plain", "approver"} {
		if err := s.BeginRun(ctx, Run{ID: id, Trigger: TriggerManual}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SaveHeld(ctx, "held", heldEntries()); err != nil {
		t.Fatal(err)
	}

	if _, _, err := s.Approval(ctx, "plain"); !errors.Is(err, ErrNotFound) {
		t.Errorf("a run that held nothing: %v, want ErrNotFound", err)
	}
	if _, _, err := s.Approval(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("an unknown run: %v, want ErrNotFound", err)
	}
	by, when, err := s.Approval(ctx, "held")
	if err != nil || by != "" || !when.IsZero() {
		t.Fatalf("before approval: %q %v %v, want pending", by, when, err)
	}
	if err := s.MarkApproved(ctx, "held", "approver"); err != nil {
		t.Fatal(err)
	}
	by, when, err = s.Approval(ctx, "held")
	if err != nil || by != "approver" || !when.Equal(at) {
		t.Fatalf("after approval: %q %v %v, want approver at %v", by, when, err, at)
	}
}
