package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
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
}

// migrate checks the file is ours and not newer than this build, then applies the missing steps
// up to target, each in its own transaction. Nothing is written before those checks pass.
func (s *Store) migrate(ctx context.Context, target int) error {
	fail := func(err error) error { return fmt.Errorf("store: open %s: %w", s.path, err) }
	var appID, version, objects int
	if err := s.db.QueryRowContext(ctx, `PRAGMA application_id`).Scan(&appID); err != nil {
		return fail(err)
	}
	if err := s.db.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version); err != nil {
		return fail(err)
	}
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema`).Scan(&objects); err != nil {
		return fail(err)
	}
	switch {
	case appID != 0 && appID != applicationID, appID == 0 && (version != 0 || objects != 0):
		return fail(errors.New("not an okta-clickup-sync state file (another application's SQLite database?)"))
	case version > len(migrations):
		return fmt.Errorf("store: %w: state file %s has schema version %d; this build knows up to %d; upgrade okta-clickup-sync",
			ErrSchemaTooNew, s.path, version, len(migrations))
	}

	// WAL lets the daemon's writes and a drift query in another process proceed side by side.
	// It is a property of the file, so it is set after the checks above, never on a file we refuse.
	var mode string
	if err := s.db.QueryRowContext(ctx, `PRAGMA journal_mode = WAL`).Scan(&mode); err != nil {
		return fail(fmt.Errorf("enable WAL: %w", err))
	}
	if !strings.EqualFold(mode, "wal") {
		return fail(fmt.Errorf("enable WAL: journal mode is %q; keep the state file on a local filesystem", mode))
	}

	for v := version + 1; v <= target && v <= len(migrations); v++ {
		if err := s.inTx(ctx, func(tx *sql.Tx) error { return applyMigration(ctx, tx, v) }); err != nil {
			return fail(fmt.Errorf("migration %d (%s): %w", v, migrations[v-1].name, err))
		}
	}
	return nil
}

// applyMigration applies step v unless another process got there first while we waited for the
// write lock.
func applyMigration(ctx context.Context, tx *sql.Tx, v int) error {
	var current int
	if err := tx.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&current); err != nil {
		return err
	}
	if current >= v {
		return nil
	}
	if current != v-1 {
		return fmt.Errorf("schema version is %d, want %d", current, v-1)
	}
	if _, err := tx.ExecContext(ctx, migrations[v-1].sql); err != nil {
		return err
	}
	// PRAGMA takes no bound parameters; v is an int we control.
	stmts := fmt.Sprintf(`PRAGMA application_id = %d; PRAGMA user_version = %d`, applicationID, v)
	_, err := tx.ExecContext(ctx, stmts)
	return err
}
