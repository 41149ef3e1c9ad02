package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Cursor returns the value last saved under name (the System Log's next link, DESIGN §10), or ""
// when none was ever saved. It survives restarts, so polling neither misses nor repeats a window.
func (s *Store) Cursor(ctx context.Context, name string) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM cursors WHERE name = ?`, name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: read cursor %s: %w", name, err)
	}
	return v, nil
}

// SaveCursor saves value under name, replacing what was there.
func (s *Store) SaveCursor(ctx context.Context, name, value string) error {
	if name == "" {
		return errors.New("store: save cursor: empty name")
	}
	_, err := s.db.ExecContext(ctx, `
INSERT INTO cursors (name, value, updated_at) VALUES (?, ?, ?)
ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
		name, value, formatTime(s.now()))
	if err != nil {
		return fmt.Errorf("store: save cursor %s: %w", name, err)
	}
	return nil
}
