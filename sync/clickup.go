package sync

import "context"

// ClickUpUser is a SCIM User of the Workspace, active or not.
type ClickUpUser struct {
	ID         string // SCIM id (the ClickUp user id)
	ExternalID string // the Okta user id, when the user was created through SCIM by Okta or by us
	UserName   string
	Email      string // primary email
	GivenName  string
	FamilyName string
	Active     bool
	Role       Role // as read from the SCIM role attributes
}

// NewUser is what a create_user sends.
type NewUser struct {
	ExternalID string
	UserName   string
	Email      string
	GivenName  string
	FamilyName string
	Role       Role
}

// CustomRole is a Workspace custom role from the REST API.
type CustomRole struct {
	ID            string
	Name          string
	InheritedRole BaseRole
}

// Workspace reads and changes the users of a ClickUp Workspace through SCIM.
type Workspace interface {
	// ListUsers returns every SCIM user, inactive ones included, or an error and no users.
	ListUsers(ctx context.Context) ([]ClickUpUser, error)
	// CreateUser creates u and returns the created user.
	CreateUser(ctx context.Context, u NewUser) (ClickUpUser, error)
	// ReplaceUser sends the user u.ID back whole (PUT) with u's Role and Active, starting from
	// the resource as the Workspace last read it, so that what this build does not model is never
	// wiped; a user the Workspace has not read is an error.
	ReplaceUser(ctx context.Context, u ClickUpUser) (ClickUpUser, error)
	// SetActive deactivates or reactivates a user (path-less PATCH of active).
	SetActive(ctx context.Context, id string, active bool) error
}

// Roles is the optional REST side: the custom role catalogue and the Workspace owner.
type Roles interface {
	ListCustomRoles(ctx context.Context) ([]CustomRole, error)
	// WorkspaceOwner returns the ClickUp user id of the Workspace owner.
	WorkspaceOwner(ctx context.Context) (string, error)
}

// UserKey names the attribute a ClickUp user is looked up by.
type UserKey string

const (
	ByExternalID UserKey = "externalId"
	ByUserName   UserKey = "userName"
	ByEmail      UserKey = "emails.value"
)

// UserFinder reads single ClickUp users, for the on-demand and event runs (DESIGN.md §10).
type UserFinder interface {
	// User returns the user with this SCIM id (GET /Users/{id}); ok is false, with no error, on
	// 404.
	User(ctx context.Context, id string) (u ClickUpUser, ok bool, err error)
	// FindUsers returns every user, active or not, whose key equals value: case-sensitively for
	// externalId, case-insensitively for userName and email. It filters on the service when the
	// service supports filters, and reads the listing when it does not.
	FindUsers(ctx context.Context, key UserKey, value string) ([]ClickUpUser, error)
}

// RoleCarrier is a Workspace that knows which roles it can hold, from what its service announces
// (DESIGN.md §11): CarriedRole returns r as it will be held once written, or why it cannot be.
type RoleCarrier interface {
	CarriedRole(r Role) (Role, error)
}
