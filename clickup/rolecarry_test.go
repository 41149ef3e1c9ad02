package clickup_test

import (
	"strings"
	"testing"

	"github.com/okta-clickup-sync/okta-clickup-sync/clickup"
	"github.com/okta-clickup-sync/okta-clickup-sync/clickup/clickuptest"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

func TestCarriedRole_CanonicalValues(t *testing.T) {
	s, c, info := discovered(t, clickuptest.Options{RoleValues: []string{"Admin", "Member", "Guest"}}, clickup.SCIMOptions{})
	if got := strings.Join(info.Role.Values, ","); got != "Admin,Member,Guest" {
		t.Fatalf("values %q", got)
	}
	wantRow(t, info.CheckRows(false), "scim role attribute", clickup.CheckOK, "values Admin, Member, Guest")
	// The fake takes only the canonical spelling: these writes prove what was sent.
	u := created(t, s, c, "a@x.io", core.Role{Base: core.RoleAdmin})
	if !strings.Contains(string(s.Writes()[0].Body), `"role":"Admin"`) || u.Role != "admin" {
		t.Fatalf("create sent %s", s.Writes()[0].Body)
	}
	users, err := c.ListUsers(t.Context())
	if err != nil || users[0].Role.Base != core.RoleAdmin {
		t.Fatalf("read back %+v, %v: Admin must read as admin", users, err)
	}
	next := users[0]
	next.Role = core.Role{Base: core.RoleGuest}
	if _, err := c.ReplaceUser(t.Context(), next); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.User(u.ID); got.Role != "guest" {
		t.Errorf("role %q after the PUT, want guest", got.Role)
	}
	if r, err := c.CarriedRole(core.Role{Base: core.RoleMember}); err != nil || r != (core.Role{Base: core.RoleMember}) {
		t.Errorf("CarriedRole(member) = %+v, %v", r, err)
	}
}

func TestCarriedRole_NotAmongTheCanonicalValues(t *testing.T) {
	s, c, _ := discovered(t, clickuptest.Options{RoleValues: []string{"Admin", "Member"}}, clickup.SCIMOptions{})
	_, err := c.CarriedRole(core.Role{Base: core.RoleGuest})
	if err == nil || !strings.Contains(err.Error(), "takes only Admin, Member") {
		t.Fatalf("CarriedRole(guest) error %v", err)
	}
	s.ResetRequests()
	if _, err := c.CreateUser(t.Context(), core.NewUser{UserName: "g@x.io", Role: core.Role{Base: core.RoleGuest}}); err == nil {
		t.Error("created a guest the service cannot spell")
	}
	if w := s.Writes(); len(w) != 0 {
		t.Errorf("writes %+v, want none", w)
	}
}

func TestCarriedRole_MissingAttributes(t *testing.T) {
	reviewer := core.Role{Base: core.RoleGuest, CustomRoleID: "77", CustomRoleName: "Reviewer"}
	t.Run("no custom role name", func(t *testing.T) {
		s, c, info := discovered(t, clickuptest.Options{NoCustomRoleName: true}, clickup.SCIMOptions{})
		if info.CustomRoleName.Carried || !info.CustomRoleID.Carried {
			t.Fatalf("attributes %+v %+v", info.CustomRoleName, info.CustomRoleID)
		}
		wantRow(t, info.CheckRows(false), "scim custom role name attribute", clickup.CheckSkip, "not in the announced schema", "invalid_role")
		_, err := c.CarriedRole(core.Role{CustomRoleName: "Reviewer"})
		for _, m := range []string{"customRoleName", "CLICKUP_API_TOKEN", "customRoleId", "CLICKUP_SCIM_CUSTOM_ROLE_NAME_ATTRIBUTE"} {
			if err == nil || !strings.Contains(err.Error(), m) {
				t.Errorf("CarriedRole(by name) error %v does not mention %s", err, m)
			}
		}
		if r, err := c.CarriedRole(reviewer); err != nil || r != reviewer {
			t.Errorf("CarriedRole(by id and name) = %+v, %v, want it as is: the id carries it", r, err)
		}
		// The fake refuses the attribute it lacks, so this create shows it was not sent.
		s.AddCustomRole(77, "Reviewer", 4)
		if got := created(t, s, c, "a@x.io", reviewer); got.CustomRoleID != "77" {
			t.Errorf("created %+v", got)
		}
		if _, err := c.CreateUser(t.Context(), core.NewUser{UserName: "b@x.io", Role: core.Role{CustomRoleName: "Reviewer"}}); err == nil {
			t.Error("created a user whose role the service cannot hold")
		}
	})
	t.Run("no custom role id", func(t *testing.T) {
		s, c, info := discovered(t, clickuptest.Options{NoCustomRoleID: true}, clickup.SCIMOptions{CustomRoleIDAttribute: "crId"})
		wantRow(t, info.CheckRows(false), "scim custom role id attribute", clickup.CheckFail, "crId", "CLICKUP_SCIM_CUSTOM_ROLE_ID_ATTRIBUTE")
		// The id cannot be held; the name can, and the role is then compared by name.
		r, err := c.CarriedRole(reviewer)
		if err != nil || r != (core.Role{Base: core.RoleGuest, CustomRoleName: "Reviewer"}) {
			t.Errorf("CarriedRole = %+v, %v", r, err)
		}
		if _, err := c.CarriedRole(core.Role{CustomRoleID: "77"}); err == nil || !strings.Contains(err.Error(), "custom role id 77 cannot be sent") {
			t.Errorf("CarriedRole(by id) error %v", err)
		}
		s.AddCustomRole(77, "Reviewer", 4)
		if got := created(t, s, c, "a@x.io", reviewer); got.CustomRoleID != "77" {
			t.Errorf("created %+v, want custom role 77 by its name", got)
		}
	})
}

func TestCarriedRole_IntegerID(t *testing.T) {
	s, c, _ := discovered(t, clickuptest.Options{CustomRoleIDInteger: true}, clickup.SCIMOptions{})
	s.AddCustomRole(77, "Reviewer", 4)
	if got := created(t, s, c, "a@x.io", core.Role{CustomRoleID: "77"}); got.CustomRoleID != "77" {
		t.Fatalf("created %+v", got)
	}
	if body := string(s.Writes()[0].Body); !strings.Contains(body, `"customRoleId":77`) {
		t.Errorf("create %s does not send the id as a number", body)
	}
	users, err := c.ListUsers(t.Context())
	if err != nil || users[0].Role.CustomRoleID != "77" {
		t.Fatalf("read back %+v, %v", users, err)
	}
	if _, err := c.CarriedRole(core.Role{CustomRoleID: "abc"}); err == nil {
		t.Error("carried a custom role id that is no integer")
	}
}
