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
