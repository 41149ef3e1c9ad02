package store

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	gosync "sync"
	"time"
)

// On PostgreSQL the processes sharing a store run on several hosts, where a pid and a process
// start time (process.go) say nothing. So each Store that begins runs or takes the run lock also
// holds a session of its own (pgsession.go) with an advisory lock whose key is random, and records
// that key, as "pg:KEY", with its runs and its run lock. Whoever finds such a run still running, or
// such a lock held, asks the server whether anyone still holds the key: if not, the process has
// died or lost the server for longer than the idle-session bound, and is judged dead at once,
// without waiting for a lease. A session that still exists proves nothing more (a frozen process
// keeps it for a while): the lease and the age rules apply as on SQLite.

// presenceRetry is how often a lost presence session is established again.
const presenceRetry = time.Second

type presence struct {
	b     *pgBackend
	key   int64
	token string

	mu       gosync.Mutex
	cur      *session
	started  bool
	stopped  bool
	stopc    chan struct{}
	loopDone chan struct{}
}

func newPresence(b *pgBackend) *presence {
	var buf [8]byte
	_, _ = rand.Read(buf[:]) // crypto/rand.Read never fails
	key := int64(binary.BigEndian.Uint64(buf[:]) >> 1)
	return &presence{b: b, key: key, token: "pg:" + strconv.FormatInt(key, 10),
		stopc: make(chan struct{}), loopDone: make(chan struct{})}
}

// ensure returns the token to record once the session is held, opening it at first use. From
// then on a loop opens it again whenever it ends, until stop.
func (p *presence) ensure(ctx context.Context) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		return "", ErrClosed
	}
	if p.cur != nil && p.cur.Err() == nil {
		return p.token, nil
	}
	se, err := p.b.hold(ctx, p.key, "presence")
	if errors.Is(err, errNotAcquired) {
		err = errors.New("the server still holds this process's previous database session")
	}
	if err != nil {
		return "", fmt.Errorf("database session of this process: %w", err)
	}
	p.cur = se
	if !p.started {
		p.started = true
		go p.loop()
	}
	return p.token, nil
}

func (p *presence) loop() {
	defer close(p.loopDone)
	for {
		p.mu.Lock()
		cur := p.cur
		p.mu.Unlock()
		select {
		case <-p.stopc:
			return
		case <-cur.Done():
		}
		for {
			ctx, cancel := context.WithTimeout(context.Background(), pgConnectTimeout)
			_, err := p.ensure(ctx)
			cancel()
			if err == nil {
				break
			}
			select {
			case <-p.stopc:
				return
			case <-time.After(presenceRetry):
			}
		}
	}
}

func (p *presence) stop() {
	p.mu.Lock()
	if p.stopped {
		p.mu.Unlock()
		return
	}
	p.stopped = true
	close(p.stopc)
	started, cur := p.started, p.cur
	p.mu.Unlock()
	if started {
		<-p.loopDone
	}
	if cur != nil {
		cur.release()
	}
}

// sessionToken is what BeginRun and the run lock record of this process's database session: ""
// on SQLite, where there is none.
func (s *Store) sessionToken(ctx context.Context) (string, error) {
	if s.pg == nil {
		return "", nil
	}
	return s.pg.presence.ensure(ctx)
}

// judge tells whether the process behind a run, a run lock or a taken request is alive, with the
// reason when it is dead: by its pid and start time on this host (process.judge), and on
// PostgreSQL by its database session.
func (s *Store) judge(ctx context.Context, q queryer, p process, token string) (liveness, string, error) {
	v, why := s.self.judge(p)
	if v != unknown || s.pg == nil {
		return v, why, nil
	}
	key, ok := strings.CutPrefix(token, "pg:")
	if !ok {
		return unknown, "", nil
	}
	k, err := strconv.ParseInt(key, 10, 64)
	if err != nil {
		return unknown, "", nil
	}
	// A shared try fails while the holder's exclusive lock stands, and takes nothing from it; in
	// a statement of its own it is released at once, in a transaction at its end.
	var free bool
	if err := q.QueryRowContext(ctx, `SELECT pg_try_advisory_xact_lock_shared(?)`, k).Scan(&free); err != nil {
		return unknown, "", err
	}
	if free {
		return dead, "its database session has ended", nil
	}
	return unknown, "", nil
}
