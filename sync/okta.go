package sync

import (
	"context"
	"strings"
)

// OktaUser is one assignment of the ClickUp app in Okta: the app user joined with its embedded
// Okta user (expand=user), as read from a single paginated listing.
type OktaUser struct {
	ID         string // Okta user id; also the app user id and the SCIM externalId we set
	Login      string
	Email      string
	FirstName  string
	LastName   string
	AppStatus  string // app user status (ACTIVE, PROVISIONED, ...)
	UserStatus string // embedded Okta user status (ACTIVE, SUSPENDED, ...)

	// The raw role attributes of the app-user profile, keys set by configuration.
	Role           string
	CustomRoleName string
	CustomRoleID   string
}

// Entitled app user statuses and Okta user statuses (DESIGN.md §3). Anything else, including a
// status this build has never heard of, is not entitled: failing closed costs a deactivation that
// the next run undoes, failing open could hand access to a suspended account.
var (
	entitledAppStatuses  = set("ACTIVE", "PROVISIONED", "STAGED", "PENDING", "IMPLICIT")
	entitledUserStatuses = set("ACTIVE", "PASSWORD_EXPIRED", "LOCKED_OUT", "RECOVERY", "PROVISIONED")
)

func set(vs ...string) map[string]bool {
	m := make(map[string]bool, len(vs))
	for _, v := range vs {
		m[v] = true
	}
	return m
}

// Entitled reports whether the user should have an active ClickUp account.
func (u OktaUser) Entitled() bool {
	return entitledAppStatuses[strings.ToUpper(u.AppStatus)] && entitledUserStatuses[strings.ToUpper(u.UserStatus)]
}

// DisplayName is the name ClickUp shows for a user created from u.
func (u OktaUser) DisplayName() string {
	return strings.TrimSpace(u.FirstName + " " + u.LastName)
}

// Directory is the desired state: who is assigned to the ClickUp app in Okta.
type Directory interface {
	// ListAppUsers returns every app user with its embedded Okta user. It returns an error, and
	// no users, when any page fails or is malformed: a partial listing must never reach the planner.
	ListAppUsers(ctx context.Context) ([]OktaUser, error)
}

// UserReader reads single users back from Okta. Its reads are independent of the listing: they
// confirm a deactivation (DESIGN.md §7) and decide the on-demand and event runs (§10).
type UserReader interface {
	// AppUser returns the user's assignment of the app joined with its Okta user
	// (GET /api/v1/apps/{appId}/users/{userId}?expand=user). ok is false, with no error, when
	// Okta answers 404: the user is not assigned to the app (or does not exist).
	AppUser(ctx context.Context, oktaUserID string) (u OktaUser, ok bool, err error)
	// User returns the Okta user whose id or login is key (GET /api/v1/users/{key}), or, for an
	// email that is no login, the one user with that primary email
	// (search=profile.email eq "..."). Only the user's own fields are set: AppStatus and the role
	// attributes are empty. ok is false, with no error, when no user has that key; an email
	// shared by several users is an error.
	User(ctx context.Context, key string) (u OktaUser, ok bool, err error)
}

// UserGroupReader lists the groups of one Okta user, for the Team memberships of an on-demand
// run (GET /api/v1/users/{id}/groups).
type UserGroupReader interface {
	UserGroups(ctx context.Context, oktaUserID string) (groupIDs []string, err error)
}
