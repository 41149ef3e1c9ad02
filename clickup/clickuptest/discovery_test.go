package clickuptest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/okta-clickup-sync/okta-clickup-sync/clickup/clickuptest"
)

// resources returns a ListResponse's resources, checking its shape on the way.
func resources(t *testing.T, a answer) []map[string]any {
	t.Helper()
	if a.status != http.StatusOK {
		t.Fatalf("status %d: %s", a.status, a.raw)
	}
	if s, _ := a.body["schemas"].([]any); len(s) != 1 || s[0] != "urn:ietf:params:scim:api:messages:2.0:ListResponse" {
		t.Fatalf("not a ListResponse: %s", a.raw)
	}
	var out []map[string]any
	for _, r := range a.body["Resources"].([]any) {
		out = append(out, r.(map[string]any))
	}
	if n := a.body["totalResults"].(json.Number).String(); n != fmt.Sprint(len(out)) {
		t.Errorf("totalResults %s for %d resources", n, len(out))
	}
	return out
}

func byID(t *testing.T, rs []map[string]any, id string) map[string]any {
	t.Helper()
	for _, r := range rs {
		if r["id"] == id {
			return r
		}
	}
	t.Fatalf("no resource %s", id)
	return nil
}

func attribute(t *testing.T, schema map[string]any, name string) map[string]any {
	t.Helper()
	for _, a := range schema["attributes"].([]any) {
		if m := a.(map[string]any); m["name"] == name {
			return m
		}
	}
	return nil
}

func TestDiscoveryIsRFCShaped(t *testing.T) {
	s := newServer(t, clickuptest.Options{MaxCount: 40, RoleValues: []string{"Admin", "Member", "Guest"}})
	spc := scim(t, s, http.MethodGet, "/ServiceProviderConfig", "")
	if spc.status != http.StatusOK {
		t.Fatalf("status %d", spc.status)
	}
	patch, _ := spc.body["patch"].(map[string]any)
	filter, _ := spc.body["filter"].(map[string]any)
	if patch["supported"] != true || filter["supported"] != true || filter["maxResults"] != json.Number("40") {
		t.Errorf("ServiceProviderConfig %s", spc.raw)
	}
	for _, k := range []string{"bulk", "changePassword", "sort", "etag", "authenticationSchemes"} {
		if _, ok := spc.body[k]; !ok {
			t.Errorf("ServiceProviderConfig lacks the required %s", k)
		}
	}

	types := resources(t, scim(t, s, http.MethodGet, "/ResourceTypes", ""))
	user := byID(t, types, "User")
	if user["endpoint"] != "/Users" || user["schema"] != "urn:ietf:params:scim:schemas:core:2.0:User" {
		t.Errorf("User resource type %v", user)
	}
	if ext, _ := user["schemaExtensions"].([]any); len(ext) != 1 || ext[0].(map[string]any)["schema"] != extURN {
		t.Errorf("User extensions %v, want the role's", user["schemaExtensions"])
	}
	byID(t, types, "Group")

	schemas := resources(t, scim(t, s, http.MethodGet, "/Schemas", ""))
	role := byID(t, schemas, extURN)
	a := attribute(t, role, "role")
	if a == nil || a["type"] != "string" || !reflect.DeepEqual(a["canonicalValues"], []any{"Admin", "Member", "Guest"}) {
		t.Errorf("role attribute %v", a)
	}
	for _, n := range []string{"customRoleName", "customRoleId"} {
		if attribute(t, role, n) == nil {
			t.Errorf("the role schema lacks %s", n)
		}
	}
	core := byID(t, schemas, "urn:ietf:params:scim:schemas:core:2.0:User")
	if attribute(t, core, "userName") == nil || attribute(t, core, "role") != nil {
		t.Errorf("core User schema %v", core)
	}
	byID(t, schemas, "urn:ietf:params:scim:schemas:core:2.0:Group")
}

func TestDiscoveryVariants(t *testing.T) {
	const other = "urn:example:scim:clickup:User"
	t.Run("not served", func(t *testing.T) {
		s := newServer(t, clickuptest.Options{NoDiscovery: true})
		for _, p := range []string{"/ServiceProviderConfig", "/ResourceTypes", "/Schemas"} {
			wantSCIMError(t, scim(t, s, http.MethodGet, p, ""), http.StatusNotFound, "")
		}
	})
	t.Run("roles at the top level are in the core schema", func(t *testing.T) {
		s := newServer(t, clickuptest.Options{TopLevelRoles: true, RoleAttribute: "clickupRole"})
		user := byID(t, resources(t, scim(t, s, http.MethodGet, "/ResourceTypes", "")), "User")
		if ext, _ := user["schemaExtensions"].([]any); len(ext) != 0 {
			t.Errorf("extensions %v, want none", ext)
		}
		core := byID(t, resources(t, scim(t, s, http.MethodGet, "/Schemas", "")), "urn:ietf:params:scim:schemas:core:2.0:User")
		if attribute(t, core, "clickupRole") == nil {
			t.Errorf("core schema lacks clickupRole")
		}
	})
	t.Run("another extension, extra extensions, missing attributes", func(t *testing.T) {
		s := newServer(t, clickuptest.Options{
			RoleSchema: other, NoCustomRoleName: true, CustomRoleIDInteger: true,
			ExtraExtensions: []clickuptest.Extension{{URN: "urn:example:extra", Attributes: []string{"role", "costCenter"}}},
		})
		var exts []string
		for _, e := range byID(t, resources(t, scim(t, s, http.MethodGet, "/ResourceTypes", "")), "User")["schemaExtensions"].([]any) {
			exts = append(exts, e.(map[string]any)["schema"].(string))
		}
		if want := []string{other, "urn:example:extra"}; !reflect.DeepEqual(exts, want) {
			t.Errorf("extensions %v, want %v", exts, want)
		}
		schemas := resources(t, scim(t, s, http.MethodGet, "/Schemas", ""))
		role := byID(t, schemas, other)
		if attribute(t, role, "customRoleName") != nil {
			t.Errorf("customRoleName is announced")
		}
		if a := attribute(t, role, "customRoleId"); a["type"] != "integer" {
			t.Errorf("customRoleId %v, want an integer", a)
		}
		if attribute(t, byID(t, schemas, "urn:example:extra"), "role") == nil {
			t.Errorf("the extra extension lacks role")
		}
	})
	t.Run("no patch, no filter, no groups", func(t *testing.T) {
		s := newServer(t, clickuptest.Options{NoPatch: true, NoFilter: true, NoGroups: true, AnnouncedMaxResults: 500})
		spc := scim(t, s, http.MethodGet, "/ServiceProviderConfig", "")
		patch, _ := spc.body["patch"].(map[string]any)
		filter, _ := spc.body["filter"].(map[string]any)
		if patch["supported"] != false || filter["supported"] != false || filter["maxResults"] != json.Number("500") {
			t.Errorf("ServiceProviderConfig %s", spc.raw)
		}
		for _, r := range resources(t, scim(t, s, http.MethodGet, "/ResourceTypes", "")) {
			if r["id"] == "Group" {
				t.Errorf("Group resource type announced")
			}
		}
		for _, r := range resources(t, scim(t, s, http.MethodGet, "/Schemas", "")) {
			if r["id"] == "urn:ietf:params:scim:schemas:core:2.0:Group" {
				t.Errorf("Group schema announced")
			}
		}
	})
}

func TestNoPatch(t *testing.T) {
	for _, status := range []int{http.StatusNotImplemented, http.StatusMethodNotAllowed} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			o := clickuptest.Options{NoPatch: true}
			if status == http.StatusMethodNotAllowed {
				o.NoPatchStatus = status
			}
			s := newServer(t, o)
			u := s.AddUser(clickuptest.User{UserName: "a@x.io", Active: true})
			ids := seedUsers(s, 1)
			g := s.AddGroup(clickuptest.Group{DisplayName: "Eng", Members: ids})
			off := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`
			wantSCIMError(t, scim(t, s, http.MethodPatch, "/Users/"+u.ID, off), status, "")
			wantSCIMError(t, patchGroup(t, s, g.ID, `[{"op":"replace","value":{"displayName":"X"}}]`), status, "")
			if a := scim(t, s, http.MethodPatch, "/Users/"+u.ID, off); status == http.StatusMethodNotAllowed && a.header.Get("Allow") != "GET, PUT" {
				t.Errorf("Allow %q", a.header.Get("Allow"))
			}
			if got, _ := s.User(u.ID); !got.Active {
				t.Errorf("the refused PATCH deactivated the user")
			}
			// PUT is how such a service changes a user.
			res := scim(t, s, http.MethodGet, "/Users/"+u.ID, "").body
			res["active"] = false
			body, _ := json.Marshal(res)
			if a := scim(t, s, http.MethodPut, "/Users/"+u.ID, string(body)); a.status != http.StatusOK || a.body["active"] != false {
				t.Errorf("PUT: %d %s", a.status, a.raw)
			}
		})
	}
}

func TestNoFilter(t *testing.T) {
	s := newServer(t, clickuptest.Options{NoFilter: true})
	s.AddUser(clickuptest.User{UserName: "a@x.io", Active: true})
	wantSCIMError(t, scim(t, s, http.MethodGet, "/Users?filter="+url.QueryEscape(`userName eq "a@x.io"`), ""), http.StatusBadRequest, "invalidFilter")
	wantSCIMError(t, scim(t, s, http.MethodGet, "/Groups?filter="+url.QueryEscape(`displayName eq "Eng"`), ""), http.StatusBadRequest, "invalidFilter")
	if rs := resources(t, scim(t, s, http.MethodGet, "/Users", "")); len(rs) != 1 {
		t.Errorf("listing %d users", len(rs))
	}
}

func TestNoGroups(t *testing.T) {
	s := newServer(t, clickuptest.Options{NoGroups: true})
	wantSCIMError(t, scim(t, s, http.MethodGet, "/Groups?startIndex=1&count=1", ""), http.StatusNotFound, "")
	wantSCIMError(t, scim(t, s, http.MethodPost, "/Groups", groupBody("Eng")), http.StatusNotFound, "")
	wantSCIMError(t, scim(t, s, http.MethodGet, "/Groups/x", ""), http.StatusNotFound, "")
}

// roleBody is a create body with the given role object in ext (nil: none).
func roleBody(userName, ext string, roles map[string]any) string {
	m := map[string]any{
		"schemas":  []string{"urn:ietf:params:scim:schemas:core:2.0:User", ext},
		"userName": userName,
		"active":   true,
		ext:        roles,
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func TestRoleSchemaIsStrict(t *testing.T) {
	s := newServer(t, clickuptest.Options{RoleValues: []string{"Admin", "Member", "Guest"}, NoCustomRoleName: true, CustomRoleIDInteger: true})
	s.AddCustomRole(77, "Reviewer", 4)
	for _, tc := range []struct {
		name  string
		roles map[string]any
	}{
		{"not the canonical spelling", map[string]any{"role": "admin"}},
		{"an attribute the schema lacks", map[string]any{"role": "Admin", "customRoleName": "Reviewer"}},
		{"an unknown attribute", map[string]any{"role": "Admin", "title": "x"}},
		{"an integer id as a string", map[string]any{"customRoleId": "77"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := scim(t, s, http.MethodPost, "/Users", roleBody("x@x.io", extURN, tc.roles))
			if a.status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %s", a.status, a.raw)
			}
		})
	}
	a := scim(t, s, http.MethodPost, "/Users", roleBody("a@x.io", extURN, map[string]any{"role": "Admin"}))
	if a.status != http.StatusCreated || ext(t, a.body)["role"] != "Admin" {
		t.Fatalf("create: %d %s", a.status, a.raw)
	}
	b := scim(t, s, http.MethodPost, "/Users", roleBody("b@x.io", extURN, map[string]any{"customRoleId": 77}))
	e := ext(t, b.body)
	if b.status != http.StatusCreated || e["customRoleId"] != json.Number("77") || e["role"] != "Guest" {
		t.Fatalf("create with an integer id: %d %s", b.status, b.raw)
	}
	if _, ok := e["customRoleName"]; ok {
		t.Errorf("customRoleName shown although the schema lacks it: %s", b.raw)
	}
}

func TestGroupPUTCountsChanges(t *testing.T) {
	s := newServer(t, clickuptest.Options{})
	ids := seedUsers(s, clickuptest.MaxGroupChanges+30)
	g := s.AddGroup(clickuptest.Group{DisplayName: "Big", Members: ids[:clickuptest.MaxGroupChanges+20]})
	// A PUT of a Team larger than the batch limit that changes a few members is fine.
	next := append(append([]string{}, ids[5:clickuptest.MaxGroupChanges+20]...), ids[clickuptest.MaxGroupChanges+20:]...)
	if a := scim(t, s, http.MethodPut, "/Groups/"+g.ID, groupBody("Big", next...)); a.status != http.StatusOK {
		t.Fatalf("PUT with 15 changes: %d %s", a.status, a.raw)
	}
	// One that changes more than the limit is refused whole.
	wantSCIMError(t, scim(t, s, http.MethodPut, "/Groups/"+g.ID, groupBody("Big")), http.StatusBadRequest, "tooMany")
	if got, _ := s.Group(g.ID); len(got.Members) != len(next) {
		t.Errorf("%d members after the refused PUT, want %d", len(got.Members), len(next))
	}
}

func TestChangeTotalBetweenPages(t *testing.T) {
	s := newServer(t, clickuptest.Options{})
	seedUsers(s, 5)
	s.ChangeTotalBetweenPages(1)
	total := func(q string) string {
		return scim(t, s, http.MethodGet, "/Users?"+q, "").body["totalResults"].(json.Number).String()
	}
	// A lookup by filter is no listing: it neither arms nor fires.
	if n := total("filter=" + url.QueryEscape(`userName eq "g000@x.io"`)); n != "1" {
		t.Fatalf("filter total %s", n)
	}
	got := []string{total("startIndex=1&count=2"), total("startIndex=3&count=2"), total("startIndex=5&count=2")}
	if want := []string{"5", "6", "6"}; !reflect.DeepEqual(got, want) {
		t.Errorf("totals %v, want %v: a user invited after the first page", got, want)
	}
	got = []string{total("startIndex=1&count=2"), total("startIndex=3&count=2")}
	if want := []string{"6", "6"}; !reflect.DeepEqual(got, want) {
		t.Errorf("the next listing's totals %v, want %v", got, want)
	}
	if u := s.Users(); !strings.HasPrefix(u[len(u)-1].UserName, "invited-during-listing-") {
		t.Errorf("last user %+v", u[len(u)-1])
	}
}
