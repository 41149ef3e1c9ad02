package store

import (
	"testing"
	"time"
)

func TestCampaign_SQLiteEveryCampaignLeads(t *testing.T) {
	// One process per state file is the SQLite deployment: leading is granted at once, and
	// ends only when given up.
	ctx := t.Context()
	path := statePath(t)
	a, b := MustOpen(t, path, newClock()), MustOpen(t, path, newClock())
	la, err := a.Campaign(ctx, "daemon")
	if err != nil {
		t.Fatal(err)
	}
	lb, err := b.Campaign(ctx, "daemon")
	if err != nil {
		t.Fatal(err)
	}
	if la.Name() != "daemon" || la.Err() != nil {
		t.Fatalf("leadership %q, err %v", la.Name(), la.Err())
	}
	select {
	case <-la.Done():
		t.Fatal("Done closed while leading")
	default:
	}
	if err := la.Resign(); err != nil {
		t.Fatal(err)
	}
	within(t, la.Done(), time.Second, "Done after Resign")
	if la.Err() != nil {
		t.Fatalf("Err after Resign: %v", la.Err())
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	within(t, lb.Done(), time.Second, "Done after Close")
	if _, err := b.Campaign(ctx, "daemon"); err == nil {
		t.Fatal("campaigned through a closed store")
	}
	if _, err := a.Campaign(ctx, ""); err == nil {
		t.Fatal("campaigned for an unnamed election")
	}
}
