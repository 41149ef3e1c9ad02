package store

import (
	"testing"
	"time"

	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

func TestStore_DeactivationsSince(t *testing.T) {
	eachBackend(t, func(t *testing.T, be backend) {
		ctx := t.Context()
		c := newClock()
		s := MustOpen(t, be.fresh(t), c)
		t0 := c.Now()
		deact := func(id string, o core.Outcome) core.Entry {
			return core.Entry{Action: core.ActionDeactivate, ClickUpUserID: id, User: id + "@x.io", Outcome: o}
		}
		for _, r := range []struct {
			run  Run
			plan []core.Entry
			done map[int]core.Outcome
		}{
			// Before the window.
			{Run{ID: "old", Kind: KindUser, Trigger: TriggerManual, Start: t0.Add(-time.Minute)},
				[]core.Entry{deact("1", core.OutcomePlanned)}, map[int]core.Outcome{1: core.OutcomeApplied}},
			// Counted: applied, unknown (may have reached ClickUp), delete_team.
			{Run{ID: "user", Kind: KindUser, Trigger: TriggerManual, Start: t0},
				[]core.Entry{deact("2", core.OutcomePlanned), deact("3", core.OutcomePlanned), deact("4", core.OutcomePlanned), deact("5", core.OutcomeHeld)},
				map[int]core.Outcome{1: core.OutcomeApplied, 2: core.OutcomeUnknown, 3: core.OutcomeFailed}},
			{Run{ID: "events", Kind: KindEvents, Trigger: TriggerEvents, Start: t0.Add(time.Minute)},
				[]core.Entry{deact("6", core.OutcomePlanned), {Action: core.ActionDeleteTeam, User: "Sales", Outcome: core.OutcomePlanned},
					{Action: core.ActionUpdateRole, ClickUpUserID: "7", User: "7@x.io", Outcome: core.OutcomePlanned}},
				map[int]core.Outcome{1: core.OutcomeApplied, 2: core.OutcomeApplied, 3: core.OutcomeApplied}},
			// Not counted: a dry run never writes; a full run is of another kind.
			{Run{ID: "dry", Kind: KindUser, Trigger: TriggerManual, DryRun: true, Start: t0.Add(2 * time.Minute)},
				[]core.Entry{deact("8", core.OutcomePlanned)}, nil},
			{Run{ID: "full", Trigger: TriggerSchedule, Start: t0.Add(3 * time.Minute)},
				[]core.Entry{deact("9", core.OutcomePlanned)}, map[int]core.Outcome{1: core.OutcomeApplied}},
		} {
			if err := s.BeginRun(ctx, r.run); err != nil {
				t.Fatal(err)
			}
			MustJournal(t, s, r.run.ID, r.plan, r.done)
		}
		for _, tt := range []struct {
			name  string
			since time.Time
			kinds []string
			want  int
		}{
			{"SmallRuns", t0, []string{KindUser, KindEvents}, 4},
			{"UserRunsOnly", t0, []string{KindUser}, 2},
			{"EveryKind", t0, nil, 5},
			{"WindowStartsLater", t0.Add(time.Minute), []string{KindUser, KindEvents}, 2},
			{"WiderWindow", t0.Add(-time.Hour), []string{KindUser, KindEvents}, 5},
			{"NothingYet", t0.Add(time.Hour), nil, 0},
		} {
			t.Run(tt.name, func(t *testing.T) {
				n, err := s.DeactivationsSince(ctx, tt.since, tt.kinds...)
				if err != nil || n != tt.want {
					t.Fatalf("%d deactivations (%v), want %d", n, err, tt.want)
				}
			})
		}
		if _, err := s.DeactivationsSince(ctx, t0, "partial"); err == nil {
			t.Fatal("an unknown kind was accepted")
		}
	})
}
