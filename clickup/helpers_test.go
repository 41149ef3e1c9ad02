package clickup_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/okta-clickup-sync/okta-clickup-sync/clickup"
	"github.com/okta-clickup-sync/okta-clickup-sync/clickup/clickuptest"
	"github.com/okta-clickup-sync/okta-clickup-sync/internal/httpretry/httpretrytest"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

const (
	extURN = clickup.DefaultRoleSchema
	token  = "s3cr3t-scim-token"
)

// newFake starts a fake ClickUp and a SCIM client configured to match it.
func newFake(t *testing.T, o clickuptest.Options, pageSize int) (*clickuptest.Server, *clickup.SCIMClient) {
	t.Helper()
	s := clickuptest.NewServer(o)
	t.Cleanup(s.Close)
	return newFakeClientWith(t, s, o, pageSize)
}

// newFakeClient is another client of a fake with the default options, one that has read nothing.
func newFakeClient(t *testing.T, s *clickuptest.Server) (*clickuptest.Server, *clickup.SCIMClient) {
	t.Helper()
	return newFakeClientWith(t, s, clickuptest.Options{}, 100)
}

func newFakeClientWith(t *testing.T, s *clickuptest.Server, o clickuptest.Options, pageSize int) (*clickuptest.Server, *clickup.SCIMClient) {
	t.Helper()
	schema := extURN
	if o.TopLevelRoles {
		schema = ""
	}
	c, err := clickup.NewSCIM(clickup.SCIMOptions{
		BaseURL: s.SCIMBaseURL(), Token: s.SCIMToken(), RoleSchema: schema,
		RoleAttribute: o.RoleAttribute, CustomRoleNameAttribute: o.CustomRoleNameAttribute, CustomRoleIDAttribute: o.CustomRoleIDAttribute,
		AllowInsecureHTTP: true, PageSize: pageSize,
	})
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}

// newHandler serves h on loopback and returns a SCIM client for it, with PageSize 2 and the
// default role extension.
func newHandler(t *testing.T, h http.HandlerFunc) *clickup.SCIMClient {
	t.Helper()
	return newHandlerWith(t, h, clickup.SCIMOptions{RoleSchema: extURN, PageSize: 2})
}

func newHandlerWith(t *testing.T, h http.HandlerFunc, o clickup.SCIMOptions) *clickup.SCIMClient {
	t.Helper()
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	o.BaseURL, o.Token, o.AllowInsecureHTTP = ts.URL+"/scim/v2/42", token, true
	if o.Retry.Sleep == nil {
		o.Retry.Sleep = httpretrytest.NoSleep // retries are tested on their own; here they must not cost time
	}
	c, err := clickup.NewSCIM(o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// pages serves canned ListResponses by their startIndex query; any other request fails the test.
func pages(t *testing.T, byStart map[string]string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, ok := byStart[r.URL.Query().Get("startIndex")]
		if r.Method != http.MethodGet || r.URL.Path != "/scim/v2/42/Users" || !ok {
			t.Errorf("unexpected request %s %s", r.Method, r.URL)
			http.Error(w, "unexpected", http.StatusTeapot)
			return
		}
		w.Header().Set("Content-Type", "application/scim+json")
		io.WriteString(w, body)
	}
}

// list builds a ListResponse from raw counter texts, so tests can send wrong types.
func list(total, start, items string, resources ...string) string {
	return fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":%s,"startIndex":%s,"itemsPerPage":%s,"Resources":[%s]}`,
		total, start, items, strings.Join(resources, ","))
}

// res is a minimal valid user resource.
func res(id string) string {
	return fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"%s","userName":"u%s@x.io","active":true}`, id, id)
}

func wantAPIError(t *testing.T, err error, sentinel error, status int) *clickup.APIError {
	t.Helper()
	var ae *clickup.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v is not an *APIError", err)
	}
	if ae.Status != status {
		t.Errorf("status %d, want %d: %v", ae.Status, status, err)
	}
	if sentinel != nil && !errors.Is(err, sentinel) {
		t.Errorf("error %v does not wrap %v", err, sentinel)
	}
	return ae
}

func wantMalformed(t *testing.T, err error, mentions ...string) {
	t.Helper()
	if !errors.Is(err, core.ErrMalformed) {
		t.Fatalf("error %v does not wrap core.ErrMalformed", err)
	}
	for _, m := range mentions {
		if !strings.Contains(err.Error(), m) {
			t.Errorf("error %q does not mention %q", err, m)
		}
	}
}

// sameJSON fails t unless got and want are the same JSON value, members in any order.
func sameJSON(t *testing.T, got, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("%s: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("%s: %v", want, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("JSON\n got %s\nwant %s", got, want)
	}
}
