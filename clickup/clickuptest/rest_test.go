package clickuptest_test

import (
	"encoding/json"
	"net/http"
	"reflect"
	"testing"

	"github.com/okta-clickup-sync/okta-clickup-sync/clickup/clickuptest"
)

func TestTeam(t *testing.T) {
	s := newServer(t, clickuptest.Options{})
	s.AddCustomRole(2957195, "admin custom", 2)
	owner := s.AddUser(clickuptest.User{UserName: "boss@x.io", Email: "boss@x.io", GivenName: "Pat", FamilyName: "Boss", Active: true, Owner: true})
	guest := s.AddUser(clickuptest.User{UserName: "g@x.io", Email: "g@x.io", Active: true, Role: "guest"})
	custom := s.AddUser(clickuptest.User{UserName: "c@x.io", Email: "c@x.io", Active: true, CustomRoleID: "2957195"})
	s.AddUser(clickuptest.User{UserName: "gone@x.io", Email: "gone@x.io", Active: false})
	invited := scim(t, s, http.MethodPost, "/Users", userBody("new@x.io", "member")).body["id"].(string)

	a := rest(t, s, "/team")
	if a.status != http.StatusOK || a.header.Get("Content-Type") != "application/json; charset=utf-8" || a.header.Get("X-RateLimit-Remaining") == "" {
		t.Fatalf("%d %v %s", a.status, a.header, a.raw)
	}
	teams := a.body["teams"].([]any)
	team := teams[0].(map[string]any)
	if len(teams) != 1 || team["id"] != s.WorkspaceID() {
		t.Fatalf("teams %s", a.raw)
	}
	type member struct {
		id, role, key string
		custom        any
		invitedBy     any
	}
	var got []member
	for _, m := range team["members"].([]any) {
		m := m.(map[string]any)
		u := m["user"].(map[string]any)
		var status any
		if ib, ok := m["invited_by"].(map[string]any); ok {
			status = ib["status"]
		}
		var custom any
		if cr, ok := u["custom_role"].(map[string]any); ok {
			custom = cr["id"].(json.Number).String() + " " + cr["name"].(string)
		}
		got = append(got, member{u["id"].(json.Number).String(), u["role"].(json.Number).String(), u["role_key"].(string), custom, status})
	}
	want := []member{
		{owner.ID, "1", "owner", nil, nil},
		{guest.ID, "4", "guest", nil, "active"},
		{custom.ID, "2", "admin", "2957195 admin custom", "active"},
		{invited, "3", "member", nil, "invited"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("members\n got %v\nwant %v", got, want)
	}
}

func TestCustomRoles(t *testing.T) {
	s := newServer(t, clickuptest.Options{})
	s.AddCustomRole(4547089, "guest custom", 4)
	s.AddCustomRole(2957195, "admin custom", 2)
	s.RenameCustomRole(2957195, "Admins")
	u := s.AddUser(clickuptest.User{UserName: "a@x.io", Active: true, CustomRoleID: "2957195"})

	a := rest(t, s, "/team/"+s.WorkspaceID()+"/customroles")
	want := `{"custom_roles":[{"id":4547089,"team_id":"9006054115","name":"guest custom","inherited_role":4,"date_created":"X"},{"id":2957195,"team_id":"9006054115","name":"Admins","inherited_role":2,"date_created":"X"}]}`
	if got := withoutDates(t, a.raw); got != want {
		t.Errorf("custom roles\n got %s\nwant %s", got, want)
	}
	a = rest(t, s, "/team/"+s.WorkspaceID()+"/customroles?include_members=true")
	if m := a.body["custom_roles"].([]any)[1].(map[string]any)["members"]; !reflect.DeepEqual(m, []any{json.Number(u.ID)}) {
		t.Errorf("members %v, want [%s]", m, u.ID)
	}
}

func withoutDates(t *testing.T, raw []byte) string {
	t.Helper()
	var v struct {
		CustomRoles []map[string]any `json:"custom_roles"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	out := `{"custom_roles":[`
	for i, r := range v.CustomRoles {
		if i > 0 {
			out += ","
		}
		out += `{"id":` + jsonText(r["id"]) + `,"team_id":` + jsonText(r["team_id"]) + `,"name":` + jsonText(r["name"]) +
			`,"inherited_role":` + jsonText(r["inherited_role"]) + `,"date_created":"X"}`
		if _, ok := r["members"]; ok {
			t.Errorf("members listed without include_members")
		}
	}
	return out + "]}"
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestRESTErrors(t *testing.T) {
	s := newServer(t, clickuptest.Options{})
	cases := []struct {
		name, path, auth, want string
		status                 int
	}{
		{"no token", "/team", "", `{"err":"Authorization header required","ECODE":"OAUTH_017"}`, 401},
		{"wrong token", "/team", "pk_wrong", `{"err":"Oauth token not found","ECODE":"OAUTH_019"}`, 401},
		{"other workspace", "/team/123/customroles", s.APIToken(), `{"err":"Team not authorized","ECODE":"OAUTH_027"}`, 401},
		{"bearer form", "/team", "Bearer " + s.APIToken(), "", 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := call(t, http.MethodGet, s.APIBaseURL()+tc.path, tc.auth, "")
			if a.status != tc.status || (tc.want != "" && string(a.raw) != tc.want+"\n") {
				t.Errorf("got %d %s, want %d %s", a.status, a.raw, tc.status, tc.want)
			}
		})
	}
}
