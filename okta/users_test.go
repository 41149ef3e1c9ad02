package okta_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/okta-clickup-sync/okta-clickup-sync/okta"
	"github.com/okta-clickup-sync/okta-clickup-sync/okta/oktatest"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// requests is what the fake was asked, as "path?query".
func requests(s *oktatest.Server) []string {
	var out []string
	for _, r := range s.Requests() {
		out = append(out, r.Path+"?"+r.RawQuery)
	}
	return out
}

// AppUser decodes one assignment exactly as the listing decodes it, in one request.
func TestClient_AppUser(t *testing.T) {
	s := newFake(t)
	ada := s.AddUser(oktatest.User{Login: "ada@example.com", Email: "ada@mail.example.com", FirstName: "Ada", LastName: "Lovelace"})
	bob := s.AddUser(oktatest.User{Login: "bob@example.com", Status: "SUSPENDED"})
	s.Assign(appID, ada.ID, "ACTIVE", map[string]any{"clickupRole": " Admin ", "clickupCustomRoleId": 998877})
	s.Assign(appID, bob.ID, "", nil)
	c := newClient(t, s, func(o *okta.Options) { o.RoleAttribute, o.CustomRoleIDAttribute = "clickupRole", "clickupCustomRoleId" })
	listed, err := c.ListAppUsers(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range []string{ada.ID, bob.ID} {
		s.ResetRequests()
		u, ok, err := c.AppUser(t.Context(), id)
		if err != nil || !ok || u != listed[i] {
			t.Errorf("AppUser(%s) = %+v, %t, %v; want %+v as listed", id, u, ok, err, listed[i])
		}
		if got := requests(s); !slices.Equal(got, []string{"/api/v1/apps/" + appID + "/users/" + id + "?expand=user"}) {
			t.Errorf("requests %q", got)
		}
	}
	if listed[0].Role != "Admin" || listed[0].CustomRoleID != "998877" || listed[1].UserStatus != "SUSPENDED" {
		t.Errorf("listed %+v", listed)
	}
}

// Not assigned, or no such user: ok is false and there is no error. But an unknown app, or a 404
// that is not Okta's, must not read as "not assigned": that would confirm every deactivation.
func TestClient_AppUser_NotFound(t *testing.T) {
	s := newFake(t)
	assigned := addAssigned(t, s, 1)[0]
	unassigned := s.AddUser(oktatest.User{Login: "gone@example.com"})
	c := newClient(t, s, nil)
	for _, id := range []string{unassigned.ID, "00unobody0000000000"} {
		if u, ok, err := c.AppUser(t.Context(), id); ok || err != nil {
			t.Errorf("AppUser(%s) = %+v, %t, %v; want not found", id, u, ok, err)
		}
	}
	_, ok, err := newClient(t, s, func(o *okta.Options) { o.AppID = "0oanope" }).AppUser(t.Context(), assigned.ID)
	if ok || !errors.Is(err, core.ErrNotFound) || !strings.Contains(err.Error(), "0oanope") {
		t.Errorf("unknown app: ok %t, error %v; want ErrNotFound naming the app", ok, err)
	}
	remove := s.Faults(1).Add(oktatest.Body(http.StatusNotFound, `<html>not found</html>`))
	if _, ok, err := c.AppUser(t.Context(), assigned.ID); ok || !errors.Is(err, core.ErrNotFound) {
		t.Errorf("a 404 that is not Okta's: ok %t, error %v; want an error", ok, err)
	}
	remove()
	s.ResetRequests()
	if _, _, err := c.AppUser(t.Context(), "../users"); err == nil || len(s.Requests()) != 0 {
		t.Errorf("an id that is not one: %v after %d requests", err, len(s.Requests()))
	}
}

// What the listing refuses, AppUser refuses: a 200 that is not the app user asked for.
func TestClient_AppUser_Malformed(t *testing.T) {
	for _, tc := range []struct{ name, body, want string }{
		{"Null", "null", "the body is null, want an object"},
		{"List", "[]", "want an object"},
		{"Empty", "", "the body is empty"},
		{"OtherUser", `{"id":"00uother","status":"ACTIVE","_embedded":{"user":{"id":"00uother","status":"ACTIVE"}}}`, `describes app user "00uother"`},
		{"NoEmbedded", `{"id":"%s","status":"ACTIVE"}`, "missing _embedded.user"},
		{"RoleArray", `{"id":"%s","status":"ACTIVE","profile":{"role":["a"]},"_embedded":{"user":{"id":"%[1]s","status":"ACTIVE"}}}`, "profile.role: is an array"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newFake(t)
			u := addAssigned(t, s, 1)[0]
			body := tc.body
			if strings.Contains(body, "%") {
				body = fmt.Sprintf(body, u.ID)
			}
			s.Faults(1).Add(oktatest.Body(http.StatusOK, body))
			_, ok, err := newClient(t, s, nil).AppUser(t.Context(), u.ID)
			if ok || !errors.Is(err, core.ErrMalformed) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("AppUser = %t, %v; want ErrMalformed: %s", ok, err, tc.want)
			}
		})
	}
}

func TestClient_User(t *testing.T) {
	s := newFake(t)
	ann := s.AddUser(oktatest.User{Login: "ann+ops@example.com", Email: "ann@mail.example.com", FirstName: "Ann", LastName: "Ops", Status: "LOCKED_OUT"})
	s.Assign(appID, ann.ID, "ACTIVE", map[string]any{"role": "admin"})
	slash := s.AddUser(oktatest.User{Login: "a/b?c#d@example.com"})
	c := newClient(t, s, nil)
	want := core.OktaUser{ID: ann.ID, Login: ann.Login, Email: ann.Email, FirstName: "Ann", LastName: "Ops", UserStatus: "LOCKED_OUT"}
	for _, tc := range []struct{ key, request string }{
		{ann.ID, "/api/v1/users/" + ann.ID},
		{ann.Login, "/api/v1/users/ann+ops@example.com"},
		{"ANN+OPS@example.com", "/api/v1/users/ANN+OPS@example.com"},
		// An email that is no login: the login misses, then one search.
		{"Ann@Mail.Example.com", "/api/v1/users/Ann@Mail.Example.com /api/v1/users?search=" + `profile.email eq "Ann@Mail.Example.com"`},
	} {
		s.ResetRequests()
		u, ok, err := c.User(t.Context(), tc.key)
		if err != nil || !ok || u != want {
			t.Errorf("User(%q) = %+v, %t, %v; want %+v, the user's own fields only", tc.key, u, ok, err, want)
		}
		var got []string
		for _, r := range s.Requests() {
			q, _ := url.ParseQuery(r.RawQuery)
			got = append(got, strings.TrimSuffix(r.Path+"?search="+q.Get("search"), "?search="))
		}
		if strings.Join(got, " ") != tc.request {
			t.Errorf("User(%q) requests %q, want %q", tc.key, got, tc.request)
		}
	}
	if u, ok, err := c.User(t.Context(), slash.Login); err != nil || !ok || u.ID != slash.ID {
		t.Errorf("a login with / ? #: %+v, %t, %v", u, ok, err)
	}
}

func TestClient_User_NotFoundAndAmbiguous(t *testing.T) {
	s := newFake(t)
	s.AddUser(oktatest.User{Login: "a@example.com", Email: "shared@example.com"})
	s.AddUser(oktatest.User{Login: "b@example.com", Email: "SHARED@example.com"})
	c := newClient(t, s, nil)
	for _, key := range []string{"nobody@example.com", "nobody", "00unobody0000000000"} {
		s.ResetRequests()
		if u, ok, err := c.User(t.Context(), key); ok || err != nil {
			t.Errorf("User(%q) = %+v, %t, %v; want not found", key, u, ok, err)
		}
		if n, want := len(s.Requests()), 1+strings.Count(key, "@"); n != want {
			t.Errorf("User(%q): %d requests, want %d", key, n, want)
		}
	}
	_, ok, err := c.User(t.Context(), "shared@example.com")
	if ok || err == nil || !strings.Contains(err.Error(), "2 Okta users have the primary email") {
		t.Errorf("shared email: %t, %v; want an error naming the count", ok, err)
	}
	for _, key := range []string{"", "..", "a\nb"} {
		if _, _, err := c.User(t.Context(), key); err == nil {
			t.Errorf("User(%q) went ahead", key)
		}
	}
}

// A search that answers with someone else, or an id lookup that does, is malformed.
func TestClient_User_Malformed(t *testing.T) {
	s := newFake(t)
	u := s.AddUser(oktatest.User{Login: "u@example.com", Email: "u@example.com"})
	other := s.AddUser(oktatest.User{Login: "o@example.com", Email: "o@example.com"})
	c := newClient(t, s, nil)
	r := oktatest.Body(http.StatusOK, fmt.Sprintf(`[{"id":%q,"status":"ACTIVE","profile":{"email":"o@example.com"}}]`, other.ID))
	r.Path = oktatest.PathUsers
	remove := s.Faults(1).Add(r)
	if _, ok, err := c.User(t.Context(), "x@example.com"); ok || !errors.Is(err, core.ErrMalformed) || !strings.Contains(err.Error(), "not the one searched for") {
		t.Errorf("search answering another user: %t, %v", ok, err)
	}
	remove()
	r = oktatest.Body(http.StatusOK, fmt.Sprintf(`{"id":%q,"status":"ACTIVE"}`, other.ID))
	r.Path = oktatest.PathUser
	s.Faults(2).Add(r)
	if _, ok, err := c.User(t.Context(), u.ID); ok || !errors.Is(err, core.ErrMalformed) {
		t.Errorf("id lookup answering another user: %t, %v", ok, err)
	}
}

func TestClient_UserGroups(t *testing.T) {
	s := newFake(t)
	u := addAssigned(t, s, 2)
	var want []string
	for i := range oktatest.UserGroupsPageLimit + 1 {
		g := s.AddGroup(oktatest.Group{Name: fmt.Sprint("G", i)})
		s.AddGroupMember(g.ID, u[0].ID)
		want = append(want, g.ID)
	}
	c := newClient(t, s, nil)
	s.ResetRequests()
	got, err := c.UserGroups(t.Context(), u[0].ID)
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("UserGroups = %d ids, %v; want %d", len(got), err, len(want))
	}
	if n := len(s.Requests()); n != 2 {
		t.Errorf("%d requests, want 2 pages", n)
	}
	if got, err := c.UserGroups(t.Context(), u[1].ID); err != nil || got == nil || len(got) != 0 {
		t.Errorf("a user in no group: %v, %v", got, err)
	}
	if _, err := c.UserGroups(t.Context(), "00unobody0000000000"); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("unknown user: %v, want ErrNotFound", err)
	}
	r := oktatest.Body(http.StatusOK, "null")
	r.Path = oktatest.PathUserGroups
	s.Faults(1).Add(r)
	if _, err := c.UserGroups(t.Context(), u[0].ID); !errors.Is(err, core.ErrMalformed) {
		t.Errorf("a null page: %v, want ErrMalformed", err)
	}
}
