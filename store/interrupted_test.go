package store

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestMarkInterrupted(t *testing.T) {
	eachBackend(t, func(t *testing.T, be backend) {
		// Each run is begun through a Store that records another process's identity, as if that
		// process had begun it (see impostor).
		for _, tt := range []struct {
			name     string
			change   func(*process)
			dryRun   bool
			holdLock bool          // the run's process holds the run lock
			later    time.Duration // the clock moves on this much before MarkInterrupted
			marked   bool
			why      string
		}{
			{name: "PidReusedByAnotherProcess", change: func(p *process) { p.Start = "1" }, marked: true, why: "is now another process"},
			{name: "ProcessGone", change: func(p *process) { p.PID = 1 << 30 }, marked: true, why: "no process 1073741824 is running"},
			{name: "HostRebooted", change: func(p *process) { p.BootID = "x" }, marked: true, why: "has restarted since"},
			{name: "DryRunOfADeadProcess", change: func(p *process) { p.Start = "1" }, dryRun: true, marked: true, why: "is now another process"},
			{name: "ThisProcess", change: func(*process) {}, later: 48 * time.Hour},
			{name: "AnotherHostHoldingTheLock", change: otherHost, holdLock: true},
			{name: "AnotherHostWhoseLockExpired", change: otherHost, holdLock: true, later: DefaultLockLease, marked: true,
				why: "its run lock expired at 2025-03-01T12:02:00Z"},
			{name: "AnotherHostWithoutLockYoung", change: otherHost, dryRun: true, later: orphanAge},
			{name: "AnotherHostWithoutLockOld", change: otherHost, dryRun: true, later: orphanAge + time.Second, marked: true,
				why: "it holds no run lock and started over 24h0m0s ago"},
			{name: "AnotherContainerOnThisHost", change: func(p *process) { p.PIDNS = "pid:[1]"; p.Start = "1" }, holdLock: true},
		} {
			t.Run(tt.name, func(t *testing.T) {
				if tt.marked && tt.why != "" && !strings.Contains(tt.name, "AnotherHost") && currentProcess().Start == "" {
					t.Skip("no /proc: only the lease tells")
				}
				ctx := t.Context()
				c := newClock()
				path := be.fresh(t)
				other := impostor(t, path, c, tt.change)
				if tt.holdLock {
					if _, err := other.Lock(ctx, "other", 0); err != nil {
						t.Fatal(err)
					}
				}
				if err := other.BeginRun(ctx, Run{ID: "r1", Trigger: TriggerSchedule, DryRun: tt.dryRun}); err != nil {
					t.Fatal(err)
				}
				MustBeginRun(t, other, "finished", c.Now())
				MustFinishRun(t, other, "finished", Finish{Outcome: RunSuccess})
				c.Advance(tt.later)

				s := MustOpen(t, path, c)
				ids, err := s.MarkInterrupted(ctx)
				if err != nil {
					t.Fatal(err)
				}
				r, err := s.Run(ctx, "r1")
				if err != nil {
					t.Fatal(err)
				}
				if !tt.marked {
					if len(ids) != 0 || r.Outcome != RunRunning {
						t.Fatalf("interrupted %v, run %+v: want it left running", ids, r)
					}
					return
				}
				if !slices.Equal(ids, []string{"r1"}) || r.Outcome != RunInterrupted || !r.End.Equal(c.Now()) {
					t.Fatalf("interrupted %v, run %+v: want r1 interrupted now", ids, r)
				}
				if !strings.Contains(r.Error, tt.why) || !strings.Contains(r.Error, "ended before it finished") {
					t.Errorf("error %q does not say %q", r.Error, tt.why)
				}
				if f, err := s.Run(ctx, "finished"); err != nil || f.Outcome != RunSuccess {
					t.Errorf("a finished run changed: %+v (%v)", f, err)
				}
				// Marked once: a second call finds nothing more.
				if ids, err := s.MarkInterrupted(ctx); err != nil || len(ids) != 0 {
					t.Errorf("second call interrupted %v (%v)", ids, err)
				}
			})
		}
	})
}

func otherHost(p *process) { p.Host = "elsewhere"; p.Start = "1" }

func TestMarkInterrupted_RunThatFinishesAfterAll(t *testing.T) {
	eachBackend(t, func(t *testing.T, be backend) {
		// A run judged dead that was only cut off records its real outcome when it finishes.
		ctx := t.Context()
		c := newClock()
		path := be.fresh(t)
		other := impostor(t, path, c, otherHost)
		if err := other.BeginRun(ctx, Run{ID: "r1", Trigger: TriggerSchedule, DryRun: true}); err != nil {
			t.Fatal(err)
		}
		c.Advance(orphanAge + time.Minute)
		s := MustOpen(t, path, c)
		if ids, err := s.MarkInterrupted(ctx); err != nil || len(ids) != 1 {
			t.Fatalf("interrupted %v (%v)", ids, err)
		}
		MustFinishRun(t, other, "r1", Finish{Outcome: RunSuccess})
		if r, err := s.Run(ctx, "r1"); err != nil || r.Outcome != RunSuccess || r.Error != "" {
			t.Fatalf("run %+v (%v), want its real outcome", r, err)
		}
	})
}
