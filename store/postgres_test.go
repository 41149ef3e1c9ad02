package store

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	gosync "sync"
	"testing"
	"time"
)

// pgLoc is the URL of a fresh PostgreSQL database; the test is skipped without a server.
func pgLoc(t *testing.T) string {
	t.Helper()
	return postgresBackend(t).fresh(t)
}

// terminate ends a server session, as a lost connection or a killed process would, and waits
// until it has ended.
func terminate(t *testing.T, loc string, pid uint32) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var ended bool
	if err := rawDB(t, loc).QueryRowContext(ctx, `SELECT pg_terminate_backend($1, 5000)`, int64(pid)).Scan(&ended); err != nil || !ended {
		t.Fatalf("terminate backend %d: %v (ended %v)", pid, err, ended)
	}
}

// within waits for ch, failing the test after d.
func within[T any](t *testing.T, ch <-chan T, d time.Duration, what string) T {
	t.Helper()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case v := <-ch:
		return v
	case <-timer.C:
		t.Fatalf("%s: not within %s", what, d)
		var zero T
		return zero
	}
}

type campaignResult struct {
	l   *Leadership
	err error
}

func campaign(ctx context.Context, s *Store, name string) <-chan campaignResult {
	won := make(chan campaignResult, 1)
	go func() {
		l, err := s.Campaign(ctx, name)
		won <- campaignResult{l, err}
	}()
	return won
}

// takeoverBound is DESIGN §14's: a killed or cut-off leader is replaced within 15 s.
const takeoverBound = 15 * time.Second

func TestPostgres_Leadership(t *testing.T) {
	loc := pgLoc(t)
	ctx := t.Context()
	c := newClock()
	a, b := MustOpen(t, loc, c), MustOpen(t, loc, c)

	leader, err := a.Campaign(ctx, "daemon")
	if err != nil {
		t.Fatal(err)
	}
	attempted := make(chan struct{}, 1)
	b.campaignAttempted = func() {
		select {
		case attempted <- struct{}{}:
		default:
		}
	}
	standby := campaign(ctx, b, "daemon")
	within(t, attempted, takeoverBound, "the standby's first attempt")
	select {
	case r := <-standby:
		t.Fatalf("the standby leads beside the leader: %+v", r)
	default:
	}
	if leader.Err() != nil {
		t.Fatalf("leader's Err while leading: %v", leader.Err())
	}

	// Another election is independent of this one.
	other, err := b.Campaign(ctx, "other")
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Resign(); err != nil {
		t.Fatal(err)
	}

	// The leader's connection dies (its process killed, its host gone).
	killed := time.Now()
	terminate(t, loc, leader.se.pid)
	within(t, leader.Done(), takeoverBound, "the old leader noticing its loss")
	if err := leader.Err(); !errors.Is(err, ErrLeadershipLost) || !strings.Contains(err.Error(), "daemon") {
		t.Fatalf("the old leader's Err: %v, want ErrLeadershipLost naming the election", err)
	}
	r := within(t, standby, takeoverBound-time.Since(killed), "a standby leading after the leader was killed")
	if r.err != nil {
		t.Fatal(r.err)
	}
	t.Logf("the standby led %s after the leader's connection was killed", time.Since(killed).Round(time.Millisecond))
	if err := leader.Resign(); err != nil {
		t.Fatalf("resigning a lost leadership: %v", err)
	}

	// Resigning hands over at the next try.
	again := campaign(ctx, a, "daemon")
	if err := r.l.Resign(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-r.l.Done():
	default:
		t.Fatal("Done still open after Resign")
	}
	if err := r.l.Err(); err != nil {
		t.Fatalf("Err after Resign: %v", err)
	}
	r2 := within(t, again, takeoverBound, "leading after a resignation")
	if r2.err != nil {
		t.Fatal(r2.err)
	}

	// Closing the Store resigns too.
	standby = campaign(ctx, b, "daemon")
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	within(t, r2.l.Done(), time.Second, "Close ending the leadership")
	if r := within(t, standby, takeoverBound, "leading after the leader closed its store"); r.err != nil {
		t.Fatal(r.err)
	}
	if _, err := a.Campaign(ctx, "daemon"); err == nil {
		t.Fatal("campaigned through a closed store")
	}
}

func TestPostgres_SilentLeaderLosesItsLock(t *testing.T) {
	// A leader cut off from the server, or frozen, says nothing: the server ends its silent
	// session after the idle bound, freeing the lock for a standby within DESIGN §14's bound.
	loc := pgLoc(t)
	ctx := t.Context()
	c := newClock()
	a, b := MustOpen(t, loc, c), MustOpen(t, loc, c)
	a.pg.pingEvery = time.Hour
	if _, err := a.Campaign(ctx, "daemon"); err != nil {
		t.Fatal(err)
	}
	silent := time.Now()
	r := within(t, campaign(ctx, b, "daemon"), takeoverBound, "a standby leading in place of a silent leader")
	if r.err != nil {
		t.Fatal(r.err)
	}
	if took := time.Since(silent); took < sessionIdleTimeout-time.Second {
		t.Fatalf("the standby led after %s, before the server could have ended the silent session", took)
	}
}

func TestPostgres_CampaignEndsWithItsContext(t *testing.T) {
	loc := pgLoc(t)
	c := newClock()
	a, b := MustOpen(t, loc, c), MustOpen(t, loc, c)
	if _, err := a.Campaign(t.Context(), "daemon"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	b.campaignAttempted = cancel
	if _, err := b.Campaign(ctx, "daemon"); !errors.Is(err, context.Canceled) {
		t.Fatalf("campaign: %v, want context.Canceled", err)
	}
}

func TestPostgres_HolderWhoseSessionEnded(t *testing.T) {
	// A process on another host took the run lock and began a run, then died. Its lease runs
	// another two minutes, but its database session has ended: the next process takes the lock
	// and marks the run interrupted at once.
	loc := pgLoc(t)
	ctx := t.Context()
	c := newClock()
	other := impostor(t, loc, c, otherHost)
	if _, err := other.Lock(ctx, "other", 0); err != nil {
		t.Fatal(err)
	}
	if err := other.BeginRun(ctx, Run{ID: "r1", Trigger: TriggerSchedule}); err != nil {
		t.Fatal(err)
	}
	s := MustOpen(t, loc, c)
	if _, err := s.Lock(ctx, "daemon", 0); !errors.Is(err, ErrLocked) {
		t.Fatalf("lock while its holder's session lives: %v, want ErrLocked", err)
	}
	if ids, err := s.MarkInterrupted(ctx); err != nil || len(ids) != 0 {
		t.Fatalf("interrupted %v (%v) while its process's session lives", ids, err)
	}

	other.pg.presence.stop() // what the end of its process does to its connections

	unlock, err := s.Lock(ctx, "daemon", 0)
	if err != nil {
		t.Fatalf("lock of a holder whose session ended: %v, want it taken at once", err)
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	ids, err := s.MarkInterrupted(ctx)
	if err != nil || !slices.Equal(ids, []string{"r1"}) {
		t.Fatalf("interrupted %v (%v), want r1", ids, err)
	}
	r, err := s.Run(ctx, "r1")
	if err != nil || !strings.Contains(r.Error, "its database session has ended") || !strings.Contains(r.Error, "on elsewhere") {
		t.Fatalf("run %+v (%v): want it interrupted, naming the process and why", r, err)
	}
}

func TestPostgres_ConnectionDroppedMidTransaction(t *testing.T) {
	// The connection dies between the writes of a transaction and its commit: the call fails,
	// nothing of it is written, and the store carries on with a new connection.
	loc := pgLoc(t)
	ctx := t.Context()
	c := newClock()
	s := MustOpen(t, loc, c)
	MustBeginRun(t, s, "r1", c.Now())
	s.beforeCommit = func(ctx context.Context, tx *txn) {
		var pid int64
		if err := tx.QueryRowContext(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
			t.Error(err)
			return
		}
		terminate(t, loc, uint32(pid))
	}
	err := s.SaveHeld(ctx, "r1", heldEntries())
	if err == nil {
		t.Fatal("a held plan was saved over a dropped connection")
	}
	t.Logf("SaveHeld over a dropped connection: %v", err)
	s.beforeCommit = nil
	if _, err := s.Held(ctx, "r1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("held plan after the failed save: %v, want none", err)
	}
	if holds, err := s.Holds(ctx); err != nil || len(holds) != 0 {
		t.Fatalf("holds after the failed save %+v (%v), want none", holds, err)
	}
	if err := s.SaveHeld(ctx, "r1", heldEntries()); err != nil {
		t.Fatalf("save after reconnecting: %v", err)
	}
	if holds, err := s.Holds(ctx); err != nil || len(holds) != 2 {
		t.Fatalf("holds after the retried save %+v (%v)", holds, err)
	}
}

func TestOpenURL_SameSchemaAsSQLite(t *testing.T) {
	loc := pgLoc(t)
	p := MustOpen(t, loc, newClock())
	q := MustOpen(t, statePath(t), newClock())
	var app string
	var version int
	if err := p.db.QueryRowContext(t.Context(), `SELECT application, version FROM schema_version`).Scan(&app, &version); err != nil ||
		app != pgApplication || version != len(migrations) {
		t.Fatalf("schema_version %q %d (%v), want %q %d", app, version, err, pgApplication, len(migrations))
	}
	pgTables := strings.Join(queryStrings(t, p, `SELECT table_name FROM information_schema.tables
WHERE table_schema = current_schema() AND table_name <> 'schema_version' ORDER BY table_name`), ",")
	sqliteTables := strings.Join(queryStrings(t, q, `SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`), ",")
	if pgTables != sqliteTables {
		t.Fatalf("PostgreSQL tables %s, SQLite tables %s", pgTables, sqliteTables)
	}
	for _, table := range strings.Split(sqliteTables, ",") {
		pgCols := queryStrings(t, p, `SELECT column_name || ' ' || is_nullable FROM information_schema.columns
WHERE table_schema = current_schema() AND table_name = ? ORDER BY column_name`, table)
		sqliteCols := queryStrings(t, q, `SELECT name || ' ' || CASE WHEN "notnull" = 1 OR pk > 0 THEN 'NO' ELSE 'YES' END
FROM pragma_table_info(?) ORDER BY name`, table)
		if !slices.Equal(pgCols, sqliteCols) {
			t.Errorf("table %s: PostgreSQL columns %v, SQLite columns %v", table, pgCols, sqliteCols)
		}
	}
}

func queryStrings(t *testing.T, s *Store, q string, args ...any) []string {
	t.Helper()
	rows, err := s.db.QueryContext(t.Context(), q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestOpenURL_RefusesNewerSchema(t *testing.T) {
	loc := pgLoc(t)
	ctx := t.Context()
	s, err := OpenURL(ctx, loc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	newer := len(migrations) + 1
	db := rawDB(t, loc)
	if _, err := db.ExecContext(ctx, `UPDATE schema_version SET version = $1`, newer); err != nil {
		t.Fatal(err)
	}
	_, err = OpenURL(ctx, loc, Options{})
	want := fmt.Sprintf("database %s has schema version %d; this build knows up to %d; upgrade okta-clickup-sync",
		redactURL(loc), newer, len(migrations))
	if !errors.Is(err, ErrSchemaTooNew) || !strings.Contains(err.Error(), want) {
		t.Fatalf("err %v, want ErrSchemaTooNew saying %q", err, want)
	}
	var version int
	if err := db.QueryRowContext(ctx, `SELECT version FROM schema_version`).Scan(&version); err != nil || version != newer {
		t.Fatalf("version %d (%v) after the refusal, want it left at %d", version, err, newer)
	}
}

func TestOpenURL_RefusesAnotherApplicationsSchema(t *testing.T) {
	loc := pgLoc(t)
	ctx := t.Context()
	db := rawDB(t, loc)
	if _, err := db.ExecContext(ctx, `CREATE TABLE invoices (id INTEGER PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	_, err := OpenURL(ctx, loc, Options{})
	if err == nil || !strings.Contains(err.Error(), "holds tables of another application") {
		t.Fatalf("err %v, want a refusal of the foreign schema", err)
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d tables (%v) after the refusal, want only the foreign one", n, err)
	}
}

func TestOpenURL_MustExist(t *testing.T) {
	loc := pgLoc(t)
	ctx := t.Context()
	_, err := OpenURL(ctx, loc, Options{MustExist: true})
	if !errors.Is(err, ErrNoStateFile) || !strings.Contains(err.Error(), "no okta-clickup-sync tables in schema public") {
		t.Fatalf("err %v, want ErrNoStateFile", err)
	}
	var n int
	if err := rawDB(t, loc).QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d tables (%v) after a MustExist open, want none", n, err)
	}
	MustOpen(t, loc, newClock())
	s, err := OpenURL(ctx, loc, Options{MustExist: true})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
}

func TestOpenURL_ConcurrentFirstOpen(t *testing.T) {
	loc := pgLoc(t)
	var wg gosync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := OpenURL(t.Context(), loc, Options{})
			if err == nil {
				err = s.Close()
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("open %d: %v", i, err)
		}
	}
}

func TestOpenURL_SchemasAreSeparateStores(t *testing.T) {
	// Two deployments in one database, each in its own schema: separate data, separate elections.
	loc := pgLoc(t)
	ctx := t.Context()
	db := rawDB(t, loc)
	stores := map[string]*Store{}
	for _, schema := range []string{"blue", "green"} {
		if _, err := db.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
			t.Fatal(err)
		}
		u, err := url.Parse(loc)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		stores[schema] = MustOpen(t, u.String(), newClock())
	}
	if err := stores["blue"].SaveLinks(ctx, map[string]string{"00u1": "101"}); err != nil {
		t.Fatal(err)
	}
	if links, err := stores["green"].Links(ctx); err != nil || len(links) != 0 {
		t.Fatalf("green sees blue's links %v (%v)", links, err)
	}
	if links, err := stores["blue"].Links(ctx); err != nil || !maps.Equal(links, map[string]string{"00u1": "101"}) {
		t.Fatalf("blue's links %v (%v)", links, err)
	}
	for _, s := range stores {
		ctx, cancel := context.WithTimeout(ctx, time.Second)
		_, err := s.Campaign(ctx, "daemon")
		cancel()
		if err != nil {
			t.Fatalf("campaign in schema %s: %v", s.pg.schema, err)
		}
	}
}
