package store

import (
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	gosync "sync"
	"testing"
)

func pragmaInt(t *testing.T, db *sql.DB, name string) int {
	t.Helper()
	var v int
	if err := db.QueryRowContext(t.Context(), "PRAGMA "+name).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func hasTable(t *testing.T, db *sql.DB, name string) bool {
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
	for _, table := range []string{"links", "group_links", "runs", "entries", "held_plans", "held_entries", "run_lock", "seen"} {
		if !hasTable(t, s.db, table) {
			t.Errorf("table %s missing", table)
		}
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

func TestOpen_UpgradesOlderFile(t *testing.T) {
	ctx := t.Context()
	c := newClock()
	path := statePath(t)
	old, err := openAt(ctx, path, Options{Now: c.Now}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if v := pragmaInt(t, old.db, "user_version"); v != 1 {
		t.Fatalf("user_version %d, want 1", v)
	}
	if hasTable(t, old.db, "seen") {
		t.Fatal("version 1 already has the seen table")
	}
	if err := old.SaveLinks(ctx, map[string]string{"00u1": "101"}); err != nil {
		t.Fatal(err)
	}
	MustBeginRun(t, old, "r1", c.Now())
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
	if err := s.RecordSeen(ctx, "r1", []string{"00u1"}, []string{"101"}); err != nil {
		t.Fatalf("the upgraded file cannot record seen ids: %v", err)
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
