package sync

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// everyAction is a scenario whose plan holds every action kind at least once.
func everyAction() (Desired, Actual, Options) {
	suspended := ok("00u5", "sue@x.io", "member")
	suspended.UserStatus = "SUSPENDED"
	renamed := ok("00u6", "rita@x.io", "")
	renamed.CustomRoleName = "Old Name"
	byID := ok("00u7", "ida@x.io", "")
	byID.CustomRoleID = "112233"
	moved := ok("00u4", "mo.new@x.io", "member")
	moved.FirstName = "F00u4"
	d := Desired{Users: []OktaUser{
		ok("00u1", "new.hire@x.io", "member"),
		ok("00u2", "promoted@x.io", "admin"),
		ok("00u3", "back@x.io", "guest"),
		moved, suspended, renamed, byID,
		ok("00u8", "dup@x.io", ""),
		ok("00u9", "boss@x.io", "member"),
	}}
	dupA := cu("30", "", "dup@x.io", true, RoleMember)
	dupB := cu("31", "", "DUP@x.io", true, RoleMember)
	a := Actual{
		Users: []ClickUpUser{
			cu("1", "00u9", "boss@x.io", true, RoleOwner),
			cu("12", "00u2", "promoted@x.io", true, RoleMember),
			cu("13", "00u3", "back@x.io", false, RoleMember),
			cu("14", "00u4", "mo@x.io", true, RoleMember),
			cu("15", "00u5", "sue@x.io", true, RoleMember),
			cu("16", "00u6", "rita@x.io", true, RoleMember),
			cu("17", "00u7", "ida@x.io", true, RoleMember),
			cu("20", "00u99", "left@x.io", true, RoleMember),
			cu("21", "", "hand.added@x.io", true, RoleMember),
			dupA, dupB,
		},
		CustomRoles: catalogue,
		OwnerID:     "1",
		Teams: []ClickUpTeam{
			{ID: "t2", DisplayName: "Design Old", Members: []string{"14", "21"}},
			{ID: "t3", DisplayName: "Old Team", Members: []string{"12"}},
		},
	}
	d.Groups = []OktaGroup{
		{ID: "00g1", Name: "Engineering", Members: []string{oid("00u1"), oid("00u2"), oid("00u5")}},
		{ID: "00g2", Name: "Design", Members: []string{oid("00u3")}},
	}
	return d, a, Options{GroupLinks: map[string]string{"00g2": "t2", "00g3": "t3"}, DeleteUnpushedTeams: true}
}

// stubReader answers the single-user reads from a map of Okta users by id; any other id is
// unknown (404).
type stubReader map[string]OktaUser

func (r stubReader) AppUser(_ context.Context, id string) (OktaUser, bool, error) {
	u, ok := r[id]
	return u, ok && u.AppStatus != "", nil
}

func (r stubReader) User(_ context.Context, key string) (OktaUser, bool, error) {
	u, ok := r[key]
	return u, ok, nil
}

func TestGoldenPlan(t *testing.T) {
	d, a, opt := everyAction()
	// Two more accounts absent from the listing: one created by another IdP (its externalId is a
	// GUID), and one whose Okta user a second read still finds assigned.
	a.Users = append(a.Users,
		cu("22", "9c1f0e2a-4b7d-4e55-9a51-0f3b2c1d7e88", "migrated@x.io", true, RoleMember),
		cu("23", "00u98", "still.here@x.io", true, RoleMember))
	p, err := Confirm(t.Context(), Diff(d, a, opt), nil, stubReader{oid("00u98"): ok("00u98", "still.here@x.io", "member")}, 10)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[Action]bool{}
	for _, e := range p.Entries {
		seen[e.Action] = true
	}
	for a := range actionOrder {
		if !seen[a] {
			t.Errorf("scenario lacks action %s", a)
		}
	}
	var text, js bytes.Buffer
	if err := p.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if err := p.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	if !json.Valid(js.Bytes()) {
		t.Fatal("JSON rendering is not valid JSON")
	}
	golden(t, "plan_every_action.txt", text.Bytes())
	golden(t, "plan_every_action.json", js.Bytes())

	var empty bytes.Buffer
	if err := (Plan{}).WriteText(&empty); err != nil {
		t.Fatal(err)
	}
	golden(t, "plan_empty.txt", empty.Bytes())
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test ./sync -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (review, then go test ./sync -update)\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}
