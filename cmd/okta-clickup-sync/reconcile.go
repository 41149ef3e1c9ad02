package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"github.com/okta-clickup-sync/okta-clickup-sync/config"
	"github.com/okta-clickup-sync/okta-clickup-sync/engine"
	"github.com/okta-clickup-sync/okta-clickup-sync/store"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

func (c *cli) reconcileCommand() *cobra.Command {
	var (
		dryRun, detailed bool
		users            []string
	)
	cmd := &cobra.Command{
		Use:   "reconcile",
		Short: "Reconcile once: plan, apply, print the plan with each outcome",
		Long: `Reconcile once: read the ClickUp app's assignments in Okta and the Workspace's users in ClickUp,
plan, apply the plan under the safety rails, and print it with the outcome of every entry on stdout
(the drift log goes to stderr). With --user, only the named users are read and reconciled, as
Okta's "Provision User" does; a full run remains the backstop.

Exit codes: 0 success, 1 error, 2 changes (only with --detailed-exitcode; with --dry-run, changes
planned), 3 held by a safety rail (run approve RUN_ID to apply what was held).`,
		Example: `  okta-clickup-sync reconcile --dry-run                 # what would change, changing nothing
  okta-clickup-sync reconcile -o json                    # apply; the plan and outcomes as JSON
  okta-clickup-sync reconcile --dry-run --detailed-exitcode || echo "exit $?"
  okta-clickup-sync reconcile --user alice@example.com   # one user on demand (id, login or email)
  okta-clickup-sync reconcile --config /etc/okta-clickup-sync/config.yaml`,
		Args: cobra.NoArgs,
	}
	f := cmd.Flags()
	f.BoolVar(&dryRun, "dry-run", false, "print the plan and change nothing")
	f.BoolVar(&detailed, "detailed-exitcode", false, "exit 2 when the run changed (with --dry-run: would change) ClickUp")
	f.StringSliceVar(&users, "user", nil, "reconcile only these users: Okta ids, logins or emails (`KEY,...`, or repeated)")
	out := addOutputFlag(cmd, "format of the plan on stdout")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		spec := engine.Spec{Kind: engine.KindFull, Trigger: store.TriggerManual, DryRun: dryRun}
		if cmd.Flags().Changed("user") {
			keys, err := userKeys(users)
			if err != nil {
				c.errorf("%v", err)
				return exitCode(exitError)
			}
			spec.Kind, spec.Users = engine.KindUser, keys
		}
		a, err := c.newApp(cmd.Context())
		if err != nil {
			return err
		}
		defer a.close()
		res := a.engine.Run(cmd.Context(), spec)
		return codeOf(c.report("reconcile", a, res, "", *out, detailed))
	}
	return cmd
}

// userKeys cleans the keys of --user: each one trimmed, none empty, none repeated.
func userKeys(in []string) ([]string, error) {
	var keys []string
	seen := map[string]bool{}
	for _, k := range in {
		k = strings.TrimSpace(k)
		if k == "" {
			continue
		}
		if !seen[strings.ToLower(k)] {
			seen[strings.ToLower(k)] = true
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("--user needs at least one Okta user id, login or email")
	}
	return keys, nil
}

// report prints a finished one-off run on stdout (text or JSON), says on stderr in a sentence
// why it failed if it did, and returns the exit code.
func (c *cli) report(name string, a *app, res engine.Result, approves string, out outputFlag, detailed bool) int {
	code := res.ExitCode(detailed)
	approveCmd, hint := c.holdHints(a.st != nil, res)
	if approves != "" {
		approveCmd = ""
	}
	r := newRunReport(res, approves, code, approveCmd)
	var err error
	if out == "json" {
		err = r.writeJSON(c.stdout)
	} else {
		err = r.writeText(c.stdout, hint)
	}
	if err != nil {
		c.errorf("write the plan: %v", err)
		return exitError
	}
	switch {
	case res.Err != nil:
		c.errorf("%s run %s %s: %v", name, res.ID, res.Outcome, res.Err)
	case code == exitError:
		c.errorf("%s run %s %s: %d entries failed; see the plan above and the log", name, res.ID, res.Outcome, r.Summary.Failures)
	}
	return code
}

// holdHints say how to review and apply what a run held: the approve command when a store keeps
// the held plan, else what to do instead.
func (c *cli) holdHints(haveStore bool, res engine.Result) (approveCmd, hint string) {
	switch {
	case !haveStore:
		return "", "Without a store nothing is kept for approval: raise SYNC_MAX_DEACTIVATIONS or SYNC_MAX_DEACTIVATION_PERCENT for one run to apply them."
	case res.DryRun:
		return "", "A dry run holds nothing for approval; held deactivations are applied with okta-clickup-sync approve RUN_ID of the run that held them (see the NOTE column, or okta-clickup-sync history)."
	}
	return c.commandLine("approve", res.ID), c.commandLine("drift", "--run", res.ID, "--action", "deactivate")
}

// app is what every run-making command holds: the configuration, the logger, the engine and the
// store it writes to.
type app struct {
	cfg     config.Config
	log     zerolog.Logger
	engine  *engine.Engine
	st      *store.Store // nil when SYNC_STATE_PATH is empty
	metrics *metrics
	events  core.EventLog // Okta's System Log, for the daemon's poller
}

// newApp loads the configuration and builds the app, saying on stderr what went wrong.
func (c *cli) newApp(ctx context.Context) (*app, error) {
	cfg, log, err := c.setup(scopeAll)
	if err != nil {
		return nil, err
	}
	m := newMetrics()
	a, err := buildApp(ctx, cfg, log, c.clients.withObserved(m, cfg, log))
	if err != nil {
		c.errorf("%v", err)
		return nil, exitCode(exitError)
	}
	a.metrics = m
	a.engine.Pages = m.pages.Load
	return a, nil
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
	a := &app{cfg: cfg, log: log, engine: e, st: st}
	a.events, _ = e.Directory.(core.EventLog)
	return a, nil
}

func (a *app) close() {
	if a.st != nil {
		if err := a.st.Close(); err != nil {
			a.log.Warn().Err(err).Msg("close state file")
		}
	}
}
