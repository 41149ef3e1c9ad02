package sync

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// oid turns a short test id such as "00u1" into the shape of a real Okta user id ("00u" and 17
// letters or digits), which the planner tells apart from externalIds set by other systems.
func oid(short string) string {
	if LooksLikeOktaUserID(short) || !strings.HasPrefix(short, "00u") || len(short) > 20 {
		return short
	}
	return "00u" + strings.Repeat("0", 20-len(short)) + short[3:]
}

// ok is an entitled Okta user; id is a short test id (see oid).
func ok(id, login, role string) OktaUser {
	return OktaUser{ID: oid(id), Login: login, Email: login, FirstName: "F" + id, LastName: "L", AppStatus: "PROVISIONED", UserStatus: "ACTIVE", Role: role}
}

// cu is a ClickUp user; ext is a short test id (see oid), or any other externalId.
func cu(id, ext, userName string, active bool, role BaseRole) ClickUpUser {
	return ClickUpUser{ID: id, ExternalID: oid(ext), UserName: userName, Email: userName, GivenName: "F" + ext, FamilyName: "L", Active: active, Role: Role{Base: role}}
}

func named(u ClickUpUser, given string) ClickUpUser {
	u.GivenName = given
	return u
}

func compact(p Plan) []string {
	out := []string{}
	for _, e := range p.Entries {
		out = append(out, fmt.Sprintf("%s %s %s:%s>%s %s", e.Action, e.User, e.Field, e.From, e.To, e.Outcome))
	}
	return out
}

var catalogue = []CustomRole{
	{ID: "998877", Name: "member custom", InheritedRole: RoleMember},
	{ID: "112233", Name: "admin custom", InheritedRole: RoleAdmin},
}

func TestDiff(t *testing.T) {
	suspended := ok("00u2", "sam@x.io", "member")
	suspended.UserStatus = "SUSPENDED"
	unassignedStatus := ok("00u2", "sam@x.io", "member")
	unassignedStatus.AppStatus = "INACTIVE"
	moved := ok("00u1", "ann.new@x.io", "member")
	byID := ok("00u1", "ann@x.io", "member")
	byID.CustomRoleID, byID.CustomRoleName = "112233", "member custom" // id wins over name
	byName := ok("00u1", "ann@x.io", "admin")
	byName.CustomRoleName = "Member Custom" // name wins over role, case-insensitively
	renamed := ok("00u1", "ann@x.io", "")
	renamed.CustomRoleName = "old name"
	unknownID := ok("00u1", "ann@x.io", "")
	unknownID.CustomRoleID = "404"
	customHave := cu("7", "00u1", "ann@x.io", true, RoleMember)
	customHave.Role = Role{Base: RoleMember, CustomRoleID: "998877", CustomRoleName: "member custom"}

	tests := []struct {
		name    string
		okta    []OktaUser
		clickup []ClickUpUser
		owner   string
		opt     Options
		want    []string
	}{
		{"entitled, no user: create", []OktaUser{ok("00u1", "ann@x.io", "")}, nil, "", Options{},
			[]string{"create_user ann@x.io role:>member planned"}},
		{"entitled, role differs: update_role", []OktaUser{ok("00u1", "ann@x.io", "Admin")},
			[]ClickUpUser{cu("7", "00u1", "ann@x.io", true, RoleMember)}, "", Options{},
			[]string{"update_role ann@x.io role:member>admin planned"}},
		{"entitled, in step: nothing", []OktaUser{ok("00u1", "ann@x.io", "guest")},
			[]ClickUpUser{cu("7", "00u1", "ann@x.io", true, RoleGuest)}, "", Options{}, []string{}},
		{"unset role means member", []OktaUser{ok("00u1", "ann@x.io", "")},
			[]ClickUpUser{cu("7", "00u1", "ann@x.io", true, RoleMember)}, "", Options{}, []string{}},
		{"entitled, email and login changed: drift ignored, no write", []OktaUser{moved},
			[]ClickUpUser{cu("7", "00u1", "ann@x.io", true, RoleMember)}, "", Options{},
			[]string{
				"profile_drift_ignored ann.new@x.io email:ann@x.io>ann.new@x.io ignored",
				"profile_drift_ignored ann.new@x.io userName:ann@x.io>ann.new@x.io ignored",
			}},
		{"entitled, name changed: drift ignored", []OktaUser{{ID: oid("00u1"), Login: "ann@x.io", Email: "ann@x.io", FirstName: "Anne", LastName: "L", AppStatus: "ACTIVE", UserStatus: "ACTIVE"}},
			[]ClickUpUser{cu("7", "00u1", "ann@x.io", true, RoleMember)}, "", Options{},
			[]string{"profile_drift_ignored ann@x.io name:F00u1 L>Anne L ignored"}},
		{"entitled, inactive: reactivate", []OktaUser{ok("00u1", "ann@x.io", "member")},
			[]ClickUpUser{cu("7", "00u1", "ann@x.io", false, RoleMember)}, "", Options{},
			[]string{"reactivate ann@x.io active:false>true planned"}},
		{"entitled, inactive, role differs: reactivate with role", []OktaUser{ok("00u1", "ann@x.io", "admin")},
			[]ClickUpUser{cu("7", "00u1", "ann@x.io", false, RoleGuest)}, "", Options{},
			[]string{"reactivate ann@x.io active,role:false,guest>true,admin planned"}},
		{"suspended in Okta, active: deactivate", []OktaUser{suspended},
			[]ClickUpUser{cu("8", "00u2", "sam@x.io", true, RoleMember)}, "", Options{},
			[]string{"deactivate sam@x.io active:true>false planned"}},
		{"app user inactive, active: deactivate", []OktaUser{unassignedStatus},
			[]ClickUpUser{cu("8", "00u2", "sam@x.io", true, RoleMember)}, "", Options{},
			[]string{"deactivate sam@x.io active:true>false planned"}},
		{"no longer assigned, managed: deactivate", nil,
			[]ClickUpUser{cu("8", "00u2", "sam@x.io", true, RoleMember)}, "", Options{},
			[]string{"deactivate sam@x.io active:true>false planned"}},
		{"no longer assigned, linked by the store: deactivate", nil,
			[]ClickUpUser{cu("8", "", "sam@x.io", true, RoleMember)}, "", Options{Links: map[string]string{oid("00u2"): "8"}},
			[]string{"deactivate sam@x.io active:true>false planned"}},
		{"not entitled, inactive: nothing", []OktaUser{suspended},
			[]ClickUpUser{cu("8", "00u2", "sam@x.io", false, RoleMember)}, "", Options{}, []string{}},
		{"not entitled, no user: nothing", []OktaUser{suspended}, nil, "", Options{}, []string{}},
		{"unmatched, not managed: unmanaged_user", nil,
			[]ClickUpUser{cu("9", "", "hand@x.io", true, RoleMember)}, "", Options{},
			[]string{"unmanaged_user hand@x.io :> ignored"}},
		{"unmanaged and inactive: nothing", nil,
			[]ClickUpUser{cu("9", "", "hand@x.io", false, RoleMember)}, "", Options{}, []string{}},
		{"unknown role: invalid_role, no write", []OktaUser{ok("00u1", "ann@x.io", "superuser")}, nil, "", Options{},
			[]string{"invalid_role ann@x.io role:>superuser failed"}},
		{"owner role is refused", []OktaUser{ok("00u1", "ann@x.io", "owner")},
			[]ClickUpUser{cu("7", "00u1", "ann@x.io", true, RoleMember)}, "", Options{},
			[]string{"invalid_role ann@x.io role:>owner failed"}},
		{"custom role id wins over name", []OktaUser{byID},
			[]ClickUpUser{cu("7", "00u1", "ann@x.io", true, RoleMember)}, "", Options{},
			[]string{"update_role ann@x.io role:member>admin custom (#112233) planned"}},
		{"custom role name wins over role", []OktaUser{byName},
			[]ClickUpUser{cu("7", "00u1", "ann@x.io", true, RoleMember)}, "", Options{},
			[]string{"update_role ann@x.io role:member>member custom (#998877) planned"}},
		{"custom role held: back to a built-in role", []OktaUser{ok("00u1", "ann@x.io", "member")},
			[]ClickUpUser{customHave}, "", Options{},
			[]string{"update_role ann@x.io role:member custom (#998877)>member planned"}},
		{"custom role in step", []OktaUser{byName}, []ClickUpUser{customHave}, "", Options{}, []string{}},
		{"renamed custom role: invalid_role", []OktaUser{renamed},
			[]ClickUpUser{cu("7", "00u1", "ann@x.io", true, RoleMember)}, "", Options{},
			[]string{"invalid_role ann@x.io role:>customRoleName old name failed"}},
		{"unknown custom role id: invalid_role", []OktaUser{unknownID}, nil, "", Options{},
			[]string{"invalid_role ann@x.io role:>customRoleId 404 failed"}},
		{"owner: role change skipped", []OktaUser{ok("00u1", "boss@x.io", "member")},
			[]ClickUpUser{cu("1", "00u1", "boss@x.io", true, RoleOwner)}, "1", Options{},
			[]string{"protected boss@x.io role:owner>member ignored"}},
		{"owner: Okta says owner, nothing to do", []OktaUser{ok("00u1", "boss@x.io", "owner")},
			[]ClickUpUser{cu("1", "00u1", "boss@x.io", true, RoleOwner)}, "1", Options{}, []string{}},
		{"owner: never deactivated", nil,
			[]ClickUpUser{cu("1", "00u1", "boss@x.io", true, RoleOwner)}, "1", Options{},
			[]string{"protected boss@x.io active:true>false ignored"}},
		{"owner by REST id even if SCIM says admin", []OktaUser{suspended},
			[]ClickUpUser{cu("1", "00u2", "sam@x.io", true, RoleAdmin)}, "1", Options{},
			[]string{"protected sam@x.io active:true>false ignored"}},
		{"protected by email: deactivation skipped", []OktaUser{suspended},
			[]ClickUpUser{cu("8", "00u2", "sam@x.io", true, RoleMember)}, "", Options{Protected: []string{"SAM@x.io"}},
			[]string{"protected sam@x.io active:true>false ignored"}},
		{"protected by id: role change skipped", []OktaUser{ok("00u1", "ann@x.io", "admin")},
			[]ClickUpUser{cu("7", "00u1", "ann@x.io", true, RoleMember)}, "", Options{Protected: []string{"7"}},
			[]string{"protected ann@x.io role:member>admin ignored"}},
		{"unmanaged owner is not drift", nil,
			[]ClickUpUser{cu("1", "", "boss@x.io", true, RoleOwner)}, "1", Options{}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Diff(Desired{Users: tt.okta}, Actual{Users: tt.clickup, CustomRoles: catalogue, OwnerID: tt.owner}, tt.opt)
			if got := compact(p); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("plan\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestDiffMatching(t *testing.T) {
	tests := []struct {
		name    string
		okta    []OktaUser
		clickup []ClickUpUser
		links   map[string]string
		want    []string
	}{
		{"userName match is case-insensitive, no create",
			[]OktaUser{ok("00u1", "Ann@X.io", "")}, []ClickUpUser{named(cu("7", "", "ann@x.io", true, RoleMember), "F00u1")}, nil,
			[]string{}},
		{"email match when login differs",
			[]OktaUser{{ID: oid("00u1"), Login: "ann", Email: "ann@x.io", FirstName: "F", LastName: "L", AppStatus: "ACTIVE", UserStatus: "ACTIVE"}},
			[]ClickUpUser{{ID: "7", UserName: "ann@x.io", Email: "ann@x.io", GivenName: "F", FamilyName: "L", Active: true, Role: Role{Base: RoleMember}}}, nil,
			[]string{"profile_drift_ignored ann userName:ann@x.io>ann ignored"}},
		{"externalId wins over a userName that now points elsewhere",
			[]OktaUser{ok("00u1", "bob@x.io", "")},
			[]ClickUpUser{cu("7", "00u1", "ann@x.io", true, RoleMember), cu("8", "", "bob@x.io", true, RoleMember)}, nil,
			[]string{"unmanaged_user bob@x.io :> ignored",
				"profile_drift_ignored bob@x.io email:ann@x.io>bob@x.io ignored",
				"profile_drift_ignored bob@x.io userName:ann@x.io>bob@x.io ignored"}},
		{"link wins over externalId",
			[]OktaUser{ok("00u1", "ann@x.io", "")},
			[]ClickUpUser{named(cu("7", "", "ann@x.io", true, RoleMember), "F00u1"), cu("8", "00u1", "ann2@x.io", false, RoleMember)},
			map[string]string{oid("00u1"): "7"},
			[]string{}},
		{"a user owned by another Okta user is not taken by email",
			[]OktaUser{ok("00u1", "ann@x.io", "")},
			[]ClickUpUser{cu("7", "00u9", "ann@x.io", true, RoleMember)}, nil,
			[]string{"create_user ann@x.io role:>member planned", "deactivate ann@x.io active:true>false planned"}},
		{"two candidates: ambiguous, no write to either",
			[]OktaUser{{ID: oid("00u1"), Login: "ann@x.io", Email: "a.n@x.io", AppStatus: "ACTIVE", UserStatus: "ACTIVE"}},
			[]ClickUpUser{cu("7", "", "ann@x.io", true, RoleMember), cu("8", "", "a.n@x.io", true, RoleMember)}, nil,
			[]string{"ambiguous_match ann@x.io :> failed"}},
		{"two Okta users want one ClickUp user: ambiguous for both",
			[]OktaUser{
				{ID: oid("00u1"), Login: "ann@x.io", Email: "ann@x.io", AppStatus: "ACTIVE", UserStatus: "ACTIVE"},
				{ID: oid("00u2"), Login: "ann2@x.io", Email: "ann@x.io", AppStatus: "ACTIVE", UserStatus: "ACTIVE"},
			},
			[]ClickUpUser{cu("7", "", "ann@x.io", true, RoleMember)}, nil,
			[]string{"ambiguous_match ann2@x.io :> failed", "ambiguous_match ann@x.io :> failed"}},
		{"never matched on names",
			[]OktaUser{{ID: oid("00u1"), Login: "ann@x.io", Email: "ann@x.io", FirstName: "Ann", LastName: "Lee", AppStatus: "ACTIVE", UserStatus: "ACTIVE"}},
			[]ClickUpUser{{ID: "7", UserName: "other@x.io", Email: "other@x.io", GivenName: "Ann", FamilyName: "Lee", Active: true}}, nil,
			[]string{"create_user ann@x.io role:>member planned", "unmanaged_user other@x.io :> ignored"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Diff(Desired{Users: tt.okta}, Actual{Users: tt.clickup}, Options{Links: tt.links})
			if got := compact(p); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("plan\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestDiffIsDeterministic(t *testing.T) {
	okta := []OktaUser{ok("00u3", "c@x.io", "admin"), ok("00u1", "a@x.io", ""), ok("00u2", "b@x.io", "guest")}
	clickup := []ClickUpUser{cu("9", "", "z@x.io", true, RoleMember), cu("8", "", "y@x.io", true, RoleMember), cu("5", "00u2", "b@x.io", true, RoleMember)}
	first := compact(Diff(Desired{Users: okta}, Actual{Users: clickup}, Options{}))
	okta[0], okta[2] = okta[2], okta[0]
	clickup[0], clickup[1] = clickup[1], clickup[0]
	if again := compact(Diff(Desired{Users: okta}, Actual{Users: clickup}, Options{})); !reflect.DeepEqual(first, again) {
		t.Fatalf("input order changed the plan:\n%q\n%q", first, again)
	}
}

func TestDiffWithoutCatalogue(t *testing.T) {
	o := ok("00u1", "ann@x.io", "")
	o.CustomRoleName = "Whatever Role"
	p := Diff(Desired{Users: []OktaUser{o}}, Actual{}, Options{})
	if len(p.Entries) != 1 || p.Entries[0].Action != ActionCreateUser || p.Entries[0].NewUser.Role.CustomRoleName != "Whatever Role" {
		t.Fatalf("without a catalogue the custom role name is passed through for ClickUp to check; got %+v", p.Entries)
	}
}

func TestDiffReportsVanishedLinks(t *testing.T) {
	p := Diff(Desired{Users: []OktaUser{ok("00u1", "ann@x.io", "")}},
		Actual{Users: []ClickUpUser{named(cu("8", "00u1", "ann@x.io", true, RoleMember), "F00u1")}},
		Options{Links: map[string]string{oid("00u1"): "7"}})
	if p.Vanished[oid("00u1")] != "7" || p.Links[oid("00u1")] != "8" || p.Writes() != 0 {
		t.Fatalf("vanished %v links %v entries %q", p.Vanished, p.Links, compact(p))
	}
}
