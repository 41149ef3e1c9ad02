package sync

import (
	"errors"
	"testing"
)

func TestFindCustomRole(t *testing.T) {
	catalogue := []CustomRole{
		{ID: "1", Name: " Designers ", InheritedRole: RoleMember},
		{ID: "2", Name: "Contractors", InheritedRole: RoleGuest},
		{ID: "3", Name: "contractors", InheritedRole: RoleGuest},
	}
	if r, err := FindCustomRole(catalogue, "designers"); err != nil || r.ID != "1" {
		t.Errorf("a name with spaces around it in ClickUp: %+v %v", r, err)
	}
	if _, err := FindCustomRole(catalogue, "CONTRACTORS"); !errors.Is(err, ErrAmbiguousCustomRole) {
		t.Errorf("two roles with one name: %v", err)
	}
	if _, err := FindCustomRole(catalogue, "Reviewers"); !errors.Is(err, ErrNoSuchCustomRole) {
		t.Errorf("an unknown name: %v", err)
	}
	// The planner resolves what check accepts: the same name, the same role.
	o := ok("00u1", "ann@x.io", "")
	o.CustomRoleName = "designers"
	p := Diff(Desired{Users: []OktaUser{o}}, Actual{CustomRoles: catalogue}, Options{})
	if len(p.Entries) != 1 || p.Entries[0].Action != ActionCreateUser || p.Entries[0].NewUser.Role.CustomRoleID != "1" {
		t.Fatalf("plan %+v", compact(p))
	}
}

func TestDiffRolesTheWorkspaceCannotHold(t *testing.T) {
	// A service whose schema has no custom role id attribute: the id is dropped and the role
	// compared by name; one without the name either refuses custom roles.
	byName := func(r Role) (Role, error) { r.CustomRoleID = ""; return r, nil }
	none := func(r Role) (Role, error) {
		if r.IsCustom() {
			return Role{}, errors.New("the service's schema holds no custom role; map a ClickUp Role instead")
		}
		return r, nil
	}
	o := ok("00u1", "ann@x.io", "")
	o.CustomRoleID = "998877"
	have := named(cu("7", "00u1", "ann@x.io", true, RoleMember), "F00u1")
	have.Role = Role{Base: RoleMember, CustomRoleName: "member custom"} // as read back: no id
	p := Diff(Desired{Users: []OktaUser{o}}, Actual{Users: []ClickUpUser{have}, CustomRoles: catalogue}, Options{CarryRole: byName})
	if len(p.Entries) != 0 {
		t.Errorf("a role held by name is in step; plan %q", compact(p))
	}
	p = Diff(Desired{Users: []OktaUser{o}}, Actual{Users: []ClickUpUser{have}, CustomRoles: catalogue}, Options{CarryRole: none})
	if got := compact(p); len(got) != 1 || p.Entries[0].Action != ActionInvalidRole {
		t.Errorf("plan %q, want invalid_role", got)
	}
}
