package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

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

	r, code := newRunner(ctx, *configPath, lookup, stderr, adapterClients{})
	if r == nil {
		return code
	}
	defer r.close()
	if r.st == nil {
		fmt.Fprintln(stderr, "approve:", errNoStore)
		return exitError
	}
	held, err := r.st.Held(ctx, runID)
	if errors.Is(err, store.ErrNotFound) {
		fmt.Fprintf(stderr, "approve: run %s held no deactivations\n", runID)
		return exitError
	}
	if err != nil {
		fmt.Fprintln(stderr, "approve:", err)
		return exitError
	}
	res := r.once(ctx, runSpec{trigger: store.TriggerApprove, approves: runID, held: held})
	if res.plan.Entries == nil && res.err != nil {
		return res.exitCode(false)
	}
	if err := printPlan(stdout, res.plan, out); err != nil {
		return exitError
	}
	return res.exitCode(false)
}
