package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Approval says who approved the plan runID held, and when: the approving run's id, or "" while
// the plan awaits approval. ErrNotFound when the run held nothing. The drift and history views
// read it so that a held run, once approved, is no longer shown as pending.
func (s *Store) Approval(ctx context.Context, runID string) (by string, at time.Time, err error) {
	var b, a sql.NullString
	err = s.db.QueryRowContext(ctx, `SELECT approved_by, approved_at FROM held_plans WHERE run_id = ?`, runID).Scan(&b, &a)
	if errors.Is(err, sql.ErrNoRows) {
		return "", time.Time{}, fmt.Errorf("store: approval of run %s: no held plan: %w", runID, ErrNotFound)
	}
	if err != nil {
		return "", time.Time{}, fmt.Errorf("store: approval of run %s: %w", runID, err)
	}
	if !b.Valid {
		return "", time.Time{}, nil
	}
	if at, err = parseNullTime(a); err != nil {
		return "", time.Time{}, fmt.Errorf("store: approval of run %s: %w", runID, err)
	}
	return b.String, at, nil
}
