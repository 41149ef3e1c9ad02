package main

import (
	"context"
	"errors"

	"github.com/okta-clickup-sync/okta-clickup-sync/config"
	"github.com/okta-clickup-sync/okta-clickup-sync/engine"
	"github.com/okta-clickup-sync/okta-clickup-sync/store"
)

// stateSetting names the state file's setting both ways, for messages.
const stateSetting = "SYNC_STATE_PATH (sync.state_path)"

// openReviewStore opens the state file for drift and history, which only read it: a missing file
// is an error that says so, and nothing is created (DESIGN.md §12).
func (c *cli) openReviewStore(ctx context.Context, cfg config.Config) (*store.Store, error) {
	if cfg.Sync.StateURL != "" {
		c.errorf("SYNC_STATE_URL is set, but this build keeps the store in a SQLite file only; use %s", stateSetting)
		return nil, exitCode(exitError)
	}
	path := cfg.Sync.StatePath
	if path == "" {
		c.errorf("%v", engine.ErrNoStore)
		return nil, exitCode(exitError)
	}
	st, err := store.Open(ctx, path, store.Options{MustExist: true})
	switch {
	case errors.Is(err, store.ErrNoStateFile):
		c.errorf("there is no state file at %s, the path set by %s, so no run has been recorded there (%v). Runs are recorded by run, reconcile and approve; check the setting if you expected one.", path, stateSetting, err)
		return nil, exitCode(exitError)
	case err != nil:
		c.errorf("cannot open the state file %s, the path set by %s: %v", path, stateSetting, err)
		return nil, exitCode(exitError)
	}
	return st, nil
}
