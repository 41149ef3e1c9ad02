package store

import (
	"context"
	"database/sql"
	"fmt"
)

// RecordSeen records the Okta and ClickUp user ids a run's complete listings contained, so a
// later question ("was this user there last week?") has an answer. Recording the same id twice
// is harmless. The run must have been begun (ErrNotFound otherwise); its rows go when it is pruned.
func (s *Store) RecordSeen(ctx context.Context, runID string, oktaIDs, clickupIDs []string) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := runExists(ctx, tx, runID); err != nil {
			return err
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO seen (run_id, side, id) VALUES (?, ?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, side := range []struct {
			name string
			ids  []string
		}{{"okta", oktaIDs}, {"clickup", clickupIDs}} {
			for _, id := range side.ids {
				if _, err := stmt.ExecContext(ctx, runID, side.name, id); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: record seen ids: %w", err)
	}
	return nil
}

// Seen returns the ids RecordSeen recorded for a run, each list sorted.
func (s *Store) Seen(ctx context.Context, runID string) (oktaIDs, clickupIDs []string, err error) {
	rows, err := s.db.QueryContext(ctx, `SELECT side, id FROM seen WHERE run_id = ? ORDER BY side, id`, runID)
	if err != nil {
		return nil, nil, fmt.Errorf("store: read seen ids: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var side, id string
		if err := rows.Scan(&side, &id); err != nil {
			return nil, nil, fmt.Errorf("store: read seen ids: %w", err)
		}
		if side == "okta" {
			oktaIDs = append(oktaIDs, id)
		} else {
			clickupIDs = append(clickupIDs, id)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("store: read seen ids: %w", err)
	}
	return oktaIDs, clickupIDs, nil
}
