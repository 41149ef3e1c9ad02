package clickup_test

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/okta-clickup-sync/okta-clickup-sync/clickup"
	"github.com/okta-clickup-sync/okta-clickup-sync/clickup/clickuptest"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

func TestSCIMClient_User(t *testing.T) {
	s, c := newFake(t, clickuptest.Options{}, 100)
	s.AddCustomRole(998877, "Reviewer", 4)
	seeded := s.AddUser(clickuptest.User{UserName: "ann@x.io", Email: "ann@x.io", GivenName: "Ann", FamilyName: "Lee",
		ExternalID: "00uAnn", Active: false, CustomRoleID: "998877"})
	s.ResetRequests()

	u, ok, err := c.User(t.Context(), seeded.ID)
	want := core.ClickUpUser{ID: seeded.ID, ExternalID: "00uAnn", UserName: "ann@x.io", Email: "ann@x.io", GivenName: "Ann", FamilyName: "Lee",
		Role: core.Role{Base: core.RoleGuest, CustomRoleID: "998877", CustomRoleName: "Reviewer"}}
	if err != nil || !ok || u != want {
		t.Fatalf("User = %+v, %t, %v; want %+v", u, ok, err, want)
	}
	if r := s.Requests(); len(r) != 1 || r[0].Method != http.MethodGet || r[0].Path != "/scim/v2/"+s.WorkspaceID()+"/Users/"+seeded.ID {
		t.Errorf("requests %+v, want one GET /Users/%s", r, seeded.ID)
	}
	// Read once, it can be PUT: a reactivation with a role change in one write.
	u.Active, u.Role = true, core.Role{Base: core.RoleAdmin}
	if _, err := c.ReplaceUser(t.Context(), u); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.User(seeded.ID); !got.Active || got.Role != "admin" || got.CustomRoleID != "" {
		t.Errorf("stored %+v", got)
	}

	if u, ok, err := c.User(t.Context(), "999"); ok || err != nil || u != (core.ClickUpUser{}) {
		t.Errorf("a 404 is no such user: %+v, %t, %v", u, ok, err)
	}
	if _, _, err := c.User(t.Context(), ""); err == nil {
		t.Error("an empty id was looked up")
	}
	t.Run("another user answered", func(t *testing.T) {
		c := newHandler(t, func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"id":"8","userName":"b@x.io","active":true}`)
		})
		_, ok, err := c.User(t.Context(), "7")
		wantMalformed(t, err, "read user 7", "answered with user 8")
		if ok {
			t.Error("ok with the error")
		}
	})
	t.Run("not the token's", func(t *testing.T) {
		c := newHandler(t, func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"status":"401","detail":"no"}`)
		})
		if _, ok, err := c.User(t.Context(), "7"); ok || err == nil {
			t.Errorf("a 401 is an error, not a missing user: %t %v", ok, err)
		}
	})
}

func TestSCIMClient_FindUsers(t *testing.T) {
	s, c := newFake(t, clickuptest.Options{}, 2)
	ann := s.AddUser(clickuptest.User{UserName: "Ann@X.io", Email: "ann.lee@x.io", ExternalID: "00uAnn", Active: true})
	quoted := s.AddUser(clickuptest.User{UserName: `o"ne\il@x.io`, Active: false})
	for _, tc := range []struct {
		key   core.UserKey
		value string
		want  []string
	}{
		{core.ByExternalID, "00uAnn", []string{ann.ID}},
		{core.ByExternalID, "00uann", nil}, // externalId is case-exact
		{core.ByUserName, "ann@x.io", []string{ann.ID}},
		{core.ByUserName, `O"NE\IL@x.io`, []string{quoted.ID}},
		{core.ByEmail, "ANN.LEE@x.io", []string{ann.ID}},
		{core.ByEmail, "ann@x.io", nil},
		{core.ByUserName, `nobody@x.io" or userName eq "ann@x.io`, nil},
	} {
		users, err := c.FindUsers(t.Context(), tc.key, tc.value)
		var ids []string
		for _, u := range users {
			ids = append(ids, u.ID)
		}
		if err != nil || !reflect.DeepEqual(ids, tc.want) {
			t.Errorf("FindUsers(%s, %q) = %v, %v; want %v", tc.key, tc.value, ids, err, tc.want)
		}
	}
	for _, key := range []core.UserKey{"name.givenName", "id", ""} {
		s.ResetRequests()
		if _, err := c.FindUsers(t.Context(), key, "x"); err == nil || len(s.Requests()) != 0 {
			t.Errorf("FindUsers by %q: %v, %d requests", key, err, len(s.Requests()))
		}
	}
	if _, err := c.FindUsers(t.Context(), core.ByUserName, ""); err == nil {
		t.Error("an empty value was looked up")
	}

	t.Run("requests", func(t *testing.T) {
		for key, want := range map[core.UserKey]string{
			core.ByExternalID: `filter=externalId%20eq%20%2200u%5C%22x%22&startIndex=1&count=2`,
			core.ByUserName:   `filter=userName%20eq%20%2200u%5C%22x%22&startIndex=1&count=2`,
			core.ByEmail:      `filter=emails.value%20eq%20%2200u%5C%22x%22&startIndex=1&count=2`,
		} {
			c := newHandler(t, func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodGet || r.URL.Path != "/scim/v2/42/Users" || r.URL.RawQuery != want {
					t.Errorf("%s %s?%s, want ?%s", r.Method, r.URL.Path, r.URL.RawQuery, want)
				}
				fmt.Fprint(w, list("0", "1", "0"))
			})
			if users, err := c.FindUsers(t.Context(), key, `00u"x`); err != nil || len(users) != 0 {
				t.Errorf("%s: %v %v", key, users, err)
			}
		}
	})
	t.Run("every page of a large answer", func(t *testing.T) {
		c := newHandler(t, func(w http.ResponseWriter, r *http.Request) {
			u := func(id string) string {
				return `{"id":"` + id + `","userName":"u` + id + `@x.io","emails":[{"value":"shared@x.io"}],"active":true}`
			}
			if r.URL.Query().Get("startIndex") == "1" {
				fmt.Fprint(w, list("3", "1", "2", u("1"), u("2")))
				return
			}
			fmt.Fprint(w, list("3", "3", "1", u("3")))
		})
		users, err := c.FindUsers(t.Context(), core.ByEmail, "SHARED@x.io")
		if err != nil || len(users) != 3 {
			t.Fatalf("%v %v", users, err)
		}
	})
	t.Run("an answer that does not match the filter", func(t *testing.T) {
		for _, tc := range []struct {
			key      core.UserKey
			value    string
			resource string
		}{
			{core.ByExternalID, "00uAnn", `{"id":"1","externalId":"00uann","userName":"a@x.io","active":true}`},
			{core.ByExternalID, "00uAnn", `{"id":"1","userName":"a@x.io","active":true}`},
			{core.ByUserName, "a@x.io", `{"id":"1","userName":"b@x.io","active":true}`},
			{core.ByEmail, "a@x.io", `{"id":"1","userName":"b@x.io","emails":[{"value":"b@x.io"}],"active":true}`},
		} {
			c := newHandler(t, func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprint(w, list("1", "1", "1", tc.resource))
			})
			users, err := c.FindUsers(t.Context(), tc.key, tc.value)
			if users != nil {
				t.Errorf("%s: users with the error", tc.key)
			}
			wantMalformed(t, err, "does not match")
		}
	})
	t.Run("a match on an email that is not the primary one", func(t *testing.T) {
		c := newHandler(t, func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, list("1", "1", "1", `{"id":"1","userName":"b@x.io","emails":[{"value":"b@x.io","primary":true},{"value":"A@x.io"}],"active":true}`))
		})
		users, err := c.FindUsers(t.Context(), core.ByEmail, "a@x.io")
		if err != nil || len(users) != 1 || users[0].Email != "b@x.io" {
			t.Fatalf("%+v %v", users, err)
		}
	})
	t.Run("a 404 is no such user", func(t *testing.T) {
		c := newHandler(t, func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"status":"404","detail":"no match"}`)
		})
		if users, err := c.FindUsers(t.Context(), core.ByExternalID, "00u1"); users != nil || err != nil {
			t.Fatalf("%v %v", users, err)
		}
	})
	t.Run("a filter the service refuses", func(t *testing.T) {
		c := newHandler(t, func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"status":"400","scimType":"invalidFilter","detail":"no"}`)
		})
		_, err := c.FindUsers(t.Context(), core.ByEmail, "a@x.io")
		if ae := wantAPIError(t, err, nil, http.StatusBadRequest); ae.SCIMType != "invalidFilter" {
			t.Errorf("%+v", ae)
		}
	})
}

func TestSCIMClient_Team(t *testing.T) {
	s, c := newFake(t, clickuptest.Options{}, 100)
	ids := seedUsers(s, 3)
	g := s.AddGroup(clickuptest.Group{DisplayName: "R&D", Members: ids[1:]})
	empty := s.AddGroup(clickuptest.Group{DisplayName: "Empty"})

	team, ok, err := c.Team(t.Context(), g.ID)
	if err != nil || !ok || !reflect.DeepEqual(team, core.ClickUpTeam{ID: g.ID, DisplayName: "R&D", Members: ids[1:]}) {
		t.Fatalf("Team = %+v, %t, %v", team, ok, err)
	}
	if team, ok, err := c.Team(t.Context(), empty.ID); err != nil || !ok || team.Members == nil || len(team.Members) != 0 {
		t.Errorf("an empty team: %+v, %t, %v", team, ok, err)
	}
	if team, ok, err := c.Team(t.Context(), "00000000-0000-4000-8000-999999999999"); ok || err != nil || team.ID != "" {
		t.Errorf("a 404 is no such team: %+v, %t, %v", team, ok, err)
	}
	if r := s.Requests(); !strings.HasSuffix(r[0].Path, "/Groups/"+g.ID) || r[0].Method != http.MethodGet {
		t.Errorf("request %+v", r[0])
	}
	t.Run("another group answered", func(t *testing.T) {
		c := newHandler(t, func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"id":"g2","displayName":"T","members":[]}`)
		})
		_, ok, err := c.Team(t.Context(), "g1")
		wantMalformed(t, err, "read team g1", "answered with group g2")
		if ok {
			t.Error("ok with the error")
		}
	})
	t.Run("a member listed twice", func(t *testing.T) {
		c := newHandler(t, func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"id":"g1","displayName":"T","members":[{"value":"1"},{"value":"1"}]}`)
		})
		_, _, err := c.Team(t.Context(), "g1")
		wantMalformed(t, err, "listed twice")
	})
}

var _ core.UserFinder = (*clickup.SCIMClient)(nil)
