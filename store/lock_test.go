package store

import (
	"context"
	"errors"
	"os"
	"strings"
	gosync "sync"
	"testing"
	"time"
)

func TestLock_HeldByAnotherStore(t *testing.T) {
	eachBackend(t, func(t *testing.T, be backend) {
		c := newClock()
		path := be.fresh(t)
		a, b := MustOpen(t, path, c), MustOpen(t, path, c)
		ctx := t.Context()

		unlock, err := a.Lock(ctx, "daemon", 0)
		if err != nil {
			t.Fatal(err)
		}
		var mu gosync.Mutex
		attempts := 0
		b.lockAttempted = func() { mu.Lock(); attempts++; mu.Unlock() }

		const wait = 120 * time.Millisecond
		start := time.Now()
		_, err = b.Lock(ctx, "reconcile", wait)
		if !errors.Is(err, ErrLocked) {
			t.Fatalf("err %v, want ErrLocked", err)
		}
		if took := time.Since(start); took < wait {
			t.Errorf("gave up after %s, before the %s wait", took, wait)
		}
		if attempts < 2 {
			t.Errorf("%d attempts: Lock did not retry while waiting", attempts)
		}
		var held *LockedError
		if !errors.As(err, &held) || held.Owner != "daemon" || held.PID != os.Getpid() || !held.Since.Equal(c.Now()) {
			t.Fatalf("holder %+v, want owner daemon, pid %d, since %s", held, os.Getpid(), c.Now())
		}
		if msg := err.Error(); !strings.Contains(msg, "another reconcile (owner daemon, pid ") || !strings.Contains(msg, "since 2025-03-01T12:00:00Z") {
			t.Errorf("message %q does not name the holder and since when", msg)
		}

		if err := unlock(); err != nil {
			t.Fatal(err)
		}
		if err := unlock(); err != nil {
			t.Fatalf("a second unlock: %v", err)
		}
		unlockB, err := b.Lock(ctx, "reconcile", 0)
		if err != nil {
			t.Fatalf("lock after unlock: %v", err)
		}
		if err := unlockB(); err != nil {
			t.Fatal(err)
		}
	})
}

func TestLock_NotReentrant(t *testing.T) {
	eachBackend(t, func(t *testing.T, be backend) {
		s := MustOpen(t, be.fresh(t), newClock())
		unlock, err := s.Lock(t.Context(), "daemon", 0)
		if err != nil {
			t.Fatal(err)
		}
		defer unlock()
		if _, err := s.Lock(t.Context(), "daemon", 0); !errors.Is(err, ErrLocked) {
			t.Fatalf("second lock in one Store: %v, want ErrLocked", err)
		}
	})
}

func TestLock_WaiterGetsLockOnRelease(t *testing.T) {
	eachBackend(t, func(t *testing.T, be backend) {
		c := newClock()
		path := be.fresh(t)
		a, b := MustOpen(t, path, c), MustOpen(t, path, c)
		unlockA, err := a.Lock(t.Context(), "daemon", 0)
		if err != nil {
			t.Fatal(err)
		}
		waiting := make(chan struct{}, 1)
		b.lockAttempted = func() {
			select {
			case waiting <- struct{}{}:
			default:
			}
		}
		type result struct {
			unlock func() error
			err    error
		}
		got := make(chan result)
		go func() {
			u, err := b.Lock(t.Context(), "reconcile", time.Minute)
			got <- result{u, err}
		}()
		<-waiting
		if err := unlockA(); err != nil {
			t.Fatal(err)
		}
		r := <-got
		if r.err != nil {
			t.Fatalf("waiter: %v", r.err)
		}
		if err := r.unlock(); err != nil {
			t.Fatal(err)
		}
	})
}

func TestLock_ContextEndsTheWait(t *testing.T) {
	eachBackend(t, func(t *testing.T, be backend) {
		c := newClock()
		path := be.fresh(t)
		a, b := MustOpen(t, path, c), MustOpen(t, path, c)
		if _, err := a.Lock(t.Context(), "daemon", 0); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		b.lockAttempted = cancel
		_, err := b.Lock(ctx, "reconcile", time.Hour)
		if !errors.Is(err, context.Canceled) || !errors.Is(err, ErrLocked) {
			t.Fatalf("err %v, want context.Canceled and ErrLocked", err)
		}
	})
}

func TestLock_StaleLockIsTakenOver(t *testing.T) {
	eachBackend(t, func(t *testing.T, be backend) {
		c := newClock()
		path := be.fresh(t)
		a, b := MustOpen(t, path, c), MustOpen(t, path, c)
		ctx := t.Context()
		unlockA, err := a.Lock(ctx, "crashed", 0)
		if err != nil {
			t.Fatal(err)
		}

		c.Advance(DefaultLockLease - time.Second)
		if _, err := b.Lock(ctx, "daemon", 0); !errors.Is(err, ErrLocked) {
			t.Fatalf("took a lock whose lease has not run out: %v", err)
		}
		c.Advance(time.Second)
		unlockB, err := b.Lock(ctx, "daemon", 0)
		if err != nil {
			t.Fatalf("stale lock not taken over: %v", err)
		}
		if err := unlockA(); !errors.Is(err, ErrLockLost) {
			t.Fatalf("the old holder's unlock: %v, want ErrLockLost", err)
		}
		// The old holder's unlock must not have released the new holder's lock.
		if _, err := a.Lock(ctx, "crashed", 0); !errors.Is(err, ErrLocked) {
			t.Fatalf("lock after the takeover: %v, want ErrLocked", err)
		}
		if err := unlockB(); err != nil {
			t.Fatal(err)
		}
	})
}

func TestLock_HeartbeatRenewsLease(t *testing.T) {
	eachBackend(t, func(t *testing.T, be backend) {
		c := newClock()
		path := be.fresh(t)
		a, b := MustOpen(t, path, c), MustOpen(t, path, c)
		tick := make(chan time.Time)
		a.newTicker = func(d time.Duration) (<-chan time.Time, func()) {
			if d != DefaultLockLease/3 {
				t.Errorf("heartbeat every %s, want %s", d, DefaultLockLease/3)
			}
			return tick, func() {}
		}
		ctx := t.Context()
		unlock, err := a.Lock(ctx, "daemon", 0)
		if err != nil {
			t.Fatal(err)
		}
		c.Advance(DefaultLockLease / 2)
		renewedAt := c.Now()
		// The heartbeat takes the second tick only once it has renewed on the first. The renewal on
		// the second tick may land before or after the clock moves on below; either is a renewal.
		tick <- time.Time{}
		tick <- time.Time{}

		c.Advance(DefaultLockLease * 3 / 4) // past the first lease, within the renewed one
		_, err = b.Lock(ctx, "reconcile", 0)
		var held *LockedError
		if !errors.As(err, &held) {
			t.Fatalf("err %v: the renewed lease was not honoured", err)
		}
		if want := renewedAt.Add(DefaultLockLease); held.Expires.Before(want) {
			t.Errorf("lease until %s, want at least %s", held.Expires, want)
		}
		if err := unlock(); err != nil {
			t.Fatal(err)
		}
	})
}

func TestLock_CloseReleases(t *testing.T) {
	eachBackend(t, func(t *testing.T, be backend) {
		c := newClock()
		path := be.fresh(t)
		a, err := openStore(t.Context(), path, Options{Now: c.Now})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.Lock(t.Context(), "daemon", 0); err != nil {
			t.Fatal(err)
		}
		if err := a.Close(); err != nil {
			t.Fatal(err)
		}
		b := MustOpen(t, path, c)
		if _, err := b.Lock(t.Context(), "reconcile", 0); err != nil {
			t.Fatalf("lock after the holder closed: %v", err)
		}
	})
}

func TestLock_OtherProcess(t *testing.T) {
	eachBackend(t, func(t *testing.T, be backend) {
		path := be.fresh(t)
		s := MustOpen(t, path, newClock())
		s.now = time.Now // the child runs on the real clock

		child := startChild(t, "lock", path)
		_, err := s.Lock(t.Context(), "daemon", 20*time.Millisecond)
		var held *LockedError
		if !errors.As(err, &held) || held.Owner != "child" || held.PID != child.cmd.Process.Pid {
			t.Fatalf("err %v, want the child (pid %d) named as holder", err, child.cmd.Process.Pid)
		}

		child.finish(t)
		unlock, err := s.Lock(t.Context(), "daemon", 0)
		if err != nil {
			t.Fatalf("lock after the child released it: %v", err)
		}
		if err := unlock(); err != nil {
			t.Fatal(err)
		}
	})
}

func TestLock_KilledHolderOnThisHost(t *testing.T) {
	eachBackend(t, func(t *testing.T, be backend) {
		// kill -9 leaves the lock row behind with a lease two minutes long. Its holder is on this
		// host and gone, so the next run takes the lock at once instead of waiting the lease out.
		path := be.fresh(t)
		s := MustOpen(t, path, newClock())
		s.now = time.Now // the child's lease is on the real clock: still valid below

		child := startChild(t, "lock", path)
		if _, err := s.Lock(t.Context(), "daemon", 0); !errors.Is(err, ErrLocked) {
			t.Fatalf("lock while the child lives: %v, want ErrLocked", err)
		}
		child.kill(t)
		unlock, err := s.Lock(t.Context(), "daemon", 0)
		if err != nil {
			t.Fatalf("lock after its holder was killed: %v, want it taken at once", err)
		}
		if err := unlock(); err != nil {
			t.Fatal(err)
		}
	})
}

// impostor opens path as a process that differs from this one as change says: a Store whose
// recorded identity is another process's. Its clock is c.
func impostor(t *testing.T, path string, c *clock, change func(*process)) *Store {
	t.Helper()
	s := MustOpen(t, path, c)
	change(&s.self)
	return s
}

func TestLock_DeadOrUnseenHolders(t *testing.T) {
	eachBackend(t, func(t *testing.T, be backend) {
		for _, tt := range []struct {
			name     string
			change   func(*process)
			takeOver bool // at once; otherwise only after the lease
		}{
			// In a container the daemon is always pid 1: a pid alone proves nothing.
			{"PidReusedByAnotherProcess", func(p *process) { p.Start = "1" }, true},
			{"HostRebooted", func(p *process) { p.BootID = "00000000-0000-0000-0000-000000000000" }, true},
			{"ProcessGone", func(p *process) { p.PID = 1 << 30 }, true},
			{"ThisProcess", func(*process) {}, false},
			{"AnotherHost", func(p *process) { p.Host = "elsewhere"; p.Start = "1" }, false},
			{"AnotherContainerOnThisHost", func(p *process) { p.PIDNS = "pid:[1]"; p.Start = "1" }, false},
			{"NoProcStartTime", func(p *process) { p.Start = "" }, false},
		} {
			t.Run(tt.name, func(t *testing.T) {
				if tt.takeOver && currentProcess().Start == "" {
					t.Skip("no /proc: only the lease tells")
				}
				c := newClock()
				path := be.fresh(t)
				holder := impostor(t, path, c, tt.change)
				if _, err := holder.Lock(t.Context(), "holder", 0); err != nil {
					t.Fatal(err)
				}
				s := MustOpen(t, path, c)
				unlock, err := s.Lock(t.Context(), "daemon", 0)
				if tt.takeOver {
					if err != nil {
						t.Fatalf("lock of a dead holder: %v, want it taken at once", err)
					}
					if err := unlock(); err != nil {
						t.Fatal(err)
					}
					return
				}
				var held *LockedError
				if !errors.As(err, &held) || held.Owner != "holder" {
					t.Fatalf("lock: %v, want held by the holder until its lease runs out", err)
				}
				c.Advance(DefaultLockLease)
				unlock, err = s.Lock(t.Context(), "daemon", 0)
				if err != nil {
					t.Fatalf("lock after the lease: %v", err)
				}
				if err := unlock(); err != nil {
					t.Fatal(err)
				}
			})
		}
	})
}
