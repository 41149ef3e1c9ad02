package store

import (
	"context"
	"fmt"
	"time"
)

// Prune deletes the runs that ended before before, and the runs that never ended (their process
// died) and started before it, with their entries and held plans; and the forwarded requests
// finished before it. It never deletes links, which
// outlive any run; nor the latest run, which `drift` shows by default; nor a run that an open
// hold names (the first or the latest run that held it), so an open hold keeps a run whose id
// `approve` accepts and whose entries show why it was held. It returns how many runs and entries
// it deleted.
func (s *Store) Prune(ctx context.Context, before time.Time) (runs, entries int, err error) {
	b := formatTime(before)
	doomed := `((ended_at IS NOT NULL AND ended_at < ?) OR (ended_at IS NULL AND started_at < ?))
	AND id <> (SELECT id FROM runs ` + newestFirst + ` LIMIT 1)
	AND id NOT IN (SELECT run_id FROM holds)
	AND id NOT IN (SELECT last_run_id FROM holds)`
	err = s.inTx(ctx, func(tx *txn) error {
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM entries WHERE run_id IN (SELECT id FROM runs WHERE `+doomed+`)`, b, b).
			Scan(&entries); err != nil {
			return err
		}
		// Entries and held plans go with their run (ON DELETE CASCADE).
		res, err := tx.ExecContext(ctx, `DELETE FROM runs WHERE `+doomed, b, b)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		runs = int(n)
		// Finished requests go with the runs of their time; pending and taken ones stay.
		_, err = tx.ExecContext(ctx, `DELETE FROM requests WHERE state = ? AND done_at < ?`, RequestDone, b)
		return err
	})
	if err != nil {
		return 0, 0, fmt.Errorf("store: prune runs before %s: %w", before.UTC().Format(time.RFC3339), err)
	}
	return runs, entries, nil
}
