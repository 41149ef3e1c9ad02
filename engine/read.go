package engine

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/sync/errgroup"

	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// ErrRead marks a run that stopped because a side could not be read completely; nothing was
// written.
var ErrRead = errors.New("read failed, nothing was written")

// readAll reads Okta and ClickUp concurrently. Any failure fails the whole read, and the first
// failure cancels the other reads: the planner never sees a partial state.
func (e *Engine) readAll(ctx context.Context) (core.Desired, core.Actual, error) {
	var (
		d core.Desired
		a core.Actual
	)
	g, gctx := errgroup.WithContext(ctx)
	goSafely(g, func() (err error) {
		if d.Users, err = e.Directory.ListAppUsers(gctx); err != nil {
			return fmt.Errorf("read okta: %w", err)
		}
		return nil
	})
	goSafely(g, func() error {
		if err := e.prepare(gctx); err != nil {
			return err
		}
		// Users and Teams once the service is known, side by side.
		sub, sctx := errgroup.WithContext(gctx)
		goSafely(sub, func() (err error) {
			if a.Users, err = e.Workspace.ListUsers(sctx); err != nil {
				return fmt.Errorf("read clickup users: %w", err)
			}
			return nil
		})
		if e.readsTeams() {
			goSafely(sub, func() (err error) {
				if a.Teams, err = e.Teams.ListTeams(sctx); err != nil {
					return fmt.Errorf("read clickup teams: %w", err)
				}
				return nil
			})
		}
		return sub.Wait()
	})
	if e.Roles != nil {
		goSafely(g, func() error {
			roles, err := e.Roles.ListCustomRoles(gctx)
			if err != nil {
				return fmt.Errorf("read clickup custom roles: %w", err)
			}
			if roles == nil {
				roles = []core.CustomRole{} // read, and empty: not "unknown"
			}
			a.CustomRoles = roles
			return nil
		})
		goSafely(g, func() (err error) {
			if a.OwnerID, err = e.Roles.WorkspaceOwner(gctx); err != nil {
				return fmt.Errorf("read clickup workspace owner: %w", err)
			}
			return nil
		})
	}
	if len(e.PushGroups) > 0 {
		goSafely(g, func() (err error) {
			if d.Groups, err = e.Groups.ListGroups(gctx, e.PushGroups); err != nil {
				return fmt.Errorf("read okta groups: %w", err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return core.Desired{}, core.Actual{}, fmt.Errorf("%w: %w", ErrRead, err)
	}
	if err := uniqueIDs(d, a); err != nil {
		return core.Desired{}, core.Actual{}, fmt.Errorf("%w: %w", ErrRead, err)
	}
	return d, a, nil
}

// prepare readies the ClickUp side (Engine.Prepare), if anything has to.
func (e *Engine) prepare(ctx context.Context) error {
	if e.Prepare == nil {
		return nil
	}
	if err := e.Prepare(ctx); err != nil {
		return fmt.Errorf("prepare clickup: %w", err)
	}
	return nil
}

// goSafely runs f in the group with a panic in it turned into the group's error.
func goSafely(g *errgroup.Group, f func() error) {
	g.Go(func() error { return core.Safely(f) })
}

// readsTeams reports whether runs need ClickUp's Teams: only when groups are pushed, or a
// once-pushed Team may be deleted. Otherwise Teams are not even read.
func (e *Engine) readsTeams() bool {
	return e.Teams != nil && (len(e.PushGroups) > 0 || e.Options.DeleteUnpushedTeams && e.Store != nil)
}

// uniqueIDs refuses a state in which one id names two users: the adapters check their own
// listings, and this holds whatever adapter is plugged in, since matching by id assumes it.
func uniqueIDs(d core.Desired, a core.Actual) error {
	seen := make(map[string]bool, len(d.Users))
	for _, u := range d.Users {
		if seen[u.ID] {
			return fmt.Errorf("okta listed user %s twice: %w", u.ID, core.ErrMalformed)
		}
		seen[u.ID] = true
	}
	clear(seen)
	for _, u := range a.Users {
		if seen[u.ID] {
			return fmt.Errorf("clickup listed user %s twice: %w", u.ID, core.ErrMalformed)
		}
		seen[u.ID] = true
	}
	return nil
}

// checkConcurrency bounds the externalId lookups in flight.
const checkConcurrency = 4

// checkExternalIDs asks Okta about each externalId the planner could not place (Plan.Unverified):
// one that looks like this org's user id but is not in the listing. 404 means another org or IdP
// set it; the account is then foreign, never deactivated and free to be adopted.
func (e *Engine) checkExternalIDs(ctx context.Context, ids []string, known map[string]bool) (map[string]bool, error) {
	out := make(map[string]bool, len(known)+len(ids))
	for id, ok := range known {
		out[id] = ok
	}
	if e.Users == nil {
		return out, nil // unknown ids stay taken as the org's: the safe side
	}
	found := make([]bool, len(ids))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(checkConcurrency)
	for i, id := range ids {
		goSafely(g, func() error {
			_, ok, err := e.Users.User(gctx, id)
			if err != nil {
				return fmt.Errorf("%w: check externalId %s in okta: %w", ErrRead, id, err)
			}
			found[i] = ok
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for i, id := range ids {
		out[id] = found[i]
	}
	return out, nil
}
