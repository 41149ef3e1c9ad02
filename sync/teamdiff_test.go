package sync

import (
	"reflect"
	"testing"
)

func TestDiffTeams(t *testing.T) {
	users := []OktaUser{ok("00u1", "a@x.io", ""), ok("00u2", "b@x.io", "")}
	notAssigned := oid("00u9") // in the group, not assigned the app
	clickup := []ClickUpUser{named(cu("1", "00u1", "a@x.io", true, RoleMember), "F00u1"), named(cu("2", "00u2", "b@x.io", true, RoleMember), "F00u2")}
	tests := []struct {
		name   string
		groups []OktaGroup
		teams  []ClickUpTeam
		opt    Options
		want   []string
	}{
		{"in step: nothing", []OktaGroup{{ID: "00g1", Name: "Eng", Members: []string{oid("00u1"), notAssigned}}},
			[]ClickUpTeam{{ID: "t1", DisplayName: "Eng", Members: []string{"1"}}}, Options{}, []string{}},
		{"matched by exact name, member added", []OktaGroup{{ID: "00g1", Name: "Eng", Members: []string{oid("00u1"), oid("00u2")}}},
			[]ClickUpTeam{{ID: "t1", DisplayName: "Eng", Members: []string{"1"}}, {ID: "t2", DisplayName: "eng"}}, Options{},
			[]string{"update_team_members b@x.io team Eng:>member planned"}},
		{"two Teams with the name: ambiguous, no write", []OktaGroup{{ID: "00g1", Name: "Eng", Members: []string{oid("00u1")}}},
			[]ClickUpTeam{{ID: "t1", DisplayName: "Eng"}, {ID: "t2", DisplayName: "Eng"}}, Options{},
			[]string{"ambiguous_match Eng team:> failed"}},
		{"a Team linked to another group is not taken by name", []OktaGroup{{ID: "00g1", Name: "Eng", Members: []string{oid("00u1")}}},
			[]ClickUpTeam{{ID: "t1", DisplayName: "Eng", Members: []string{"1"}}}, Options{GroupLinks: map[string]string{"00g7": "t1"}},
			[]string{"create_team Eng members:>1 members planned"}},
		{"unpushed Team is left alone without the flag", nil,
			[]ClickUpTeam{{ID: "t1", DisplayName: "Old", Members: []string{"1"}}}, Options{GroupLinks: map[string]string{"00g7": "t1"}}, []string{}},
		{"unpushed Team deleted with the flag", nil,
			[]ClickUpTeam{{ID: "t1", DisplayName: "Old", Members: []string{"1"}}}, Options{GroupLinks: map[string]string{"00g7": "t1"}, DeleteUnpushedTeams: true},
			[]string{"delete_team Old team:pushed>deleted planned"}},
		{"a Team never pushed is never deleted", nil,
			[]ClickUpTeam{{ID: "t1", DisplayName: "Hand made"}}, Options{GroupLinks: map[string]string{"00g7": "t9"}, DeleteUnpushedTeams: true}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Diff(Desired{Users: users, Groups: tt.groups}, Actual{Users: clickup, Teams: tt.teams}, tt.opt)
			if got := compact(p); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("plan\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestDiffTeamsMemberLosesAccess(t *testing.T) {
	suspended := ok("00u2", "b@x.io", "")
	suspended.UserStatus = "SUSPENDED"
	p := Diff(
		Desired{Users: []OktaUser{ok("00u1", "a@x.io", ""), suspended}, Groups: []OktaGroup{{ID: "00g1", Name: "Eng", Members: []string{oid("00u1"), oid("00u2")}}}},
		Actual{Users: []ClickUpUser{named(cu("1", "00u1", "a@x.io", true, RoleMember), "F00u1"), named(cu("2", "00u2", "b@x.io", true, RoleMember), "F00u2")},
			Teams: []ClickUpTeam{{ID: "t1", DisplayName: "Eng", Members: []string{"1", "2"}}}},
		Options{})
	want := []string{"deactivate b@x.io active:true>false planned", "update_team_members b@x.io team Eng:member> planned"}
	if got := compact(p); !reflect.DeepEqual(got, want) {
		t.Fatalf("plan\n got %q\nwant %q", got, want)
	}
}

func TestCheckRailsHoldsTeamDeletions(t *testing.T) {
	d, a := Desired{Users: assigned(10)}, Actual{Users: managedUsers(10), Teams: []ClickUpTeam{{ID: "t1", DisplayName: "A"}, {ID: "t2", DisplayName: "B"}}}
	opt := Options{GroupLinks: map[string]string{"00g1": "t1", "00g2": "t2"}, DeleteUnpushedTeams: true}
	p, held, err := checkRails(d, a, Diff(d, a, opt), Rails{MaxDeactivations: 1, MaxDeactivationPercent: 100}, nil)
	if err != nil || !held || p.Summarize().Outcomes[OutcomeHeld] != 2 {
		t.Fatalf("held %v err %v outcomes %v", held, err, p.Summarize().Outcomes)
	}
	approved := Approve(Diff(d, a, opt), []Entry{{Action: ActionDeleteTeam, User: "A"}})
	if len(approved.Entries) != 1 || approved.Entries[0].Team.ClickUpTeamID != "t1" {
		t.Fatalf("approved %+v", approved.Entries)
	}
}
