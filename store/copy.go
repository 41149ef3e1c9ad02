package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// ErrNotEmpty is returned by Copy when the target store already holds data.
var ErrNotEmpty = errors.New("target store is not empty")

// copyTable is a table Copy carries over, with its columns at the current schema version.
type copyTable struct {
	name    string
	columns []string
	bools   map[string]bool // columns SQLite keeps as 0/1 and PostgreSQL as booleans
}

var entryColumnList = strings.Split(entryColumns, ", ")

// copyTables are every table of the schema but its bookkeeping (schema_version) and the run lock,
// which belongs to a live process: parents before children.
var copyTables = []copyTable{
	{name: "runs", columns: []string{"id", "kind", "trigger", "dry_run", "started_at", "ended_at", "outcome", "summary",
		"error", "approves_run", "managed_active", "host", "pid", "boot_id", "pid_ns", "proc_start", "session"},
		bools: map[string]bool{"dry_run": true}},
	{name: "entries", columns: append([]string{"run_id", "seq"}, append(entryColumnList, "write_started_at", "write_done_at")...)},
	{name: "held_plans", columns: []string{"run_id", "created_at", "approved_by", "approved_at"}},
	{name: "held_entries", columns: append([]string{"run_id", "seq"}, entryColumnList...)},
	{name: "holds", columns: append([]string{"hold_key", "run_id", "last_run_id", "first_held_at", "last_held_at"}, entryColumnList...)},
	{name: "links", columns: []string{"okta_id", "clickup_id", "first_seen", "last_seen"}},
	{name: "group_links", columns: []string{"okta_id", "clickup_id", "first_seen", "last_seen"}},
	{name: "cursors", columns: []string{"name", "value", "updated_at"}},
	{name: "requests", columns: []string{"id", "kind", "arg", "state", "result", "created_at", "taken_at", "done_at", "taken_by", "attempts"}},
}

// copyBatch is how many rows one INSERT carries: well within either database's limit on bound
// parameters, and few round trips.
const copyBatch = 100

// Copy copies everything in from (links, group links, runs with their journal, held plans,
// sticky holds, cursors, forwarded requests) into to, which must be empty (ErrNotEmpty
// otherwise), and returns how many rows it copied per table. It is how a SQLite state file moves
// to PostgreSQL (`store migrate`); it works between any two stores. The copy is all or nothing,
// and reads one consistent view of from: stop the daemon first all the same, since what it
// writes after the copy began is not copied. The run lock is not copied: it belongs to a live
// process.
func Copy(ctx context.Context, from, to *Store) (map[string]int, error) {
	fail := func(err error) error { return fmt.Errorf("store: copy %s to %s: %w", from.path, to.path, err) }
	if from == to {
		return nil, fail(errors.New("a store onto itself"))
	}
	var opts *sql.TxOptions
	if from.pg != nil {
		opts = &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	}
	src, err := from.db.BeginTx(ctx, opts)
	if err != nil {
		return nil, fail(err)
	}
	defer func() { _ = src.Rollback() }() // it only read: nothing to keep
	counts := map[string]int{}
	err = to.inTx(ctx, func(dst *txn) error {
		clear(counts)
		if err := mustBeEmpty(ctx, dst); err != nil {
			return err
		}
		for _, t := range copyTables {
			n, err := copyRows(ctx, src, dst, t, to.pg != nil)
			if err != nil {
				return fmt.Errorf("table %s: %w", t.name, err)
			}
			counts[t.name] = n
		}
		return nil
	})
	if err != nil {
		return nil, fail(err)
	}
	return counts, nil
}

func mustBeEmpty(ctx context.Context, tx *txn) error {
	var full []string
	for _, table := range append(tableNames(), "run_lock") {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM `+table).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			full = append(full, fmt.Sprintf("%d rows in %s", n, table))
		}
	}
	if len(full) > 0 {
		return fmt.Errorf("%w (%s)", ErrNotEmpty, strings.Join(full, ", "))
	}
	return nil
}

func tableNames() []string {
	out := make([]string, len(copyTables))
	for i, t := range copyTables {
		out[i] = t.name
	}
	return out
}

func copyRows(ctx context.Context, src, dst *txn, t copyTable, toPostgres bool) (int, error) {
	cols := strings.Join(t.columns, ", ")
	rows, err := src.QueryContext(ctx, `SELECT `+cols+` FROM `+t.name)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var batch [][]any
	n := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(t.columns)), ", ") + ")"
		var args []any
		for _, r := range batch {
			args = append(args, r...)
		}
		values := strings.TrimSuffix(strings.Repeat(one+", ", len(batch)), ", ")
		if _, err := dst.ExecContext(ctx, `INSERT INTO `+t.name+` (`+cols+`) VALUES `+values, args...); err != nil {
			return err
		}
		n += len(batch)
		batch = batch[:0]
		return nil
	}
	for rows.Next() {
		vals := make([]any, len(t.columns))
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		for i, c := range t.columns {
			if b, ok := vals[i].([]byte); ok {
				vals[i] = string(b)
			}
			if t.bools[c] && toPostgres {
				if v, ok := vals[i].(int64); ok {
					vals[i] = v != 0
				}
			}
		}
		batch = append(batch, vals)
		if len(batch) == copyBatch {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	return n, flush()
}
