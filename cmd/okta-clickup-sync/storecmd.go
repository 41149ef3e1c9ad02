package main

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/spf13/cobra"

	"github.com/okta-clickup-sync/okta-clickup-sync/config"
	"github.com/okta-clickup-sync/okta-clickup-sync/store"
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
		RunE: func(cmd *cobra.Command, _ []string) error {
			if from == "" || to == "" {
				return errors.New("store migrate needs --from PATH and --to URL")
			}
			return c.migrate(cmd.Context(), from, to)
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "the SQLite state file to copy (env SYNC_STATE_PATH)")
	cmd.Flags().StringVar(&to, "to", "", "the PostgreSQL store to copy it into, postgres://... (env SYNC_STATE_URL)")
	return cmd
}

// migrate copies a SQLite state file into an empty PostgreSQL store. The daemon should be stopped
// first: what it writes after the copy began is not copied.
func (c *cli) migrate(ctx context.Context, from, to string) error {
	shown := config.RedactURL(to)
	src, err := store.Open(ctx, from, store.Options{MustExist: true})
	if err != nil {
		c.errorf("store migrate: the state file to copy (--from): %v", err)
		return exitCode(exitError)
	}
	defer src.Close()
	dst, err := store.OpenURL(ctx, to, store.Options{})
	if err != nil {
		c.errorf("store migrate: the PostgreSQL store (--to): %v", err)
		return exitCode(exitError)
	}
	defer dst.Close()
	counts, err := store.Copy(ctx, src, dst)
	switch {
	case errors.Is(err, store.ErrNotEmpty):
		c.errorf("store migrate: %s already holds data; migrate copies only into an empty store", shown)
		return exitCode(exitError)
	case err != nil:
		c.errorf("store migrate: copy %s to %s: %v", from, shown, err)
		return exitCode(exitError)
	}
	tables := make([]string, 0, len(counts))
	for t := range counts {
		tables = append(tables, t)
	}
	sort.Strings(tables)
	for _, t := range tables {
		fmt.Fprintf(c.stdout, "%-16s %d rows\n", t, counts[t])
	}
	fmt.Fprintf(c.stdout, "Copied %s to %s. Point every replica at it with SYNC_STATE_URL, and unset SYNC_STATE_PATH.\n", from, shown)
	return nil
}
