package clickup_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/okta-clickup-sync/okta-clickup-sync/clickup"
	"github.com/okta-clickup-sync/okta-clickup-sync/clickup/clickuptest"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// methods counts the fake's requests by method.
func methods(s *clickuptest.Server) map[string]int {
	n := map[string]int{}
	for _, r := range s.Requests() {
		n[r.Method]++
	}
	return n
}

func TestNoPatch_UsersAreActivatedByPUT(t *testing.T) {
	for _, status := range []int{http.StatusNotImplemented, http.StatusMethodNotAllowed} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			o := clickuptest.Options{NoPatch: true, NoPatchStatus: status, RoleValues: []string{"Admin", "Member", "Guest"}}
			s, c, info := discovered(t, o, clickup.SCIMOptions{})
			if info.Patch.Supported {
				t.Fatal("PATCH announced as supported")
			}
			s.AddCustomRole(77, "Reviewer", 4)
			a := s.AddUser(clickuptest.User{UserName: "a@x.io", Email: "a@x.io", GivenName: "Ann", FamilyName: "Lee", ExternalID: "00uA", Active: true, CustomRoleID: "77"})
			b := s.AddUser(clickuptest.User{UserName: "b@x.io", Active: false, Role: "admin"})
			if _, err := c.ListUsers(t.Context()); err != nil {
				t.Fatal(err)
			}
			s.ResetRequests()

			if err := c.SetActive(t.Context(), a.ID, false); err != nil {
				t.Fatalf("deactivate: %v", err)
			}
			if err := c.SetActive(t.Context(), b.ID, true); err != nil {
				t.Fatalf("reactivate: %v", err)
			}
			if n := methods(s); n[http.MethodPatch] != 0 || n[http.MethodPut] != 2 || len(s.Requests()) != 2 {
				t.Errorf("requests %v, want two PUTs and no PATCH", n)
			}
			ga, _ := s.User(a.ID)
			gb, _ := s.User(b.ID)
			a.Active, b.Active = false, true
			if ga != a || gb != b {
				t.Errorf("after the PUTs\n got %+v\n     %+v\nwant %+v\n     %+v", ga, gb, a, b)
			}
			// And back: the answer to a PUT is the user as it now is, the start of the next one.
			if err := c.SetActive(t.Context(), a.ID, true); err != nil {
				t.Fatalf("reactivate again: %v", err)
			}
			if ga, _ = s.User(a.ID); !ga.Active || ga.CustomRoleID != "77" {
				t.Errorf("got %+v", ga)
			}
		})
	}
}

func TestNoPatch_UnreadUserIsReadFirst(t *testing.T) {
	s, c, _ := discovered(t, clickuptest.Options{NoPatch: true}, clickup.SCIMOptions{})
	u := s.AddUser(clickuptest.User{UserName: "a@x.io", Active: true, Role: "guest"})
	s.ResetRequests()
	if err := c.SetActive(t.Context(), u.ID, false); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range s.Requests() {
		got = append(got, r.Method+" "+r.Path[strings.LastIndex(r.Path, "/Users"):])
	}
	if want := []string{"GET /Users/" + u.ID, "PUT /Users/" + u.ID}; !slices.Equal(got, want) {
		t.Errorf("requests %v, want %v", got, want)
	}
	if g, _ := s.User(u.ID); g.Active || g.Role != "guest" {
		t.Errorf("got %+v", g)
	}
	if err := c.SetActive(t.Context(), "999", true); err == nil || !strings.Contains(err.Error(), "999") {
		t.Errorf("reactivating a user that does not exist: %v", err)
	}
}

func TestNoPatch_RoleChangeStillWorks(t *testing.T) {
	s, c, _ := discovered(t, clickuptest.Options{NoPatch: true}, clickup.SCIMOptions{})
	s.AddUser(clickuptest.User{UserName: "a@x.io", Active: false, Role: "guest"})
	users, err := c.ListUsers(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	u := users[0]
	u.Active, u.Role = true, core.Role{Base: core.RoleAdmin}
	if _, err := c.ReplaceUser(t.Context(), u); err != nil {
		t.Fatal(err)
	}
	if g, _ := s.User(u.ID); !g.Active || g.Role != "admin" {
		t.Errorf("got %+v", g)
	}
}

func TestNoPatch_TeamsAreChangedByPUT(t *testing.T) {
	s, c, _ := discovered(t, clickuptest.Options{NoPatch: true}, clickup.SCIMOptions{})
	var ids []string
	for i := range 260 {
		ids = append(ids, s.AddUser(clickuptest.User{UserName: fmt.Sprintf("u%03d@x.io", i), Active: true}).ID)
	}
	eng := s.AddGroup(clickuptest.Group{DisplayName: "Eng", Members: ids[:120]})
	if _, err := c.ListTeams(t.Context()); err != nil {
		t.Fatal(err)
	}
	s.ResetRequests()
	ctx := t.Context()
	if err := c.RenameTeam(ctx, eng.ID, "Engineering"); err != nil {
		t.Fatal(err)
	}
	// 10 removed and 130 added: two PUTs of at most MaxGroupChanges changes each.
	if err := c.UpdateTeamMembers(ctx, eng.ID, ids[120:250], ids[:10]); err != nil {
		t.Fatal(err)
	}
	if n := methods(s); n[http.MethodPatch] != 0 || n[http.MethodPut] != 3 {
		t.Errorf("requests %v, want three PUTs and no PATCH", n)
	}
	g, _ := s.Group(eng.ID)
	want := slices.Clone(ids[10:250])
	slices.Sort(want)
	got := slices.Clone(g.Members)
	slices.Sort(got)
	if g.DisplayName != "Engineering" || !slices.Equal(got, want) {
		t.Errorf("group %q with %d members, want Engineering with %d", g.DisplayName, len(g.Members), len(want))
	}

	// A Team created larger than one batch gets the rest by PUT too; one never read is read first.
	s.ResetRequests()
	big, err := c.CreateTeam(ctx, "Big", ids[:150])
	if err != nil {
		t.Fatal(err)
	}
	if n := methods(s); n[http.MethodPatch] != 0 || n[http.MethodPost] != 1 || n[http.MethodPut] != 1 {
		t.Errorf("requests %v, want a POST, a PUT and no PATCH", n)
	}
	if g, _ := s.Group(big.ID); len(g.Members) != 150 {
		t.Errorf("%d members, want 150", len(g.Members))
	}
	other := s.AddGroup(clickuptest.Group{DisplayName: "Other", Members: ids[:2]})
	s.ResetRequests()
	if err := c.UpdateTeamMembers(ctx, other.ID, ids[2:3], nil); err != nil {
		t.Fatal(err)
	}
	if n := methods(s); n[http.MethodGet] != 1 || n[http.MethodPut] != 1 {
		t.Errorf("requests %v, want the group read, then a PUT", n)
	}
	if g, _ := s.Group(other.ID); len(g.Members) != 3 {
		t.Errorf("members %v", g.Members)
	}
}

func TestNoFilter_LookupsReadTheListing(t *testing.T) {
	s, c, info := discovered(t, clickuptest.Options{NoFilter: true, MaxCount: 40}, clickup.SCIMOptions{})
	if info.Filter.Supported {
		t.Fatal("filter announced as supported")
	}
	for i := range 90 {
		s.AddUser(clickuptest.User{UserName: fmt.Sprintf("u%02d@x.io", i), Email: fmt.Sprintf("U%02d@mail.x.io", i), ExternalID: fmt.Sprintf("00u%02d", i), Active: true})
	}
	s.ResetRequests()
	for _, tc := range []struct {
		key   core.UserKey
		value string
	}{{core.ByUserName, "U42@X.IO"}, {core.ByEmail, "u42@mail.x.io"}, {core.ByExternalID, "00u42"}} {
		users, err := c.FindUsers(t.Context(), tc.key, tc.value)
		if err != nil || len(users) != 1 || users[0].UserName != "u42@x.io" {
			t.Errorf("FindUsers(%s, %s) = %+v, %v", tc.key, tc.value, users, err)
		}
	}
	if users, err := c.FindUsers(t.Context(), core.ByExternalID, "00U42"); err != nil || len(users) != 0 {
		t.Errorf("externalId is case-sensitive: %+v, %v", users, err)
	}
	for _, r := range s.Requests() {
		if strings.Contains(r.RawQuery, "filter") {
			t.Errorf("filtered although the service cannot: %s", r.RawQuery)
		}
	}
	// A found user can be written: it was kept for a PUT.
	users, _ := c.FindUsers(t.Context(), core.ByUserName, "u07@x.io")
	users[0].Role = core.Role{Base: core.RoleGuest}
	if _, err := c.ReplaceUser(t.Context(), users[0]); err != nil {
		t.Error(err)
	}
}

func TestNoFilter_CreateConflictIsResolvedFromTheListing(t *testing.T) {
	s, c, _ := discovered(t, clickuptest.Options{NoFilter: true}, clickup.SCIMOptions{})
	ext := "00u" + strings.Repeat("b", 17)
	s.AddUser(clickuptest.User{UserName: "a@x.io", ExternalID: ext, Active: true})
	u, err := c.CreateUser(t.Context(), core.NewUser{UserName: "a@x.io", ExternalID: ext})
	if err != nil || u.UserName != "a@x.io" {
		t.Fatalf("create of an existing user of ours: %+v, %v", u, err)
	}
	s.AddGroup(clickuptest.Group{DisplayName: "Eng"})
	if _, err := c.CreateTeam(t.Context(), "Eng", nil); err != nil {
		t.Fatalf("create of an existing team: %v", err)
	}
	for _, r := range s.Requests() {
		if strings.Contains(r.RawQuery, "filter") {
			t.Errorf("filtered although the service cannot: %s", r.RawQuery)
		}
	}
}
