package clickup_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/okta-clickup-sync/okta-clickup-sync/clickup"
	"github.com/okta-clickup-sync/okta-clickup-sync/clickup/clickuptest"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

func TestSCIMClient_CreateUserRequest(t *testing.T) {
	const want = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","` + extURN + `"],"userName":"nina@x.io",` +
		`"name":{"givenName":"Nina","familyName":"New"},"emails":[{"primary":true,"value":"nina.new@x.io","type":"work"}],` +
		`"displayName":"Nina New","externalId":"00u1","active":true,` +
		`"` + extURN + `":{"role":"admin","customRoleId":"2957195","customRoleName":"admin custom"}}`
	answer := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"301","externalId":"00u1","userName":"nina@x.io","active":true,` +
		`"` + extURN + `":{"role":"admin","customRoleId":"2957195","customRoleName":"admin custom"}}`
	var put string
	c := newHandler(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Method == http.MethodPut {
			put = string(body)
			w.Write(body)
			return
		}
		switch {
		case r.Method != http.MethodPost || r.URL.Path != "/scim/v2/42/Users" || r.URL.RawQuery != "":
			t.Errorf("request %s %s", r.Method, r.URL)
		case r.Header.Get("Authorization") != "Bearer "+token:
			t.Errorf("Authorization %q", r.Header.Get("Authorization"))
		case r.Header.Get("Content-Type") != "application/scim+json" || r.Header.Get("Accept") != "application/scim+json, application/json":
			t.Errorf("Content-Type %q, Accept %q", r.Header.Get("Content-Type"), r.Header.Get("Accept"))
		case string(body) != want:
			t.Errorf("body\n got %s\nwant %s", body, want)
		}
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, answer)
	})
	got, err := c.CreateUser(t.Context(), core.NewUser{
		ExternalID: "00u1", UserName: "nina@x.io", Email: "nina.new@x.io", GivenName: "Nina", FamilyName: "New",
		Role: core.Role{Base: core.RoleAdmin, CustomRoleID: "2957195", CustomRoleName: "admin custom"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != "301" || got.ExternalID != "00u1" || got.Role != (core.Role{Base: core.RoleAdmin, CustomRoleID: "2957195", CustomRoleName: "admin custom"}) {
		t.Errorf("created %+v", got)
	}
	// The answer is kept as read: a PUT of the created user sends it back, listing the role
	// extension among its schemas as RFC 7643 §3 requires.
	if _, err := c.ReplaceUser(t.Context(), got); err != nil {
		t.Fatal(err)
	}
	sameJSON(t, put, strings.Replace(answer, `User"],`, `User","`+extURN+`"],`, 1))
}

func TestSCIMClient_CreateUser(t *testing.T) {
	s, c := newFake(t, clickuptest.Options{}, 100)
	s.AddCustomRole(2957195, "admin custom", 2)
	s.AddUser(clickuptest.User{UserName: "old@x.io", Email: "old@x.io", Active: false})

	created, err := c.CreateUser(t.Context(), core.NewUser{ExternalID: "00u1", UserName: "nina@x.io", Email: "nina@x.io", GivenName: "Nina", FamilyName: "New", Role: core.Role{Base: core.RoleGuest}})
	if err != nil {
		t.Fatal(err)
	}
	byID, err := c.CreateUser(t.Context(), core.NewUser{ExternalID: "00u2", UserName: "ida@x.io", Role: core.Role{CustomRoleID: "2957195"}})
	if err != nil {
		t.Fatal(err)
	}
	users, err := c.ListUsers(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]core.ClickUpUser{}
	for _, u := range users {
		got[u.UserName] = u
	}
	if u := got["nina@x.io"]; u.ID != created.ID || u.ExternalID != "00u1" || !u.Active || u.Role != (core.Role{Base: core.RoleGuest}) || u.GivenName != "Nina" {
		t.Errorf("listed %+v", u)
	}
	if u := got["ida@x.io"]; u.ID != byID.ID || u.ExternalID != "00u2" || u.Role != (core.Role{Base: core.RoleAdmin, CustomRoleID: "2957195", CustomRoleName: "admin custom"}) || u.Email != "ida@x.io" {
		t.Errorf("listed %+v", u)
	}

	t.Run("duplicate userName is a conflict", func(t *testing.T) {
		for _, name := range []string{"NINA@x.io", "old@x.io"} {
			_, err := c.CreateUser(t.Context(), core.NewUser{UserName: name, Role: core.Role{Base: core.RoleMember}})
			ae := wantAPIError(t, err, core.ErrConflict, http.StatusConflict)
			if ae.SCIMType != "uniqueness" || ae.Method != "POST" || ae.Path != "/Users" {
				t.Errorf("%+v", ae)
			}
			if !strings.HasPrefix(err.Error(), "create user "+name+": clickup scim POST /Users: status 409 Conflict, scimType uniqueness: ") {
				t.Errorf("error text %q", err)
			}
		}
	})
	t.Run("owner is never written", func(t *testing.T) {
		s.ResetRequests()
		_, err := c.CreateUser(t.Context(), core.NewUser{UserName: "x@x.io", Role: core.Role{Base: core.RoleOwner}})
		if err == nil || len(s.Requests()) != 0 {
			t.Fatalf("err %v, requests %+v", err, s.Requests())
		}
	})
	t.Run("unknown custom role is refused by ClickUp", func(t *testing.T) {
		_, err := c.CreateUser(t.Context(), core.NewUser{UserName: "y@x.io", Role: core.Role{CustomRoleID: "1"}})
		if ae := wantAPIError(t, err, nil, http.StatusBadRequest); ae.SCIMType != "invalidValue" {
			t.Errorf("%+v", ae)
		}
	})
}

func TestSCIMClient_ReplaceUser(t *testing.T) {
	s, c := newFake(t, clickuptest.Options{}, 100)
	s.AddCustomRole(2957195, "admin custom", 2)
	seeded := s.AddUser(clickuptest.User{UserName: "ravi@x.io", Email: "ravi@x.io", GivenName: "Ravi", FamilyName: "Role", Active: true, ExternalID: "00u9"})
	find := func() core.ClickUpUser {
		t.Helper()
		users, err := c.FindUsers(t.Context(), core.ByUserName, "ravi@x.io")
		if err != nil || len(users) != 1 {
			t.Fatalf("find: %v %v", users, err)
		}
		return users[0]
	}

	steps := []struct {
		role   core.Role
		active bool
		want   clickuptest.User
	}{
		{core.Role{Base: core.RoleAdmin}, true, clickuptest.User{Role: "admin", Active: true}},
		{core.Role{Base: core.RoleAdmin, CustomRoleID: "2957195", CustomRoleName: "admin custom"}, true, clickuptest.User{Role: "admin", CustomRoleID: "2957195", Active: true}},
		{core.Role{Base: core.RoleGuest}, false, clickuptest.User{Role: "guest"}},
		{core.Role{Base: core.RoleMember}, true, clickuptest.User{Role: "member", Active: true}},
	}
	for i, st := range steps {
		u := find()
		u.Role, u.Active = st.role, st.active
		got, err := c.ReplaceUser(t.Context(), u)
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		want := seeded
		want.Role, want.CustomRoleID, want.Active = st.want.Role, st.want.CustomRoleID, st.want.Active
		if stored, _ := s.User(seeded.ID); stored != want {
			t.Fatalf("step %d: stored\n got %+v\nwant %+v", i, stored, want)
		}
		if got.ID != seeded.ID || got.Active != st.active || got.Role.CustomRoleID != st.role.CustomRoleID {
			t.Errorf("step %d: answered %+v", i, got)
		}
	}

	t.Run("read by a single GET", func(t *testing.T) {
		_, other := newFakeClient(t, s)
		u, ok, err := other.User(t.Context(), seeded.ID)
		if err != nil || !ok {
			t.Fatalf("%v %v", ok, err)
		}
		u.Role = core.Role{Base: core.RoleGuest}
		if _, err := other.ReplaceUser(t.Context(), u); err != nil {
			t.Fatal(err)
		}
		if stored, _ := s.User(seeded.ID); stored.Role != "guest" || stored.ExternalID != "00u9" {
			t.Errorf("stored %+v", stored)
		}
	})
	t.Run("unknown user", func(t *testing.T) {
		// Listed, then gone by the time of the PUT.
		c := newHandler(t, func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet {
				fmt.Fprint(w, list("1", "1", "1", res("999")))
				return
			}
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"404","detail":"Resource 999 not found"}`)
		})
		users, err := c.ListUsers(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.ReplaceUser(t.Context(), users[0])
		wantAPIError(t, err, core.ErrNotFound, http.StatusNotFound)
	})
	t.Run("a user never read", func(t *testing.T) {
		for _, id := range []string{"999", seeded.ID} {
			_, fresh := newFakeClient(t, s)
			u := find()
			u.ID = id
			s.ResetRequests()
			if _, err := fresh.ReplaceUser(t.Context(), u); err == nil || len(s.Requests()) != 0 {
				t.Fatalf("user %s: err %v, requests %d", id, err, len(s.Requests()))
			}
		}
	})
}

// The PUT starts from the listed resource: what the client does not model goes back untouched,
// members nested in name, emails and the role extension included.
func TestSCIMClient_ReplaceUserKeepsUnmodeledAttributes(t *testing.T) {
	const listed = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","` + extURN + `","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],` +
		`"id":"12","externalId":"00u12","userName":"kim@x.io","name":{"givenName":"Kim","familyName":"Lo","formatted":"Kim Lo"},"title":"Engineer",` +
		`"emails":[{"value":"kim@home.example","type":"home"},{"value":"kim@x.io","primary":true,"type":"work","display":"Kim"}],` +
		`"x-clickup-seat":{"kind":"paid","since":[2024,1]},"active":true,` +
		`"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"R&D"},` +
		`"` + extURN + `":{"role":"member","customRoleId":"6715664","customRoleName":"member custom","limitedMember":false},` +
		`"meta":{"resourceType":"User","location":"https://x/Users/12"}}`
	// meta is read-only (RFC 7643 §3.1): the service ignores it in a PUT, and it is not kept.
	const want = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","` + extURN + `","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],` +
		`"id":"12","externalId":"00u12","userName":"kim@x.io","name":{"givenName":"Kim","familyName":"Lo","formatted":"Kim Lo"},"title":"Engineer",` +
		`"emails":[{"value":"kim@home.example","type":"home"},{"value":"kim@x.io","primary":true,"type":"work","display":"Kim"}],` +
		`"x-clickup-seat":{"kind":"paid","since":[2024,1]},"active":false,` +
		`"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"R&D"},` +
		`"` + extURN + `":{"role":"admin","limitedMember":false}}`
	var puts atomic.Int32
	c := newHandler(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			fmt.Fprint(w, list("1", "1", "1", listed))
			return
		}
		puts.Add(1)
		body, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPut || r.URL.Path != "/scim/v2/42/Users/12" {
			t.Errorf("%s %s", r.Method, r.URL.Path)
		}
		sameJSON(t, string(body), want)
		w.Write(body)
	})
	users, err := c.ListUsers(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	u := users[0]
	u.Role, u.Active = core.Role{Base: core.RoleAdmin}, false
	got, err := c.ReplaceUser(t.Context(), u)
	if err != nil {
		t.Fatal(err)
	}
	if got.Role != (core.Role{Base: core.RoleAdmin}) || got.Active || puts.Load() != 1 {
		t.Errorf("answered %+v after %d PUTs", got, puts.Load())
	}

	// Only role and active are sent from the struct: after creation the profile is ClickUp's
	// (DESIGN.md §6), so a user whose other attributes differ from the ones read is refused.
	for _, edit := range []func(*core.ClickUpUser){
		func(u *core.ClickUpUser) { u.GivenName = "Changed" },
		func(u *core.ClickUpUser) { u.Email = "other@x.io" },
		func(u *core.ClickUpUser) { u.ExternalID = "00u13" },
	} {
		changed := got
		edit(&changed)
		if _, err := c.ReplaceUser(t.Context(), changed); err == nil || puts.Load() != 1 {
			t.Errorf("PUT of %+v: %v after %d PUTs, want refused before any", changed, err, puts.Load())
		}
	}
}

func TestSCIMClient_SetActive(t *testing.T) {
	for _, active := range []bool{false, true} {
		for _, status := range []int{http.StatusOK, http.StatusNoContent} {
			t.Run(fmt.Sprint(active, status), func(t *testing.T) {
				want := fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":%t}}]}`, active)
				c := newHandler(t, func(w http.ResponseWriter, r *http.Request) {
					body, _ := io.ReadAll(r.Body)
					if r.Method != http.MethodPatch || r.URL.Path != "/scim/v2/42/Users/7" || string(body) != want || r.Header.Get("Content-Type") != "application/scim+json" {
						t.Errorf("%s %s %q body\n got %s\nwant %s", r.Method, r.URL.Path, r.Header.Get("Content-Type"), body, want)
					}
					w.WriteHeader(status)
					if status == http.StatusOK {
						fmt.Fprintf(w, `{"id":"7","userName":"a@x.io","active":%t}`, active)
					}
				})
				if err := c.SetActive(t.Context(), "7", active); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
	t.Run("an answer that did not take", func(t *testing.T) {
		c := newHandler(t, func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"id":"7","userName":"a@x.io","active":true}`)
		})
		wantMalformed(t, c.SetActive(t.Context(), "7", false), "deactivate user 7", "active true")
	})
	t.Run("against the fake", func(t *testing.T) {
		s, c := newFake(t, clickuptest.Options{}, 100)
		u := s.AddUser(clickuptest.User{UserName: "a@x.io", Active: true, Role: "guest"})
		if err := c.SetActive(t.Context(), u.ID, false); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.User(u.ID); got.Active || got.Role != "guest" {
			t.Errorf("after deactivate %+v", got)
		}
		if err := c.SetActive(t.Context(), u.ID, true); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.User(u.ID); !got.Active || got.Role != "guest" {
			t.Errorf("after reactivate %+v", got)
		}
		err := c.SetActive(t.Context(), "999", false)
		wantAPIError(t, err, core.ErrNotFound, http.StatusNotFound)
	})
}

func TestSCIMClient_FindUsersByUserName(t *testing.T) {
	const name = `o"ne\il@x.io`
	t.Run("request", func(t *testing.T) {
		c := newHandlerWith(t, func(w http.ResponseWriter, r *http.Request) {
			if r.URL.RawQuery != `filter=userName%20eq%20%22o%5C%22ne%5C%5Cil%40x.io%22&startIndex=1&count=100` {
				t.Errorf("query %s", r.URL.RawQuery)
			}
			fmt.Fprint(w, list("0", "1", "0"))
		}, clickup.SCIMOptions{RoleSchema: extURN})
		if users, err := c.FindUsers(t.Context(), core.ByUserName, name); len(users) != 0 || err != nil {
			t.Fatalf("%v %v", users, err)
		}
	})
	t.Run("against the fake", func(t *testing.T) {
		s, c := newFake(t, clickuptest.Options{}, 100)
		s.AddUser(clickuptest.User{UserName: "plain@x.io", Active: true})
		seeded := s.AddUser(clickuptest.User{UserName: name, Active: false})
		users, err := c.FindUsers(t.Context(), core.ByUserName, strings.ToUpper(name))
		if err != nil || len(users) != 1 || users[0].ID != seeded.ID || users[0].Active {
			t.Fatalf("%+v %v", users, err)
		}
		if users, err := c.FindUsers(t.Context(), core.ByUserName, `nobody@x.io" or userName eq "plain@x.io`); len(users) != 0 || err != nil {
			t.Fatalf("an injected filter found a user: %v %v", users, err)
		}
	})
	t.Run("a 404 is no such user", func(t *testing.T) {
		c := newHandler(t, func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"404","detail":"no match"}`)
		})
		if users, err := c.FindUsers(t.Context(), core.ByUserName, "a@x.io"); len(users) != 0 || err != nil {
			t.Fatalf("%v %v", users, err)
		}
	})
	t.Run("a server that ignores the filter", func(t *testing.T) {
		c := newHandler(t, func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, list("2", "1", "2", res("1"), res("2")))
		})
		_, err := c.FindUsers(t.Context(), core.ByUserName, "u2@x.io")
		wantMalformed(t, err, `find users with userName "u2@x.io"`, "userName")
	})
}

func TestSCIMClient_TopLevelRolesRoundTrip(t *testing.T) {
	o := clickuptest.Options{TopLevelRoles: true, RoleAttribute: "clickupRole", CustomRoleIDAttribute: "crId", CustomRoleNameAttribute: "crName"}
	s, c := newFake(t, o, 100)
	s.AddCustomRole(7, "Reviewer", 4)
	created, err := c.CreateUser(t.Context(), core.NewUser{UserName: "t@x.io", ExternalID: "00uT", Role: core.Role{CustomRoleID: "7"}})
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	json.Unmarshal(s.Writes()[0].Body, &body)
	if body["crId"] != "7" || body["clickupRole"] != nil || len(body["schemas"].([]any)) != 1 {
		t.Errorf("create body %s", s.Writes()[0].Body)
	}
	users, err := c.ListUsers(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if want := (core.Role{Base: core.RoleGuest, CustomRoleID: "7", CustomRoleName: "Reviewer"}); len(users) != 1 || users[0].Role != want {
		t.Fatalf("listed %+v", users)
	}
	u := users[0]
	u.Role = core.Role{Base: core.RoleAdmin}
	if _, err := c.ReplaceUser(t.Context(), u); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.User(created.ID); got.Role != "admin" || got.CustomRoleID != "" {
		t.Errorf("stored %+v", got)
	}
}

func TestSCIMClient_RolePlaceMustMatch(t *testing.T) {
	s := clickuptest.NewServer(clickuptest.Options{TopLevelRoles: true})
	t.Cleanup(s.Close)
	c, err := clickup.NewSCIM(clickup.SCIMOptions{BaseURL: s.SCIMBaseURL(), Token: s.SCIMToken(), RoleSchema: extURN, AllowInsecureHTTP: true})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateUser(t.Context(), core.NewUser{UserName: "a@x.io", Role: core.Role{Base: core.RoleAdmin}})
	if ae := wantAPIError(t, err, nil, http.StatusBadRequest); ae.SCIMType != "invalidSyntax" || !strings.Contains(ae.Detail, "top level") {
		t.Errorf("%+v", ae)
	}
	if errors.Is(err, core.ErrMalformed) {
		t.Error("a refused write is not a malformed answer")
	}
	if users := s.Users(); !reflect.DeepEqual(users, []clickuptest.User(nil)) {
		t.Errorf("users %+v", users)
	}
}
