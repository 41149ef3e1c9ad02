package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// StoredEntry is a plan entry as recorded: the drift log, queryable after the fact.
type StoredEntry struct {
	RunID string    `json:"run_id"`
	Seq   int       `json:"seq"`  // position in the run's plan, from 1
	At    time.Time `json:"at"`   // when the run started
	Kind  string    `json:"kind"` // the run's kind
	core.Entry
}

// EntryFilter selects entries. Empty fields select everything.
type EntryFilter struct {
	RunID   string
	Since   time.Time // entries of runs started at or after this
	Action  string
	Outcome string
	Kind    string // the run's kind
	// User matches the entry's user (login or email) case-insensitively, or its Okta or ClickUp
	// user id exactly.
	User string
	// Limit keeps the newest entries, like tail: a drift review wants the latest ones. All when <= 0.
	Limit int
}

// entryColumns are the rendered fields of core.Entry, shared by the drift log and held plans. What
// Apply alone needs (NewUser, Target, Role) is not kept: an approval re-plans from fresh reads.
const entryColumns = `action, okta_user_id, clickup_user_id, user_name, field, from_value, to_value, reason, outcome, error`

func entryValues(e core.Entry) []any {
	return []any{string(e.Action), e.OktaUserID, e.ClickUpUserID, e.User, e.Field, e.From, e.To, e.Reason, string(e.Outcome), e.Error}
}

func entryDest(e *core.Entry) []any {
	return []any{(*string)(&e.Action), &e.OktaUserID, &e.ClickUpUserID, &e.User, &e.Field, &e.From, &e.To, &e.Reason, (*string)(&e.Outcome), &e.Error}
}

func insertEntries(ctx context.Context, tx *txn, table, runID string, entries []core.Entry) error {
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO `+table+` (run_id, seq, `+entryColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for i, e := range entries {
		if _, err := stmt.ExecContext(ctx, append([]any{runID, i + 1}, entryValues(e)...)...); err != nil {
			return err
		}
	}
	return nil
}

// Entries returns the entries f selects, oldest run first and in plan order within a run.
func (s *Store) Entries(ctx context.Context, f EntryFilter) ([]StoredEntry, error) {
	var (
		where []string
		args  []any
	)
	if f.RunID != "" {
		where, args = append(where, `e.run_id = ?`), append(args, f.RunID)
	}
	if !f.Since.IsZero() {
		where, args = append(where, `r.started_at >= ?`), append(args, formatTime(f.Since))
	}
	if f.Action != "" {
		where, args = append(where, `e.action = ?`), append(args, f.Action)
	}
	if f.Outcome != "" {
		where, args = append(where, `e.outcome = ?`), append(args, f.Outcome)
	}
	if f.Kind != "" {
		where, args = append(where, `r.kind = ?`), append(args, f.Kind)
	}
	if f.User != "" {
		// lower() folds ASCII letters, as the NOCASE collation it replaces did; PostgreSQL has it too.
		where = append(where, `(lower(e.user_name) = lower(?) OR e.okta_user_id = ? OR e.clickup_user_id = ?)`)
		args = append(args, f.User, f.User, f.User)
	}
	q := `SELECT e.run_id, e.seq, r.started_at, r.kind, ` + prefixed("e.", entryColumns) + `
FROM entries e JOIN runs r ON r.id = e.run_id`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	// Newest first so LIMIT keeps the latest; reversed below into reading order.
	q += ` ORDER BY r.started_at DESC, r.id DESC, e.seq DESC`
	if f.Limit > 0 {
		q += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: read entries: %w", err)
	}
	defer rows.Close()
	var out []StoredEntry
	for rows.Next() {
		var se StoredEntry
		var at string
		if err := rows.Scan(append([]any{&se.RunID, &se.Seq, &at, &se.Kind}, entryDest(&se.Entry)...)...); err != nil {
			return nil, fmt.Errorf("store: read entries: %w", err)
		}
		if se.At, err = parseTime(at); err != nil {
			return nil, fmt.Errorf("store: read entries: %w", err)
		}
		out = append(out, se)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read entries: %w", err)
	}
	slices.Reverse(out)
	return out, nil
}

// prefixed qualifies a comma-separated column list with a table alias.
func prefixed(alias, columns string) string {
	cols := strings.Split(columns, ", ")
	for i, c := range cols {
		cols[i] = alias + c
	}
	return strings.Join(cols, ", ")
}
