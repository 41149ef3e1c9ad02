package clickuptest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/okta-clickup-sync/okta-clickup-sync/clickup/clickuptest"
)

func TestCreateUser(t *testing.T) {
	s := newServer(t, clickuptest.Options{})
	s.AddCustomRole(2957195, "admin custom", 2)

	t.Run("OK", func(t *testing.T) {
		a := scim(t, s, http.MethodPost, "/Users", userBody("ann@x.io", "ADMIN"))
		if a.status != http.StatusCreated {
			t.Fatalf("status %d: %s", a.status, a.raw)
		}
		id, _ := a.body["id"].(string)
		if a.header.Get("Location") != s.SCIMBaseURL()+"/Users/"+id {
			t.Errorf("Location %q", a.header.Get("Location"))
		}
		if e := ext(t, a.body); e["role"] != "admin" {
			t.Errorf("role %v", e)
		}
		if _, ok := a.body["password"]; ok {
			t.Errorf("password echoed: %s", a.raw)
		}
		meta, _ := a.body["meta"].(map[string]any)
		if meta["resourceType"] != "User" || meta["location"] != s.SCIMBaseURL()+"/Users/"+id {
			t.Errorf("meta %v", meta)
		}
		got, _ := s.User(id)
		want := clickuptest.User{ID: id, UserName: "ann@x.io", Email: "ann@x.io", GivenName: "Ann", FamilyName: "Lee", Active: true, Role: "admin"}
		if got != want {
			t.Errorf("stored\n got %+v\nwant %+v", got, want)
		}
	})
	t.Run("missing role is member", func(t *testing.T) {
		a := scim(t, s, http.MethodPost, "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"mem@x.io"}`)
		if a.status != http.StatusCreated || ext(t, a.body)["role"] != "member" {
			t.Fatalf("status %d: %s", a.status, a.raw)
		}
	})
	t.Run("custom role by integer id decides the base role", func(t *testing.T) {
		body := strings.Replace(userBody("cid@x.io", "guest"), `"role":"guest"`, `"role":"guest","customRoleId":2957195`, 1)
		a := scim(t, s, http.MethodPost, "/Users", body)
		e := ext(t, a.body)
		if a.status != http.StatusCreated || e["role"] != "admin" || e["customRoleId"] != "2957195" || e["customRoleName"] != "admin custom" {
			t.Fatalf("status %d: %s", a.status, a.raw)
		}
	})
	t.Run("custom role by name, case-insensitively", func(t *testing.T) {
		body := strings.Replace(userBody("cname@x.io", ""), `"role":""`, `"customRoleName":"ADMIN Custom"`, 1)
		a := scim(t, s, http.MethodPost, "/Users", body)
		if a.status != http.StatusCreated || ext(t, a.body)["customRoleId"] != "2957195" {
			t.Fatalf("status %d: %s", a.status, a.raw)
		}
	})

	refused := []struct {
		name, body string
		status     int
		scimType   string
	}{
		{"owner role", userBody("own@x.io", "owner"), 400, "invalidValue"},
		{"unknown role", userBody("su@x.io", "superuser"), 400, "invalidValue"},
		{"unknown custom role id", strings.Replace(userBody("c1@x.io", ""), `"role":""`, `"customRoleId":"42"`, 1), 400, "invalidValue"},
		{"unknown custom role name", strings.Replace(userBody("c2@x.io", ""), `"role":""`, `"customRoleName":"old name"`, 1), 400, "invalidValue"},
		{"userName not an email", userBody("ann", "member"), 400, "invalidValue"},
		{"no userName", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"]}`, 400, "invalidValue"},
		{"no schemas", `{"userName":"x@x.io"}`, 400, "invalidSyntax"},
		{"extension not in schemas", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"x@x.io","` + extURN + `":{"role":"admin"}}`, 400, "invalidSyntax"},
		{"role at the top level", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"x@x.io","role":"admin"}`, 400, "invalidSyntax"},
		{"bad JSON", `{"schemas":`, 400, "invalidSyntax"},
		{"trailing data", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"x@x.io"} {}`, 400, "invalidSyntax"},
		{"active as a string", strings.Replace(userBody("x@x.io", ""), `"active":true`, `"active":"True"`, 1), 400, "invalidValue"},
		{"duplicate userName", userBody("ANN@x.io", "member"), 409, "uniqueness"},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			before := len(s.Users())
			wantSCIMError(t, scim(t, s, http.MethodPost, "/Users", tc.body), tc.status, tc.scimType)
			if len(s.Users()) != before {
				t.Errorf("a refused create added a user")
			}
		})
	}
}

func TestCreateUserConflictsWithInactiveUser(t *testing.T) {
	s := newServer(t, clickuptest.Options{})
	s.AddUser(clickuptest.User{UserName: "Gone@X.io", Email: "gone@x.io", Active: false})
	wantSCIMError(t, scim(t, s, http.MethodPost, "/Users", userBody("gone@x.io", "member")), http.StatusConflict, "uniqueness")
}

func TestCreateUserRefusesOtherMediaTypes(t *testing.T) {
	s := newServer(t, clickuptest.Options{})
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, s.SCIMBaseURL()+"/Users", strings.NewReader(userBody("a@x.io", "")))
	req.Header.Set("Authorization", "Bearer "+s.SCIMToken())
	req.Header.Set("Content-Type", "text/plain")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Fatalf("status %d, want 415", resp.StatusCode)
	}
}

func TestListUsers(t *testing.T) {
	s := newServer(t, clickuptest.Options{MaxCount: 3})
	for i := range 5 {
		s.AddUser(clickuptest.User{ID: fmt.Sprint(10 - 2*i), UserName: fmt.Sprintf("u%d@x.io", i), Active: i != 2}) // ids 10, 8, 6, 4, 2
	}

	a := scim(t, s, http.MethodGet, "/Users?startIndex=2&count=2", "")
	if a.status != http.StatusOK || a.header.Get("Content-Type") != "application/scim+json; charset=utf-8" {
		t.Fatalf("status %d %q: %s", a.status, a.header.Get("Content-Type"), a.raw)
	}
	for k, want := range map[string]string{"totalResults": "5", "startIndex": "2", "itemsPerPage": "2"} {
		if n, ok := a.body[k].(json.Number); !ok || n.String() != want {
			t.Errorf("%s is %#v, want the JSON integer %s", k, a.body[k], want)
		}
	}
	if ids := resourceIDs(a); !reflect.DeepEqual(ids, []string{"4", "6"}) {
		t.Errorf("page ids %v, want [4 6] (numeric order)", ids)
	}
	if r := a.body["Resources"].([]any)[1].(map[string]any); r["active"] != false {
		t.Errorf("user 6 is deactivated and must be listed with active false: %v", r)
	}

	cases := []struct {
		query      string
		wantStart  string
		wantIDs    []string
		wantTotals string
	}{
		{"count=0", "1", []string{}, "5"},
		{"startIndex=0&count=2", "1", []string{"2", "4"}, "5"},
		{"count=100", "1", []string{"2", "4", "6"}, "5"}, // capped at MaxCount
		{"startIndex=5", "5", []string{"10"}, "5"},
		{"startIndex=9", "9", []string{}, "5"},
		{"count=-1", "1", []string{}, "5"},
	}
	for _, tc := range cases {
		a := scim(t, s, http.MethodGet, "/Users?"+tc.query, "")
		if ids := resourceIDs(a); !reflect.DeepEqual(ids, tc.wantIDs) || a.body["startIndex"] != json.Number(tc.wantStart) || a.body["totalResults"] != json.Number(tc.wantTotals) {
			t.Errorf("%s: ids %v start %v total %v, want %v %s %s", tc.query, ids, a.body["startIndex"], a.body["totalResults"], tc.wantIDs, tc.wantStart, tc.wantTotals)
		}
	}
	wantSCIMError(t, scim(t, s, http.MethodGet, "/Users?startIndex=one", ""), 400, "invalidValue")
}

func resourceIDs(a answer) []string {
	ids := []string{}
	list, _ := a.body["Resources"].([]any)
	for _, r := range list {
		ids = append(ids, r.(map[string]any)["id"].(string))
	}
	return ids
}

func TestListUsersFilter(t *testing.T) {
	s := newServer(t, clickuptest.Options{})
	s.AddUser(clickuptest.User{ID: "1", UserName: "Ann@X.io", Email: "ann.lee@x.io", ExternalID: "00uAnn", Active: true})
	s.AddUser(clickuptest.User{ID: "2", UserName: `o"ne\il@x.io`, Active: false})

	found := []struct{ filter, want string }{
		{`userName eq "ann@x.io"`, "1"},
		{`USERNAME EQ "ANN@X.IO"`, "1"},
		{`urn:ietf:params:scim:schemas:core:2.0:User:userName eq "ann@x.io"`, "1"},
		{`userName eq "o\"ne\\il@x.io"`, "2"},
		{`externalId eq "00uAnn"`, "1"},
		{`emails.value eq "ANN.LEE@x.io"`, "1"},
		{`emails[value eq "ann.lee@x.io"]`, "1"},
	}
	for _, tc := range found {
		a := scim(t, s, http.MethodGet, "/Users?filter="+url.QueryEscape(tc.filter)+"&startIndex=1&count=100", "")
		if ids := resourceIDs(a); len(ids) != 1 || ids[0] != tc.want || a.body["totalResults"] != json.Number("1") {
			t.Errorf("%s: %d %s", tc.filter, a.status, a.raw)
		}
	}
	for _, f := range []string{`externalId eq "00uann"`, `userName eq "nobody@x.io"`} {
		a := scim(t, s, http.MethodGet, "/Users?filter="+url.QueryEscape(f), "")
		if a.status != http.StatusOK || a.body["totalResults"] != json.Number("0") || len(resourceIDs(a)) != 0 || a.body["Resources"] == nil {
			t.Errorf("%s: want 200, totalResults 0 and Resources []: %s", f, a.raw)
		}
	}
	// Only eq on userName, externalId and emails.value is served; anything else is refused, never
	// read as a filter that matches everybody or nobody.
	for _, f := range []string{``, `userName co "ann"`, `userName eq "a" and active eq true`, `displayName eq "Ann"`, `userName eq ann@x.io`, `userName`,
		`userName pr`, `userName ne "ann@x.io"`, `userName sw "ann"`, `id eq "1"`, `name.givenName eq "Ann"`, `meta.lastModified gt "2024-01-01T00:00:00Z"`,
		`emails.type eq "work"`, `emails[type eq "work"]`, `userName eq "a" or userName eq "b"`, `not (userName eq "ann@x.io")`, `(userName eq "ann@x.io")`,
		`externalId eq null`, `externalId eq 1`} {
		wantSCIMError(t, scim(t, s, http.MethodGet, "/Users?filter="+url.QueryEscape(f), ""), 400, "invalidFilter")
	}
}

func TestGetUser(t *testing.T) {
	s := newServer(t, clickuptest.Options{})
	u := s.AddUser(clickuptest.User{UserName: "a@x.io", Active: false, Role: "guest"})
	a := scim(t, s, http.MethodGet, "/Users/"+u.ID, "")
	if a.status != http.StatusOK || a.body["active"] != false || ext(t, a.body)["role"] != "guest" {
		t.Fatalf("%d %s", a.status, a.raw)
	}
	wantSCIMError(t, scim(t, s, http.MethodGet, "/Users/999", ""), 404, "")
	wantSCIMError(t, scim(t, s, http.MethodGet, "/Users/abc", ""), 404, "")
}

func TestAuth(t *testing.T) {
	s := newServer(t, clickuptest.Options{})
	for _, auth := range []string{"", "Bearer wrong", "wrong", "Basic " + s.SCIMToken()} {
		a := call(t, http.MethodGet, s.SCIMBaseURL()+"/Users", auth, "")
		wantSCIMError(t, a, http.StatusUnauthorized, "")
		if a.header.Get("X-RateLimit-Limit") == "" {
			t.Errorf("no rate limit headers on a 401")
		}
	}
	for _, auth := range []string{"Bearer " + s.SCIMToken(), "bearer " + s.SCIMToken(), s.SCIMToken()} {
		if a := call(t, http.MethodGet, s.SCIMBaseURL()+"/Users", auth, ""); a.status != http.StatusOK {
			t.Errorf("%q: status %d", auth, a.status)
		}
	}
	// The SCIM token does not open the REST API, nor the API token SCIM.
	if a := call(t, http.MethodGet, s.APIBaseURL()+"/team", s.SCIMToken(), ""); a.status != http.StatusUnauthorized {
		t.Errorf("REST with the SCIM token: %d", a.status)
	}
	if a := call(t, http.MethodGet, s.SCIMBaseURL()+"/Users", "Bearer "+s.APIToken(), ""); a.status != http.StatusUnauthorized {
		t.Errorf("SCIM with the API token: %d", a.status)
	}
}

func TestReplaceUserKeepsTheProfile(t *testing.T) {
	s := newServer(t, clickuptest.Options{})
	s.AddCustomRole(6715664, "member custom", 3)
	u := s.AddUser(clickuptest.User{UserName: "eve@x.io", Email: "eve@x.io", GivenName: "Eve", FamilyName: "Old", Active: true, ExternalID: "00uOld"})
	res := scim(t, s, http.MethodGet, "/Users/"+u.ID, "").body
	res["userName"] = "eve.new@x.io"
	res["emails"] = []any{map[string]any{"value": "eve.new@x.io", "primary": true}}
	res["name"] = map[string]any{"givenName": "Evelyn", "familyName": "New"}
	res["displayName"] = "Evelyn New"
	res["externalId"] = "00uNew"
	res[extURN] = map[string]any{"role": "guest", "customRoleId": "6715664"}
	b, _ := json.Marshal(res)

	a := scim(t, s, http.MethodPut, "/Users/"+u.ID, string(b))
	if a.status != http.StatusOK {
		t.Fatalf("%d %s", a.status, a.raw)
	}
	if a.body["userName"] != "eve@x.io" || a.body["displayName"] != "Eve Old" {
		t.Errorf("PUT answered the changed profile: %s", a.raw)
	}
	got, _ := s.User(u.ID)
	want := u
	want.ExternalID, want.Role, want.CustomRoleID = "00uNew", "member", "6715664"
	if got != want {
		t.Errorf("stored\n got %+v\nwant %+v", got, want)
	}

	// A replace without the custom role attributes drops the custom role.
	res[extURN] = map[string]any{"role": "admin"}
	b, _ = json.Marshal(res)
	scim(t, s, http.MethodPut, "/Users/"+u.ID, string(b))
	if got, _ := s.User(u.ID); got.Role != "admin" || got.CustomRoleID != "" {
		t.Errorf("got %+v, want admin without custom role", got)
	}

	wantSCIMError(t, scim(t, s, http.MethodPut, "/Users/999", string(b)), 404, "")
	delete(res, "userName")
	b, _ = json.Marshal(res)
	wantSCIMError(t, scim(t, s, http.MethodPut, "/Users/"+u.ID, string(b)), 400, "invalidValue")
}

func TestOwnerCannotBeChanged(t *testing.T) {
	s := newServer(t, clickuptest.Options{})
	o := s.AddUser(clickuptest.User{UserName: "boss@x.io", Active: true, Owner: true})
	if o.Role != "owner" {
		t.Fatalf("owner stored with role %q", o.Role)
	}
	res := scim(t, s, http.MethodGet, "/Users/"+o.ID, "").body
	if ext(t, res)["role"] != "owner" {
		t.Fatalf("owner listed with %v", ext(t, res))
	}
	res[extURN] = map[string]any{"role": "admin"}
	b, _ := json.Marshal(res)
	wantSCIMError(t, scim(t, s, http.MethodPut, "/Users/"+o.ID, string(b)), 400, "mutability")

	res[extURN] = map[string]any{"role": "owner"}
	res["active"] = false
	b, _ = json.Marshal(res)
	wantSCIMError(t, scim(t, s, http.MethodPut, "/Users/"+o.ID, string(b)), 400, "mutability")

	deactivate := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`
	wantSCIMError(t, scim(t, s, http.MethodPatch, "/Users/"+o.ID, deactivate), 400, "mutability")
	if got, _ := s.User(o.ID); got != o {
		t.Errorf("owner changed: %+v", got)
	}
}

func TestPatchUser(t *testing.T) {
	s := newServer(t, clickuptest.Options{})
	s.AddCustomRole(4547089, "guest custom", 4)
	u := s.AddUser(clickuptest.User{UserName: "pat@x.io", Active: true, Role: "admin"})
	patch := func(ops string) answer {
		return scim(t, s, http.MethodPatch, "/Users/"+u.ID, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":`+ops+`}`)
	}
	steps := []struct {
		ops        string
		active     bool
		role, crID string
	}{
		{`[{"op":"replace","value":{"active":false}}]`, false, "admin", ""},
		{`[{"op":"replace","value":{"active":false}}]`, false, "admin", ""}, // idempotent
		{`[{"op":"Replace","path":"active","value":"True"}]`, true, "admin", ""},
		{`[{"op":"replace","path":"active","value":"False"}]`, false, "admin", ""},
		{`[{"op":"add","path":"active","value":true}]`, true, "admin", ""},
		{`[{"op":"replace","path":"` + extURN + `:customRoleId","value":4547089}]`, true, "guest", "4547089"},
		{`[{"op":"replace","path":"` + extURN + `:role","value":"member"}]`, true, "member", ""},
		{`[{"op":"replace","path":"displayName","value":"Ignored"},{"op":"replace","path":"emails[type eq \"work\"].value","value":"x@y.io"}]`, true, "member", ""},
	}
	for i, st := range steps {
		a := patch(st.ops)
		if a.status != http.StatusOK || a.body["id"] != u.ID {
			t.Fatalf("step %d: %d %s", i, a.status, a.raw)
		}
		got, _ := s.User(u.ID)
		if got.Active != st.active || got.Role != st.role || got.CustomRoleID != st.crID || got.Email != u.Email {
			t.Fatalf("step %d %s: got %+v", i, st.ops, got)
		}
	}
	wantSCIMError(t, patch(`[{"op":"replace","path":"nickname2","value":"x"}]`), 400, "invalidPath")
	wantSCIMError(t, patch(`[{"op":"replace","path":"role","value":"admin"}]`), 400, "invalidPath") // not where the role lives
	wantSCIMError(t, patch(`[{"op":"replace","path":"active","value":"yes"}]`), 400, "invalidValue")
	wantSCIMError(t, patch(`[{"op":"remove"}]`), 400, "noTarget")
	wantSCIMError(t, patch(`[{"op":"move","value":{"active":true}}]`), 400, "invalidSyntax")
	wantSCIMError(t, patch(`[]`), 400, "invalidSyntax")
	wantSCIMError(t, scim(t, s, http.MethodPatch, "/Users/"+u.ID, `{"Operations":[{"op":"replace","value":{"active":false}}]}`), 400, "invalidSyntax")
	if got, _ := s.User(u.ID); !got.Active {
		t.Errorf("a refused patch changed the user: %+v", got)
	}
}

func TestDeleteIsNotSupported(t *testing.T) {
	s := newServer(t, clickuptest.Options{})
	u := s.AddUser(clickuptest.User{UserName: "a@x.io", Active: true})
	wantSCIMError(t, scim(t, s, http.MethodDelete, "/Users/"+u.ID, ""), http.StatusMethodNotAllowed, "")
	if _, ok := s.User(u.ID); !ok {
		t.Fatal("DELETE removed the user")
	}
}

func TestTopLevelRolesAndCustomNames(t *testing.T) {
	s := newServer(t, clickuptest.Options{TopLevelRoles: true, RoleAttribute: "clickupRole", CustomRoleIDAttribute: "crId", CustomRoleNameAttribute: "crName"})
	s.AddCustomRole(7, "Reviewer", 4)
	a := scim(t, s, http.MethodPost, "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"t@x.io","clickupRole":"admin","crId":"7"}`)
	if a.status != http.StatusCreated || a.body["clickupRole"] != "guest" || a.body["crId"] != "7" || a.body["crName"] != "Reviewer" {
		t.Fatalf("%d %s", a.status, a.raw)
	}
	if schemas := a.body["schemas"].([]any); len(schemas) != 1 {
		t.Errorf("schemas %v lists an extension that is not used", schemas)
	}
	// The default names are not role attributes here, and an extension object is the wrong place.
	wantSCIMError(t, scim(t, s, http.MethodPost, "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","`+extURN+`"],"userName":"u@x.io","`+extURN+`":{"clickupRole":"admin"}}`), 400, "invalidSyntax")
}

func TestRateLimit(t *testing.T) {
	var now atomic.Int64 // the handlers read the clock on their own goroutines
	now.Store(1_700_000_000)
	s := newServer(t, clickuptest.Options{Now: func() time.Time { return time.Unix(now.Load(), 0) }})
	a := scim(t, s, http.MethodGet, "/Users", "")
	if a.header.Get("X-RateLimit-Limit") != "10000" || a.header.Get("X-RateLimit-Remaining") != "9999" || a.header.Get("X-RateLimit-Reset") != "1700000060" {
		t.Fatalf("headers %v", a.header)
	}
	s.SetSCIMRateLimit(2)
	scim(t, s, http.MethodGet, "/Users", "")
	scim(t, s, http.MethodGet, "/Users", "")
	a = scim(t, s, http.MethodGet, "/Users", "")
	wantSCIMError(t, a, http.StatusTooManyRequests, "")
	if a.header.Get("X-RateLimit-Remaining") != "0" || a.header.Get("X-RateLimit-Reset") != "1700000060" {
		t.Errorf("headers on 429 %v", a.header)
	}
	if r := rest(t, s, "/team"); r.status != http.StatusOK {
		t.Errorf("REST shares the SCIM budget: %d", r.status)
	}
	now.Add(60)
	if a := scim(t, s, http.MethodGet, "/Users", ""); a.status != http.StatusOK || a.header.Get("X-RateLimit-Reset") != "1700000120" {
		t.Errorf("new window: %d %v", a.status, a.header)
	}
}
