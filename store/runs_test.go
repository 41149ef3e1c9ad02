package store

import (
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

func runIDs(runs []Run) []string {
	var out []string
	for _, r := range runs {
		out = append(out, r.ID)
	}
	return out
}

func TestStore_Runs(t *testing.T) {
	eachBackend(t, func(t *testing.T, be backend) {
		ctx := t.Context()
		c := newClock()
		s := MustOpen(t, be.fresh(t), c)
		t0 := c.Now()

		if _, err := s.LatestRun(ctx); !errors.Is(err, ErrNotFound) {
			t.Fatalf("latest run of an empty store: %v, want ErrNotFound", err)
		}

		first := Run{ID: "r1", Trigger: TriggerSchedule, Start: t0}
		if err := s.BeginRun(ctx, first); err != nil {
			t.Fatal(err)
		}
		c.Advance(time.Minute)
		// Start and Outcome default to now and running.
		if err := s.BeginRun(ctx, Run{ID: "r2", Trigger: TriggerApprove, DryRun: true, ApprovesRun: "r1"}); err != nil {
			t.Fatal(err)
		}
		c.Advance(time.Minute)
		summary := core.Summary{
			Actions:  map[core.Action]int{core.ActionDeactivate: 2},
			Outcomes: map[core.Outcome]int{core.OutcomeHeld: 2},
		}
		if err := s.FinishRun(ctx, "r1", Finish{Outcome: RunHeld, Summary: summary, Error: "boom", ManagedActive: 40}); err != nil {
			t.Fatal(err)
		}
		c.Advance(time.Minute)
		if err := s.BeginRun(ctx, Run{ID: "r3", Kind: KindEvents, Trigger: TriggerHook}); err != nil {
			t.Fatal(err)
		}

		t.Run("RoundTrip", func(t *testing.T) {
			got, err := s.Run(ctx, "r1")
			want := Run{ID: "r1", Kind: KindFull, Trigger: TriggerSchedule, Start: t0, End: t0.Add(2 * time.Minute), Outcome: RunHeld,
				Summary: summary, Error: "boom", ManagedActive: 40}
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Fatalf("run %+v (%v), want %+v", got, err, want)
			}
			got, err = s.Run(ctx, "r2")
			want = Run{ID: "r2", Kind: KindFull, Trigger: TriggerApprove, DryRun: true, Start: t0.Add(time.Minute), Outcome: RunRunning, ApprovesRun: "r1"}
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Fatalf("run %+v (%v), want %+v", got, err, want)
			}
			got, err = s.Run(ctx, "r3")
			want = Run{ID: "r3", Kind: KindEvents, Trigger: TriggerHook, Start: t0.Add(3 * time.Minute), Outcome: RunRunning}
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Fatalf("run %+v (%v), want %+v", got, err, want)
			}
		})

		t.Run("NewestFirst", func(t *testing.T) {
			got, err := s.Runs(ctx, RunFilter{})
			if ids := runIDs(got); err != nil || !slices.Equal(ids, []string{"r3", "r2", "r1"}) {
				t.Fatalf("runs %v (%v)", ids, err)
			}
			latest, err := s.LatestRun(ctx)
			if err != nil || latest.ID != "r3" {
				t.Fatalf("latest %+v (%v), want r3", latest, err)
			}
		})

		t.Run("Filters", func(t *testing.T) {
			got, err := s.Runs(ctx, RunFilter{Limit: 2})
			if ids := runIDs(got); err != nil || !slices.Equal(ids, []string{"r3", "r2"}) {
				t.Fatalf("limit 2: %v (%v)", ids, err)
			}
			got, err = s.Runs(ctx, RunFilter{Since: t0.Add(time.Minute)})
			if ids := runIDs(got); err != nil || !slices.Equal(ids, []string{"r3", "r2"}) {
				t.Fatalf("since r2 started: %v (%v)", ids, err)
			}
			got, err = s.Runs(ctx, RunFilter{Since: t0.Add(time.Hour)})
			if err != nil || len(got) != 0 {
				t.Fatalf("since later: %v (%v)", runIDs(got), err)
			}
		})

		t.Run("ErrNotFound", func(t *testing.T) {
			if _, err := s.Run(ctx, "nope"); !errors.Is(err, ErrNotFound) {
				t.Errorf("run: %v", err)
			}
			if err := s.FinishRun(ctx, "nope", Finish{Outcome: RunSuccess}); !errors.Is(err, ErrNotFound) {
				t.Errorf("finish: %v", err)
			}
		})

		t.Run("ErrInvalid", func(t *testing.T) {
			for name, err := range map[string]error{
				"duplicate id":      s.BeginRun(ctx, Run{ID: "r1", Trigger: TriggerManual}),
				"empty id":          s.BeginRun(ctx, Run{Trigger: TriggerManual}),
				"unknown trigger":   s.BeginRun(ctx, Run{ID: "r9", Trigger: "cron"}),
				"unknown kind":      s.BeginRun(ctx, Run{ID: "r9", Kind: "partial", Trigger: TriggerManual}),
				"unknown outcome":   s.FinishRun(ctx, "r3", Finish{Outcome: "ok"}),
				"no outcome":        s.FinishRun(ctx, "r3", Finish{}),
				"finish as running": s.FinishRun(ctx, "r3", Finish{Outcome: RunRunning}),
			} {
				if err == nil {
					t.Errorf("%s: accepted", name)
				}
			}
		})
	})
}

func TestStore_Entries(t *testing.T) {
	eachBackend(t, func(t *testing.T, be backend) {
		ctx := t.Context()
		c := newClock()
		s := MustOpen(t, be.fresh(t), c)
		t0 := c.Now()
		t1 := t0.Add(time.Hour)
		MustBeginRun(t, s, "r1", t0)
		if err := s.BeginRun(ctx, Run{ID: "r2", Kind: KindUser, Trigger: TriggerManual, Start: t1}); err != nil {
			t.Fatal(err)
		}

		r1 := []core.Entry{
			{Action: core.ActionCreateUser, OktaUserID: "00u1", User: "Ann@X.io", Field: "role", To: "member", Reason: "assigned in Okta, not in ClickUp", Outcome: core.OutcomePlanned},
			{Action: core.ActionDeactivate, OktaUserID: "00u2", ClickUpUserID: "102", User: "bob@x.io", Field: "active", From: "true", To: "false", Reason: "no longer assigned", Outcome: core.OutcomePlanned},
		}
		if err := s.SavePlan(ctx, "r1", r1); err != nil {
			t.Fatal(err)
		}
		// The create learns its ClickUp id; the deactivation fails.
		for i, done := range []core.Entry{r1[0], r1[1]} {
			if err := s.WriteStarted(ctx, "r1", i+1); err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				done.Outcome, done.ClickUpUserID = core.OutcomeApplied, "101"
			} else {
				done.Outcome, done.Error = core.OutcomeFailed, "503 from ClickUp"
			}
			if err := s.WriteDone(ctx, "r1", i+1, done); err != nil {
				t.Fatal(err)
			}
			r1[i] = done
		}
		r2 := []core.Entry{
			{Action: core.ActionProfileDriftIgnored, OktaUserID: "00u1", ClickUpUserID: "101", User: "ann@x.io", Field: "name", From: "A", To: "Ann", Outcome: core.OutcomeIgnored},
			{Action: core.ActionDeactivate, OktaUserID: "00u3", ClickUpUserID: "103", User: "cy@x.io", Field: "active", From: "true", To: "false", Outcome: core.OutcomeHeld},
		}
		if err := s.SavePlan(ctx, "r2", r2); err != nil {
			t.Fatal(err)
		}
		all := []StoredEntry{
			{RunID: "r1", Seq: 1, At: t0, Kind: KindFull, Entry: r1[0]},
			{RunID: "r1", Seq: 2, At: t0, Kind: KindFull, Entry: r1[1]},
			{RunID: "r2", Seq: 1, At: t1, Kind: KindUser, Entry: r2[0]},
			{RunID: "r2", Seq: 2, At: t1, Kind: KindUser, Entry: r2[1]},
		}

		for _, tt := range []struct {
			name string
			f    EntryFilter
			want []StoredEntry
		}{
			{"All", EntryFilter{}, all},
			{"Run", EntryFilter{RunID: "r1"}, all[:2]},
			{"Since", EntryFilter{Since: t1}, all[2:]},
			{"Action", EntryFilter{Action: string(core.ActionDeactivate)}, []StoredEntry{all[1], all[3]}},
			{"UserAnyCase", EntryFilter{User: "ANN@x.IO"}, []StoredEntry{all[0], all[2]}},
			{"UserByClickUpID", EntryFilter{User: "103"}, all[3:]},
			{"LimitKeepsNewest", EntryFilter{Limit: 3}, all[1:]},
			{"Outcome", EntryFilter{Outcome: string(core.OutcomeFailed)}, all[1:2]},
			{"Kind", EntryFilter{Kind: KindUser}, all[2:]},
			{"Combined", EntryFilter{RunID: "r2", Action: string(core.ActionDeactivate), User: "cy@x.io"}, all[3:]},
			{"CombinedOutcomeAndKind", EntryFilter{Kind: KindFull, Outcome: string(core.OutcomeApplied), User: "ann@x.io"}, all[:1]},
			{"None", EntryFilter{RunID: "r1", Action: string(core.ActionProtected)}, nil},
		} {
			t.Run(tt.name, func(t *testing.T) {
				got, err := s.Entries(ctx, tt.f)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, tt.want) {
					t.Fatalf("entries\n got %+v\nwant %+v", got, tt.want)
				}
			})
		}

		if err := s.SavePlan(ctx, "nope", r2); !errors.Is(err, ErrNotFound) {
			t.Fatalf("plan of an unknown run: %v, want ErrNotFound", err)
		}
	})
}

func TestStore_LastFullRun(t *testing.T) {
	eachBackend(t, func(t *testing.T, be backend) {
		ctx := t.Context()
		c := newClock()
		s := MustOpen(t, be.fresh(t), c)
		if _, err := s.LastFullRun(ctx); !errors.Is(err, ErrNotFound) {
			t.Fatalf("empty store: %v, want ErrNotFound", err)
		}
		for _, r := range []struct {
			run    Run
			finish *Finish
		}{
			{Run{ID: "full-old", Trigger: TriggerSchedule}, &Finish{Outcome: RunSuccess, ManagedActive: 10}},
			{Run{ID: "full", Trigger: TriggerSchedule}, &Finish{Outcome: RunHeld, ManagedActive: 50}},
			{Run{ID: "dry", Trigger: TriggerManual, DryRun: true}, &Finish{Outcome: RunSuccess, ManagedActive: 1}},
			{Run{ID: "user", Kind: KindUser, Trigger: TriggerManual}, &Finish{Outcome: RunChanged, ManagedActive: 2}},
			{Run{ID: "events", Kind: KindEvents, Trigger: TriggerEvents}, &Finish{Outcome: RunChanged, ManagedActive: 3}},
			{Run{ID: "cut-short", Trigger: TriggerSchedule}, &Finish{Outcome: RunInterrupted}},
			{Run{ID: "running", Trigger: TriggerSchedule}, nil},
		} {
			c.Advance(time.Minute)
			if err := s.BeginRun(ctx, r.run); err != nil {
				t.Fatal(err)
			}
			if r.finish != nil {
				MustFinishRun(t, s, r.run.ID, *r.finish)
			}
		}
		got, err := s.LastFullRun(ctx)
		if err != nil || got.ID != "full" || got.ManagedActive != 50 {
			t.Fatalf("last full run %+v (%v), want full with 50 managed active users", got, err)
		}
	})
}
