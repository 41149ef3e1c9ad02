package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// pgApplication names our schemas in their schema_version table, as applicationID marks our
// SQLite files.
const pgApplication = "okta-clickup-sync"

// pgConnectTimeout bounds a connection attempt whose URL sets no connect_timeout: an unreachable
// server must fail a run, not hang it.
const pgConnectTimeout = 10 * time.Second

// pgBackend is what a Store on PostgreSQL keeps beside its pool.
type pgBackend struct {
	cfg      *pgx.ConnConfig // for the dedicated connections of presence and leadership
	secret   string          // the password, scrubbed from every error that could quote it
	schema   string          // the schema the tables live in: the URL's search_path, or public
	writeKey int64           // the advisory lock writers take their turn with (inTx)
	presence *presence

	// pingEvery replaces sessionPing when set: tests make a session go silent with it.
	pingEvery time.Duration
}

// OpenURL opens the store in the PostgreSQL database at rawURL (postgres://USER:PASSWORD@HOST:PORT/
// DATABASE?sslmode=...; a search_path parameter puts the tables in another schema), creating its
// tables when the schema has none unless opt.MustExist, and bringing them up to date. It refuses a
// schema that holds another application's tables, and one a newer build has migrated
// (ErrSchemaTooNew). With opt.MustExist a schema without our tables is an error wrapping
// ErrNoStateFile.
//
// The data, the migrations and the behaviour are those of a SQLite store, except:
//   - Campaign elects one leader among the processes sharing the database (DESIGN §14); on SQLite
//     every Campaign wins.
//   - A process on another host is known dead as soon as the server has ended its database
//     session, not only once its run lock's lease runs out (see presence.go).
//   - Texts cannot hold a NUL byte.
//
// The password never appears in errors: the URL is quoted with it replaced by xxxxx.
func OpenURL(ctx context.Context, rawURL string, opt Options) (*Store, error) {
	return openURLAt(ctx, rawURL, opt, len(migrations))
}

func openURLAt(ctx context.Context, rawURL string, opt Options, version int) (*Store, error) {
	where := redactURL(rawURL)
	if !strings.HasPrefix(rawURL, "postgres://") && !strings.HasPrefix(rawURL, "postgresql://") {
		return nil, fmt.Errorf("store: open %s: not a postgres:// URL", where)
	}
	cfg, err := pgx.ParseConfig(rawURL)
	if err != nil {
		// pgx quotes the URL, redacted only on a best-effort basis: say what is wrong in our words.
		return nil, fmt.Errorf("store: open %s: cannot parse it as postgres://USER:PASSWORD@HOST:PORT/DATABASE?PARAMETERS", where)
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = pgConnectTimeout
	}
	if _, ok := cfg.RuntimeParams["application_name"]; !ok {
		cfg.RuntimeParams["application_name"] = pgApplication
	}
	b := &pgBackend{cfg: cfg, secret: cfg.Password}
	fail := func(err error) error { return fmt.Errorf("store: open %s: %w", where, b.scrub(err)) }

	db := stdlib.OpenDB(*cfg)
	// A handful of connections: one writer at a time, and reads beside it (the console).
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(4)
	db.SetConnMaxIdleTime(5 * time.Minute)
	s := newStore(&pool{DB: db, numbered: true}, where, opt)
	s.pg = b
	b.presence = newPresence(b)
	if err := s.migratePostgres(ctx, version, opt.MustExist); err != nil {
		db.Close()
		if errors.Is(err, ErrSchemaTooNew) {
			return nil, fmt.Errorf("store: %w", b.scrub(err))
		}
		return nil, fail(err)
	}
	return s, nil
}

// migratePostgres is migrate for PostgreSQL: it checks the schema is ours (or empty) and not newer
// than this build, and applies the missing steps, in one transaction that every other opener
// waits for.
func (s *Store) migratePostgres(ctx context.Context, target int, mustExist bool) error {
	var schema sql.NullString
	if err := s.db.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return err
	}
	if !schema.Valid {
		return errors.New("no schema to keep the tables in: the search_path names none that exists")
	}
	s.pg.schema = schema.String
	s.pg.writeKey = advisoryKey("write", schema.String)
	return s.inTx(ctx, func(tx *txn) error {
		var ours, objects int
		if err := tx.QueryRowContext(ctx, `
SELECT count(*) FILTER (WHERE c.relname = 'schema_version' AND c.relkind = 'r'), count(*)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ? AND c.relkind IN ('r', 'p', 'v', 'm', 'f')`, schema.String).Scan(&ours, &objects); err != nil {
			return err
		}
		version := 0
		switch {
		case ours == 0 && objects > 0:
			return fmt.Errorf("schema %s holds tables of another application, and no okta-clickup-sync schema_version table; "+
				"give okta-clickup-sync a database (or a search_path schema) of its own", schema.String)
		case ours == 0 && mustExist:
			return fmt.Errorf("%w: no okta-clickup-sync tables in schema %s", ErrNoStateFile, schema.String)
		case ours == 0:
			if _, err := tx.ExecContext(ctx, `
CREATE TABLE schema_version (
	id          INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
	application TEXT    NOT NULL,
	version     INTEGER NOT NULL
)`); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version (id, application, version) VALUES (1, ?, 0)`,
				pgApplication); err != nil {
				return err
			}
		default:
			var app string
			err := tx.QueryRowContext(ctx, `SELECT application, version FROM schema_version WHERE id = 1`).Scan(&app, &version)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if app != pgApplication {
				return fmt.Errorf("schema %s has a schema_version table, but not okta-clickup-sync's", schema.String)
			}
		}
		if version > len(migrations) {
			return fmt.Errorf("%w: database %s has schema version %d; this build knows up to %d; upgrade okta-clickup-sync",
				ErrSchemaTooNew, s.path, version, len(migrations))
		}
		for v := version + 1; v <= target && v <= len(migrations); v++ {
			step := migrations[v-1]
			if step.postgres != "" {
				if _, err := tx.ExecContext(ctx, step.postgres); err != nil {
					return fmt.Errorf("migration %d (%s): %w", v, step.name, err)
				}
			}
			if _, err := tx.ExecContext(ctx, `UPDATE schema_version SET version = ? WHERE id = 1`, v); err != nil {
				return fmt.Errorf("migration %d (%s): %w", v, step.name, err)
			}
		}
		return nil
	})
}

// advisoryKey names one of our advisory locks. Advisory locks are per database, so the schema is
// part of the key: two deployments in two schemas of one database never wait for each other.
func advisoryKey(kind, schema string, parts ...string) int64 {
	h := fnv.New64a()
	for _, p := range append([]string{pgApplication, kind, schema}, parts...) {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return int64(h.Sum64())
}

// redactURL is rawURL fit to quote: its password, in the user info or a password parameter,
// replaced by xxxxx. A URL that does not parse is not quoted at all.
func redactURL(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme == "" {
		return "(the state URL, which does not parse as a URL)"
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// scrub replaces the password wherever an error from the driver quotes it. Errors keep what
// errors.Is finds in them, but not the original text.
func (b *pgBackend) scrub(err error) error {
	if err == nil || b.secret == "" || !strings.Contains(err.Error(), b.secret) {
		return err
	}
	return &scrubbedError{msg: strings.ReplaceAll(err.Error(), b.secret, "xxxxx"), err: err}
}

type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }

// Is lets errors.Is see through; there is no Unwrap, which would hand out the unscrubbed text.
func (e *scrubbedError) Is(target error) bool { return errors.Is(e.err, target) }
