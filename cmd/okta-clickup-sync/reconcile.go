package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/rs/zerolog"

	"github.com/okta-clickup-sync/okta-clickup-sync/config"
	"github.com/okta-clickup-sync/okta-clickup-sync/engine"
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

	app, code := newApp(ctx, *configPath, lookup, stderr, hc)
	if app == nil {
		return code
	}
	defer app.close()
	res := app.engine.Run(ctx, engine.Spec{Kind: engine.KindFull, Trigger: store.TriggerManual, DryRun: *dryRun})
	if res.Plan.Entries == nil && res.Err != nil {
		return res.ExitCode(*detailed) // nothing was planned; the log says why
	}
	if err := printPlan(stdout, res.Plan, out); err != nil {
		app.log.Error().Err(err).Msg("print plan")
		return exitError
	}
	return res.ExitCode(*detailed)
}

// app is what every run-making command holds: the configuration, the logger, the engine and the
// store it writes to.
type app struct {
	cfg    config.Config
	log    zerolog.Logger
	engine *engine.Engine
	st     *store.Store // nil when SYNC_STATE_PATH is empty
}

// newApp loads the configuration and builds the app, reporting problems on stderr. A nil app
// comes with the exit code to return.
func newApp(ctx context.Context, configPath string, lookup env, stderr io.Writer, hc adapterClients) (*app, int) {
	cfg, err := loadConfig(configPath, lookup)
	if err != nil {
		fmt.Fprintf(stderr, "configuration:\n%v\n", err)
		return nil, exitError
	}
	log := newLogger(stderr, cfg.Log.Level, cfg.Log.Format)
	a, err := buildApp(ctx, cfg, log, hc)
	if err != nil {
		log.Error().Err(err).Msg("start-up failed")
		return nil, exitError
	}
	return a, exitOK
}

// buildApp wires the adapters, the store and the engine.
func buildApp(ctx context.Context, cfg config.Config, log zerolog.Logger, hc adapterClients) (*app, error) {
	st, err := openStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	e, err := newEngine(ctx, cfg, log, hc)
	if err != nil {
		if st != nil {
			st.Close()
		}
		return nil, err
	}
	if st != nil {
		e.Store = st
	}
	return &app{cfg: cfg, log: log, engine: e, st: st}, nil
}

func (a *app) close() {
	if a.st != nil {
		if err := a.st.Close(); err != nil {
			a.log.Warn().Err(err).Msg("close state file")
		}
	}
}

func printPlan(w io.Writer, p core.Plan, out output) error {
	if out == "json" {
		return p.WriteJSON(w)
	}
	return p.WriteText(w)
}
