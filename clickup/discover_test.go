package clickup_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/okta-clickup-sync/okta-clickup-sync/clickup"
	"github.com/okta-clickup-sync/okta-clickup-sync/clickup/clickuptest"
	"github.com/okta-clickup-sync/okta-clickup-sync/internal/httpretry/httpretrytest"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

const otherURN = "urn:example:params:scim:schemas:extension:workspace:1.0:User"

// discovered starts a fake with o and a client configured with co (base URL and token filled
// in; RoleSchema "" means auto here, top level is clickup.SCIMOptions with topLevel), discovers
// the service, and fails the test unless that succeeds.
func discovered(t *testing.T, o clickuptest.Options, co clickup.SCIMOptions) (*clickuptest.Server, *clickup.SCIMClient, clickup.ServiceInfo) {
	t.Helper()
	s, c := undiscovered(t, o, co)
	info, err := c.Discover(t.Context())
	if err != nil {
		t.Fatalf("discover: %v", err)
	}
	return s, c, info
}

func undiscovered(t *testing.T, o clickuptest.Options, co clickup.SCIMOptions) (*clickuptest.Server, *clickup.SCIMClient) {
	t.Helper()
	s := clickuptest.NewServer(o)
	t.Cleanup(s.Close)
	co.BaseURL, co.Token, co.AllowInsecureHTTP = s.SCIMBaseURL(), s.SCIMToken(), true
	if co.RoleSchema == "" {
		co.RoleSchema = clickup.RoleSchemaAuto
	}
	if co.Retry.Sleep == nil {
		co.Retry.Sleep = httpretrytest.NoSleep
	}
	c, err := clickup.NewSCIM(co)
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}

// row returns the check row called name.
func row(t *testing.T, rows []clickup.CheckRow, name string) clickup.CheckRow {
	t.Helper()
	for _, r := range rows {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("no row %q in %+v", name, rows)
	return clickup.CheckRow{}
}

func wantRow(t *testing.T, rows []clickup.CheckRow, name, result string, mentions ...string) {
	t.Helper()
	r := row(t, rows, name)
	if r.Result != result {
		t.Errorf("%s: %s %q, want %s", name, r.Result, r.Detail, result)
	}
	for _, m := range mentions {
		if !strings.Contains(r.Detail, m) {
			t.Errorf("%s: %q does not mention %q", name, r.Detail, m)
		}
	}
}

// created creates a user with role r and returns how the fake stored it.
func created(t *testing.T, s *clickuptest.Server, c *clickup.SCIMClient, userName string, r core.Role) clickuptest.User {
	t.Helper()
	u, err := c.CreateUser(t.Context(), core.NewUser{UserName: userName, ExternalID: "00u" + strings.Repeat("a", 17), Role: r})
	if err != nil {
		t.Fatalf("create %s: %v", userName, err)
	}
	got, ok := s.User(u.ID)
	if !ok {
		t.Fatalf("user %s not in the fake", u.ID)
	}
	return got
}

func TestDiscover_RoleSchemaDiscovered(t *testing.T) {
	s, c, info := discovered(t, clickuptest.Options{RoleSchema: otherURN}, clickup.SCIMOptions{})
	if info.RoleSchema != otherURN || info.RoleSchemaSource != clickup.SourceDiscovered {
		t.Fatalf("role schema %q (%s), want %s discovered", info.RoleSchema, info.RoleSchemaSource, otherURN)
	}
	// The fake refuses role attributes anywhere but in its extension: the create proves where
	// they went, the listing that they are read from there.
	if got := created(t, s, c, "ann@x.io", core.Role{Base: core.RoleAdmin}); got.Role != "admin" {
		t.Errorf("created with role %q, want admin", got.Role)
	}
	users, err := c.ListUsers(t.Context())
	if err != nil || len(users) != 1 || users[0].Role.Base != core.RoleAdmin {
		t.Fatalf("listed %+v, %v", users, err)
	}
	rows := info.CheckRows(false)
	wantRow(t, rows, "scim discovery", clickup.CheckOK, "/ServiceProviderConfig, /ResourceTypes, /Schemas answered")
	wantRow(t, rows, "scim role schema", clickup.CheckOK, otherURN, "discovered", "defines role")
	wantRow(t, rows, "scim role attribute", clickup.CheckOK, "role (default)")
	wantRow(t, rows, "scim patch", clickup.CheckOK, "supported (discovered)")
	wantRow(t, rows, "scim groups", clickup.CheckOK, "supported")
}

func TestDiscover_TopLevel(t *testing.T) {
	s, c, info := discovered(t, clickuptest.Options{TopLevelRoles: true}, clickup.SCIMOptions{})
	if info.RoleSchema != "" || info.RoleSchemaSource != clickup.SourceDiscovered {
		t.Fatalf("role schema %q (%s), want the top level, discovered", info.RoleSchema, info.RoleSchemaSource)
	}
	if got := created(t, s, c, "ann@x.io", core.Role{Base: core.RoleGuest}); got.Role != "guest" {
		t.Errorf("created with role %q, want guest", got.Role)
	}
	wantRow(t, info.CheckRows(false), "scim role schema", clickup.CheckOK, "the top level of the User", "the core User schema does")
}

func TestDiscover_NotServed(t *testing.T) {
	s, c, info := discovered(t, clickuptest.Options{NoDiscovery: true}, clickup.SCIMOptions{})
	if info.RoleSchema != clickup.DefaultRoleSchema || info.RoleSchemaSource != clickup.SourceDefault {
		t.Fatalf("role schema %q (%s), want the default", info.RoleSchema, info.RoleSchemaSource)
	}
	if !info.Patch.Supported || !info.Filter.Supported || info.PageSize != clickup.DefaultPageSize || !info.Groups.Supported {
		t.Errorf("capabilities %+v, want the defaults and Groups found by reading one", info)
	}
	if got := created(t, s, c, "ann@x.io", core.Role{Base: core.RoleAdmin}); got.Role != "admin" {
		t.Errorf("created with role %q, want admin", got.Role)
	}
	rows := info.CheckRows(true)
	wantRow(t, rows, "scim discovery", clickup.CheckOK, "not announced", "/ServiceProviderConfig 404", "/Schemas 404", "using defaults")
	wantRow(t, rows, "scim role schema", clickup.CheckOK, clickup.DefaultRoleSchema, "default", "not announced")
	wantRow(t, rows, "scim patch", clickup.CheckOK, "supported (default)")
	wantRow(t, rows, "scim filter", clickup.CheckOK, "supported (default)")
	wantRow(t, rows, "scim page size", clickup.CheckOK, "100 (default)")
	wantRow(t, rows, "scim groups", clickup.CheckOK, "GET /Groups answered")
}

func TestDiscover_NotServedNoGroups(t *testing.T) {
	_, _, info := discovered(t, clickuptest.Options{NoDiscovery: true, NoGroups: true}, clickup.SCIMOptions{})
	if info.Groups.Supported || info.GroupsError() == nil {
		t.Fatalf("groups %+v, want unsupported: /Groups answers 404", info.Groups)
	}
	wantRow(t, info.CheckRows(true), "scim groups", clickup.CheckFail, "SYNC_PUSH_GROUPS", "404")
	wantRow(t, info.CheckRows(false), "scim groups", clickup.CheckOK, "not supported", "SYNC_PUSH_GROUPS is not set")
}

func TestDiscover_NoGroupResourceType(t *testing.T) {
	s, c := undiscovered(t, clickuptest.Options{NoGroups: true}, clickup.SCIMOptions{})
	info, err := c.Discover(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	err = info.GroupsError()
	if err == nil || !strings.Contains(err.Error(), "no Group resource type") {
		t.Fatalf("GroupsError %v", err)
	}
	wantRow(t, info.CheckRows(true), "scim groups", clickup.CheckFail, "SYNC_PUSH_GROUPS", "no Group resource type")
	for _, r := range s.Requests() {
		if strings.Contains(r.Path, "/Groups") {
			t.Errorf("read %s although ResourceTypes answered", r.Path)
		}
	}
}

func TestDiscover_RenamedAttributes(t *testing.T) {
	o := clickuptest.Options{RoleAttribute: "clickupRole", CustomRoleNameAttribute: "roleName", CustomRoleIDAttribute: "roleId"}
	// Configured in another case: the service's spelling is what is sent.
	s, c, info := discovered(t, o, clickup.SCIMOptions{RoleAttribute: "CLICKUPROLE", CustomRoleNameAttribute: "rolename", CustomRoleIDAttribute: "ROLEID"})
	if info.Role.Name != "clickupRole" || info.CustomRoleName.Name != "roleName" || info.CustomRoleID.Name != "roleId" {
		t.Fatalf("attributes %+v %+v %+v", info.Role, info.CustomRoleName, info.CustomRoleID)
	}
	if info.Role.Source != clickup.SourceConfigured || !info.CustomRoleID.Carried {
		t.Errorf("role attribute %+v", info.Role)
	}
	s.AddCustomRole(77, "Reviewer", 4)
	if got := created(t, s, c, "ann@x.io", core.Role{Base: core.RoleGuest, CustomRoleID: "77", CustomRoleName: "Reviewer"}); got.CustomRoleID != "77" {
		t.Errorf("created %+v, want custom role 77", got)
	}
	body := string(s.Writes()[0].Body)
	for _, want := range []string{`"clickupRole":"guest"`, `"roleId":"77"`, `"roleName":"Reviewer"`} {
		if !strings.Contains(body, want) {
			t.Errorf("create %s does not carry %s", body, want)
		}
	}
	users, err := c.ListUsers(t.Context())
	if err != nil || users[0].Role != (core.Role{Base: core.RoleGuest, CustomRoleID: "77", CustomRoleName: "Reviewer"}) {
		t.Fatalf("listed %+v, %v", users, err)
	}
}

func TestDiscover_RoleAttributeNowhere(t *testing.T) {
	s, c := undiscovered(t, clickuptest.Options{RoleAttribute: "clickupRole"}, clickup.SCIMOptions{})
	info, err := c.Discover(t.Context())
	if err == nil {
		t.Fatal("discovered a schema for role, which no schema defines")
	}
	for _, m := range []string{"no User extension defines role", clickup.DefaultRoleSchema, "clickupRole", "CLICKUP_SCIM_ROLE_ATTRIBUTE"} {
		if !strings.Contains(err.Error(), m) {
			t.Errorf("error %q does not mention %q", err, m)
		}
	}
	wantRow(t, info.CheckRows(false), "scim role schema", clickup.CheckFail, "no User extension defines role")
	// The client is still undiscovered: nothing is read or written with a guess.
	s.ResetRequests()
	if _, err := c.ListUsers(t.Context()); err == nil || !strings.Contains(err.Error(), "CLICKUP_SCIM_ROLE_SCHEMA=auto") {
		t.Errorf("listing after a failed discovery: %v", err)
	}
	if _, err := c.CreateUser(t.Context(), core.NewUser{UserName: "a@x.io"}); err == nil {
		t.Error("created a user after a failed discovery")
	}
	if n := len(s.Requests()); n != 0 {
		t.Errorf("%d requests after a failed discovery", n)
	}
}

func TestDiscover_SeveralExtensionsDefineTheRole(t *testing.T) {
	const extra = "urn:example:other:1.0:User"
	_, c := undiscovered(t, clickuptest.Options{ExtraExtensions: []clickuptest.Extension{{URN: extra, Attributes: []string{"Role", "site"}}}}, clickup.SCIMOptions{})
	_, err := c.Discover(t.Context())
	if err == nil {
		t.Fatal("chose one of two extensions that define role")
	}
	for _, m := range []string{"several User extensions define role", clickup.DefaultRoleSchema, extra, "CLICKUP_SCIM_ROLE_SCHEMA"} {
		if !strings.Contains(err.Error(), m) {
			t.Errorf("error %q does not mention %q", err, m)
		}
	}
	// Naming one settles it.
	_, c, info := discovered(t, clickuptest.Options{ExtraExtensions: []clickuptest.Extension{{URN: extra, Attributes: []string{"Role"}}}},
		clickup.SCIMOptions{RoleSchema: strings.ToUpper(clickup.DefaultRoleSchema)})
	if info.RoleSchema != clickup.DefaultRoleSchema || info.RoleSchemaSource != clickup.SourceConfigured || c == nil {
		t.Errorf("role schema %q (%s)", info.RoleSchema, info.RoleSchemaSource)
	}
}

func TestDiscover_ConfiguredSchema(t *testing.T) {
	t.Run("not announced", func(t *testing.T) {
		_, c := undiscovered(t, clickuptest.Options{RoleSchema: otherURN}, clickup.SCIMOptions{RoleSchema: clickup.DefaultRoleSchema})
		_, err := c.Discover(t.Context())
		if err == nil || !strings.Contains(err.Error(), "no extension "+clickup.DefaultRoleSchema) || !strings.Contains(err.Error(), otherURN) {
			t.Fatalf("error %v, want one naming the configured URN and the one offered", err)
		}
	})
	t.Run("announced", func(t *testing.T) {
		s, c, info := discovered(t, clickuptest.Options{RoleSchema: otherURN}, clickup.SCIMOptions{RoleSchema: otherURN})
		if info.RoleSchema != otherURN || info.RoleSchemaSource != clickup.SourceConfigured {
			t.Fatalf("role schema %q (%s)", info.RoleSchema, info.RoleSchemaSource)
		}
		if got := created(t, s, c, "a@x.io", core.Role{Base: core.RoleAdmin}); got.Role != "admin" {
			t.Errorf("role %q", got.Role)
		}
	})
	t.Run("without discovery", func(t *testing.T) {
		_, _, info := discovered(t, clickuptest.Options{RoleSchema: otherURN, NoDiscovery: true}, clickup.SCIMOptions{RoleSchema: otherURN})
		if info.RoleSchema != otherURN || info.RoleSchemaSource != clickup.SourceConfigured {
			t.Fatalf("role schema %q (%s)", info.RoleSchema, info.RoleSchemaSource)
		}
	})
	t.Run("top level the core schema lacks", func(t *testing.T) {
		_, err := clickup.NewSCIM(clickup.SCIMOptions{BaseURL: "https://x.example/scim", Token: token})
		if err != nil {
			t.Fatal(err)
		}
		s := clickuptest.NewServer(clickuptest.Options{})
		t.Cleanup(s.Close)
		c, err := clickup.NewSCIM(clickup.SCIMOptions{BaseURL: s.SCIMBaseURL(), Token: s.SCIMToken(), AllowInsecureHTTP: true, RoleSchema: ""})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Discover(t.Context()); err == nil || !strings.Contains(err.Error(), "has no attribute role") {
			t.Fatalf("error %v, want the core schema's lack of role named", err)
		}
	})
}

func TestDiscover_Failures(t *testing.T) {
	for _, tc := range []struct {
		name     string
		status   int
		body     string
		sentinel error
	}{
		{"unauthorized", http.StatusUnauthorized, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"401","detail":"bad token"}`, core.ErrUnauthorized},
		{"forbidden", http.StatusForbidden, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"403","detail":"no"}`, core.ErrUnauthorized},
		{"server error", http.StatusInternalServerError, "boom", nil},
		{"an HTML page", http.StatusOK, "<html>login</html>", core.ErrMalformed},
		{"null", http.StatusOK, "null", core.ErrMalformed},
		{"patch.supported a string", http.StatusOK, `{"patch":{"supported":"false"}}`, core.ErrMalformed},
		{"maxResults a float", http.StatusOK, `{"filter":{"supported":true,"maxResults":40.0}}`, core.ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newHandlerWith(t, func(w http.ResponseWriter, r *http.Request) {
				if !strings.HasSuffix(r.URL.Path, "/ServiceProviderConfig") {
					t.Errorf("request %s after the first failed", r.URL.Path)
				}
				w.WriteHeader(tc.status)
				w.Write([]byte(tc.body))
			}, clickup.SCIMOptions{RoleSchema: clickup.RoleSchemaAuto})
			info, err := c.Discover(t.Context())
			if err == nil {
				t.Fatal("discovery succeeded")
			}
			if tc.sentinel != nil && !errors.Is(err, tc.sentinel) {
				t.Errorf("error %v does not wrap %v", err, tc.sentinel)
			}
			if strings.Contains(err.Error(), token) {
				t.Errorf("error shows the token")
			}
			wantRow(t, info.CheckRows(false), "scim discovery", clickup.CheckFail, "ServiceProviderConfig")
			wantRow(t, info.CheckRows(false), "scim role schema", clickup.CheckSkip)
		})
	}
}

// served answers the discovery endpoints from bodies by path suffix; a missing one is a 404.
func served(t *testing.T, bodies map[string]string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for suffix, body := range bodies {
			if strings.HasSuffix(r.URL.Path, suffix) {
				w.Header().Set("Content-Type", "application/scim+json")
				w.Write([]byte(body))
				return
			}
		}
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"404","detail":"not found"}`))
	}
}

func TestDiscover_PartlyServed(t *testing.T) {
	userType := func(exts ...string) string {
		var refs []string
		for _, e := range exts {
			refs = append(refs, `{"schema":"`+e+`","required":false}`)
		}
		return `{"id":"User","name":"User","endpoint":"/Users","schema":"urn:ietf:params:scim:schemas:core:2.0:User","schemaExtensions":[` + strings.Join(refs, ",") + `]}`
	}
	t.Run("ResourceTypes as a bare array, with the default extension, and no Schemas", func(t *testing.T) {
		c := newHandlerWith(t, served(t, map[string]string{"/ResourceTypes": `[` + userType(clickup.DefaultRoleSchema) + `]`}),
			clickup.SCIMOptions{RoleSchema: clickup.RoleSchemaAuto})
		info, err := c.Discover(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if info.RoleSchema != clickup.DefaultRoleSchema || info.Groups.Supported {
			t.Errorf("role schema %q, groups %+v", info.RoleSchema, info.Groups)
		}
		wantRow(t, info.CheckRows(false), "scim discovery", clickup.CheckOK, "/ResourceTypes answered", "/Schemas 404")
	})
	t.Run("ResourceTypes without the default extension, and no Schemas", func(t *testing.T) {
		c := newHandlerWith(t, served(t, map[string]string{"/ResourceTypes": list("1", "1", "1", userType(otherURN))}),
			clickup.SCIMOptions{RoleSchema: clickup.RoleSchemaAuto})
		if _, err := c.Discover(t.Context()); err == nil || !strings.Contains(err.Error(), otherURN) {
			t.Errorf("error %v, want one naming the extension there is", err)
		}
	})
	t.Run("a ListResponse that lists less than its total", func(t *testing.T) {
		c := newHandlerWith(t, served(t, map[string]string{"/ResourceTypes": list("2", "1", "1", userType())}),
			clickup.SCIMOptions{RoleSchema: clickup.RoleSchemaAuto})
		_, err := c.Discover(t.Context())
		wantMalformed(t, err, "/ResourceTypes", "totalResults is 2")
	})
	t.Run("no User resource type", func(t *testing.T) {
		c := newHandlerWith(t, served(t, map[string]string{"/ResourceTypes": `[{"name":"Group","endpoint":"/Groups"}]`}),
			clickup.SCIMOptions{RoleSchema: clickup.RoleSchemaAuto})
		if _, err := c.Discover(t.Context()); err == nil || !strings.Contains(err.Error(), "no User resource type") {
			t.Errorf("error %v", err)
		}
	})
	t.Run("ServiceProviderConfig only", func(t *testing.T) {
		c := newHandlerWith(t, served(t, map[string]string{"/ServiceProviderConfig": `{"patch":{"supported":false},"filter":{"supported":true,"maxResults":25}}`}),
			clickup.SCIMOptions{RoleSchema: clickup.RoleSchemaAuto})
		info, err := c.Discover(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if info.Patch.Supported || info.PageSize != 25 || info.PageSizeSource != clickup.SourceDiscovered || info.RoleSchemaSource != clickup.SourceDefault {
			t.Errorf("info %+v", info)
		}
		wantRow(t, info.CheckRows(false), "scim page size", clickup.CheckOK, "25 (discovered")
		wantRow(t, info.CheckRows(false), "scim patch", clickup.CheckOK, "not supported (discovered)", "PUT")
	})
}

func TestSCIMClient_UndiscoveredRefusesUsers(t *testing.T) {
	c := newHandlerWith(t, func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request %s before discovery", r.URL)
	}, clickup.SCIMOptions{RoleSchema: clickup.RoleSchemaAuto})
	ctx := t.Context()
	_, err1 := c.ListUsers(ctx)
	_, err2 := c.CreateUser(ctx, core.NewUser{UserName: "a@x.io"})
	_, err3 := c.ReplaceUser(ctx, core.ClickUpUser{ID: "1"})
	err4 := c.SetActive(ctx, "1", false)
	_, _, err5 := c.User(ctx, "1")
	_, err6 := c.FindUsers(ctx, core.ByUserName, "a@x.io")
	for i, err := range []error{err1, err2, err3, err4, err5, err6} {
		if err == nil || !strings.Contains(err.Error(), "not been discovered") {
			t.Errorf("call %d: %v", i+1, err)
		}
	}
}

// An error that lists what the service announced quotes a bounded part of it, however much the
// service announced (DESIGN.md §7).
func TestDiscover_ErrorsQuoteLittle(t *testing.T) {
	var exts []clickuptest.Extension
	for i := range 200 {
		exts = append(exts, clickuptest.Extension{URN: fmt.Sprintf("urn:example:%s:%03d", strings.Repeat("x", 200), i), Attributes: []string{strings.Repeat("a", 500), "role"}})
	}
	for name, o := range map[string]clickuptest.Options{
		"several": {ExtraExtensions: exts},
		"none":    {RoleAttribute: "clickupRole", ExtraExtensions: exts[:0:0]},
		"nowhere": {RoleAttribute: "clickupRole", ExtraExtensions: []clickuptest.Extension{{URN: exts[0].URN, Attributes: []string{strings.Repeat("b", 5000)}}}},
	} {
		t.Run(name, func(t *testing.T) {
			_, c := undiscovered(t, o, clickup.SCIMOptions{})
			_, err := c.Discover(t.Context())
			if err == nil {
				t.Fatal("discovered")
			}
			if n := len(err.Error()); n > 700 {
				t.Errorf("error of %d bytes: %.300s…", n, err)
			}
		})
	}
}
