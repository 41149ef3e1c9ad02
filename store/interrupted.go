package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// orphanAge is how long after its start a run still "running" on a host this process cannot
// look into, and whose process holds no run lock, is taken as dead. No run lasts this long:
// SYNC_RUN_TIMEOUT bounds each run, 10 minutes by default.
const orphanAge = 24 * time.Hour

// MarkInterrupted marks the runs left "running" by a process that has died as interrupted
// (DESIGN §7), with ended_at now and an error saying why, and returns their ids, oldest first.
// Their journaled entries stay as they were: an entry "unknown" is settled by the next run's
// fresh read.
//
// A run's process is dead when it ran on this host and its pid is gone, or belongs to a process
// started at another time, or the host has rebooted since; on PostgreSQL, wherever it ran, when
// its database session has ended (presence.go). Otherwise, on another host (or in another
// container of this one) it is dead when the run lock it held has expired, or, holding no lock,
// when the run started over a day ago (a dry run holds no lock).
func (s *Store) MarkInterrupted(ctx context.Context) (runIDs []string, err error) {
	fail := func(err error) error { return fmt.Errorf("store: mark interrupted runs: %w", err) }
	type candidate struct {
		id      string
		start   time.Time
		p       process
		session string
	}
	var running []candidate
	err = func() error {
		rows, err := s.db.QueryContext(ctx, `
SELECT id, started_at, host, pid, boot_id, pid_ns, proc_start, session FROM runs WHERE outcome = ? ORDER BY started_at, id`, RunRunning)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c candidate
			var start string
			if err := rows.Scan(&c.id, &start, &c.p.Host, &c.p.PID, &c.p.BootID, &c.p.PIDNS, &c.p.Start, &c.session); err != nil {
				return err
			}
			if c.start, err = parseTime(start); err != nil {
				return err
			}
			running = append(running, c)
		}
		return rows.Err()
	}()
	if err != nil {
		return nil, fail(err)
	}
	if len(running) == 0 {
		return nil, nil
	}

	var lock *lockHolder
	var holder lockHolder
	var expires string
	err = s.db.QueryRowContext(ctx, `SELECT host, pid, boot_id, pid_ns, proc_start, expires_at FROM run_lock WHERE id = 1`).
		Scan(&holder.p.Host, &holder.p.PID, &holder.p.BootID, &holder.p.PIDNS, &holder.p.Start, &expires)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return nil, fail(err)
	default:
		if holder.expires, err = parseTime(expires); err != nil {
			return nil, fail(err)
		}
		lock = &holder
	}

	now := s.now()
	why := map[string]string{}
	for _, c := range running {
		v, reason, err := s.judge(ctx, s.db, c.p, c.session)
		if err != nil {
			return nil, fail(err)
		}
		switch {
		case v == alive:
			continue
		case v == dead:
		case lock != nil && lock.p == c.p && c.p.Host != "":
			if now.Before(lock.expires) {
				continue // its process still renews the run lock
			}
			reason = fmt.Sprintf("its run lock expired at %s", lock.expires.UTC().Format(time.RFC3339))
		case now.Sub(c.start) > orphanAge:
			reason = fmt.Sprintf("it holds no run lock and started over %s ago", orphanAge)
		default:
			continue
		}
		why[c.id] = fmt.Sprintf("interrupted: the process running it (%s) ended before it finished: %s", c.p, reason)
	}
	if len(why) == 0 {
		return nil, nil
	}
	err = s.inTx(ctx, func(tx *txn) error {
		runIDs = nil
		for _, c := range running {
			text, ok := why[c.id]
			if !ok {
				continue
			}
			// Only if still running: the run may have finished since it was read.
			res, err := tx.ExecContext(ctx, `UPDATE runs SET outcome = ?, ended_at = ?, error = ? WHERE id = ? AND outcome = ?`,
				RunInterrupted, formatTime(now), text, c.id, RunRunning)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 1 {
				runIDs = append(runIDs, c.id)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fail(err)
	}
	return runIDs, nil
}

type lockHolder struct {
	p       process
	expires time.Time
}
