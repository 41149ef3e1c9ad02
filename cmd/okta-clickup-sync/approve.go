package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/okta-clickup-sync/okta-clickup-sync/engine"
	"github.com/okta-clickup-sync/okta-clickup-sync/store"
)

// runApprove applies the deactivations a run held, those that a fresh plan still warrants.
func runApprove(ctx context.Context, args []string, lookup env, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("approve", flag.ContinueOnError)
	configPath := fs.String("config", "", "YAML configuration file (default $OKTA_CLICKUP_SYNC_CONFIG)")
	out := output("text")
	fs.Var(&out, "output", "plan format on stdout: text or json")
	// The run id comes first on the command line (approve RUN_ID); flags may follow it.
	var runID string
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		runID, args = args[0], args[1:]
	}
	if done, code := parseFlags(fs, args, stderr); done {
		return code
	}
	if runID == "" {
		fmt.Fprintln(stderr, "approve: usage: okta-clickup-sync approve RUN_ID (see okta-clickup-sync history)")
		return exitError
	}

	app, code := newApp(ctx, *configPath, lookup, stderr, adapterClients{})
	if app == nil {
		return code
	}
	defer app.close()
	res := app.engine.Run(ctx, engine.Spec{Kind: engine.KindFull, Trigger: store.TriggerApprove, Approves: runID})
	if res.Plan.Entries == nil && res.Err != nil {
		fmt.Fprintln(stderr, "approve:", res.Err)
		return res.ExitCode(false)
	}
	if err := printPlan(stdout, res.Plan, out); err != nil {
		return exitError
	}
	return res.ExitCode(false)
}
