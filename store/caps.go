package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// DeactivationsSince counts the deactivate and delete_team entries applied, or journaled as
// started with no outcome recorded (unknown: they may have reached ClickUp), by the non-dry runs
// of the given kinds (of every kind when none is given) that started at or after since. The
// small runs of DESIGN §10 count these against the caps over a rolling window.
func (s *Store) DeactivationsSince(ctx context.Context, since time.Time, kinds ...string) (int, error) {
	fail := func(err error) error {
		return fmt.Errorf("store: count deactivations since %s: %w", since.UTC().Format(time.RFC3339), err)
	}
	q := `SELECT count(*) FROM entries e JOIN runs r ON r.id = e.run_id
WHERE r.dry_run = ? AND r.started_at >= ? AND e.action IN (?, ?) AND e.outcome IN (?, ?)`
	args := []any{false, formatTime(since), string(core.ActionDeactivate), string(core.ActionDeleteTeam),
		string(core.OutcomeApplied), string(core.OutcomeUnknown)}
	if len(kinds) > 0 {
		for _, k := range kinds {
			if err := oneOf("kind", k, runKinds); err != nil {
				return 0, fail(err)
			}
			args = append(args, k)
		}
		q += ` AND r.kind IN (` + strings.TrimSuffix(strings.Repeat("?, ", len(kinds)), ", ") + `)`
	}
	var n int
	if err := s.db.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
		return 0, fail(err)
	}
	return n, nil
}
