package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	gosync "sync"
	"time"
)

// DefaultLockLease is how long a run lock outlives its holder's last heartbeat. It only matters
// when a holder on another host (or in another container) dies without unlocking: the next run
// may take over after this long. A dead holder on this host is recognised at once.
const DefaultLockLease = 2 * time.Minute

// lockPoll is how often a waiting Lock retries: short enough that a run starts promptly after the
// previous one, long enough not to keep the write lock busy.
const lockPoll = 50 * time.Millisecond

// lockTimeout bounds the statements that release or renew a lock, which run after the caller's
// context may already be done.
const lockTimeout = 2 * busyTimeout

// LockedError describes the holder of the run lock. It unwraps to ErrLocked.
type LockedError struct {
	Owner   string
	PID     int
	Host    string
	Since   time.Time // when the holder took the lock
	Expires time.Time // when the lease runs out unless the holder renews it
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("another reconcile (owner %s, pid %d on %s) holds the run lock since %s (lease until %s)",
		e.Owner, e.PID, e.Host, e.Since.UTC().Format(time.RFC3339), e.Expires.UTC().Format(time.RFC3339))
}

func (e *LockedError) Unwrap() error { return ErrLocked }

// Lock takes the run lock, waiting up to wait (and no longer than ctx) while another reconcile,
// in this process or another one, holds it. The database's own locks last one transaction; a run
// spans many, so the lock is a row with a lease and the holder's process identity (host, pid,
// process start time, boot id, and on PostgreSQL its database session). The lease is renewed in
// the background until unlock is called, so a long run keeps it. A crashed holder's lock is taken
// over at once when the holder was on this host (its pid is gone, or now belongs to a process
// started at another time, or the host rebooted) or, on PostgreSQL, when its database session has
// ended (presence.go); after Options.LockLease otherwise.
//
// On timeout the error wraps a *LockedError naming the holder (errors.Is ErrLocked). Lock is not
// re-entrant. unlock releases the lock; it returns an error wrapping ErrLockLost when the lease
// had expired and another reconcile took the lock over meanwhile. Close releases forgotten locks.
func (s *Store) Lock(ctx context.Context, owner string, wait time.Duration) (unlock func() error, err error) {
	if owner == "" {
		return nil, errors.New("store: run lock: empty owner")
	}
	l := &heldLock{s: s, token: newToken(), done: make(chan struct{})}
	// Before the wait starts: connecting is not waiting for the holder.
	session, err := s.sessionToken(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: run lock: %w", err)
	}
	var timeout <-chan time.Time
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		timeout = t.C
	}
	poll := time.NewTimer(lockPoll) // Reset below before every wait
	defer poll.Stop()
	for {
		holder, err := s.tryLock(ctx, l.token, owner, session)
		if err != nil {
			return nil, fmt.Errorf("store: run lock: %w", err)
		}
		if holder == nil {
			break
		}
		if s.lockAttempted != nil {
			s.lockAttempted()
		}
		if wait <= 0 {
			return nil, fmt.Errorf("store: run lock: %w", holder)
		}
		poll.Reset(min(lockPoll, wait))
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("store: run lock: %w: %w", holder, context.Cause(ctx))
		case <-timeout:
			return nil, fmt.Errorf("store: run lock: %w (waited %s)", holder, wait)
		case <-poll.C:
		}
	}

	hbCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	l.stop = stop
	s.mu.Lock()
	s.locks[l.token] = l
	s.mu.Unlock()
	s.wg.Add(1)
	go s.heartbeat(hbCtx, l)
	return l.unlock, nil
}

// tryLock takes the lock row when it is free, its lease has run out, or its holder is a process
// of this host that has died; otherwise it describes the holder.
func (s *Store) tryLock(ctx context.Context, token, owner, session string) (*LockedError, error) {
	var holder *LockedError
	err := s.inTx(ctx, func(tx *txn) error {
		holder = nil
		now := s.now()
		var h LockedError
		var p process
		var since, expires, theirs string
		err := tx.QueryRowContext(ctx, `
SELECT owner, pid, host, boot_id, pid_ns, proc_start, session, acquired_at, expires_at FROM run_lock WHERE id = 1`).
			Scan(&h.Owner, &p.PID, &p.Host, &p.BootID, &p.PIDNS, &p.Start, &theirs, &since, &expires)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		default:
			h.PID, h.Host = p.PID, p.Host
			if h.Since, err = parseTime(since); err != nil {
				return err
			}
			if h.Expires, err = parseTime(expires); err != nil {
				return err
			}
			// A lease that ran out means the holder stopped renewing: it crashed or lost the
			// store. A holder known to be gone is taken over at once, lease or not.
			if now.Before(h.Expires) {
				v, _, err := s.judge(ctx, tx, p, theirs)
				if err != nil {
					return err
				}
				if v != dead {
					holder = &h
					return nil
				}
			}
		}
		me := s.self
		_, err = tx.ExecContext(ctx, `
INSERT INTO run_lock (id, token, owner, pid, host, boot_id, pid_ns, proc_start, session, acquired_at, renewed_at, expires_at)
VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET token = excluded.token, owner = excluded.owner, pid = excluded.pid,
	host = excluded.host, boot_id = excluded.boot_id, pid_ns = excluded.pid_ns,
	proc_start = excluded.proc_start, session = excluded.session, acquired_at = excluded.acquired_at,
	renewed_at = excluded.renewed_at, expires_at = excluded.expires_at`,
			token, owner, me.PID, me.Host, me.BootID, me.PIDNS, me.Start, session, formatTime(now), formatTime(now), formatTime(now.Add(s.lease)))
		return err
	})
	return holder, err
}

// heldLock is one run lock taken through a Store.
type heldLock struct {
	s     *Store
	token string
	stop  context.CancelFunc // ends the heartbeat
	done  chan struct{}      // closed when the heartbeat has ended
	once  gosync.Once
	err   error
}

func (s *Store) heartbeat(ctx context.Context, l *heldLock) {
	defer s.wg.Done()
	defer close(l.done)
	tick, stop := s.newTicker(s.lease / 3)
	defer stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick:
			// A failed renewal (the file busy for longer than the busy timeout) is retried at
			// the next tick; the lease spans three.
			if held, err := s.renew(ctx, l.token); err == nil && !held {
				return
			}
		}
	}
}

// renew extends the lease, reporting false when the lock is no longer ours.
func (s *Store) renew(ctx context.Context, token string) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, lockTimeout)
	defer cancel()
	now := s.now()
	res, err := s.db.ExecContext(ctx, `UPDATE run_lock SET renewed_at = ?, expires_at = ? WHERE id = 1 AND token = ?`,
		formatTime(now), formatTime(now.Add(s.lease)), token)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func (l *heldLock) unlock() error {
	l.once.Do(func() {
		l.stop()
		<-l.done
		l.s.mu.Lock()
		delete(l.s.locks, l.token)
		l.s.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), lockTimeout)
		defer cancel()
		res, err := l.s.db.ExecContext(ctx, `DELETE FROM run_lock WHERE id = 1 AND token = ?`, l.token)
		if err != nil {
			l.err = fmt.Errorf("store: run unlock: %w", err)
			return
		}
		if n, err := res.RowsAffected(); err != nil {
			l.err = fmt.Errorf("store: run unlock: %w", err)
		} else if n == 0 {
			l.err = fmt.Errorf("store: run unlock: %w", ErrLockLost)
		}
	})
	return l.err
}

func newToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

func realTicker(d time.Duration) (<-chan time.Time, func()) {
	t := time.NewTicker(d)
	return t.C, t.Stop
}
