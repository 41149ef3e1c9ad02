package store

import (
	"fmt"
	"testing"

	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// The store's size scales with the org: one link per user, one entry per difference per run.

func BenchmarkSaveLinks(b *testing.B) {
	s := MustOpen(b, statePath(b), newClock())
	links := make(map[string]string, 5000)
	for i := range 5000 {
		links[fmt.Sprintf("00u%d", i)] = fmt.Sprint(i)
	}
	for b.Loop() {
		if err := s.SaveLinks(b.Context(), links); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSavePlan(b *testing.B) {
	c := newClock()
	s := MustOpen(b, statePath(b), c)
	MustBeginRun(b, s, "r1", c.Now())
	entries := make([]core.Entry, 5000)
	for i := range entries {
		entries[i] = core.Entry{Action: core.ActionProfileDriftIgnored, OktaUserID: fmt.Sprintf("00u%d", i), User: fmt.Sprintf("u%d@x.io", i), Outcome: core.OutcomeIgnored}
	}
	for b.Loop() {
		if err := s.SavePlan(b.Context(), "r1", entries); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkJournalWrite is what the journal adds to each write: two durable commits.
func BenchmarkJournalWrite(b *testing.B) {
	c := newClock()
	s := MustOpen(b, statePath(b), c)
	plan := make([]core.Entry, 1000)
	for i := range plan {
		plan[i] = core.Entry{Action: core.ActionUpdateRole, OktaUserID: fmt.Sprintf("00u%d", i), ClickUpUserID: fmt.Sprint(i), User: fmt.Sprintf("u%d@x.io", i), Outcome: core.OutcomePlanned}
	}
	run, seq := 0, len(plan)
	for b.Loop() {
		if seq == len(plan) {
			b.StopTimer()
			run, seq = run+1, 0
			MustBeginRun(b, s, fmt.Sprint(run), c.Now())
			if err := s.SavePlan(b.Context(), fmt.Sprint(run), plan); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		e := plan[seq]
		seq++
		if err := s.WriteStarted(b.Context(), fmt.Sprint(run), seq); err != nil {
			b.Fatal(err)
		}
		e.Outcome = core.OutcomeApplied
		if err := s.WriteDone(b.Context(), fmt.Sprint(run), seq, e); err != nil {
			b.Fatal(err)
		}
	}
}
