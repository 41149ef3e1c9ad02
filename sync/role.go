package sync

import (
	"errors"
	"fmt"
	"strings"
)

// BaseRole is one of ClickUp's built-in roles.
type BaseRole string

const (
	RoleOwner  BaseRole = "owner"
	RoleAdmin  BaseRole = "admin"
	RoleMember BaseRole = "member"
	RoleGuest  BaseRole = "guest"
)

// ParseBaseRole accepts admin, member and guest in any case; empty means member. Owner is refused:
// ownership is never granted through provisioning.
func ParseBaseRole(s string) (BaseRole, error) {
	switch r := BaseRole(strings.ToLower(strings.TrimSpace(s))); r {
	case "":
		return RoleMember, nil
	case RoleAdmin, RoleMember, RoleGuest:
		return r, nil
	case RoleOwner:
		return "", fmt.Errorf("role %q cannot be assigned through provisioning", s)
	default:
		return "", fmt.Errorf("unknown role %q (accepted: admin, member, guest)", s)
	}
}

// Role is a user's effective ClickUp role: a built-in role, optionally narrowed by a custom role
// whose inherited role is Base.
type Role struct {
	Base           BaseRole `json:"role"`
	CustomRoleID   string   `json:"customRoleId,omitempty"`
	CustomRoleName string   `json:"customRoleName,omitempty"`
}

// String renders the role for plans and logs: "member", or "admin custom (#998877)".
func (r Role) String() string {
	switch {
	case r.CustomRoleID != "" && r.CustomRoleName != "":
		return fmt.Sprintf("%s (#%s)", r.CustomRoleName, r.CustomRoleID)
	case r.CustomRoleID != "":
		return "custom role #" + r.CustomRoleID
	case r.CustomRoleName != "":
		return r.CustomRoleName
	case r.Base == "":
		return string(RoleMember)
	default:
		return string(r.Base)
	}
}

// IsCustom reports whether a custom role applies.
func (r Role) IsCustom() bool { return r.CustomRoleID != "" || r.CustomRoleName != "" }

// Errors of FindCustomRole.
var (
	ErrNoSuchCustomRole    = errors.New("no ClickUp custom role has this name")
	ErrAmbiguousCustomRole = errors.New("several ClickUp custom roles have this name")
)

// FindCustomRole returns the one custom role of the catalogue named name: compared without
// surrounding spaces and ignoring case, the way an admin reads the two names. It is the one
// rule for the planner and for check, so check can never accept a name every run refuses.
func FindCustomRole(catalogue []CustomRole, name string) (CustomRole, error) {
	var found []CustomRole
	for _, r := range catalogue {
		if strings.EqualFold(strings.TrimSpace(r.Name), strings.TrimSpace(name)) {
			found = append(found, r)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return CustomRole{}, ErrNoSuchCustomRole
	default:
		return CustomRole{}, ErrAmbiguousCustomRole
	}
}
