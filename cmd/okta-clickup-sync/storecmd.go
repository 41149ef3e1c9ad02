package main

import (
	"errors"

	"github.com/spf13/cobra"
)

func (c *cli) storeCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "store",
		Short: "Manage the state store",
		Long:  "Manage the state store: the links, runs, drift and held plans the daemon keeps.",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cmd.SetOut(c.stderr)
			_ = cmd.Help()
			return exitCode(exitError)
		},
	}
	cmd.AddCommand(c.storeMigrateCommand())
	return cmd
}

func (c *cli) storeMigrateCommand() *cobra.Command {
	var from, to string
	cmd := &cobra.Command{
		Use:   "migrate --from PATH --to URL",
		Short: "Copy the SQLite state file into a PostgreSQL store",
		Long: `Copy everything the SQLite state file holds (links, runs, drift, held plans, the event cursor)
into an empty PostgreSQL store, so that several replicas can share it (SYNC_STATE_URL).`,
		Example: `  okta-clickup-sync store migrate --from /var/lib/okta-clickup-sync/okta-clickup-sync.db \
    --to postgres://okta-clickup-sync@db.internal/okta_clickup_sync`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if from == "" || to == "" {
				return errors.New("store migrate needs --from PATH and --to URL")
			}
			c.errorf("store migrate: PostgreSQL support is coming in a later release; this build keeps the store in the SQLite file %s only (SYNC_STATE_PATH)", from)
			return exitCode(exitError)
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "the SQLite state file to copy (env SYNC_STATE_PATH)")
	cmd.Flags().StringVar(&to, "to", "", "the PostgreSQL store to copy it into, postgres://... (env SYNC_STATE_URL)")
	return cmd
}
