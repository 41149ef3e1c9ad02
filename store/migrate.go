package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// applicationID marks the file as ours in the SQLite header ("OCSS"), so that pointing
// SYNC_STATE_PATH at some other database fails instead of adding tables to it.
const applicationID = 0x4F435353

// migration is one schema step, in the SQL of each backend. Version n is migrations[n-1]; a SQLite
// file's PRAGMA user_version, or a PostgreSQL schema's schema_version table, is the last step
// applied. Steps are append-only: a released step is never edited, a change is a new step.
//
// PostgreSQL stores began at version 4: the steps before it have no PostgreSQL SQL, and version
// 4's creates at once what SQLite's steps 1 to 4 built. From version 5 on, every step has both.
type migration struct {
	name     string
	sqlite   string
	postgres string // empty: folded into a later step (see above)
}

var migrations = []migration{
	{name: "base tables", sqlite: `
CREATE TABLE links (
	okta_id    TEXT NOT NULL PRIMARY KEY,
	clickup_id TEXT NOT NULL UNIQUE,
	first_seen TEXT NOT NULL,
	last_seen  TEXT NOT NULL
);
CREATE TABLE group_links (
	okta_id    TEXT NOT NULL PRIMARY KEY,
	clickup_id TEXT NOT NULL UNIQUE,
	first_seen TEXT NOT NULL,
	last_seen  TEXT NOT NULL
);
CREATE TABLE runs (
	id           TEXT    NOT NULL PRIMARY KEY,
	trigger      TEXT    NOT NULL,
	dry_run      INTEGER NOT NULL,
	started_at   TEXT    NOT NULL,
	ended_at     TEXT,
	outcome      TEXT    NOT NULL,
	summary      TEXT    NOT NULL DEFAULT '{}',
	error        TEXT    NOT NULL DEFAULT '',
	approves_run TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX runs_started_at ON runs (started_at);
CREATE TABLE entries (
	run_id          TEXT    NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
	seq             INTEGER NOT NULL,
	action          TEXT    NOT NULL,
	okta_user_id    TEXT    NOT NULL,
	clickup_user_id TEXT    NOT NULL,
	user            TEXT    NOT NULL,
	field           TEXT    NOT NULL,
	from_value      TEXT    NOT NULL,
	to_value        TEXT    NOT NULL,
	reason          TEXT    NOT NULL,
	outcome         TEXT    NOT NULL,
	error           TEXT    NOT NULL,
	PRIMARY KEY (run_id, seq)
);
CREATE TABLE held_plans (
	run_id      TEXT NOT NULL PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
	created_at  TEXT NOT NULL,
	-- No foreign key: pruning the approving run must not make the plan look unapproved.
	approved_by TEXT,
	approved_at TEXT
);
CREATE TABLE held_entries (
	run_id          TEXT    NOT NULL REFERENCES held_plans (run_id) ON DELETE CASCADE,
	seq             INTEGER NOT NULL,
	action          TEXT    NOT NULL,
	okta_user_id    TEXT    NOT NULL,
	clickup_user_id TEXT    NOT NULL,
	user            TEXT    NOT NULL,
	field           TEXT    NOT NULL,
	from_value      TEXT    NOT NULL,
	to_value        TEXT    NOT NULL,
	reason          TEXT    NOT NULL,
	outcome         TEXT    NOT NULL,
	error           TEXT    NOT NULL,
	PRIMARY KEY (run_id, seq)
);
CREATE TABLE run_lock (
	id          INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
	token       TEXT    NOT NULL,
	owner       TEXT    NOT NULL,
	pid         INTEGER NOT NULL,
	host        TEXT    NOT NULL,
	acquired_at TEXT    NOT NULL,
	renewed_at  TEXT    NOT NULL,
	expires_at  TEXT    NOT NULL
);`},
	{name: "seen ids, entry lookups", sqlite: `
CREATE TABLE seen (
	run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
	side   TEXT NOT NULL CHECK (side IN ('okta', 'clickup')),
	id     TEXT NOT NULL,
	PRIMARY KEY (run_id, side, id)
);
CREATE INDEX entries_user ON entries (user COLLATE NOCASE);
CREATE INDEX entries_action ON entries (action);`},
	{name: "run lock holder's process", sqlite: `
ALTER TABLE run_lock ADD COLUMN boot_id TEXT NOT NULL DEFAULT '';
ALTER TABLE run_lock ADD COLUMN pid_ns TEXT NOT NULL DEFAULT '';
ALTER TABLE run_lock ADD COLUMN proc_start TEXT NOT NULL DEFAULT '';`},
	{name: "write journal, run kinds and processes, sticky holds, cursors", postgres: pgVersion4, sqlite: `
DROP TABLE seen;

ALTER TABLE runs ADD COLUMN kind TEXT NOT NULL DEFAULT 'full';
ALTER TABLE runs ADD COLUMN managed_active INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN host TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN pid INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN boot_id TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN pid_ns TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN proc_start TEXT NOT NULL DEFAULT '';

-- "user" is a reserved word elsewhere (PostgreSQL), and NOCASE a SQLite collation.
ALTER TABLE entries RENAME COLUMN user TO user_name;
ALTER TABLE held_entries RENAME COLUMN user TO user_name;
DROP INDEX entries_user;
CREATE INDEX entries_user_name ON entries (lower(user_name));

-- The journal: when a write's request was about to go out, and when its outcome came back.
ALTER TABLE entries ADD COLUMN write_started_at TEXT;
ALTER TABLE entries ADD COLUMN write_done_at TEXT;

-- Open sticky holds (DESIGN §7), one per held user or Team. No foreign keys: a hold outlives
-- the runs that held it until it is approved or no longer warranted.
CREATE TABLE holds (
	hold_key        TEXT NOT NULL PRIMARY KEY,
	run_id          TEXT NOT NULL,
	last_run_id     TEXT NOT NULL,
	first_held_at   TEXT NOT NULL,
	last_held_at    TEXT NOT NULL,
	action          TEXT NOT NULL,
	okta_user_id    TEXT NOT NULL,
	clickup_user_id TEXT NOT NULL,
	user_name       TEXT NOT NULL,
	field           TEXT NOT NULL,
	from_value      TEXT NOT NULL,
	to_value        TEXT NOT NULL,
	reason          TEXT NOT NULL,
	outcome         TEXT NOT NULL,
	error           TEXT NOT NULL
);

CREATE TABLE cursors (
	name       TEXT NOT NULL PRIMARY KEY,
	value      TEXT NOT NULL,
	updated_at TEXT NOT NULL
);`},
	{name: "database sessions, forwarded requests", sqlite: version5, postgres: version5},
}

// version5 is the same in both backends.
const version5 = `
-- The database session of the process behind a run or a run lock (PostgreSQL; see presence.go).
ALTER TABLE runs ADD COLUMN session TEXT NOT NULL DEFAULT '';
ALTER TABLE run_lock ADD COLUMN session TEXT NOT NULL DEFAULT '';

-- What standbys forward to the leader (DESIGN §14): a trigger, an approval.
CREATE TABLE requests (
	id         TEXT NOT NULL PRIMARY KEY,
	kind       TEXT NOT NULL,
	arg        TEXT NOT NULL,
	state      TEXT NOT NULL CHECK (state IN ('pending', 'taken', 'done')),
	result     TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	taken_at   TEXT,
	done_at    TEXT,
	taken_by   TEXT NOT NULL DEFAULT '',
	attempts   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX requests_state ON requests (state, created_at);`

// pgVersion4 is the schema of SQLite's version 4, in PostgreSQL's SQL.
const pgVersion4 = `
CREATE TABLE links (
	okta_id    TEXT NOT NULL PRIMARY KEY,
	clickup_id TEXT NOT NULL UNIQUE,
	first_seen TEXT NOT NULL,
	last_seen  TEXT NOT NULL
);
CREATE TABLE group_links (
	okta_id    TEXT NOT NULL PRIMARY KEY,
	clickup_id TEXT NOT NULL UNIQUE,
	first_seen TEXT NOT NULL,
	last_seen  TEXT NOT NULL
);
CREATE TABLE runs (
	id             TEXT    NOT NULL PRIMARY KEY,
	trigger        TEXT    NOT NULL,
	dry_run        BOOLEAN NOT NULL,
	started_at     TEXT    NOT NULL,
	ended_at       TEXT,
	outcome        TEXT    NOT NULL,
	summary        TEXT    NOT NULL DEFAULT '{}',
	error          TEXT    NOT NULL DEFAULT '',
	approves_run   TEXT    NOT NULL DEFAULT '',
	kind           TEXT    NOT NULL DEFAULT 'full',
	managed_active INTEGER NOT NULL DEFAULT 0,
	host           TEXT    NOT NULL DEFAULT '',
	pid            INTEGER NOT NULL DEFAULT 0,
	boot_id        TEXT    NOT NULL DEFAULT '',
	pid_ns         TEXT    NOT NULL DEFAULT '',
	proc_start     TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX runs_started_at ON runs (started_at);
CREATE TABLE entries (
	run_id           TEXT    NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
	seq              INTEGER NOT NULL,
	action           TEXT    NOT NULL,
	okta_user_id     TEXT    NOT NULL,
	clickup_user_id  TEXT    NOT NULL,
	user_name        TEXT    NOT NULL,
	field            TEXT    NOT NULL,
	from_value       TEXT    NOT NULL,
	to_value         TEXT    NOT NULL,
	reason           TEXT    NOT NULL,
	outcome          TEXT    NOT NULL,
	error            TEXT    NOT NULL,
	write_started_at TEXT,
	write_done_at    TEXT,
	PRIMARY KEY (run_id, seq)
);
CREATE INDEX entries_user_name ON entries (lower(user_name));
CREATE INDEX entries_action ON entries (action);
CREATE TABLE held_plans (
	run_id      TEXT NOT NULL PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
	created_at  TEXT NOT NULL,
	approved_by TEXT,
	approved_at TEXT
);
CREATE TABLE held_entries (
	run_id          TEXT    NOT NULL REFERENCES held_plans (run_id) ON DELETE CASCADE,
	seq             INTEGER NOT NULL,
	action          TEXT    NOT NULL,
	okta_user_id    TEXT    NOT NULL,
	clickup_user_id TEXT    NOT NULL,
	user_name       TEXT    NOT NULL,
	field           TEXT    NOT NULL,
	from_value      TEXT    NOT NULL,
	to_value        TEXT    NOT NULL,
	reason          TEXT    NOT NULL,
	outcome         TEXT    NOT NULL,
	error           TEXT    NOT NULL,
	PRIMARY KEY (run_id, seq)
);
CREATE TABLE run_lock (
	id          INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
	token       TEXT    NOT NULL,
	owner       TEXT    NOT NULL,
	pid         INTEGER NOT NULL,
	host        TEXT    NOT NULL,
	acquired_at TEXT    NOT NULL,
	renewed_at  TEXT    NOT NULL,
	expires_at  TEXT    NOT NULL,
	boot_id     TEXT    NOT NULL DEFAULT '',
	pid_ns      TEXT    NOT NULL DEFAULT '',
	proc_start  TEXT    NOT NULL DEFAULT ''
);
CREATE TABLE holds (
	hold_key        TEXT NOT NULL PRIMARY KEY,
	run_id          TEXT NOT NULL,
	last_run_id     TEXT NOT NULL,
	first_held_at   TEXT NOT NULL,
	last_held_at    TEXT NOT NULL,
	action          TEXT NOT NULL,
	okta_user_id    TEXT NOT NULL,
	clickup_user_id TEXT NOT NULL,
	user_name       TEXT NOT NULL,
	field           TEXT NOT NULL,
	from_value      TEXT NOT NULL,
	to_value        TEXT NOT NULL,
	reason          TEXT NOT NULL,
	outcome         TEXT NOT NULL,
	error           TEXT NOT NULL
);
CREATE TABLE cursors (
	name       TEXT NOT NULL PRIMARY KEY,
	value      TEXT NOT NULL,
	updated_at TEXT NOT NULL
);`

// openBusyBound is how long Open keeps retrying when another process holds a lock it needs
// without SQLite waiting for it (a first open racing another one, a WAL switch, a recovery).
const openBusyBound = 2 * busyTimeout

// migrate checks the file is ours and not newer than this build, applies the missing steps up to
// target, and switches the file to WAL. It retries what fails only because another process is
// opening the same file at the same moment.
func (s *Store) migrate(ctx context.Context, target int) error {
	deadline := time.Now().Add(openBusyBound)
	pause := 5 * time.Millisecond
	for {
		err := s.migrateOnce(ctx, target)
		if err == nil || !isBusy(err) || time.Now().After(deadline) {
			return err
		}
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return context.Cause(ctx)
		case <-t.C:
		}
		pause = min(2*pause, 200*time.Millisecond)
	}
}

// migrateOnce decides and migrates inside one IMMEDIATE transaction: read outside one, the
// header of a file that another process is creating could show its tables but not yet its
// application id, and the file would be refused as another application's. Nothing is written
// before the checks pass.
func (s *Store) migrateOnce(ctx context.Context, target int) error {
	err := s.inTx(ctx, func(tx *txn) error {
		var appID, version, objects int
		if err := tx.QueryRowContext(ctx, `PRAGMA application_id`).Scan(&appID); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema`).Scan(&objects); err != nil {
			return err
		}
		switch {
		case appID != 0 && appID != applicationID, appID == 0 && (version != 0 || objects != 0):
			return errForeign
		case version > len(migrations):
			return fmt.Errorf("%w: state file %s has schema version %d; this build knows up to %d; upgrade okta-clickup-sync",
				ErrSchemaTooNew, s.path, version, len(migrations))
		}
		for v := version + 1; v <= target && v <= len(migrations); v++ {
			if _, err := tx.ExecContext(ctx, migrations[v-1].sqlite); err != nil {
				return fmt.Errorf("migration %d (%s): %w", v, migrations[v-1].name, err)
			}
			// PRAGMA takes no bound parameters; v is an int we control.
			stmts := fmt.Sprintf(`PRAGMA application_id = %d; PRAGMA user_version = %d`, applicationID, v)
			if _, err := tx.ExecContext(ctx, stmts); err != nil {
				return fmt.Errorf("migration %d (%s): %w", v, migrations[v-1].name, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}

	// WAL lets the daemon's writes and a drift query in another process proceed side by side.
	// It is a property of the file, so it is set after the checks above, never on a file we
	// refuse; and outside a transaction, where SQLite allows the switch. Switching needs every
	// other connection out of the file for an instant; when one is in, this fails busy and
	// migrate tries again.
	var mode string
	if err := s.db.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
		return fmt.Errorf("read journal mode: %w", err)
	}
	if strings.EqualFold(mode, "wal") {
		return nil
	}
	if err := s.db.QueryRowContext(ctx, `PRAGMA journal_mode = WAL`).Scan(&mode); err != nil {
		return fmt.Errorf("enable WAL: %w", err)
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("enable WAL: journal mode is %q; keep the state file on a local filesystem", mode)
	}
	return nil
}

// errForeign refuses a SQLite file that some other program made.
var errForeign = errors.New("not an okta-clickup-sync state file (another application's SQLite database?)")
