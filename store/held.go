package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// SaveHeld records the deactivations a run held back for `approve RUN_ID`, replacing any held
// plan the run recorded before; no entries removes it. The run must have been begun (ErrNotFound
// otherwise), and a plan already approved cannot be replaced (ErrAlreadyApproved).
//
// Each held deactivate or delete_team entry of a non-dry run also opens a sticky hold (DESIGN
// §7), or renews the open one: the hold names the first run that held it and, from now, this one.
// A hold stays open until ReleaseHolds closes it; replacing or removing a run's held plan does not
// close any.
//
// The entries keep the Okta and ClickUp user ids and the user: an approval re-plans from fresh
// reads and applies only what is still warranted, so nothing more is needed.
func (s *Store) SaveHeld(ctx context.Context, runID string, entries []core.Entry) error {
	err := s.inTx(ctx, func(tx *txn) error {
		var dryRun bool
		err := tx.QueryRowContext(ctx, `SELECT dry_run FROM runs WHERE id = ?`, runID).Scan(&dryRun)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("run %s: %w", runID, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if by, at, err := approval(ctx, tx, runID); err == nil && by.Valid {
			return alreadyApproved(by.String, at)
		} else if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM held_plans WHERE run_id = ?`, runID); err != nil {
			return err
		}
		if len(entries) == 0 {
			return nil
		}
		now := formatTime(s.now())
		if _, err := tx.ExecContext(ctx, `INSERT INTO held_plans (run_id, created_at) VALUES (?, ?)`, runID, now); err != nil {
			return err
		}
		if err := insertEntries(ctx, tx, "held_entries", runID, entries); err != nil {
			return err
		}
		if dryRun {
			return nil // a dry run changes nothing, and so holds nothing for the runs after it
		}
		return openHolds(ctx, tx, runID, now, entries)
	})
	if err != nil {
		return fmt.Errorf("store: save held plan of run %s: %w", runID, err)
	}
	return nil
}

// Held returns the entries a run held, in their plan order; ErrNotFound when it held none. An
// approved plan is still returned: MarkApproved is what guards against a second approval.
func (s *Store) Held(ctx context.Context, runID string) ([]core.Entry, error) {
	// One statement, so the plan and its entries come from the same snapshot.
	rows, err := s.db.QueryContext(ctx, `
SELECT e.seq, `+prefixed("e.", entryColumns)+`
FROM held_plans p LEFT JOIN held_entries e ON e.run_id = p.run_id
WHERE p.run_id = ? ORDER BY e.seq`, runID)
	if err != nil {
		return nil, fmt.Errorf("store: held plan of run %s: %w", runID, err)
	}
	defer rows.Close()
	found := false
	out := []core.Entry{}
	for rows.Next() {
		found = true
		var seq sql.NullInt64
		var e nullableEntry
		if err := rows.Scan(append([]any{&seq}, e.dest()...)...); err != nil {
			return nil, fmt.Errorf("store: held plan of run %s: %w", runID, err)
		}
		if seq.Valid {
			out = append(out, e.entry())
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: held plan of run %s: %w", runID, err)
	}
	if !found {
		return nil, fmt.Errorf("store: held plan of run %s: %w", runID, ErrNotFound)
	}
	return out, nil
}

// MarkApproved records that approvingRunID approved the plan runID held. A plan is approved once:
// a second approval returns ErrAlreadyApproved naming the first, so two approvals racing from two
// processes cannot both apply it. ErrNotFound when the run held nothing.
func (s *Store) MarkApproved(ctx context.Context, runID, approvingRunID string) error {
	if approvingRunID == "" {
		return fmt.Errorf("store: approve held plan of run %s: empty approving run id", runID)
	}
	err := s.inTx(ctx, func(tx *txn) error {
		by, at, err := approval(ctx, tx, runID)
		if err != nil {
			return err
		}
		if by.Valid {
			return alreadyApproved(by.String, at)
		}
		_, err = tx.ExecContext(ctx, `UPDATE held_plans SET approved_by = ?, approved_at = ? WHERE run_id = ?`,
			approvingRunID, formatTime(s.now()), runID)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: approve held plan of run %s: %w", runID, err)
	}
	return nil
}

// approval reads who approved a held plan, if anyone; ErrNotFound when there is no plan.
func approval(ctx context.Context, tx *txn, runID string) (by sql.NullString, at sql.NullString, err error) {
	err = tx.QueryRowContext(ctx, `SELECT approved_by, approved_at FROM held_plans WHERE run_id = ?`, runID).Scan(&by, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return by, at, fmt.Errorf("no held plan: %w", ErrNotFound)
	}
	return by, at, err
}

func alreadyApproved(by string, at sql.NullString) error {
	when := ""
	if t, err := parseNullTime(at); err == nil && !t.IsZero() {
		when = " at " + t.Format(time.RFC3339)
	}
	return fmt.Errorf("%w by run %s%s", ErrAlreadyApproved, by, when)
}

// nullableEntry scans the entry half of a LEFT JOIN, NULL when the plan has no entries.
type nullableEntry [10]sql.NullString

func (n *nullableEntry) dest() []any {
	out := make([]any, len(n))
	for i := range n {
		out[i] = &n[i]
	}
	return out
}

func (n *nullableEntry) entry() core.Entry {
	return core.Entry{
		Action: core.Action(n[0].String), OktaUserID: n[1].String, ClickUpUserID: n[2].String, User: n[3].String,
		Field: n[4].String, From: n[5].String, To: n[6].String, Reason: n[7].String,
		Outcome: core.Outcome(n[8].String), Error: n[9].String,
	}
}
