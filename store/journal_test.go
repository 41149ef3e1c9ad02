package store

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

func journalOutcomes(t *testing.T, s *Store, runID string) []core.Outcome {
	t.Helper()
	entries, err := s.Entries(t.Context(), EntryFilter{RunID: runID})
	if err != nil {
		t.Fatal(err)
	}
	var out []core.Outcome
	for _, e := range entries {
		out = append(out, e.Outcome)
	}
	return out
}

func TestJournal_KillDuringAWrite(t *testing.T) {
	eachBackend(t, func(t *testing.T, be backend) {
		// DESIGN §7 "Crashes lose nothing": a process killed with a write in flight leaves the write
		// it finished as applied, the one in flight as unknown, the rest as planned; the next start
		// marks its run interrupted, and takes its run lock at once.
		path := be.fresh(t)
		s := MustOpen(t, path, newClock())
		s.now = time.Now // the child's run and lease are on the real clock

		child := startChild(t, "journal", path)
		if child.said != "journaled" {
			t.Fatalf("child said %q", child.said)
		}
		if ids, err := s.MarkInterrupted(t.Context()); err != nil || len(ids) != 0 {
			t.Fatalf("interrupted %v (%v) while its process lives, want none", ids, err)
		}
		child.kill(t)

		if got, want := journalOutcomes(t, s, crashedRun), []core.Outcome{core.OutcomeApplied, core.OutcomeUnknown, core.OutcomePlanned}; !slices.Equal(got, want) {
			t.Fatalf("outcomes after kill -9 %v, want %v", got, want)
		}
		entries, err := s.Entries(t.Context(), EntryFilter{RunID: crashedRun, Outcome: string(core.OutcomeApplied)})
		if err != nil || len(entries) != 1 || entries[0].ClickUpUserID != "101" {
			t.Fatalf("the applied create %+v (%v): want its learned ClickUp id 101", entries, err)
		}

		ids, err := s.MarkInterrupted(t.Context())
		if err != nil || !slices.Equal(ids, []string{crashedRun}) {
			t.Fatalf("interrupted %v (%v), want %s", ids, err, crashedRun)
		}
		r, err := s.Run(t.Context(), crashedRun)
		if err != nil || r.Outcome != RunInterrupted || r.End.IsZero() ||
			!strings.Contains(r.Error, "no process") || !strings.Contains(r.Error, "pid ") {
			t.Fatalf("run after MarkInterrupted %+v (%v): want interrupted, ended, naming the dead process", r, err)
		}
		// The journal is left as it was: the next run's fresh read settles the unknown write.
		if got := journalOutcomes(t, s, crashedRun); got[1] != core.OutcomeUnknown {
			t.Fatalf("outcomes after MarkInterrupted %v", got)
		}
		unlock, err := s.Lock(t.Context(), "daemon", 0)
		if err != nil {
			t.Fatalf("lock after its holder was killed: %v", err)
		}
		if err := unlock(); err != nil {
			t.Fatal(err)
		}
	})
}

func TestJournal_Rules(t *testing.T) {
	eachBackend(t, func(t *testing.T, be backend) {
		ctx := t.Context()
		c := newClock()
		s := MustOpen(t, be.fresh(t), c)
		MustBeginRun(t, s, "r1", c.Now())
		plan := []core.Entry{
			{Action: core.ActionCreateUser, OktaUserID: "00u1", User: "ann@x.io", Reason: "assigned", Outcome: core.OutcomePlanned},
			{Action: core.ActionDeactivate, OktaUserID: "00u2", ClickUpUserID: "102", User: "bob@x.io", Outcome: core.OutcomeHeld},
			{Action: core.ActionInvalidRole, OktaUserID: "00u3", User: "cy@x.io", Outcome: core.OutcomeFailed, Error: "no role owner"},
			{Action: core.ActionProfileDriftIgnored, OktaUserID: "00u4", User: "di@x.io", Outcome: core.OutcomeIgnored},
			{Action: core.ActionUpdateRole, OktaUserID: "00u5", ClickUpUserID: "105", User: "ed@x.io", Reason: "role", Outcome: core.OutcomePlanned},
		}

		t.Run("SavePlanRefusesOutcomesOfWrites", func(t *testing.T) {
			for _, o := range []core.Outcome{core.OutcomeApplied, core.OutcomeUnknown, "", "done"} {
				bad := slices.Clone(plan)
				bad[4].Outcome = o
				if err := s.SavePlan(ctx, "r1", bad); err == nil || !strings.Contains(err.Error(), "entry 5") {
					t.Errorf("plan with outcome %q: %v, want a refusal naming entry 5", o, err)
				}
			}
		})
		if err := s.SavePlan(ctx, "r1", plan[:2]); err != nil {
			t.Fatal(err)
		}
		if err := s.SavePlan(ctx, "r1", plan); err != nil {
			t.Fatalf("replacing a plan before any write: %v", err)
		}
		if got := journalOutcomes(t, s, "r1"); len(got) != len(plan) {
			t.Fatalf("%d entries after the replacement, want %d", len(got), len(plan))
		}

		t.Run("WriteDoneNeedsWriteStarted", func(t *testing.T) {
			done := plan[0]
			done.Outcome = core.OutcomeApplied
			if err := s.WriteDone(ctx, "r1", 1, done); err == nil || !strings.Contains(err.Error(), "never journaled as started") {
				t.Fatalf("done before started: %v", err)
			}
		})
		t.Run("WriteStartedOnlyOnPlannedEntries", func(t *testing.T) {
			for seq := 2; seq <= 4; seq++ {
				if err := s.WriteStarted(ctx, "r1", seq); err == nil || !strings.Contains(err.Error(), "not planned") {
					t.Errorf("started entry %d (%s): %v, want a refusal", seq, plan[seq-1].Outcome, err)
				}
			}
		})
		t.Run("NotFound", func(t *testing.T) {
			if err := s.WriteStarted(ctx, "r1", 99); !errors.Is(err, ErrNotFound) {
				t.Errorf("started seq 99: %v", err)
			}
			if err := s.WriteStarted(ctx, "nope", 1); !errors.Is(err, ErrNotFound) {
				t.Errorf("started in an unknown run: %v", err)
			}
			e := plan[0]
			e.Outcome = core.OutcomeApplied
			if err := s.WriteDone(ctx, "r1", 0, e); !errors.Is(err, ErrNotFound) {
				t.Errorf("done seq 0: %v", err)
			}
		})

		if err := s.WriteStarted(ctx, "r1", 1); err != nil {
			t.Fatal(err)
		}
		if err := s.WriteStarted(ctx, "r1", 1); err != nil {
			t.Fatalf("a write started again (retried): %v", err)
		}
		if err := s.SavePlan(ctx, "r1", plan); err == nil || !strings.Contains(err.Error(), "journaled already") {
			t.Fatalf("replacing a plan after a write started: %v", err)
		}

		t.Run("WriteDoneRefusesAnotherEntry", func(t *testing.T) {
			// seq 1 is ann's create: bob's deactivation must not land on it.
			wrong := plan[1]
			wrong.Outcome = core.OutcomeApplied
			if err := s.WriteDone(ctx, "r1", 1, wrong); err == nil || !strings.Contains(err.Error(), "not deactivate") {
				t.Fatalf("done with another entry: %v", err)
			}
			e := plan[0]
			for _, o := range []core.Outcome{core.OutcomePlanned, core.OutcomeHeld, core.OutcomeIgnored, ""} {
				e.Outcome = o
				if err := s.WriteDone(ctx, "r1", 1, e); err == nil {
					t.Errorf("done with outcome %q accepted", o)
				}
			}
		})

		// The create learns its id; a value the done entry lacks keeps the planned one.
		done := plan[0]
		done.Outcome, done.ClickUpUserID, done.Reason = core.OutcomeApplied, "101", ""
		if err := s.WriteDone(ctx, "r1", 1, done); err != nil {
			t.Fatal(err)
		}
		if err := s.WriteStarted(ctx, "r1", 5); err != nil {
			t.Fatal(err)
		}
		failed := plan[4]
		failed.Outcome, failed.Error, failed.Reason, failed.ClickUpUserID = core.OutcomeFailed, "403 from ClickUp", "4xx", ""
		if err := s.WriteDone(ctx, "r1", 5, failed); err != nil {
			t.Fatal(err)
		}
		if err := s.WriteStarted(ctx, "r1", 1); err == nil {
			t.Fatal("an applied write started again")
		}

		got, err := s.Entries(ctx, EntryFilter{RunID: "r1"})
		if err != nil {
			t.Fatal(err)
		}
		want := slices.Clone(plan)
		want[0].Outcome, want[0].ClickUpUserID = core.OutcomeApplied, "101"
		want[4].Outcome, want[4].Error, want[4].Reason = core.OutcomeFailed, "403 from ClickUp", "4xx"
		var gotEntries []core.Entry
		for _, e := range got {
			gotEntries = append(gotEntries, e.Entry)
		}
		if !reflect.DeepEqual(gotEntries, want) {
			t.Fatalf("journal\n got %+v\nwant %+v", gotEntries, want)
		}
	})
}
