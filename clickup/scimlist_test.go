package clickup_test

import (
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/okta-clickup-sync/okta-clickup-sync/clickup"
	"github.com/okta-clickup-sync/okta-clickup-sync/clickup/clickuptest"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

func TestSCIMClient_ListUsers(t *testing.T) {
	s, c := newFake(t, clickuptest.Options{}, 100)
	s.AddCustomRole(2957195, "admin custom", 2)
	for i := range 250 {
		u := clickuptest.User{UserName: fmt.Sprintf("user%03d@x.io", i), Email: fmt.Sprintf("user%03d@x.io", i), Active: i%7 != 0, ExternalID: fmt.Sprintf("00u%03d", i)}
		switch i % 5 {
		case 1:
			u.Role = "guest"
		case 2:
			u.CustomRoleID = "2957195"
		}
		s.AddUser(u)
	}
	s.ResetRequests()

	users, err := c.ListUsers(t.Context())
	if err != nil {
		t.Fatal(err)
	}

	var queries []string
	for _, r := range s.Requests() {
		queries = append(queries, r.Method+" "+r.RawQuery)
	}
	if len(queries) != 3 || queries[0] != "GET startIndex=1&count=100" {
		t.Fatalf("requests %v, want the first page then two more", queries)
	}
	slices.Sort(queries)
	if want := []string{"GET startIndex=1&count=100", "GET startIndex=101&count=100", "GET startIndex=201&count=100"}; !reflect.DeepEqual(queries, want) {
		t.Errorf("requests %v, want %v", queries, want)
	}

	want := s.Users()
	if len(users) != len(want) {
		t.Fatalf("%d users, want %d", len(users), len(want))
	}
	for i, u := range users {
		w := want[i]
		role := core.Role{Base: core.BaseRole(w.Role)}
		if w.CustomRoleID != "" {
			role.CustomRoleID, role.CustomRoleName = w.CustomRoleID, "admin custom"
		}
		if u.ID != w.ID || u.UserName != w.UserName || u.Email != w.Email || u.ExternalID != w.ExternalID || u.Active != w.Active || u.Role != role {
			t.Fatalf("user %d\n got %+v\nwant %+v", i, u, w)
		}
	}
	// Every listed user is kept for a PUT, the last page's as much as the first's.
	for _, u := range []core.ClickUpUser{users[0], users[150], users[len(users)-1]} {
		if _, err := c.ReplaceUser(t.Context(), u); err != nil {
			t.Fatalf("user %s was listed but cannot be replaced: %v", u.ID, err)
		}
	}
}

func TestSCIMClient_ListUsersFollowsAServerCap(t *testing.T) {
	s, c := newFake(t, clickuptest.Options{MaxCount: 3}, 100)
	for i := range 7 {
		s.AddUser(clickuptest.User{UserName: fmt.Sprintf("u%d@x.io", i), Active: true})
	}
	s.ResetRequests()
	users, err := c.ListUsers(t.Context())
	if err != nil || len(users) != 7 {
		t.Fatalf("%d users, %v", len(users), err)
	}
	var queries []string
	for _, r := range s.Requests() {
		queries = append(queries, r.RawQuery)
	}
	slices.Sort(queries)
	if want := []string{"startIndex=1&count=100", "startIndex=4&count=3", "startIndex=7&count=3"}; !reflect.DeepEqual(queries, want) {
		t.Errorf("requests %v, want %v", queries, want)
	}
}

func TestSCIMClient_ListUsersEmptyWorkspace(t *testing.T) {
	c := newHandler(t, pages(t, map[string]string{"1": list("0", "1", "0")}))
	users, err := c.ListUsers(t.Context())
	if err != nil || len(users) != 0 {
		t.Fatalf("%v %v", users, err)
	}
}

func TestSCIMClient_ListUsersBoundsConcurrency(t *testing.T) {
	const total, size, limit = 20, 2, 3
	var inFlight, maxSeen atomic.Int32
	gate := make(chan struct{})
	h := func(w http.ResponseWriter, r *http.Request) {
		var start int
		fmt.Sscan(r.URL.Query().Get("startIndex"), &start)
		if start > 1 {
			n := inFlight.Add(1)
			for m := maxSeen.Load(); n > m && !maxSeen.CompareAndSwap(m, n); m = maxSeen.Load() {
			}
			<-gate
			inFlight.Add(-1)
		}
		fmt.Fprint(w, list(fmt.Sprint(total), fmt.Sprint(start), "2", res(fmt.Sprint(start)), res(fmt.Sprint(start+1))))
	}
	c := newHandlerWith(t, h, clickup.SCIMOptions{RoleSchema: extURN, PageSize: size, Concurrency: limit})
	done := make(chan error)
	go func() {
		users, err := c.ListUsers(t.Context())
		if err == nil && len(users) != total {
			err = fmt.Errorf("%d users", len(users))
		}
		done <- err
	}()
	for range total/size - 1 {
		gate <- struct{}{}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if m := maxSeen.Load(); m > limit || m < 1 {
		t.Errorf("%d page reads in flight at once, want 1..%d", m, limit)
	}
}

func TestSCIMClient_ListUsersIsStrict(t *testing.T) {
	r1, r2, r3 := res("1"), res("2"), res("3")
	cases := []struct {
		name    string
		pages   map[string]string
		mention string
	}{
		{"totalResults as a string", map[string]string{"1": list(`"2"`, "1", "2", r1, r2)}, "totalResults"},
		{"totalResults as a float", map[string]string{"1": list("2.0", "1", "2", r1, r2)}, "totalResults"},
		{"startIndex as a float", map[string]string{"1": list("2", "1.0", "2", r1, r2)}, "startIndex"},
		{"startIndex in exponent form", map[string]string{"1": list("2", "1e0", "2", r1, r2)}, "startIndex"},
		{"itemsPerPage as a string", map[string]string{"1": list("2", "1", `"2"`, r1, r2)}, "itemsPerPage"},
		{"itemsPerPage missing", map[string]string{"1": `{"totalResults":1,"startIndex":1,"Resources":[` + r1 + `]}`}, "itemsPerPage"},
		{"totalResults null", map[string]string{"1": list("null", "1", "1", r1)}, "totalResults"},
		{"itemsPerPage disagrees with Resources", map[string]string{"1": list("3", "1", "2", r1)}, "itemsPerPage"},
		{"startIndex not the one asked", map[string]string{"1": list("3", "1", "2", r1, r2), "3": list("3", "1", "1", r3)}, "startIndex is 1, asked for 3"},
		{"totalResults changes between pages", map[string]string{"1": list("3", "1", "2", r1, r2), "3": list("4", "3", "1", r3)}, "changed from 3 to 4"},
		{"short page followed by an empty one", map[string]string{"1": list("5", "1", "2", r1, r2), "3": list("5", "3", "1", r3), "4": list("5", "4", "0"), "5": list("5", "5", "1", res("5"))}, "0 users on the page, want 1"},
		{"page with more than are left", map[string]string{"1": list("3", "1", "2", r1, r2), "3": list("3", "3", "2", r3, res("4"))}, "more than the 1 left"},
		{"empty first page before the total", map[string]string{"1": list("3", "1", "0")}, "no users on the page"},
		{"empty later page before the total", map[string]string{"1": list("3", "1", "2", r1, r2), "3": list("3", "3", "0")}, "0 users on the page"},
		{"more users than the total", map[string]string{"1": list("1", "1", "2", r1, r2)}, "totalResults is 1"},
		{"more users than asked", map[string]string{"1": list("3", "1", "3", r1, r2, r3)}, "asked for at most 2"},
		{"duplicate id across pages", map[string]string{"1": list("3", "1", "2", r1, r2), "3": list("3", "3", "1", r2)}, "user id 2 is listed twice"},
		{"user without id", map[string]string{"1": list("1", "1", "1", `{"userName":"a@x.io","active":true}`)}, "no id"},
		{"user with a numeric id", map[string]string{"1": list("1", "1", "1", `{"id":1,"userName":"a@x.io","active":true}`)}, "id"},
		{"user without userName", map[string]string{"1": list("1", "1", "1", `{"id":"1","active":true}`)}, "user 1 has no userName"},
		{"user without active", map[string]string{"1": list("1", "1", "1", `{"id":"1","userName":"a@x.io"}`)}, "no active"},
		{"active as a string", map[string]string{"1": list("1", "1", "1", `{"id":"1","userName":"a@x.io","active":"True"}`)}, "active"},
		{"role extension not an object", map[string]string{"1": list("1", "1", "1", `{"id":"1","userName":"a@x.io","active":true,"`+extURN+`":"admin"}`)}, extURN},
		{"custom role id as a float", map[string]string{"1": list("1", "1", "1", `{"id":"1","userName":"a@x.io","active":true,"`+extURN+`":{"customRoleId":1.5}}`)}, "customRoleId"},
		{"role as a number", map[string]string{"1": list("1", "1", "1", `{"id":"1","userName":"a@x.io","active":true,"`+extURN+`":{"role":2}}`)}, "role"},
		{"bad JSON", map[string]string{"1": `{"totalResults":1,`}, "decode"},
		{"not a list", map[string]string{"1": `[]`}, "decode"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newHandler(t, pages(t, tc.pages))
			users, err := c.ListUsers(t.Context())
			if users != nil {
				t.Errorf("returned %d users with the error", len(users))
			}
			wantMalformed(t, err, "clickup scim GET /Users?startIndex=", tc.mention)
		})
	}
}

func TestSCIMClient_ListUsersFailedPage(t *testing.T) {
	c := newHandler(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("startIndex") == "3" {
			http.Error(w, "boom", http.StatusInternalServerError)
			return
		}
		fmt.Fprint(w, list("3", "1", "2", res("1"), res("2")))
	})
	users, err := c.ListUsers(t.Context())
	if users != nil {
		t.Errorf("returned users with the error")
	}
	ae := wantAPIError(t, err, nil, http.StatusInternalServerError)
	if ae.Path != "/Users?startIndex=3&count=2" || ae.Body != "boom" {
		t.Errorf("error %+v", ae)
	}
}

func TestSCIMClient_DecodesUsers(t *testing.T) {
	raw := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","` + extURN + `"],"id":"184","externalId":"00u1","userName":"jane@x.io",` +
		`"name":{"givenName":"Jane","familyName":"Doe"},"emails":[{"value":"old@x.io","type":"home"},{"value":"jane@x.io","primary":true}],` +
		`"active":false,"` + extURN + `":{"role":"Admin","customRoleId":998877,"customRoleName":"admin custom"},"x-unknown":{"a":[1]}}`
	owner := `{"id":"1","userName":"boss@x.io","active":true,"emails":[{"value":"boss@x.io"}],"` + extURN + `":{"role":"OWNER"}}`
	plain := `{"id":"2","userName":"p@x.io","active":true}`
	c := newHandler(t, pages(t, map[string]string{"1": list("3", "1", "2", raw, owner), "3": list("3", "3", "1", plain)}))
	users, err := c.ListUsers(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := []core.ClickUpUser{
		{ID: "184", ExternalID: "00u1", UserName: "jane@x.io", Email: "jane@x.io", GivenName: "Jane", FamilyName: "Doe", Active: false,
			Role: core.Role{Base: core.RoleAdmin, CustomRoleID: "998877", CustomRoleName: "admin custom"}},
		{ID: "1", UserName: "boss@x.io", Email: "boss@x.io", Active: true, Role: core.Role{Base: core.RoleOwner}},
		{ID: "2", UserName: "p@x.io", Active: true, Role: core.Role{Base: core.RoleMember}},
	}
	if !reflect.DeepEqual(users, want) {
		t.Errorf("users\n got %+v\nwant %+v", users, want)
	}
}

func TestSCIMClient_DecodesTopLevelRoles(t *testing.T) {
	raw := `{"id":"7","userName":"t@x.io","active":true,"clickupRole":"guest","crId":"12","crName":"Reviewer","` + extURN + `":{"role":"admin"}}`
	c := newHandlerWith(t, pages(t, map[string]string{"1": list("1", "1", "1", raw)}),
		clickup.SCIMOptions{RoleAttribute: "clickupRole", CustomRoleIDAttribute: "crId", CustomRoleNameAttribute: "crName"})
	users, err := c.ListUsers(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if want := (core.Role{Base: core.RoleGuest, CustomRoleID: "12", CustomRoleName: "Reviewer"}); users[0].Role != want {
		t.Errorf("role %+v, want %+v (the extension object is not where the roles are)", users[0].Role, want)
	}
}
