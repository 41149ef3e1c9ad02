package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	gosync "sync"
	"testing"
	"time"

	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// clock is a settable clock shared by the Stores of one test, as the processes sharing a file
// share the wall clock.
type clock struct {
	mu gosync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func statePath(tb testing.TB) string { return filepath.Join(tb.TempDir(), "state.db") }

// MustOpen opens the store at loc (a path or a PostgreSQL URL) with c as the clock. Lock
// heartbeats never fire on their own, so a lease only moves when a test says so.
func MustOpen(tb testing.TB, loc string, c *clock) *Store {
	tb.Helper()
	s, err := openStore(tb.Context(), loc, Options{Now: c.Now})
	if err != nil {
		tb.Fatal(err)
	}
	s.newTicker = func(time.Duration) (<-chan time.Time, func()) { return nil, func() {} }
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("close: %v", err)
		}
	})
	return s
}

func MustBeginRun(tb testing.TB, s *Store, id string, start time.Time) {
	tb.Helper()
	if err := s.BeginRun(tb.Context(), Run{ID: id, Trigger: TriggerSchedule, Start: start}); err != nil {
		tb.Fatal(err)
	}
}

func MustFinishRun(tb testing.TB, s *Store, id string, f Finish) {
	tb.Helper()
	if err := s.FinishRun(tb.Context(), id, f); err != nil {
		tb.Fatal(err)
	}
}

// MustJournal records plan for run id, then journals the writes at the given seqs with the
// outcomes in done (by seq): what a run that applied them leaves in the store.
func MustJournal(tb testing.TB, s *Store, id string, plan []core.Entry, done map[int]core.Outcome) {
	tb.Helper()
	ctx := tb.Context()
	if err := s.SavePlan(ctx, id, plan); err != nil {
		tb.Fatal(err)
	}
	for seq := 1; seq <= len(plan); seq++ {
		o, ok := done[seq]
		if !ok {
			continue
		}
		if err := s.WriteStarted(ctx, id, seq); err != nil {
			tb.Fatal(err)
		}
		if o == core.OutcomeUnknown {
			continue // never answered
		}
		e := plan[seq-1]
		e.Outcome = o
		if err := s.WriteDone(ctx, id, seq, e); err != nil {
			tb.Fatal(err)
		}
	}
}

func TestStore_ConcurrentUse(t *testing.T) {
	eachBackend(t, func(t *testing.T, be backend) {
		// Two handles on one file stand for the daemon and a one-off command; each is also used
		// from several goroutines. Every call must succeed: contention is absorbed, never surfaced.
		c := newClock()
		path := be.fresh(t)
		a, b := MustOpen(t, path, c), MustOpen(t, path, c)
		ctx := t.Context()
		var wg gosync.WaitGroup
		errs := make(chan error, 64)
		for i := range 8 {
			s := a
			if i%2 == 1 {
				s = b
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				id := fmt.Sprintf("run-%d", i)
				do := func(err error) {
					if err != nil {
						errs <- err
					}
				}
				do(s.BeginRun(ctx, Run{ID: id, Trigger: TriggerManual}))
				plan := make([]core.Entry, 5)
				for j := range plan {
					plan[j] = core.Entry{Action: core.ActionDeactivate, ClickUpUserID: fmt.Sprint(j), User: id, Outcome: core.OutcomePlanned}
				}
				do(s.SavePlan(ctx, id, plan))
				for j, e := range plan {
					do(s.WriteStarted(ctx, id, j+1))
					e.Outcome = core.OutcomeApplied
					do(s.WriteDone(ctx, id, j+1, e))
					do(s.SaveLinks(ctx, map[string]string{"okta-" + id: "cu-" + id}))
					_, err := s.Entries(ctx, EntryFilter{Limit: 10})
					do(err)
				}
				do(s.FinishRun(ctx, id, Finish{Outcome: RunChanged}))
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		runs, err := a.Runs(ctx, RunFilter{})
		if err != nil || len(runs) != 8 {
			t.Fatalf("runs %d, err %v; want 8", len(runs), err)
		}
		links, err := b.Links(ctx)
		if err != nil || len(links) != 8 {
			t.Fatalf("links %v, err %v; want 8", links, err)
		}
		applied, err := a.Entries(ctx, EntryFilter{Outcome: string(core.OutcomeApplied)})
		if err != nil || len(applied) != 8*5 {
			t.Fatalf("%d applied entries (%v), want %d", len(applied), err, 8*5)
		}
	})
}

func TestOpen_EmptyPath(t *testing.T) {
	if _, err := Open(t.Context(), "", Options{}); err == nil {
		t.Fatal("opened an empty path")
	}
}

func TestOpen_RefusesAURL(t *testing.T) {
	// SYNC_STATE_PATH=postgres://... must not become a SQLite file named after the URL.
	dir := t.TempDir()
	t.Chdir(dir)
	_, err := Open(t.Context(), "postgres://ocs:"+testPassword+"@db/ocs", Options{})
	if err == nil || !strings.Contains(err.Error(), "OpenURL") || strings.Contains(err.Error(), testPassword) {
		t.Fatalf("err %v, want a refusal pointing at OpenURL, without the password", err)
	}
	if names := dirNames(t, dir); len(names) != 0 {
		t.Fatalf("the refused open left %v behind", names)
	}
}

func TestOpen_CanceledContext(t *testing.T) {
	eachBackend(t, func(t *testing.T, be backend) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if _, err := openStore(ctx, be.fresh(t), Options{}); !errors.Is(err, context.Canceled) {
			t.Fatalf("err %v, want context.Canceled", err)
		}
	})
}
