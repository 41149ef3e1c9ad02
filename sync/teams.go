package sync

import "context"

// OktaGroup is an Okta group pushed to ClickUp as a Team, with its members' Okta user ids.
type OktaGroup struct {
	ID      string
	Name    string
	Members []string
}

// ClickUpTeam is a ClickUp user group ("Team" in ClickUp's UI) read through SCIM Groups.
type ClickUpTeam struct {
	ID          string
	DisplayName string
	Members     []string // ClickUp user ids
}

// GroupDirectory is the Okta side of Teams.
type GroupDirectory interface {
	// ResolveGroups turns configured group ids or exact names into group ids. A name that
	// matches no group, or several, is an error naming it.
	ResolveGroups(ctx context.Context, refs []string) ([]string, error)
	// ListGroups returns the groups with these ids, each with all its members, or an error and
	// no groups. A group that no longer exists is an error: pushing it as empty would strip a
	// Team of its members.
	ListGroups(ctx context.Context, ids []string) ([]OktaGroup, error)
}

// TeamWorkspace is the ClickUp side of Teams (SCIM Groups).
type TeamWorkspace interface {
	// ListTeams returns every SCIM group of the Workspace, or an error and no teams.
	ListTeams(ctx context.Context) ([]ClickUpTeam, error)
	CreateTeam(ctx context.Context, name string, members []string) (ClickUpTeam, error)
	RenameTeam(ctx context.Context, id, name string) error
	// UpdateTeamMembers adds and removes members, in as many requests as the service's batch
	// limit needs.
	UpdateTeamMembers(ctx context.Context, id string, add, remove []string) error
	DeleteTeam(ctx context.Context, id string) error
}

// TeamReader reads one Team by id (GET /Groups/{id}), for the Team memberships of an on-demand
// run; ok is false, with no error, on 404.
type TeamReader interface {
	Team(ctx context.Context, id string) (t ClickUpTeam, ok bool, err error)
}
