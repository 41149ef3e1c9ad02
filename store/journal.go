package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// The write journal (DESIGN §7 "Crashes lose nothing"): a run records its whole plan before its
// first write, then each write's entry as "unknown" just before the request goes out and with its
// outcome when it comes back. Every call commits before it returns, so after kill -9 the drift log
// shows every write that may have reached ClickUp: "unknown" where the answer was never recorded.

// planOutcomes are the outcomes an entry has before any write.
var planOutcomes = []string{string(core.OutcomePlanned), string(core.OutcomeHeld), string(core.OutcomeIgnored), string(core.OutcomeFailed)}

// doneOutcomes are the outcomes a write can end with.
var doneOutcomes = []string{string(core.OutcomeApplied), string(core.OutcomeFailed), string(core.OutcomeUnknown)}

// SavePlan records every entry of a begun run's plan (ErrNotFound for an unknown run), seq being
// the index in entries plus one, each with its outcome before any write: planned, held, ignored
// or failed. Saving again replaces the plan, until the first WriteStarted: from then on the
// journal is history and SavePlan refuses.
func (s *Store) SavePlan(ctx context.Context, runID string, entries []core.Entry) error {
	fail := func(err error) error { return fmt.Errorf("store: save plan of run %s: %w", runID, err) }
	for i, e := range entries {
		if err := oneOf("outcome of a planned entry", string(e.Outcome), planOutcomes); err != nil {
			return fail(fmt.Errorf("entry %d (%s %s): %w", i+1, e.Action, e.User, err))
		}
	}
	err := s.inTx(ctx, func(tx *txn) error {
		if err := runExists(ctx, tx, runID); err != nil {
			return err
		}
		var started int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM entries WHERE run_id = ? AND write_started_at IS NOT NULL`, runID).
			Scan(&started); err != nil {
			return err
		}
		if started > 0 {
			return fmt.Errorf("%d of its writes are journaled already; a plan is saved before its writes", started)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM entries WHERE run_id = ?`, runID); err != nil {
			return err
		}
		return insertEntries(ctx, tx, "entries", runID, entries)
	})
	if err != nil {
		return fail(err)
	}
	return nil
}

// WriteStarted journals that the write of entry seq of run runID is about to be sent: its outcome
// becomes "unknown" until WriteDone records the answer. The entry must be planned (or already
// started: a write retried). ErrNotFound when there is no such entry.
func (s *Store) WriteStarted(ctx context.Context, runID string, seq int) error {
	err := s.inTx(ctx, func(tx *txn) error {
		var action, outcome string
		err := tx.QueryRowContext(ctx, `SELECT action, outcome FROM entries WHERE run_id = ? AND seq = ?`, runID, seq).
			Scan(&action, &outcome)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if outcome != string(core.OutcomePlanned) && outcome != string(core.OutcomeUnknown) {
			return fmt.Errorf("the entry (%s) is %s, not planned", action, outcome)
		}
		_, err = tx.ExecContext(ctx, `UPDATE entries SET outcome = ?, write_started_at = ? WHERE run_id = ? AND seq = ?`,
			string(core.OutcomeUnknown), formatTime(s.now()), runID, seq)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: journal write %d of run %s: %w", seq, runID, err)
	}
	return nil
}

// WriteDone journals how the write of entry seq of run runID ended: e's outcome (applied, failed,
// or unknown when the answer was unclear) and error, its reason when it has one, and its ClickUp
// user id when it has one (a create learns its id). The entry must have been started with
// WriteStarted, and e must be that entry (same action and Okta user): a seq off by one must not
// put an outcome on the wrong user. ErrNotFound when there is no such entry.
func (s *Store) WriteDone(ctx context.Context, runID string, seq int, e core.Entry) error {
	fail := func(err error) error {
		return fmt.Errorf("store: journal outcome of write %d of run %s: %w", seq, runID, err)
	}
	if err := oneOf("outcome of a write", string(e.Outcome), doneOutcomes); err != nil {
		return fail(err)
	}
	err := s.inTx(ctx, func(tx *txn) error {
		var action, oktaID, user string
		var started sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT action, okta_user_id, user_name, write_started_at FROM entries WHERE run_id = ? AND seq = ?`,
			runID, seq).Scan(&action, &oktaID, &user, &started)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if action != string(e.Action) || oktaID != e.OktaUserID {
			return fmt.Errorf("the entry is %s of %s (okta id %q), not %s of %s (okta id %q)",
				action, user, oktaID, e.Action, e.User, e.OktaUserID)
		}
		if !started.Valid {
			return fmt.Errorf("the write of the entry (%s of %s) was never journaled as started", action, user)
		}
		// A value the applied entry lacks keeps the planned one.
		_, err = tx.ExecContext(ctx, `
UPDATE entries SET outcome = ?, error = ?,
	reason = CASE WHEN ? = '' THEN reason ELSE ? END,
	clickup_user_id = CASE WHEN ? = '' THEN clickup_user_id ELSE ? END,
	write_done_at = ?
WHERE run_id = ? AND seq = ?`,
			string(e.Outcome), e.Error, e.Reason, e.Reason, e.ClickUpUserID, e.ClickUpUserID, formatTime(s.now()), runID, seq)
		return err
	})
	if err != nil {
		return fail(err)
	}
	return nil
}
