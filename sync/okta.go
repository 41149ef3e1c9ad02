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
