package store

import (
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	gosync "sync"
	"testing"
	"time"

	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

func pragmaInt(t *testing.T, db *pool, name string) int {
	t.Helper()
	var v int
	if err := db.QueryRowContext(t.Context(), "PRAGMA "+name).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func hasTable(t *testing.T, db *pool, name string) bool {
	t.Helper()
	var n int
	if err := db.QueryRowContext(t.Context(), `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?`, name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n == 1
}

func TestOpen_FreshFile(t *testing.T) {
	s := MustOpen(t, statePath(t), newClock())
	if v := pragmaInt(t, s.db, "user_version"); v != len(migrations) {
		t.Errorf("user_version %d, want %d", v, len(migrations))
	}
	if id := pragmaInt(t, s.db, "application_id"); id != applicationID {
		t.Errorf("application_id %#x, want %#x", id, applicationID)
	}
	if fk := pragmaInt(t, s.db, "foreign_keys"); fk != 1 {
		t.Errorf("foreign_keys %d, want 1", fk)
	}
	if bt := pragmaInt(t, s.db, "busy_timeout"); bt != int(busyTimeout.Milliseconds()) {
		t.Errorf("busy_timeout %d, want %d", bt, busyTimeout.Milliseconds())
	}
	var mode string
	if err := s.db.QueryRowContext(t.Context(), "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode %q (%v), want wal", mode, err)
	}
	if sync := pragmaInt(t, s.db, "synchronous"); sync != 2 {
		t.Errorf("synchronous %d, want 2 (FULL): a journaled write must survive a power cut", sync)
	}
	for _, table := range []string{"links", "group_links", "runs", "entries", "held_plans", "held_entries", "run_lock", "holds", "cursors"} {
		if !hasTable(t, s.db, table) {
			t.Errorf("table %s missing", table)
		}
	}
	if hasTable(t, s.db, "seen") {
		t.Error("the seen table is still there")
	}
}

func TestOpen_PathWithURICharacters(t *testing.T) {
	// The path becomes a SQLite URI; characters with a meaning there must still name the file.
	path := filepath.Join(t.TempDir(), "state?x=1#frag%20.db")
	s := MustOpen(t, path, newClock())
	if err := s.SaveLinks(t.Context(), map[string]string{"00u1": "1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("state file not at the given path: %v", err)
	}
}

// v2Data is what a state file of schema version 2 (the last before the write journal) holds:
// one of everything, written with that version's SQL.
const v2Data = `
INSERT INTO links VALUES ('00u1', '101', '2025-01-01T00:00:00.000000000Z', '2025-02-01T00:00:00.000000000Z');
INSERT INTO group_links VALUES ('00g1', 'team-1', '2025-01-01T00:00:00.000000000Z', '2025-02-01T00:00:00.000000000Z');
INSERT INTO runs VALUES ('r1', 'schedule', 0, '2025-02-01T00:00:00.000000000Z', '2025-02-01T00:01:00.000000000Z',
	'held', '{"actions":{"deactivate":1},"outcomes":{"held":1},"writes":0,"failures":0}', '', '');
INSERT INTO runs VALUES ('r2', 'manual', 0, '2025-03-01T11:00:00.000000000Z', NULL, 'running', '{}', '', '');
INSERT INTO entries VALUES ('r1', 1, 'deactivate', '00u2', '102', 'Bob@X.io', 'active', 'true', 'false', 'cap', 'held', '');
INSERT INTO entries VALUES ('r2', 1, 'create_user', '00u3', '103', 'cy@x.io', 'role', '', 'member', '', 'applied', '');
INSERT INTO held_plans VALUES ('r1', '2025-02-01T00:01:00.000000000Z', NULL, NULL);
INSERT INTO held_entries VALUES ('r1', 1, 'deactivate', '00u2', '102', 'Bob@X.io', 'active', 'true', 'false', 'cap', 'held', '');
INSERT INTO run_lock VALUES (1, 'tok', 'daemon', 4242, 'elsewhere', '2025-03-01T11:59:00.000000000Z',
	'2025-03-01T11:59:00.000000000Z', '2025-03-01T12:01:00.000000000Z');
INSERT INTO seen VALUES ('r1', 'okta', '00u1');`

func TestOpen_UpgradesVersion2File(t *testing.T) {
	ctx := t.Context()
	c := newClock() // 2025-03-01T12:00Z: the v2 lock's lease runs another minute
	path := statePath(t)
	old, err := openAt(ctx, path, Options{Now: c.Now}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if v := pragmaInt(t, old.db, "user_version"); v != 2 {
		t.Fatalf("user_version %d, want 2", v)
	}
	if _, err := old.db.ExecContext(ctx, v2Data); err != nil {
		t.Fatal(err)
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}

	s := MustOpen(t, path, c)
	if v := pragmaInt(t, s.db, "user_version"); v != len(migrations) {
		t.Fatalf("user_version %d after upgrade, want %d", v, len(migrations))
	}
	if hasTable(t, s.db, "seen") {
		t.Error("the seen table survived the upgrade")
	}
	if links, err := s.Links(ctx); err != nil || !maps.Equal(links, map[string]string{"00u1": "101"}) {
		t.Errorf("links after upgrade %v (%v)", links, err)
	}
	if links, err := s.GroupLinks(ctx); err != nil || !maps.Equal(links, map[string]string{"00g1": "team-1"}) {
		t.Errorf("group links after upgrade %v (%v)", links, err)
	}
	runs, err := s.Runs(ctx, RunFilter{})
	if err != nil || len(runs) != 2 {
		t.Fatalf("runs after upgrade %+v (%v)", runs, err)
	}
	r1 := runs[1]
	if r1.ID != "r1" || r1.Kind != KindFull || r1.Outcome != RunHeld || r1.Summary.Outcomes[core.OutcomeHeld] != 1 ||
		!r1.End.Equal(time.Date(2025, 2, 1, 0, 1, 0, 0, time.UTC)) {
		t.Errorf("run r1 after upgrade %+v", r1)
	}
	bob := core.Entry{Action: core.ActionDeactivate, OktaUserID: "00u2", ClickUpUserID: "102", User: "Bob@X.io", Field: "active",
		From: "true", To: "false", Reason: "cap", Outcome: core.OutcomeHeld}
	// The renamed user column still matches case-insensitively.
	entries, err := s.Entries(ctx, EntryFilter{User: "bob@x.io"})
	if err != nil || len(entries) != 1 || !reflect.DeepEqual(entries[0].Entry, bob) || entries[0].Kind != KindFull {
		t.Errorf("entries of bob after upgrade %+v (%v)", entries, err)
	}
	if held, err := s.Held(ctx, "r1"); err != nil || !reflect.DeepEqual(held, []core.Entry{bob}) {
		t.Errorf("held plan after upgrade %+v (%v)", held, err)
	}
	if err := s.MarkApproved(ctx, "r1", "r3"); err != nil {
		t.Errorf("approving the upgraded held plan: %v", err)
	}
	// The v2 lock knows no process start time: its holder is judged by its lease alone.
	_, err = s.Lock(ctx, "reconcile", 0)
	var held *LockedError
	if !errors.As(err, &held) || held.Owner != "daemon" || held.PID != 4242 || held.Host != "elsewhere" {
		t.Errorf("lock of the upgraded file: %v, want held by the v2 holder", err)
	}
	c.Advance(time.Minute)
	unlock, err := s.Lock(ctx, "reconcile", 0)
	if err != nil {
		t.Fatalf("lock once the v2 lease ran out: %v", err)
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	// The running v2 run has no recorded process: it is left alone for a day, then interrupted.
	if ids, err := s.MarkInterrupted(ctx); err != nil || len(ids) != 0 {
		t.Errorf("interrupted %v (%v) right after the upgrade, want none", ids, err)
	}
	c.Advance(orphanAge)
	if ids, err := s.MarkInterrupted(ctx); err != nil || !slices.Equal(ids, []string{"r2"}) {
		t.Errorf("interrupted %v (%v) a day later, want r2", ids, err)
	}
	// And the upgraded file takes the new data.
	MustBeginRun(t, s, "r3", c.Now())
	MustJournal(t, s, "r3", []core.Entry{bob}, nil)
	if err := s.SaveHeld(ctx, "r3", []core.Entry{bob}); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveCursor(ctx, "systemlog", "x"); err != nil {
		t.Fatal(err)
	}
}

func TestOpen_UpgradesVersion1File(t *testing.T) {
	ctx := t.Context()
	c := newClock()
	path := statePath(t)
	old, err := openAt(ctx, path, Options{Now: c.Now}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if hasTable(t, old.db, "seen") {
		t.Fatal("version 1 already has the seen table")
	}
	if err := old.SaveLinks(ctx, map[string]string{"00u1": "101"}); err != nil {
		t.Fatal(err)
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}
	s := MustOpen(t, path, c)
	if v := pragmaInt(t, s.db, "user_version"); v != len(migrations) {
		t.Fatalf("user_version %d after upgrade, want %d", v, len(migrations))
	}
	if links, err := s.Links(ctx); err != nil || links["00u1"] != "101" {
		t.Fatalf("links after upgrade %v (%v)", links, err)
	}
}

func TestOpen_RefusesNewerFile(t *testing.T) {
	ctx := t.Context()
	path := statePath(t)
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	newer := len(migrations) + 1
	if _, err := s.db.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", newer)); err != nil {
		t.Fatal(err)
	}
	// A rollback journal, so that even switching the refused file to WAL would show as a change.
	if _, err := s.db.ExecContext(ctx, "PRAGMA journal_mode = DELETE"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	_, err = Open(ctx, path, Options{})
	if !errors.Is(err, ErrSchemaTooNew) {
		t.Fatalf("err %v, want ErrSchemaTooNew", err)
	}
	want := fmt.Sprintf("state file %s has schema version %d; this build knows up to %d; upgrade okta-clickup-sync", path, newer, len(migrations))
	if !strings.Contains(err.Error(), want) {
		t.Errorf("err %q does not say %q", err, want)
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Error("the refused file was modified")
	}
}

func TestOpen_RefusesForeignDatabase(t *testing.T) {
	ctx := t.Context()
	path := statePath(t)
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE invoices (id INTEGER PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = Open(ctx, path, Options{})
	if err == nil || !strings.Contains(err.Error(), "not an okta-clickup-sync state file") {
		t.Fatalf("err %v, want a refusal of the foreign database", err)
	}
}

func TestOpen_RefusesNonDatabase(t *testing.T) {
	path := statePath(t)
	if err := os.WriteFile(path, []byte("log_level: debug\n"+strings.Repeat("x", 4096)), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(t.Context(), path, Options{})
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("err %v, want an error naming %s", err, path)
	}
}

func TestOpen_ConcurrentFirstOpen(t *testing.T) {
	// The daemon and a one-off command may both create the file; the migrations must run once.
	path := statePath(t)
	var wg gosync.WaitGroup
	stores := make([]*Store, 8)
	errs := make([]error, 8)
	for i := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stores[i], errs[i] = Open(t.Context(), path, Options{})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("open %d: %v", i, err)
			continue
		}
		if v := pragmaInt(t, stores[i].db, "user_version"); v != len(migrations) {
			t.Errorf("open %d: user_version %d", i, v)
		}
		if err := stores[i].Close(); err != nil {
			t.Error(err)
		}
	}
}
