package clickup_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/okta-clickup-sync/okta-clickup-sync/clickup"
	"github.com/okta-clickup-sync/okta-clickup-sync/clickup/clickuptest"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

func newREST(t *testing.T, s *clickuptest.Server, tok, workspace string) *clickup.RESTClient {
	t.Helper()
	c, err := clickup.NewREST(clickup.RESTOptions{BaseURL: s.APIBaseURL(), Token: tok, WorkspaceID: workspace, AllowInsecureHTTP: true})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRESTClient(t *testing.T) {
	s := clickuptest.NewServer(clickuptest.Options{})
	t.Cleanup(s.Close)
	s.AddCustomRole(4547089, "guest custom", 4)
	s.AddCustomRole(6715664, "member custom", 3)
	s.AddCustomRole(2957195, "admin custom", 2)
	s.AddUser(clickuptest.User{UserName: "m@x.io", Active: true})
	owner := s.AddUser(clickuptest.User{UserName: "boss@x.io", Active: true, Owner: true})
	c := newREST(t, s, s.APIToken(), s.WorkspaceID())

	roles, err := c.ListCustomRoles(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := []core.CustomRole{
		{ID: "4547089", Name: "guest custom", InheritedRole: core.RoleGuest},
		{ID: "6715664", Name: "member custom", InheritedRole: core.RoleMember},
		{ID: "2957195", Name: "admin custom", InheritedRole: core.RoleAdmin},
	}
	if !reflect.DeepEqual(roles, want) {
		t.Errorf("roles\n got %+v\nwant %+v", roles, want)
	}
	if id, err := c.WorkspaceOwner(t.Context()); err != nil || id != owner.ID {
		t.Errorf("owner %q %v, want %s", id, err, owner.ID)
	}

	t.Run("wrong token", func(t *testing.T) {
		_, err := newREST(t, s, "pk_wrong_token", s.WorkspaceID()).WorkspaceOwner(t.Context())
		ae := wantAPIError(t, err, core.ErrUnauthorized, http.StatusUnauthorized)
		if ae.Code != "OAUTH_019" || ae.Service != "clickup rest" || strings.Contains(err.Error(), "pk_wrong_token") {
			t.Errorf("%+v: %q", ae, err)
		}
	})
	t.Run("wrong workspace", func(t *testing.T) {
		c := newREST(t, s, s.APIToken(), "123")
		_, err := c.ListCustomRoles(t.Context())
		if ae := wantAPIError(t, err, core.ErrUnauthorized, http.StatusUnauthorized); ae.Code != "OAUTH_027" || ae.Detail != "Team not authorized" || ae.Path != "/team/123/customroles" {
			t.Errorf("%+v", ae)
		}
		if _, err := c.WorkspaceOwner(t.Context()); !errors.Is(err, core.ErrNotFound) || !strings.Contains(err.Error(), "workspace 123") {
			t.Errorf("owner of an unknown workspace: %v", err)
		}
	})
}

// restHandler serves body for any GET and checks the raw Authorization header ClickUp documents
// for personal tokens.
func restHandler(t *testing.T, path, body string) *clickup.RESTClient {
	t.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/api/v2"+path || r.Header.Get("Authorization") != "pk_42_ABC" {
			t.Errorf("request %s %s, Authorization %q", r.Method, r.URL, r.Header.Get("Authorization"))
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, body)
	}))
	t.Cleanup(ts.Close)
	c, err := clickup.NewREST(clickup.RESTOptions{BaseURL: ts.URL + "/api/v2", Token: "pk_42_ABC", WorkspaceID: "9006054115", AllowInsecureHTTP: true})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRESTClient_WorkspaceOwnerFromRecordedResponse(t *testing.T) {
	body, err := os.ReadFile("testdata/GET_team_200.json")
	if err != nil {
		t.Fatal(err)
	}
	id, err := restHandler(t, "/team", string(body)).WorkspaceOwner(t.Context())
	if err != nil || id != "4484242" {
		t.Fatalf("owner %q %v", id, err)
	}
}

func TestRESTClient_IsStrict(t *testing.T) {
	team := func(members string) string {
		return `{"teams":[{"id":"1","members":[]},{"id":"9006054115","members":[` + members + `]}]}`
	}
	owner := `{"user":{"id":5,"role":1}}`
	cases := []struct{ name, path, body, mention string }{
		{"no owner", "/team", team(`{"user":{"id":4,"role":3}}`), "no member with role 1"},
		{"two owners", "/team", team(owner + "," + owner), "2 owners"},
		{"role as a string", "/team", team(`{"user":{"id":5,"role":"1"}}`), "role"},
		{"owner id as a string", "/team", team(`{"user":{"id":"5","role":1}}`), "id"},
		{"team id as a number", "/team", `{"teams":[{"id":9006054115,"members":[]}]}`, "want a string"},
		{"no teams", "/team", `{}`, "teams is missing"},
		{"teams null", "/team", `{"teams":null}`, "teams is missing"},
		{"member without a user", "/team", team(owner + `,{"role":1}`), "member 1 has no user"},
		{"cut short", "/team", `{"teams":[{"id":"9006054115","members":[` + owner, "decode"},
		{"trailing data", "/team", team(owner) + `{}`, "data after"},
		{"inherited role 1", "/team/9006054115/customroles", `{"custom_roles":[{"id":1,"name":"x","inherited_role":1}]}`, "inherited_role 1"},
		{"inherited role missing", "/team/9006054115/customroles", `{"custom_roles":[{"id":1,"name":"x"}]}`, "inherited_role"},
		{"role id as a string", "/team/9006054115/customroles", `{"custom_roles":[{"id":"1","name":"x","inherited_role":2}]}`, "id"},
		{"role without a name", "/team/9006054115/customroles", `{"custom_roles":[{"id":1,"inherited_role":2}]}`, "no name"},
		{"duplicate role", "/team/9006054115/customroles", `{"custom_roles":[{"id":1,"name":"x","inherited_role":2},{"id":1,"name":"y","inherited_role":2}]}`, "twice"},
		{"no custom_roles", "/team/9006054115/customroles", `{"roles":[]}`, "custom_roles is missing"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := restHandler(t, tc.path, tc.body)
			var err error
			if tc.path == "/team" {
				_, err = c.WorkspaceOwner(t.Context())
			} else {
				var roles []core.CustomRole
				roles, err = c.ListCustomRoles(t.Context())
				if roles != nil {
					t.Errorf("returned roles with the error")
				}
			}
			wantMalformed(t, err, "clickup rest GET "+tc.path, tc.mention)
		})
	}
}

// GET /team is decoded as it streams: a team's members may come before its id, other teams'
// members need not read, and unknown attributes of any size are skipped.
func TestRESTClient_WorkspaceOwnerStreamed(t *testing.T) {
	body := `{"teams":[` +
		`{"members":[{"user":{"id":"not a number","role":"x"}}],"id":"1"},` +
		`{"name":"W","members":[{"user":{"id":4,"role":3,"email":"a@b"}},{"user":{"id":5,"role":1}}],"color":{"a":[1,{"b":[]}]},"id":"9006054115"}` +
		`],"extra":[[],{}]}`
	id, err := restHandler(t, "/team", body).WorkspaceOwner(t.Context())
	if err != nil || id != "5" {
		t.Fatalf("WorkspaceOwner = %q, %v; want 5", id, err)
	}
	body = `{"teams":[{"id":"1","members":[]},{"id":"2","members":[]}]}`
	_, err = restHandler(t, "/team", body).WorkspaceOwner(t.Context())
	if !errors.Is(err, core.ErrNotFound) || !strings.Contains(err.Error(), "among the 2 Workspaces") {
		t.Errorf("err = %v; want not found among 2", err)
	}
}

func TestNewREST(t *testing.T) {
	if _, err := clickup.NewREST(clickup.RESTOptions{Token: "pk_1", WorkspaceID: "1"}); err != nil {
		t.Errorf("default base URL: %v", err)
	}
	for _, o := range []clickup.RESTOptions{
		{Token: "pk_1", WorkspaceID: "ws-1"},
		{Token: "pk_1"},
		{WorkspaceID: "1"},
		{BaseURL: "http://api.clickup.com/api/v2", Token: "pk_1", WorkspaceID: "1", AllowInsecureHTTP: true},
	} {
		if _, err := clickup.NewREST(o); err == nil {
			t.Errorf("NewREST(%+v) accepted", o)
		}
	}
}
