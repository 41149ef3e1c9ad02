package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrClosed is returned by what is asked of a Store after Close.
var ErrClosed = errors.New("store closed")

// Leadership is one won election (DESIGN §14). Only the leader runs schedules, polls events and
// applies; the others stand by.
//
// On PostgreSQL it is a session advisory lock held on a dedicated connection that lives exactly as
// long as the leadership. The lock is the server's: when the leader's process dies its session
// ends and the lock is freed at once; when the leader is cut off from the server, or frozen, the
// server ends its session after 10 s of silence (idle_session_timeout) and frees it then. The
// leader pings its session every 2 s: Done closes, and Err says why, as soon as a ping fails or
// goes 2 s unanswered, which is before the server can have freed the lock. A leader must stop
// leading (cancel its runs, stop its schedule) when Done closes. Standbys try again every 2 s, so a
// killed or cut-off leader is replaced within 15 s.
//
// On SQLite every Campaign wins at once: one process per state file is the SQLite deployment, and
// the run lock still keeps two reconciles apart. Done closes only on Resign or Close.
type Leadership struct {
	name string
	s    *Store
	se   *session
}

// Name is the election's name.
func (l *Leadership) Name() string { return l.name }

// Done is closed when the leadership ends: resigned, the Store closed, or lost.
func (l *Leadership) Done() <-chan struct{} { return l.se.Done() }

// Err is nil while leading and after Resign; once lost, an error wrapping ErrLeadershipLost
// that says why.
func (l *Leadership) Err() error {
	if err := l.se.Err(); err != nil {
		return fmt.Errorf("store: %w (election %s): %w", ErrLeadershipLost, l.name, err)
	}
	return nil
}

// Resign gives the leadership up, so that a standby can take it at its next try, and waits until
// the lock is released. Resigning twice, or a lost leadership, is not an error.
func (l *Leadership) Resign() error {
	l.se.release()
	l.s.mu.Lock()
	delete(l.s.leaders, l)
	l.s.mu.Unlock()
	return nil
}

// Campaign waits until this process leads the election name, or ctx ends, and returns the
// leadership (see Leadership for the contract). Elections of different names are independent.
// An error other than the context's (the server unreachable, say) is returned at once: a standby
// logs it and campaigns again.
func (s *Store) Campaign(ctx context.Context, name string) (*Leadership, error) {
	fail := func(err error) error { return fmt.Errorf("store: campaign for %s: %w", name, err) }
	if name == "" {
		return nil, errors.New("store: campaign: empty election name")
	}
	if s.pg == nil {
		return s.lead(name, held())
	}
	key := advisoryKey("leader", s.pg.schema, name)
	retry := time.NewTimer(campaignRetry)
	defer retry.Stop()
	for {
		if s.isClosed() {
			return nil, fail(ErrClosed)
		}
		se, err := s.pg.hold(ctx, key, "leader "+name)
		switch {
		case err == nil:
			return s.lead(name, se)
		case ctx.Err() != nil:
			return nil, fail(context.Cause(ctx))
		case !errors.Is(err, errNotAcquired):
			return nil, fail(err)
		}
		if s.campaignAttempted != nil {
			s.campaignAttempted()
		}
		retry.Reset(campaignRetry)
		select {
		case <-ctx.Done():
			return nil, fail(context.Cause(ctx))
		case <-retry.C:
		}
	}
}

func (s *Store) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// lead records a won leadership, so Close resigns it, and forgets it once it ends.
func (s *Store) lead(name string, se *session) (*Leadership, error) {
	l := &Leadership{name: name, s: s, se: se}
	s.mu.Lock()
	closed := s.closed
	if !closed {
		s.leaders[l] = true
	}
	s.mu.Unlock()
	if closed {
		se.release()
		return nil, fmt.Errorf("store: campaign for %s: %w", name, ErrClosed)
	}
	go func() {
		<-se.Done()
		s.mu.Lock()
		delete(s.leaders, l)
		s.mu.Unlock()
	}()
	return l, nil
}
