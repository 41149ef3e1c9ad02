package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// What a run reconciled (DESIGN §10).
const (
	KindFull   = "full"   // every user: the scheduled reconcile
	KindUser   = "user"   // reconcile --user
	KindEvents = "events" // the users behind a System Log poll or an event hook delivery
)

// What started a run. An approval is a full run with ApprovesRun set.
const (
	TriggerSchedule = "schedule" // the daemon's cron schedule
	TriggerManual   = "manual"   // the reconcile command
	TriggerTrigger  = "trigger"  // the daemon's trigger endpoint
	TriggerApprove  = "approve"  // approve RUN_ID
	TriggerDemo     = "demo"
	TriggerEvents   = "events"  // the System Log poller
	TriggerHook     = "hook"    // an Okta event hook delivery
	TriggerConsole  = "console" // Approve in the drift console
)

// How a run ended; RunRunning until it has.
const (
	RunRunning     = "running"
	RunSuccess     = "success"     // nothing to change, or a dry run without failures
	RunChanged     = "changed"     // writes applied
	RunFailed      = "failed"      // an error, or a failed entry
	RunHeld        = "held"        // deactivations held by the cap, awaiting approval
	RunRefused     = "refused"     // a safety rail refused the whole run
	RunInterrupted = "interrupted" // canceled (shutdown, timeout), or its process died, before it finished
)

var (
	runKinds = []string{KindFull, KindUser, KindEvents}
	triggers = []string{TriggerSchedule, TriggerManual, TriggerTrigger, TriggerApprove, TriggerDemo,
		TriggerEvents, TriggerHook, TriggerConsole}
	outcomes = []string{RunRunning, RunSuccess, RunChanged, RunFailed, RunHeld, RunRefused, RunInterrupted}
)

// Run is one reconcile, as recorded.
type Run struct {
	ID          string       `json:"id"`
	Kind        string       `json:"kind"` // KindFull when empty
	Trigger     string       `json:"trigger"`
	DryRun      bool         `json:"dry_run"`
	Start       time.Time    `json:"start"`
	End         time.Time    `json:"end,omitzero"` // zero while running
	Outcome     string       `json:"outcome"`
	Summary     core.Summary `json:"summary"`
	Error       string       `json:"error,omitempty"`
	ApprovesRun string       `json:"approves_run,omitempty"` // for approve runs: the held run
	// ManagedActive is how many managed active ClickUp users the run saw: the base of the
	// percent cap for the small runs after it (DESIGN §10).
	ManagedActive int `json:"managed_active,omitempty"`
}

// Finish is how a begun run ended.
type Finish struct {
	End           time.Time // now when zero
	Outcome       string    // any run outcome but RunRunning
	Summary       core.Summary
	Error         string
	ManagedActive int
}

// RunFilter selects runs. The zero value selects them all.
type RunFilter struct {
	Limit int       // at most this many, the newest; all when <= 0
	Since time.Time // only runs started at or after this
}

// BeginRun records a run as it starts, with this process's identity (host, pid, process start
// time, and on PostgreSQL its database session), by which MarkInterrupted later tells whether the run's process has died. Start defaults
// to now, Kind to KindFull and Outcome to RunRunning. Run ids are unique; beginning the same id
// twice is an error.
func (s *Store) BeginRun(ctx context.Context, r Run) error {
	fail := func(err error) error { return fmt.Errorf("store: begin run %s: %w", r.ID, err) }
	if r.ID == "" {
		return fail(errors.New("empty run id"))
	}
	if r.Start.IsZero() {
		r.Start = s.now()
	}
	if r.Outcome == "" {
		r.Outcome = RunRunning
	}
	if r.Kind == "" {
		r.Kind = KindFull
	}
	if err := oneOf("kind", r.Kind, runKinds); err != nil {
		return fail(err)
	}
	if err := oneOf("trigger", r.Trigger, triggers); err != nil {
		return fail(err)
	}
	if err := oneOf("outcome", r.Outcome, outcomes); err != nil {
		return fail(err)
	}
	summary, err := json.Marshal(r.Summary)
	if err != nil {
		return fail(err)
	}
	session, err := s.sessionToken(ctx)
	if err != nil {
		return fail(err)
	}
	p := s.self
	_, err = s.db.ExecContext(ctx, `
INSERT INTO runs (id, kind, trigger, dry_run, started_at, ended_at, outcome, summary, error, approves_run,
	managed_active, host, pid, boot_id, pid_ns, proc_start, session)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.Kind, r.Trigger, r.DryRun, formatTime(r.Start), nullTime(r.End), r.Outcome, string(summary), r.Error,
		r.ApprovesRun, r.ManagedActive, p.Host, p.PID, p.BootID, p.PIDNS, p.Start, session)
	if err != nil {
		return fail(err)
	}
	return nil
}

// FinishRun records how a begun run ended (ErrNotFound for an unknown id). A run that
// MarkInterrupted judged dead but that finishes after all gets its real outcome.
func (s *Store) FinishRun(ctx context.Context, id string, f Finish) error {
	fail := func(err error) error { return fmt.Errorf("store: finish run %s: %w", id, err) }
	if f.Outcome == RunRunning {
		return fail(errors.New("outcome running does not finish a run"))
	}
	if err := oneOf("outcome", f.Outcome, outcomes); err != nil {
		return fail(err)
	}
	if f.End.IsZero() {
		f.End = s.now()
	}
	js, err := json.Marshal(f.Summary)
	if err != nil {
		return fail(err)
	}
	res, err := s.db.ExecContext(ctx, `
UPDATE runs SET ended_at = ?, outcome = ?, summary = ?, error = ?, managed_active = ? WHERE id = ?`,
		formatTime(f.End), f.Outcome, string(js), f.Error, f.ManagedActive, id)
	if err != nil {
		return fail(err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fail(err)
	} else if n == 0 {
		return fail(ErrNotFound)
	}
	return nil
}

const runColumns = `id, kind, trigger, dry_run, started_at, ended_at, outcome, summary, error, approves_run, managed_active`

// newestFirst orders runs; the id breaks ties between runs started in the same instant, so the
// order (and which run is "latest") never depends on the query plan.
const newestFirst = `ORDER BY started_at DESC, id DESC`

// Runs returns the runs f selects, newest first.
func (s *Store) Runs(ctx context.Context, f RunFilter) ([]Run, error) {
	q := `SELECT ` + runColumns + ` FROM runs`
	var args []any
	if !f.Since.IsZero() {
		q += ` WHERE started_at >= ?`
		args = append(args, formatTime(f.Since))
	}
	q += ` ` + newestFirst
	if f.Limit > 0 {
		q += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: read runs: %w", err)
	}
	defer rows.Close()
	var out []Run
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, fmt.Errorf("store: read runs: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read runs: %w", err)
	}
	return out, nil
}

// Run returns one run; ErrNotFound when there is no such run.
func (s *Store) Run(ctx context.Context, id string) (Run, error) {
	r, err := scanRun(s.db.QueryRowContext(ctx, `SELECT `+runColumns+` FROM runs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Run{}, fmt.Errorf("store: run %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Run{}, fmt.Errorf("store: run %s: %w", id, err)
	}
	return r, nil
}

// LatestRun returns the most recently started run; ErrNotFound when none was recorded.
func (s *Store) LatestRun(ctx context.Context) (Run, error) {
	r, err := scanRun(s.db.QueryRowContext(ctx, `SELECT `+runColumns+` FROM runs `+newestFirst+` LIMIT 1`))
	if errors.Is(err, sql.ErrNoRows) {
		return Run{}, fmt.Errorf("store: latest run: %w", ErrNotFound)
	}
	if err != nil {
		return Run{}, fmt.Errorf("store: latest run: %w", err)
	}
	return r, nil
}

// LastFullRun returns the newest finished, non-dry full run (ErrNotFound when none): its
// ManagedActive is the base of the percent cap for the small runs after it (DESIGN §10). A run
// that was interrupted is not finished, and may not have read everything.
func (s *Store) LastFullRun(ctx context.Context) (Run, error) {
	r, err := scanRun(s.db.QueryRowContext(ctx, `SELECT `+runColumns+` FROM runs
WHERE kind = ? AND dry_run = ? AND ended_at IS NOT NULL AND outcome NOT IN (?, ?) `+newestFirst+` LIMIT 1`,
		KindFull, false, RunRunning, RunInterrupted))
	if errors.Is(err, sql.ErrNoRows) {
		return Run{}, fmt.Errorf("store: last full run: %w", ErrNotFound)
	}
	if err != nil {
		return Run{}, fmt.Errorf("store: last full run: %w", err)
	}
	return r, nil
}

type scanner interface{ Scan(dest ...any) error }

func scanRun(row scanner) (Run, error) {
	var (
		r              Run
		start, summary string
		end            sql.NullString
	)
	if err := row.Scan(&r.ID, &r.Kind, &r.Trigger, &r.DryRun, &start, &end, &r.Outcome, &summary, &r.Error,
		&r.ApprovesRun, &r.ManagedActive); err != nil {
		return Run{}, err
	}
	var err error
	if r.Start, err = parseTime(start); err != nil {
		return Run{}, err
	}
	if r.End, err = parseNullTime(end); err != nil {
		return Run{}, err
	}
	if err := json.Unmarshal([]byte(summary), &r.Summary); err != nil {
		return Run{}, fmt.Errorf("summary of run %s: %w", r.ID, err)
	}
	return r, nil
}

// oneOf refuses values outside the known set, so a typo in a caller is caught when written
// rather than when an operator filters the history and finds nothing.
func oneOf(what, v string, known []string) error {
	for _, k := range known {
		if v == k {
			return nil
		}
	}
	return fmt.Errorf("unknown %s %q (want one of %s)", what, v, strings.Join(known, ", "))
}
