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
	eachBackend(t, func(t *testing.T, be backend) {
		ctx := t.Context()
		c := newClock()
		s := MustOpen(t, be.fresh(t), c)
		t0 := c.Now()
		hour := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Hour) }

		entries := []core.Entry{
			{Action: core.ActionDeactivate, ClickUpUserID: "1", User: "a@x.io", Outcome: core.OutcomeHeld},
			{Action: core.ActionDeactivate, ClickUpUserID: "2", User: "b@x.io", Outcome: core.OutcomeHeld},
		}
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
				MustFinishRun(t, s, r.id, Finish{End: r.end, Outcome: RunHeld})
			}
			if err := s.SavePlan(ctx, r.id, entries); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.SaveHeld(ctx, "old", entries); err != nil {
			t.Fatal(err)
		}
		if err := s.ReleaseHolds(ctx, []string{"user:1", "user:2"}); err != nil {
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
	})
}

func TestStore_PruneKeepsOpenHolds(t *testing.T) {
	eachBackend(t, func(t *testing.T, be backend) {
		// A hold outlives the retention of the run that first held it: it stays open, the runs it
		// names stay (approve RUN_ID of either still works), and runs between them go as usual.
		ctx := t.Context()
		c := newClock()
		s := MustOpen(t, be.fresh(t), c)
		held := []core.Entry{{Action: core.ActionDeactivate, OktaUserID: "00u2", ClickUpUserID: "102", User: "bob@x.io", Outcome: core.OutcomeHeld}}
		for _, id := range []string{"first", "between", "last", "after"} {
			MustBeginRun(t, s, id, c.Now())
			if id != "after" {
				if err := s.SaveHeld(ctx, id, held); err != nil {
					t.Fatal(err)
				}
			}
			c.Advance(time.Hour)
			MustFinishRun(t, s, id, Finish{Outcome: RunHeld})
		}
		MustBeginRun(t, s, "latest", c.Now())
		cut := c.Now().Add(time.Minute) // after every run but latest ended

		runs, _, err := s.Prune(ctx, cut)
		if err != nil || runs != 2 {
			t.Fatalf("pruned %d runs (%v), want 2 (between, after)", runs, err)
		}
		left, err := s.Runs(ctx, RunFilter{})
		if ids := runIDs(left); err != nil || !slices.Equal(ids, []string{"latest", "last", "first"}) {
			t.Fatalf("runs left %v (%v), want latest and the hold's first and last", ids, err)
		}
		holds, err := s.Holds(ctx)
		if err != nil || len(holds) != 1 || holds[0].RunID != "first" || holds[0].LastRunID != "last" {
			t.Fatalf("holds after prune %+v (%v)", holds, err)
		}
		for _, id := range []string{"first", "last"} {
			if got, err := s.Held(ctx, id); err != nil || len(got) != 1 {
				t.Fatalf("held plan of %s after prune: %v (%v)", id, got, err)
			}
		}

		// Once released, the hold no longer keeps them.
		if err := s.ReleaseHolds(ctx, []string{holds[0].Key}); err != nil {
			t.Fatal(err)
		}
		if runs, _, err := s.Prune(ctx, cut); err != nil || runs != 2 {
			t.Fatalf("pruned %d runs (%v) after the release, want 2", runs, err)
		}
	})
}
