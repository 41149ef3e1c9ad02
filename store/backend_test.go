package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver, for the tests' admin connections
)

// The shared tests run against both backends. A location is where a store lives: a file path,
// or the URL of a PostgreSQL database.
const (
	postgresURLEnv     = "OCS_TEST_POSTGRES_URL"
	requirePostgresEnv = "OCS_REQUIRE_POSTGRES"
)

// backend makes fresh, empty stores of one kind.
type backend struct {
	name string
	// fresh returns the location of a new, empty store, removed when tb ends.
	fresh func(tb testing.TB) string
}

func (b backend) postgres() bool { return b.name == "PostgreSQL" }

var sqliteBackend = backend{name: "SQLite", fresh: statePath}

// eachBackend runs f once per backend, as subtests named after them.
func eachBackend(t *testing.T, f func(t *testing.T, be backend)) {
	t.Helper()
	t.Run("SQLite", func(t *testing.T) { f(t, sqliteBackend) })
	t.Run("PostgreSQL", func(t *testing.T) { f(t, postgresBackend(t)) })
}

// postgresBackend makes a database per store on the server OCS_TEST_POSTGRES_URL names; without
// it the test is skipped, unless OCS_REQUIRE_POSTGRES=1 (CI), when it fails.
func postgresBackend(t testing.TB) backend {
	t.Helper()
	server := os.Getenv(postgresURLEnv)
	if server == "" {
		if os.Getenv(requirePostgresEnv) == "1" {
			t.Fatalf("%s=1 but %s is not set: start a server with scripts/postgres-test-server", requirePostgresEnv, postgresURLEnv)
		}
		t.Skipf("PostgreSQL half skipped: set %s (scripts/postgres-test-server start prints it) to run it", postgresURLEnv)
	}
	return backend{name: "PostgreSQL", fresh: func(tb testing.TB) string { return freshDatabase(tb, server) }}
}

// freshDatabase creates a database on the server and returns its URL; it is dropped at the end.
func freshDatabase(tb testing.TB, server string) string {
	tb.Helper()
	admin := adminDB(tb, server)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "ocs_test_" + hex.EncodeToString(b)
	// A fresh context: tb.Context is already canceled when cleanups run.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		tb.Fatalf("create test database: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := admin.ExecContext(ctx, `DROP DATABASE `+name+` WITH (FORCE)`); err != nil {
			tb.Errorf("drop test database %s: %v", name, err)
		}
	})
	u, err := url.Parse(server)
	if err != nil {
		tb.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// adminDB is a connection to the server's own database, closed when tb ends.
func adminDB(tb testing.TB, server string) *sql.DB {
	tb.Helper()
	db, err := sql.Open("pgx", server)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// openStore opens the store at loc with whichever backend loc names.
func openStore(ctx context.Context, loc string, opt Options) (*Store, error) {
	if strings.HasPrefix(loc, "postgres://") {
		return OpenURL(ctx, loc, opt)
	}
	return Open(ctx, loc, opt)
}

// rawDB opens loc with database/sql directly, to look at or tamper with what the store keeps.
func rawDB(tb testing.TB, loc string) *sql.DB {
	tb.Helper()
	driver := "sqlite"
	if strings.HasPrefix(loc, "postgres://") {
		driver = "pgx"
	}
	db, err := sql.Open(driver, loc)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}
