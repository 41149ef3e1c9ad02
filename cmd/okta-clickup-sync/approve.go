package main

import (
	"context"
	"errors"
	"time"

	"github.com/spf13/cobra"

	"github.com/okta-clickup-sync/okta-clickup-sync/engine"
	"github.com/okta-clickup-sync/okta-clickup-sync/store"
)

func (c *cli) approveCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "approve RUN_ID",
		Short: "Apply the deactivations a run held",
		Long: `Apply the deactivations that a run held because they were more than SYNC_MAX_DEACTIVATIONS or
SYNC_MAX_DEACTIVATION_PERCENT allow. Okta and ClickUp are read afresh and only the held
deactivations that are still warranted are applied; a held run is approved once. The id is the
one the held run printed, or one from okta-clickup-sync history.`,
		Example: `  okta-clickup-sync history                             # find the held run
  okta-clickup-sync drift --run 20261120T090000Z-3fa2c1 --action deactivate
  okta-clickup-sync approve 20261120T090000Z-3fa2c1
  okta-clickup-sync approve 20261120T090000Z-3fa2c1 -o json --config config.yaml`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return errors.New("approve takes one RUN_ID (see okta-clickup-sync history)")
			}
			return nil
		},
	}
	out := addOutputFlag(cmd, "format of the plan on stdout")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		ctx := cmd.Context()
		a, err := c.newApp(ctx)
		if err != nil {
			return err
		}
		defer a.close()
		if a.st == nil {
			c.errorf("%v", engine.ErrNoStore)
			return exitCode(exitError)
		}
		id := args[0]
		if err := c.approvable(ctx, a.st, a.cfg.Sync.StatePath, id); err != nil {
			return err
		}
		res := a.engine.Run(ctx, engine.Spec{Kind: engine.KindFull, Trigger: store.TriggerApprove, Approves: id})
		if res.Err != nil && len(res.Plan.Entries) == 0 {
			// Two approvals raced, or the store failed: the run record says which.
			c.errorf("approve run %s (approval run %s): %v", id, res.ID, res.Err)
			if *out == "json" {
				_ = newRunReport(res, id, res.ExitCode(false), "").writeJSON(c.stdout)
			}
			return exitCode(res.ExitCode(false))
		}
		return codeOf(c.report("approve", a, res, id, *out, false))
	}
	return cmd
}

// approvable tells apart a run that does not exist, one that held nothing and one already
// approved, before an approval run is recorded for nothing.
func (c *cli) approvable(ctx context.Context, st *store.Store, path, id string) error {
	if _, err := st.Run(ctx, id); errors.Is(err, store.ErrNotFound) {
		c.errorf("no run %s in the state file %s; see okta-clickup-sync history for the run ids", id, path)
		return exitCode(exitError)
	} else if err != nil {
		c.errorf("read run %s: %v", id, err)
		return exitCode(exitError)
	}
	by, at, err := st.Approval(ctx, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		c.errorf("run %s held no deactivations; there is nothing to approve", id)
		return exitCode(exitError)
	case err != nil:
		c.errorf("read the approval of run %s: %v", id, err)
		return exitCode(exitError)
	case by != "":
		c.errorf("run %s was already approved by run %s at %s; see okta-clickup-sync drift --run %s", id, by, at.UTC().Format(time.RFC3339), by)
		return exitCode(exitError)
	}
	return nil
}
