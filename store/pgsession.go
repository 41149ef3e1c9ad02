package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	gosync "sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// A session is a dedicated PostgreSQL connection holding one session-level advisory lock. The
// server frees such a lock when the session ends, however the process behind it ended (exit,
// kill -9, a lost host), which is what leadership (leader.go) and liveness (presence.go) rest on.
//
// The timing, end to end (DESIGN §14 wants a new leader within 15 s):
//   - the holder pings its session every sessionPing, and takes a ping unanswered after
//     sessionPingTimeout as the session lost: it stops leading within sessionPing+sessionPingTimeout;
//   - the server ends a session that has said nothing for sessionIdleTimeout (idle_session_timeout),
//     so a holder cut off from the server, or frozen, loses its lock that long after its last ping;
//     a holder that dies outright loses it at once, its connection closed by its kernel;
//   - a standby tries again every campaignRetry.
//
// So a cut-off leader stops leading (<= 4 s) well before the server frees its lock (<= 10 s), and a
// standby leads within sessionIdleTimeout + campaignRetry = 12 s of the leader's last ping.
const (
	sessionPing        = 2 * time.Second
	sessionPingTimeout = 2 * time.Second
	sessionIdleTimeout = 10 * time.Second
	campaignRetry      = 2 * time.Second
)

// errNotAcquired says another session holds the lock.
var errNotAcquired = errors.New("held by another session")

// ErrLeadershipLost is what a Leadership's Err wraps once its session has ended on its own.
var ErrLeadershipLost = errors.New("leadership lost")

type session struct {
	pid   uint32 // the server's backend pid: what pg_stat_activity and pg_terminate_backend name
	done  chan struct{}
	stopc chan struct{}
	once  gosync.Once
	mu    gosync.Mutex
	err   error // why it ended, set before done closes; nil when released on purpose
}

func newSession() *session {
	return &session{done: make(chan struct{}), stopc: make(chan struct{})}
}

// held is a session that needs no connection: SQLite's leaderships, which only end on request.
func held() *session {
	se := newSession()
	go func() {
		<-se.stopc
		close(se.done)
	}()
	return se
}

func (se *session) Done() <-chan struct{} { return se.done }

// Err is nil while the session lasts and after a release; otherwise why it ended.
func (se *session) Err() error {
	select {
	case <-se.done:
		se.mu.Lock()
		defer se.mu.Unlock()
		return se.err
	default:
		return nil
	}
}

// release frees the lock, ends the session, and waits until it has.
func (se *session) release() {
	se.once.Do(func() { close(se.stopc) })
	<-se.done
}

// hold opens a session for role and takes the advisory lock key in it; errNotAcquired when
// another session holds it.
func (b *pgBackend) hold(ctx context.Context, key int64, role string) (*session, error) {
	cfg := b.cfg.Copy()
	cfg.RuntimeParams["application_name"] = pgApplication + " " + role
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, b.scrub(err)
	}
	fail := func(err error) (*session, error) {
		closeConn(conn)
		return nil, b.scrub(err)
	}
	// idle_session_timeout is PostgreSQL 14's; an older server only lacks the bound on a cut-off
	// holder, which then keeps its lock until the server's TCP keepalives notice.
	timeout := strconv.FormatInt(sessionIdleTimeout.Milliseconds(), 10)
	if _, err := conn.Exec(ctx, "SET idle_session_timeout = "+timeout); err != nil {
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "42704" { // undefined_object: an unknown setting
			return fail(err)
		}
	}
	var got bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&got); err != nil {
		return fail(err)
	}
	if !got {
		return fail(errNotAcquired)
	}
	se := newSession()
	se.pid = conn.PgConn().PID()
	every := sessionPing
	if b.pingEvery > 0 {
		every = b.pingEvery
	}
	go se.keep(conn, key, every)
	return se, nil
}

// keep pings the session until it is released or fails.
func (se *session) keep(conn *pgx.Conn, key int64, every time.Duration) {
	defer close(se.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-se.stopc:
			// Ending the session frees the lock even if the unlock fails.
			ctx, cancel := context.WithTimeout(context.Background(), sessionPingTimeout)
			_, _ = conn.Exec(ctx, `SELECT pg_advisory_unlock($1)`, key)
			cancel()
			closeConn(conn)
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), sessionPingTimeout)
			err := conn.Ping(ctx)
			cancel()
			if err != nil {
				se.mu.Lock()
				se.err = fmt.Errorf("the database session (backend pid %d) ended: %w", se.pid, err)
				se.mu.Unlock()
				closeConn(conn)
				return
			}
		}
	}
}

func closeConn(conn *pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), sessionPingTimeout)
	defer cancel()
	_ = conn.Close(ctx) // the session ends either way: the socket is closed
}
