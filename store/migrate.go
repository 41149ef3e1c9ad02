package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// applicationID marks the file as ours in the SQLite header ("OCSS"), so that pointing
// SYNC_STATE_PATH at some other database fails instead of adding tables to it.
const applicationID = 0x4F435353

// migration is one schema step. Version n is migrations[n-1]; the file's PRAGMA user_version is
// the last step applied. Steps are append-only: a released step is never edited, a change is a
// new step.
type migration struct {
	name string
	sql  string
}

var migrations = []migration{
	{name: "base tables", sql: `
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
	{name: "seen ids, entry lookups", sql: `
CREATE TABLE seen (
	run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
	side   TEXT NOT NULL CHECK (side IN ('okta', 'clickup')),
	id     TEXT NOT NULL,
	PRIMARY KEY (run_id, side, id)
);
CREATE INDEX entries_user ON entries (user COLLATE NOCASE);
CREATE INDEX entries_action ON entries (action);`},
	{name: "run lock holder's process", sql: `
ALTER TABLE run_lock ADD COLUMN boot_id TEXT NOT NULL DEFAULT '';
ALTER TABLE run_lock ADD COLUMN pid_ns TEXT NOT NULL DEFAULT '';
ALTER TABLE run_lock ADD COLUMN proc_start TEXT NOT NULL DEFAULT '';`},
	{name: "write journal, run kinds and processes, sticky holds, cursors", sql: `
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
}

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
	err := s.inTx(ctx, func(tx *sql.Tx) error {
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
			if _, err := tx.ExecContext(ctx, migrations[v-1].sql); err != nil {
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
