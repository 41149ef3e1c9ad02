package main

import (
	"context"
	"errors"
	"time"

	"github.com/okta-clickup-sync/okta-clickup-sync/config"
	"github.com/okta-clickup-sync/okta-clickup-sync/engine"
	"github.com/okta-clickup-sync/okta-clickup-sync/store"
)

// stateSetting and stateURLSetting name the store's settings both ways, for messages.
const (
	stateSetting    = "SYNC_STATE_PATH (sync.state_path)"
	stateURLSetting = "SYNC_STATE_URL (sync.state_url)"
)

// openReviewStore opens the state file for drift and history, which only read it: a missing file
// is an error that says so, and nothing is created (DESIGN.md §12).
func (c *cli) openReviewStore(ctx context.Context, cfg config.Config) (*store.Store, error) {
	if cfg.Sync.StateURL != "" {
		st, err := store.OpenURL(ctx, cfg.Sync.StateURL.Reveal(), store.Options{MustExist: true})
		switch {
		case errors.Is(err, store.ErrNoStateFile):
			c.errorf("the PostgreSQL store set by %s holds no state yet, so no run has been recorded there (%v)", stateURLSetting, err)
			return nil, exitCode(exitError)
		case err != nil:
			c.errorf("cannot open the PostgreSQL store set by %s: %v", stateURLSetting, err)
			return nil, exitCode(exitError)
		}
		return st, nil
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

// sinceFlag turns a --since value (36h, 7d) into the time it names; empty gives the zero time.
func (c *cli) sinceFlag(since string) (time.Time, error) {
	if since == "" {
		return time.Time{}, nil
	}
	d, err := parseSince(since)
	if err != nil {
		c.errorf("%v", err)
		return time.Time{}, exitCode(exitError)
	}
	return time.Now().Add(-d), nil
}

// reviewStore loads the settings drift and history need and opens the store for reading.
func (c *cli) reviewStore(ctx context.Context) (*store.Store, error) {
	cfg, _, err := c.setup(scopeReview)
	if err != nil {
		return nil, err
	}
	return c.openReviewStore(ctx, cfg)
}
