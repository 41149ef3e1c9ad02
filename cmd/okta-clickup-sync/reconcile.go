package main

import (
	"context"
	"errors"

	"flag"
	"fmt"
	"io"
	"time"

	"github.com/rs/zerolog"

	"github.com/okta-clickup-sync/okta-clickup-sync/config"
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

func runReconcile(ctx context.Context, args []string, lookup env, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("reconcile", flag.ContinueOnError)
	configPath := fs.String("config", "", "YAML configuration file (default $OKTA_CLICKUP_SYNC_CONFIG)")
	dryRun := fs.Bool("dry-run", false, "print the plan and change nothing")
	detailed := fs.Bool("detailed-exitcode", false, "exit 2 when the run changed (or, with --dry-run, would change) ClickUp")
	out := output("text")
	fs.Var(&out, "output", "plan format on stdout: text or json")
	if done, code := parseFlags(fs, args, stderr); done {
		return code
	}

	cfg, err := loadConfig(*configPath, lookup)
	if err != nil {
		fmt.Fprintf(stderr, "configuration:\n%v\n", err)
		return exitError
	}
	log := newLogger(stderr, cfg.Log.Level, cfg.Log.Format)
	rec, err := newReconciler(ctx, cfg)
	if err != nil {
		log.Error().Err(err).Msg("start-up failed")
		return exitError
	}
	res := reconcileOnce(ctx, rec, cfg, log, *dryRun)
	if res.plan.Entries == nil && res.err != nil {
		return res.exitCode(*detailed) // nothing was planned; the log says why
	}
	if err := printPlan(stdout, res.plan, out); err != nil {
		log.Error().Err(err).Msg("print plan")
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

// reconcileOnce runs one reconcile under the run deadline, logging every plan entry before any
// write and every write's outcome after it, so each change is visible before and after it is made.
func reconcileOnce(ctx context.Context, rec *core.Reconciler, cfg config.Config, root zerolog.Logger, dryRun bool) runResult {
	start := time.Now()
	res := runResult{id: newRunID(start), dryRun: dryRun}
	log := root.With().Str("run_id", res.id).Logger()
	if cfg.Sync.RunTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.Sync.RunTimeout)
		defer cancel()
	}
	log.Info().Bool("dry_run", dryRun).Msg("run started")

	p, err := rec.Plan(ctx)
	if err != nil {
		res.err = err
		if errors.Is(err, core.ErrEmptySource) {
			log.Warn().Err(err).Msg("run refused by a safety rail, nothing was written")
		} else {
			log.Error().Err(err).Msg("run failed before any write")
		}
		return res
	}
	for _, e := range p.Entries {
		logEntry(log, "plan entry", e, dryRun)
	}
	if n := p.Summarize().Outcomes[core.OutcomeHeld]; n > 0 {
		log.Warn().Int("held", n).Int("max_deactivations", cfg.Sync.MaxDeactivations).
			Float64("max_deactivation_percent", cfg.Sync.MaxDeactivationPercent).
			Str("hint", "review the held deactivations; to apply them, rerun once with higher SYNC_MAX_DEACTIVATIONS and SYNC_MAX_DEACTIVATION_PERCENT").
			Msg("deactivations held by the cap")
	}
	if !dryRun && p.Writes() > 0 {
		opts := rec.Apply
		opts.OnDone = func(e core.Entry) { logEntry(log, "action result", e, false) }
		p = core.Apply(ctx, rec.Workspace, p, opts)
		if err := ctx.Err(); err != nil {
			res.err = fmt.Errorf("run interrupted: %w", err)
			log.Warn().Err(err).Msg("run interrupted")
		}
	}
	res.plan = p
	logSummary(log, p, dryRun, time.Since(start))
	return res
}

func printPlan(w io.Writer, p core.Plan, out output) error {
	if out == "json" {
		return p.WriteJSON(w)
	}
	return p.WriteText(w)
}
