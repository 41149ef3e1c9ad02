package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"

	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// ErrUnknownUser is a key of a user run that names nobody in Okta.
var ErrUnknownUser = errors.New("no Okta user has this id, login or email")

// readUsers reads just the users a user or events run names (DESIGN.md §10): each from Okta by
// id, login or email with its assignment of the app, and its ClickUp account by the stored link,
// else by externalId, else by userName and email; with pushed groups, the user's groups and each
// linked pushed Team by id. Any failed read fails the run before any write.
func (e *Engine) readUsers(ctx context.Context, keys []string, links, groupLinks map[string]string) (core.Desired, core.Actual, error) {
	var d core.Desired
	var a core.Actual
	if e.Users == nil || e.Finder == nil {
		return d, a, errors.New("user runs need single-user reads from Okta and ClickUp")
	}
	if err := e.prepare(ctx); err != nil {
		return d, a, fmt.Errorf("%w: %w", ErrRead, err)
	}
	seen := map[string]bool{}
	for _, key := range keys {
		u, err := e.readOktaUser(ctx, key)
		if err != nil {
			return d, a, err
		}
		if !seen[u.ID] {
			seen[u.ID] = true
			d.Users = append(d.Users, u)
		}
	}
	have := map[string]bool{}
	for _, u := range d.Users {
		found, err := e.findClickUpUsers(ctx, u, links)
		if err != nil {
			return d, a, err
		}
		for _, c := range found {
			if !have[c.ID] {
				have[c.ID] = true
				a.Users = append(a.Users, c)
			}
		}
	}
	if e.Roles != nil {
		roles, err := e.Roles.ListCustomRoles(ctx)
		if err != nil {
			return d, a, fmt.Errorf("%w: read clickup custom roles: %w", ErrRead, err)
		}
		a.CustomRoles = append([]core.CustomRole{}, roles...)
		if a.OwnerID, err = e.Roles.WorkspaceOwner(ctx); err != nil {
			return d, a, fmt.Errorf("%w: read clickup workspace owner: %w", ErrRead, err)
		}
	}
	if len(e.PushGroups) > 0 && e.UserGroups != nil && e.TeamReader != nil {
		var err error
		if d.Groups, a.Teams, err = e.readUserTeams(ctx, d.Users, groupLinks); err != nil {
			return d, a, err
		}
	}
	return d, a, nil
}

// readOktaUser resolves key to one Okta user joined with its assignment; a user who is not
// assigned comes back with no app status, which is not entitled.
func (e *Engine) readOktaUser(ctx context.Context, key string) (core.OktaUser, error) {
	u, ok, err := e.Users.User(ctx, key)
	if err != nil {
		return u, fmt.Errorf("%w: read okta user %q: %w", ErrRead, key, err)
	}
	if !ok {
		return u, fmt.Errorf("%q: %w", key, ErrUnknownUser)
	}
	assigned, ok, err := e.Users.AppUser(ctx, u.ID)
	if err != nil {
		return u, fmt.Errorf("%w: read the app assignment of %s: %w", ErrRead, u.ID, err)
	}
	if !ok {
		u.AppStatus, u.Role, u.CustomRoleName, u.CustomRoleID = "", "", "", ""
		return u, nil
	}
	return assigned, nil
}

// findClickUpUsers reads the ClickUp accounts that could be u's, in the order of DESIGN.md §5.
func (e *Engine) findClickUpUsers(ctx context.Context, u core.OktaUser, links map[string]string) ([]core.ClickUpUser, error) {
	if id, ok := links[u.ID]; ok {
		c, found, err := e.Finder.User(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("%w: read clickup user %s: %w", ErrRead, id, err)
		}
		if found {
			return []core.ClickUpUser{c}, nil
		}
	}
	byExt, err := e.Finder.FindUsers(ctx, core.ByExternalID, u.ID)
	if err != nil {
		return nil, fmt.Errorf("%w: find clickup users with externalId %s: %w", ErrRead, u.ID, err)
	}
	if len(byExt) > 0 {
		return byExt, nil
	}
	var out []core.ClickUpUser
	for _, q := range []struct {
		key   core.UserKey
		value string
	}{{core.ByUserName, u.Login}, {core.ByEmail, u.Email}} {
		if q.value == "" {
			continue
		}
		found, err := e.Finder.FindUsers(ctx, q.key, q.value)
		if err != nil {
			return nil, fmt.Errorf("%w: find clickup users with %s %q: %w", ErrRead, q.key, q.value, err)
		}
		out = append(out, found...)
	}
	return out, nil
}

// readUserTeams returns the pushed groups with the given users who are their members, and each
// pushed group's linked Team as read by id.
func (e *Engine) readUserTeams(ctx context.Context, users []core.OktaUser, groupLinks map[string]string) ([]core.OktaGroup, []core.ClickUpTeam, error) {
	groups := make([]core.OktaGroup, 0, len(e.PushGroups))
	index := map[string]int{}
	for _, id := range e.PushGroups {
		index[id] = len(groups)
		groups = append(groups, core.OktaGroup{ID: id})
	}
	for _, u := range users {
		ids, err := e.UserGroups.UserGroups(ctx, u.ID)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: read the groups of okta user %s: %w", ErrRead, u.ID, err)
		}
		for _, g := range ids {
			if i, ok := index[g]; ok && !slices.Contains(groups[i].Members, u.ID) {
				groups[i].Members = append(groups[i].Members, u.ID)
			}
		}
	}
	var teams []core.ClickUpTeam
	for _, g := range e.PushGroups {
		id, ok := groupLinks[g]
		if !ok {
			continue // no Team yet: the next full run creates it
		}
		t, found, err := e.TeamReader.Team(ctx, id)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: read clickup team %s: %w", ErrRead, id, err)
		}
		if found {
			teams = append(teams, t)
		}
	}
	return groups, teams, nil
}
