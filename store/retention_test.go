package store

import (
	"errors"
	"maps"
	"slices"
	"testing"
	"time"

	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

func TestStore_Prune(t *testing.T) {
	ctx := t.Context()
	c := newClock()
	s := MustOpen(t, statePath(t), c)
	t0 := c.Now()
	hour := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Hour) }

	entries := []core.Entry{{Action: core.ActionDeactivate, User: "a@x.io"}, {Action: core.ActionDeactivate, User: "b@x.io"}}
	for _, r := range []struct {
		id         string
		start, end time.Time
	}{
		{"old", hour(0), hour(1)},
		{"crashed", hour(2), time.Time{}}, // never finished
		{"recent", hour(3), hour(5)},
		{"latest", hour(6), time.Time{}},
	} {
		MustBeginRun(t, s, r.id, r.start)
		if !r.end.IsZero() {
			if err := s.FinishRun(ctx, r.id, r.end, RunSuccess, core.Summary{}, ""); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.SaveEntries(ctx, r.id, entries); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SaveHeld(ctx, "old", entries); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordSeen(ctx, "old", []string{"00u1"}, []string{"101"}); err != nil {
		t.Fatal(err)
	}
	links := map[string]string{"00u1": "101"}
	if err := s.SaveLinks(ctx, links); err != nil {
		t.Fatal(err)
	}

	runs, n, err := s.Prune(ctx, hour(4))
	if err != nil || runs != 2 || n != 4 {
		t.Fatalf("pruned %d runs, %d entries (%v); want 2, 4", runs, n, err)
	}
	left, err := s.Runs(ctx, RunFilter{})
	if ids := runIDs(left); err != nil || !slices.Equal(ids, []string{"latest", "recent"}) {
		t.Fatalf("runs left %v (%v)", ids, err)
	}
	if got, _ := s.Entries(ctx, EntryFilter{RunID: "old"}); len(got) != 0 {
		t.Errorf("entries of a pruned run remain: %+v", got)
	}
	if _, err := s.Held(ctx, "old"); !errors.Is(err, ErrNotFound) {
		t.Errorf("held plan of a pruned run: %v, want ErrNotFound", err)
	}
	if okta, clickup, _ := s.Seen(ctx, "old"); len(okta)+len(clickup) != 0 {
		t.Errorf("seen ids of a pruned run remain: %v %v", okta, clickup)
	}

	// Even a cut-off after everything keeps the latest run, and links are never pruned.
	runs, n, err = s.Prune(ctx, hour(100))
	if err != nil || runs != 1 || n != 2 {
		t.Fatalf("pruned %d runs, %d entries (%v); want 1, 2", runs, n, err)
	}
	if latest, err := s.LatestRun(ctx); err != nil || latest.ID != "latest" {
		t.Fatalf("latest %+v (%v)", latest, err)
	}
	if got, err := s.Entries(ctx, EntryFilter{}); err != nil || len(got) != 2 {
		t.Fatalf("entries of the latest run: %d (%v), want 2", len(got), err)
	}
	if got, err := s.Links(ctx); err != nil || !maps.Equal(got, links) {
		t.Fatalf("links after prune %v (%v), want %v", got, err, links)
	}
}
