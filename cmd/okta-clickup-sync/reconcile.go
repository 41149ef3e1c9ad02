package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/rs/zerolog"

	"github.com/okta-clickup-sync/okta-clickup-sync/config"
	"github.com/okta-clickup-sync/okta-clickup-sync/store"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// output is how the plan is printed on stdout.
type output string

func (o *output) String() string { return string(*o) }
func (o *output) Set(s string) error {
	if s != "text" && s != "json" {
		return fmt.Errorf("must be text or json, not %q", s)
	}
	*o = output(s)
	return nil
}

func runReconcile(ctx context.Context, args []string, lookup env, stdout, stderr io.Writer, hc adapterClients) int {
	fs := flag.NewFlagSet("reconcile", flag.ContinueOnError)
	configPath := fs.String("config", "", "YAML configuration file (default $OKTA_CLICKUP_SYNC_CONFIG)")
	dryRun := fs.Bool("dry-run", false, "print the plan and change nothing")
	detailed := fs.Bool("detailed-exitcode", false, "exit 2 when the run changed (or, with --dry-run, would change) ClickUp")
	out := output("text")
	fs.Var(&out, "output", "plan format on stdout: text or json")
	if done, code := parseFlags(fs, args, stderr); done {
		return code
	}

	r, code := newRunner(ctx, *configPath, lookup, stderr, hc)
	if r == nil {
		return code
	}
	defer r.close()
	res := r.once(ctx, runSpec{trigger: store.TriggerManual, dryRun: *dryRun})
	if res.plan.Entries == nil && res.err != nil {
		return res.exitCode(*detailed) // nothing was planned; the log says why
	}
	if err := printPlan(stdout, res.plan, out); err != nil {
		r.log.Error().Err(err).Msg("print plan")
		return exitError
	}
	return res.exitCode(*detailed)
}

// runResult is what one reconcile left behind.
type runResult struct {
	id     string
	plan   core.Plan
	err    error
	dryRun bool
}

func (r runResult) exitCode(detailed bool) int {
	s := r.plan.Summarize()
	switch {
	case errors.Is(r.err, core.ErrEmptySource):
		return exitHeld
	case r.err != nil || s.Failures > 0:
		return exitError
	case s.Outcomes[core.OutcomeHeld] > 0:
		return exitHeld
	case detailed && s.Writes > 0:
		return exitChanges
	default:
		return exitOK
	}
}

// runner makes runs: it holds what every run needs, whichever command or trigger starts it.
type runner struct {
	rec *core.Reconciler
	cfg config.Config
	log zerolog.Logger
	st  *store.Store // nil when SYNC_STATE_PATH is empty
}

// runSpec says what kind of run to make.
type runSpec struct {
	trigger  string
	dryRun   bool
	approves string       // for approve: the run whose held deactivations are applied
	held     []core.Entry // for approve: those deactivations
}

// newRunner loads the configuration and builds a runner, reporting problems on stderr. A nil
// runner comes with the exit code to return.
func newRunner(ctx context.Context, configPath string, lookup env, stderr io.Writer, hc adapterClients) (*runner, int) {
	cfg, err := loadConfig(configPath, lookup)
	if err != nil {
		fmt.Fprintf(stderr, "configuration:\n%v\n", err)
		return nil, exitError
	}
	log := newLogger(stderr, cfg.Log.Level, cfg.Log.Format)
	r, err := buildRunner(ctx, cfg, log, hc)
	if err != nil {
		log.Error().Err(err).Msg("start-up failed")
		return nil, exitError
	}
	return r, exitOK
}

// buildRunner wires the adapters and, when configured, the store.
func buildRunner(ctx context.Context, cfg config.Config, log zerolog.Logger, hc adapterClients) (*runner, error) {
	rec, err := newReconcilerWith(ctx, cfg, hc)
	if err != nil {
		return nil, err
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if st != nil {
		rec.Links, rec.GroupLinks = st, st
	}
	return &runner{rec: rec, cfg: cfg, log: log, st: st}, nil
}

func (r *runner) close() {
	if r.st != nil {
		if err := r.st.Close(); err != nil {
			r.log.Warn().Err(err).Msg("close state file")
		}
	}
}

// once runs one reconcile under the run deadline, logging every plan entry before any write and
// every write's outcome after it, so each change is visible before and after it is made. With a
// store, the run holds the run lock while it writes and is recorded with its entries.
func (r *runner) once(ctx context.Context, spec runSpec) runResult {
	start := time.Now()
	res := runResult{id: newRunID(start), dryRun: spec.dryRun}
	log := r.log.With().Str("run_id", res.id).Str("trigger", spec.trigger).Logger()
	if r.cfg.Sync.RunTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, r.cfg.Sync.RunTimeout)
		defer cancel()
	}
	log.Info().Bool("dry_run", spec.dryRun).Str("approves", spec.approves).Msg("run started")

	if r.st != nil {
		if !spec.dryRun {
			unlock, err := r.st.Lock(ctx, fmt.Sprintf("%s run %s (pid %d)", spec.trigger, res.id, os.Getpid()), lockWait)
			if err != nil {
				res.err = fmt.Errorf("take the run lock: %w", err)
				log.Error().Err(res.err).Msg("run not started")
				return res
			}
			defer func() {
				if err := unlock(); err != nil {
					log.Warn().Err(err).Msg("release the run lock")
				}
			}()
		}
		err := r.st.BeginRun(ctx, store.Run{ID: res.id, Trigger: spec.trigger, DryRun: spec.dryRun, Start: start, ApprovesRun: spec.approves})
		if err != nil {
			res.err = fmt.Errorf("record run start: %w", err)
			log.Error().Err(res.err).Msg("run not started")
			return res
		}
		defer func() { recordRun(ctx, r.st, r.cfg, log, res, time.Now()) }()
	}

	p, err := r.rec.Plan(ctx)
	if err == nil && spec.approves != "" {
		p = core.Approve(p, spec.held)
		// Approval is taken before the writes, so two approvals racing cannot both apply.
		if err = r.st.MarkApproved(ctx, spec.approves, res.id); err != nil {
			err = fmt.Errorf("approve run %s: %w", spec.approves, err)
		}
	}
	if err != nil {
		res.err = err
		switch {
		case errors.Is(err, core.ErrEmptySource):
			log.Warn().Err(err).Msg("run refused by a safety rail, nothing was written")
		case ctx.Err() != nil:
			// Shutdown or the run deadline cut the reads short; nothing was written.
			log.Warn().Err(err).Msg("run interrupted")
		default:
			log.Error().Err(err).Msg("run failed before any write")
		}
		return res
	}
	for o, c := range p.Vanished {
		log.Warn().Str("okta_user_id", o).Str("clickup_user_id", c).Msg("linked ClickUp user vanished; link dropped")
	}
	for _, e := range p.Entries {
		logEntry(log, "plan entry", e, spec.dryRun)
	}
	if n := p.Summarize().Outcomes[core.OutcomeHeld]; n > 0 {
		hint := "rerun once with higher SYNC_MAX_DEACTIVATIONS and SYNC_MAX_DEACTIVATION_PERCENT to apply them"
		if r.st != nil && !spec.dryRun {
			hint = "review them with: okta-clickup-sync drift --run " + res.id + " --action deactivate; apply them with: okta-clickup-sync approve " + res.id
		}
		log.Warn().Int("held", n).Int("max_deactivations", r.cfg.Sync.MaxDeactivations).
			Float64("max_deactivation_percent", r.cfg.Sync.MaxDeactivationPercent).
			Str("hint", hint).Msg("deactivations held by the cap")
	}
	if !spec.dryRun {
		if p.Writes() > 0 {
			opts := r.rec.Apply
			opts.OnDone = func(e core.Entry) { logEntry(log, "action result", e, false) }
			p = core.Apply(ctx, r.rec.Workspace, p, opts)
			if err := ctx.Err(); err != nil {
				res.err = fmt.Errorf("run interrupted: %w", err)
				log.Warn().Err(err).Msg("run interrupted")
			}
		}
		if err := r.rec.RecordLinks(context.WithoutCancel(ctx), p); err != nil {
			log.Error().Err(err).Msg("keep links")
		}
	}
	res.plan = p
	logSummary(log, p, spec.dryRun, time.Since(start))
	return res
}

func printPlan(w io.Writer, p core.Plan, out output) error {
	if out == "json" {
		return p.WriteJSON(w)
	}
	return p.WriteText(w)
}
