package store

import (
	"context"
	"fmt"
	"slices"
	"strings"

	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// Hold is an open sticky hold (DESIGN §7): a deactivation (or delete_team) that a run held and
// that every later run holds again, whatever its cap arithmetic says, until the hold is approved
// or no longer warranted.
type Hold struct {
	Key       string     `json:"key"`         // holdKey of the entry
	RunID     string     `json:"run_id"`      // the first run that held it
	LastRunID string     `json:"last_run_id"` // the latest run that held it again
	Entry     core.Entry `json:"entry"`       // as the latest run held it
}

// holdKey names what a held entry would change, as sync.Approve matches held entries to a fresh
// plan: the ClickUp user of a deactivation, the Team (by name: a held entry comes back from the
// store without its TeamRef) of a delete_team. Other actions are never held.
func holdKey(e core.Entry) (string, error) {
	switch e.Action {
	case core.ActionDeactivate:
		if e.ClickUpUserID == "" {
			return "", fmt.Errorf("held deactivation of %s has no ClickUp user id", e.User)
		}
		return core.HoldKey(e), nil
	case core.ActionDeleteTeam:
		if e.User == "" {
			return "", fmt.Errorf("held delete_team has no Team name")
		}
		return core.HoldKey(e), nil
	}
	return "", nil
}

// openHolds opens a hold per held entry, or renews the open one with this run.
func openHolds(ctx context.Context, tx *txn, runID, now string, entries []core.Entry) error {
	stmt, err := tx.PrepareContext(ctx, `
INSERT INTO holds (hold_key, run_id, last_run_id, first_held_at, last_held_at, `+entryColumns+`)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (hold_key) DO UPDATE SET last_run_id = excluded.last_run_id, last_held_at = excluded.last_held_at,
	action = excluded.action, okta_user_id = excluded.okta_user_id, clickup_user_id = excluded.clickup_user_id,
	user_name = excluded.user_name, field = excluded.field, from_value = excluded.from_value,
	to_value = excluded.to_value, reason = excluded.reason, outcome = excluded.outcome, error = excluded.error`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, e := range entries {
		key, err := holdKey(e)
		if err != nil {
			return err
		}
		if key == "" {
			continue
		}
		if _, err := stmt.ExecContext(ctx, append([]any{key, runID, runID, now, now}, entryValues(e)...)...); err != nil {
			return err
		}
	}
	return nil
}

// Holds returns the open holds, by key.
func (s *Store) Holds(ctx context.Context) ([]Hold, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT hold_key, run_id, last_run_id, `+entryColumns+` FROM holds ORDER BY hold_key`)
	if err != nil {
		return nil, fmt.Errorf("store: read holds: %w", err)
	}
	defer rows.Close()
	var out []Hold
	for rows.Next() {
		var h Hold
		if err := rows.Scan(append([]any{&h.Key, &h.RunID, &h.LastRunID}, entryDest(&h.Entry)...)...); err != nil {
			return nil, fmt.Errorf("store: read holds: %w", err)
		}
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read holds: %w", err)
	}
	return out, nil
}

// ReleaseHolds closes the holds with these keys: approved and applied, or no longer warranted.
// Keys with no open hold are ignored.
func (s *Store) ReleaseHolds(ctx context.Context, keys []string) error {
	err := s.inTx(ctx, func(tx *txn) error {
		// In slices, to stay within any database's limit on bound parameters.
		for chunk := range slices.Chunk(keys, 500) {
			args := make([]any, len(chunk))
			for i, k := range chunk {
				args[i] = k
			}
			placeholders := strings.TrimSuffix(strings.Repeat("?, ", len(chunk)), ", ")
			if _, err := tx.ExecContext(ctx, `DELETE FROM holds WHERE hold_key IN (`+placeholders+`)`, args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: release holds: %w", err)
	}
	return nil
}
