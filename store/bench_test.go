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

func BenchmarkSaveEntries(b *testing.B) {
	c := newClock()
	s := MustOpen(b, statePath(b), c)
	MustBeginRun(b, s, "r1", c.Now())
	entries := make([]core.Entry, 5000)
	for i := range entries {
		entries[i] = core.Entry{Action: core.ActionProfileDriftIgnored, OktaUserID: fmt.Sprintf("00u%d", i), User: fmt.Sprintf("u%d@x.io", i), Outcome: core.OutcomeIgnored}
	}
	for b.Loop() {
		if err := s.SaveEntries(b.Context(), "r1", entries); err != nil {
			b.Fatal(err)
		}
	}
}
