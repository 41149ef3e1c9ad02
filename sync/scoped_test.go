package sync

import (
	"reflect"
	"testing"
)

func TestDiffScoped(t *testing.T) {
	ann := ok("00u1", "ann@x.io", "admin")
	unassigned := ok("00u2", "bob@x.io", "member")
	unassigned.AppStatus = "" // the app-user read answered 404
	eng := OktaGroup{ID: "00g1", Members: []string{oid("00u1")}}
	tests := []struct {
		name    string
		okta    []OktaUser
		clickup []ClickUpUser
		groups  []OktaGroup
		teams   []ClickUpTeam
		want    []string
	}{
		{"a role change of the given user", []OktaUser{ann},
			[]ClickUpUser{named(cu("7", "00u1", "ann@x.io", true, RoleMember), "F00u1")}, nil, nil,
			[]string{"update_role ann@x.io role:member>admin planned"}},
		{"an unassigned user is deactivated, with no second read", []OktaUser{unassigned},
			[]ClickUpUser{named(cu("8", "00u2", "bob@x.io", true, RoleMember), "F00u2")}, nil, nil,
			[]string{"deactivate bob@x.io active:true>false planned"}},
		{"ClickUp users read for the given users but not theirs are not reported", []OktaUser{ann},
			[]ClickUpUser{named(cu("7", "00u1", "ann@x.io", true, RoleAdmin), "F00u1"), cu("9", "00u9", "ann@x.io", true, RoleMember)}, nil, nil,
			[]string{}},
		{"the given user joins a linked Team; other members are left alone", []OktaUser{ann},
			[]ClickUpUser{named(cu("7", "00u1", "ann@x.io", true, RoleAdmin), "F00u1")},
			[]OktaGroup{eng}, []ClickUpTeam{{ID: "t1", DisplayName: "Eng", Members: []string{"50", "51"}}},
			[]string{"update_team_members ann@x.io team Eng:>member planned"}},
		{"the given user leaves a Team of a group it left", []OktaUser{ann},
			[]ClickUpUser{named(cu("7", "00u1", "ann@x.io", true, RoleAdmin), "F00u1")},
			[]OktaGroup{{ID: "00g1"}}, []ClickUpTeam{{ID: "t1", DisplayName: "Eng", Members: []string{"7", "50"}}},
			[]string{"update_team_members ann@x.io team Eng:member> planned", "team_member_drift ann@x.io team Eng:member> ignored"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Diff(Desired{Users: tt.okta, Groups: tt.groups}, Actual{Users: tt.clickup, Teams: tt.teams},
				Options{Scoped: true, GroupLinks: map[string]string{"00g1": "t1"}})
			if got := compact(p); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("plan\n got %q\nwant %q", got, tt.want)
			}
			for _, e := range p.Entries {
				if e.Confirm {
					t.Errorf("%s needs no confirmation: the single read is one", e.Action)
				}
			}
		})
	}
}
