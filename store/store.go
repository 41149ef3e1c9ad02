// Package store is the state of okta-clickup-sync (DESIGN.md §2): the links between Okta and
// ClickUp users, the runs with the journal of their writes (the drift log), held deactivation plans
// awaiting approval and the sticky holds behind them, the event cursor, the run lock that keeps two
// reconciles from applying at once, and (DESIGN §14) leader election and the requests standbys
// forward to the leader.
//
// It lives in one SQLite file in WAL mode (Open), opened through the pure-Go modernc.org/sqlite
// driver, or in a PostgreSQL database (OpenURL) through github.com/jackc/pgx/v5. Both hold the same
// data with the same behaviour; what differs is documented where it does (OpenURL, Campaign,
// MarkInterrupted). The daemon and a one-off command may open the same store at the same time:
// every write is a short transaction that writers take one at a time (SQLite's IMMEDIATE
// transactions; a transaction-scoped advisory lock on PostgreSQL).
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	gosync "sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Errors callers decide on with errors.Is.
var (
	ErrNotFound        = errors.New("not found")
	ErrLocked          = errors.New("run lock held by another reconcile")
	ErrLockLost        = errors.New("run lock lost: its lease expired and another reconcile took it over")
	ErrSchemaTooNew    = errors.New("state file schema is newer than this build")
	ErrAlreadyApproved = errors.New("held plan already approved")
)

// busyTimeout is how long a statement waits for another connection's write lock. Writes are
// short, so a wait this long means something is wrong rather than merely busy.
const busyTimeout = 5 * time.Second

// Options tune a Store. The zero value is ready for production.
type Options struct {
	// Now is the clock for every recorded time and for lock leases; time.Now when nil.
	Now func() time.Time
	// LockLease is how long a run lock stays valid without a heartbeat; DefaultLockLease when
	// zero. A holder renews it every third of the lease, so only a crashed holder lets it expire.
	LockLease time.Duration
	// MustExist refuses to create the state file: a missing one is an error wrapping
	// ErrNoStateFile, and nothing is created. For the commands that only read it (DESIGN §12).
	MustExist bool
}

// Store is the state file or database. It is safe for concurrent use.
type Store struct {
	db    *pool
	path  string     // where the store is, for errors: the file, or the URL without its password
	pg    *pgBackend // nil on SQLite
	now   func() time.Time
	lease time.Duration
	self  process // recorded with runs and run locks, so others can tell when it has died

	// newTicker paces lock heartbeats; tests replace it to renew on demand.
	newTicker func(time.Duration) (<-chan time.Time, func())
	// lockAttempted is called after each failed attempt to take the run lock; a test hook.
	lockAttempted func()
	// campaignAttempted is called after each lost attempt to lead; a test hook.
	campaignAttempted func()
	// beforeCommit runs in every write transaction just before its commit; a test hook.
	beforeCommit func(ctx context.Context, tx *txn)

	mu      gosync.Mutex
	locks   map[string]*heldLock // by token: the run locks this Store holds
	leaders map[*Leadership]bool // the leaderships won through this Store, until resigned or lost
	closed  bool
	wg      gosync.WaitGroup // heartbeats
}

// Open opens the state file at path, creating it (mode 0600) when missing unless opt.MustExist,
// and brings its schema up to date. Errors name the path and the cause. It returns an error
// wrapping ErrSchemaTooNew, without changing the file, when a newer build has written it.
//
// The daemon and one-off commands may open the same file at once, even for the first time: the
// schema is checked and migrated in one IMMEDIATE transaction, and what fails only because
// another process is opening the file too is retried for a bounded time.
func Open(ctx context.Context, path string, opt Options) (*Store, error) {
	return openAt(ctx, path, opt, len(migrations))
}

// openAt is Open with the schema brought only up to version, so tests can build old files.
func openAt(ctx context.Context, path string, opt Options, version int) (*Store, error) {
	if path == "" {
		return nil, errors.New("store: open: empty path")
	}
	if strings.HasPrefix(path, "postgres://") || strings.HasPrefix(path, "postgresql://") {
		// Not a file name: a SQLite file named after the URL would be created.
		return nil, fmt.Errorf("store: open %s: a PostgreSQL URL is not a state file path (OpenURL, SYNC_STATE_URL)", redactURL(path))
	}
	fail := func(err error) error { return fmt.Errorf("store: open %s: %w", path, err) }
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fail(err)
	}
	if err := prepareFile(abs, opt.MustExist); err != nil {
		return nil, fail(err)
	}
	db, err := sql.Open("sqlite", dataSource(abs))
	if err != nil {
		return nil, fail(err)
	}
	// One connection per process: SQLite has one writer anyway, and a single connection keeps the
	// per-connection pragmas and the IMMEDIATE transactions simple to reason about. Other
	// processes are serialized by SQLite's file locks and the busy timeout.
	db.SetMaxOpenConns(1)
	s := newStore(&pool{DB: db}, path, opt)
	if err := s.migrate(ctx, version); err != nil {
		db.Close()
		if errors.Is(err, ErrSchemaTooNew) {
			return nil, fmt.Errorf("store: %w", err) // already names the file
		}
		return nil, fail(describeSQLiteErr(path, err))
	}
	return s, nil
}

func newStore(db *pool, where string, opt Options) *Store {
	s := &Store{
		db:        db,
		path:      where,
		now:       opt.Now,
		lease:     opt.LockLease,
		self:      currentProcess(),
		newTicker: realTicker,
		locks:     map[string]*heldLock{},
		leaders:   map[*Leadership]bool{},
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.lease <= 0 {
		s.lease = DefaultLockLease
	}
	return s
}

// dataSource builds a SQLite URI, so that any character in the path (even '?' or '#') reaches
// SQLite intact, with the per-connection settings every connection needs.
func dataSource(abs string) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	// Every commit reaches the disk before it returns: the journal of a write must survive
	// not only kill -9 but a power cut (DESIGN §7 "Crashes lose nothing").
	q.Add("_pragma", "synchronous(FULL)")
	// Writers take the write lock at BEGIN: a deferred transaction that reads and then writes
	// fails with SQLITE_BUSY at once when another process wrote in between, busy timeout or not.
	q.Set("_txlock", "immediate")
	// prepareFile made the file: SQLite must not create one (with its own mode) if it vanished.
	q.Set("mode", "rw")
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs), RawQuery: q.Encode()}
	return u.String()
}

// Close releases any run lock still held through this Store, resigns its leaderships, and closes
// the file or the database connections.
func (s *Store) Close() error {
	s.mu.Lock()
	s.closed = true
	held := make([]*heldLock, 0, len(s.locks))
	for _, l := range s.locks {
		held = append(held, l)
	}
	leaders := make([]*Leadership, 0, len(s.leaders))
	for l := range s.leaders {
		leaders = append(leaders, l)
	}
	s.mu.Unlock()
	var errs []error
	for _, l := range held {
		if err := l.unlock(); err != nil && !errors.Is(err, ErrLockLost) {
			errs = append(errs, err)
		}
	}
	for _, l := range leaders {
		if err := l.Resign(); err != nil {
			errs = append(errs, err)
		}
	}
	if s.pg != nil {
		s.pg.presence.stop()
	}
	s.wg.Wait()
	if err := s.db.Close(); err != nil {
		errs = append(errs, fmt.Errorf("store: close %s: %w", s.path, err))
	}
	return errors.Join(errs...)
}

// inTx runs f in one write transaction and commits when f returns nil. Writers take their turn
// at the start, so what f reads stays true until it commits: SQLite's IMMEDIATE transactions take
// the file's write lock at BEGIN; on PostgreSQL, whose READ COMMITTED transactions would let two
// writers read the same row and both act on it, a transaction-scoped advisory lock does the same.
func (s *Store) inTx(ctx context.Context, f func(tx *txn) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if s.pg != nil {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, s.pg.writeKey); err != nil {
			_ = tx.Rollback()
			return err
		}
	}
	if err := f(tx); err != nil {
		_ = tx.Rollback() // the error from f is the one worth reporting
		return err
	}
	if s.beforeCommit != nil {
		s.beforeCommit(ctx, tx)
	}
	return tx.Commit()
}

// Times are stored as fixed-width UTC text: readable in the sqlite3 shell, and ordered the same
// way as text and as time.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) (time.Time, error) { return time.Parse(timeLayout, s) }

// nullTime stores the zero time as NULL.
func nullTime(t time.Time) sql.NullString {
	if t.IsZero() {
		return sql.NullString{}
	}
	return sql.NullString{String: formatTime(t), Valid: true}
}

func parseNullTime(s sql.NullString) (time.Time, error) {
	if !s.Valid {
		return time.Time{}, nil
	}
	return parseTime(s.String)
}

// runExists reports ErrNotFound for a run that was never begun, so a caller's mistake is named
// instead of surfacing as a foreign-key failure.
func runExists(ctx context.Context, tx *txn, runID string) error {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM runs WHERE id = ?`, runID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("run %s: %w", runID, ErrNotFound)
	}
	return err
}
