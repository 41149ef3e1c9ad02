package okta_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/okta-clickup-sync/okta-clickup-sync/okta"
	"github.com/okta-clickup-sync/okta-clickup-sync/okta/oktatest"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

func addAssigned(t *testing.T, s *oktatest.Server, n int) []oktatest.User {
	t.Helper()
	var us []oktatest.User
	for i := range n {
		u := s.AddUser(oktatest.User{
			Login: fmt.Sprintf("user%d@example.com", i), Email: fmt.Sprintf("user%d@mail.example.com", i),
			FirstName: fmt.Sprintf("First%d", i), LastName: "Last",
		})
		s.Assign(appID, u.ID, "", map[string]any{"role": "member"})
		us = append(us, u)
	}
	return us
}

func ids(users []core.OktaUser) []string {
	var out []string
	for _, u := range users {
		out = append(out, u.ID)
	}
	return out
}

func TestClient_ListAppUsers_Pagination(t *testing.T) {
	s := newFake(t)
	want := addAssigned(t, s, 5)
	c := newClient(t, s, func(o *okta.Options) { o.PageLimit = 2 })

	users, err := c.ListAppUsers(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var wantIDs []string
	for _, u := range want {
		wantIDs = append(wantIDs, u.ID)
	}
	if got := ids(users); !reflect.DeepEqual(got, wantIDs) {
		t.Errorf("ids %v, want %v", got, wantIDs)
	}

	reqs := s.Requests()
	if len(reqs) != 3 {
		t.Fatalf("fake saw %d requests, want exactly 3 pages: %+v", len(reqs), reqs)
	}
	for i, r := range reqs {
		q, err := url.ParseQuery(r.RawQuery)
		if err != nil {
			t.Fatal(err)
		}
		if r.Method != "GET" || r.Path != "/api/v1/apps/"+appID+"/users" || q.Get("limit") != "2" || q.Get("expand") != "user" {
			t.Errorf("request %d = %+v, want GET of the listing with limit=2 and expand=user", i+1, r)
		}
		if wantAfter := map[int]string{0: "", 1: want[1].ID, 2: want[3].ID}[i]; q.Get("after") != wantAfter {
			t.Errorf("request %d after=%q, want %q", i+1, q.Get("after"), wantAfter)
		}
	}
}

func TestClient_ListAppUsers_Fields(t *testing.T) {
	s := newFake(t)
	active := s.AddUser(oktatest.User{Login: "ada@example.com", Email: "ada@mail.example.com", FirstName: "Ada", LastName: "Lovelace"})
	suspended := s.AddUser(oktatest.User{Login: "bob@example.com", Email: "bob@example.com", FirstName: "Bob", LastName: "Byte", Status: "SUSPENDED"})
	staged := s.AddUser(oktatest.User{Login: "cy@example.com", Status: "PROVISIONED"})
	s.Assign(appID, active.ID, "ACTIVE", map[string]any{"role": " Admin ", "customRoleName": "Auditor", "customRoleId": "998877"})
	s.Assign(appID, suspended.ID, "", map[string]any{"role": "member"})
	s.Assign(appID, staged.ID, "STAGED", map[string]any{"role": nil, "customRoleName": nil, "customRoleId": nil, "other": []string{"x"}})

	users, err := newClient(t, s, nil).ListAppUsers(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := []core.OktaUser{
		{ID: active.ID, Login: "ada@example.com", Email: "ada@mail.example.com", FirstName: "Ada", LastName: "Lovelace",
			AppStatus: "ACTIVE", UserStatus: "ACTIVE", Role: "Admin", CustomRoleName: "Auditor", CustomRoleID: "998877"},
		{ID: suspended.ID, Login: "bob@example.com", Email: "bob@example.com", FirstName: "Bob", LastName: "Byte",
			AppStatus: "PROVISIONED", UserStatus: "SUSPENDED", Role: "member"},
		{ID: staged.ID, Login: "cy@example.com", AppStatus: "STAGED", UserStatus: "PROVISIONED"},
	}
	if !reflect.DeepEqual(users, want) {
		t.Errorf("users\n got %+v\nwant %+v", users, want)
	}
	if users[1].Entitled() {
		t.Error("a suspended Okta user with a PROVISIONED assignment came out entitled")
	}
}

func TestClient_ListAppUsers_RoleAttributes(t *testing.T) {
	s := newFake(t)
	u := s.AddUser(oktatest.User{Login: "ada@example.com"})
	v := s.AddUser(oktatest.User{Login: "bob@example.com"})
	s.Assign(appID, u.ID, "", map[string]any{
		"clickupRole": "guest", "clickupCustomRole": "Contractor", "clickupCustomRoleId": 998877,
		// the default keys must be ignored once others are configured
		"role": "admin", "customRoleName": "Wrong", "customRoleId": "1",
	})
	s.Assign(appID, v.ID, "", nil)
	c := newClient(t, s, func(o *okta.Options) {
		o.RoleAttribute, o.CustomRoleNameAttribute, o.CustomRoleIDAttribute = "clickupRole", "clickupCustomRole", "clickupCustomRoleId"
	})
	users, err := c.ListAppUsers(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if got := users[0]; got.Role != "guest" || got.CustomRoleName != "Contractor" || got.CustomRoleID != "998877" {
		t.Errorf("role attributes %q %q %q, want guest Contractor 998877", got.Role, got.CustomRoleName, got.CustomRoleID)
	}
	if got := users[1]; got.Role != "" || got.CustomRoleName != "" || got.CustomRoleID != "" {
		t.Errorf("empty profile gave role attributes %q %q %q", got.Role, got.CustomRoleName, got.CustomRoleID)
	}
}

func TestClient_ListAppUsers_Empty(t *testing.T) {
	users, err := newClient(t, newFake(t), nil).ListAppUsers(t.Context())
	if err != nil || users == nil || len(users) != 0 {
		t.Errorf("ListAppUsers = %v, %v; want an empty, non-nil list", users, err)
	}
}

func TestClient_ListAppUsers_MalformedRole(t *testing.T) {
	s := newFake(t)
	addAssigned(t, s, 2)
	bad := s.AddUser(oktatest.User{Login: "bad@example.com"})
	s.Assign(appID, bad.ID, "", map[string]any{"role": []string{"admin", "member"}})

	users, err := newClient(t, s, func(o *okta.Options) { o.PageLimit = 2 }).ListAppUsers(t.Context())
	if !errors.Is(err, core.ErrMalformed) || users != nil {
		t.Fatalf("ListAppUsers = %d users, %v; want ErrMalformed and no users", len(users), err)
	}
	for _, want := range []string{"page 2", "app user " + bad.ID, "profile.role", "array"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestClient_ListAppUsers_RepeatedNextLink(t *testing.T) {
	s := newFake(t)
	addAssigned(t, s, 5)
	s.RepeatNextLink(true)
	users, err := newClient(t, s, func(o *okta.Options) { o.PageLimit = 2 }).ListAppUsers(t.Context())
	if !errors.Is(err, core.ErrMalformed) || users != nil {
		t.Fatalf("ListAppUsers = %d users, %v; want ErrMalformed and no users", len(users), err)
	}
	if !strings.Contains(err.Error(), "repeats") {
		t.Errorf("error %q does not say the next link repeats", err)
	}
	if n := len(s.Requests()); n != 2 {
		t.Errorf("fake saw %d requests, want 2 (the loop is caught before a third)", n)
	}
}

func TestClient_ListAppUsers_ErrUnauthorized(t *testing.T) {
	s := newFake(t)
	addAssigned(t, s, 1)
	const token = "00wrongTokenThatMustNotLeak"
	users, err := newClient(t, s, func(o *okta.Options) { o.Token = token }).ListAppUsers(t.Context())
	if !errors.Is(err, core.ErrUnauthorized) || users != nil {
		t.Fatalf("ListAppUsers = %v, %v; want ErrUnauthorized", users, err)
	}
	var apiErr *okta.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 401 || apiErr.Code != "E0000011" {
		t.Errorf("error %#v, want an *APIError with status 401 and code E0000011", err)
	}
	if msg := err.Error(); strings.Contains(msg, token) ||
		!strings.HasPrefix(msg, "okta: list app users: GET /api/v1/apps/"+appID+"/users page 1: unauthorized: HTTP 401") {
		t.Errorf("error %q: want the operation and request, and never the token", msg)
	}
}

func TestClient_ListAppUsers_ErrNotFound(t *testing.T) {
	users, err := newClient(t, newFake(t), func(o *okta.Options) { o.AppID = "0oaunknown" }).ListAppUsers(t.Context())
	if !errors.Is(err, core.ErrNotFound) || users != nil {
		t.Fatalf("ListAppUsers = %v, %v; want ErrNotFound", users, err)
	}
	if !strings.Contains(err.Error(), "0oaunknown") {
		t.Errorf("error %q does not name the app", err)
	}
}

// With the SDK's cache on, the second listing would be served from memory for five minutes and
// the change in between would go unseen.
func TestClient_ListAppUsers_CacheOff(t *testing.T) {
	s := newFake(t)
	us := addAssigned(t, s, 2)
	c := newClient(t, s, nil)
	first, err := c.ListAppUsers(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	u := us[0]
	u.Status, u.Email = "SUSPENDED", "moved@example.com"
	s.UpdateUser(u)
	s.SetAssignmentProfile(appID, us[1].ID, map[string]any{"role": "admin"})

	second, err := c.ListAppUsers(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if n := len(s.Requests()); n != 2 {
		t.Errorf("fake saw %d listings, want 2", n)
	}
	if first[0].UserStatus != "ACTIVE" || second[0].UserStatus != "SUSPENDED" || second[0].Email != "moved@example.com" {
		t.Errorf("user change not visible: before %+v, after %+v", first[0], second[0])
	}
	if second[1].Role != "admin" {
		t.Errorf("role change not visible: %+v", second[1])
	}
}

// The core tells a cancelled run from a failed read with errors.Is(err, context.Canceled).
func TestClient_ListAppUsers_Canceled(t *testing.T) {
	s := newFake(t)
	addAssigned(t, s, 1)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	users, err := newClient(t, s, nil).ListAppUsers(ctx)
	if !errors.Is(err, context.Canceled) || users != nil {
		t.Errorf("ListAppUsers = %v, %v; want context.Canceled", users, err)
	}
}
