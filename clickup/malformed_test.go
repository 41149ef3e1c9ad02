package clickup_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/okta-clickup-sync/okta-clickup-sync/clickup"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// wrongBodies are 200 answers that are not the JSON object every SCIM and REST endpoint here
// answers with (DESIGN.md §7).
var wrongBodies = map[string]string{
	"empty": "", "blank": " \n", "null": "null", "an array": "[]", "a string": `"ok"`, "a number": "1",
	"true": "true", "two objects": "{} {}", "cut short": `{"id":"7"`,
}

// scimCall is one client method under test: the request the bad answer comes to, and the call.
type scimCall struct {
	name, method, path string
	status             int // of the bad answer
	run                func(ctx context.Context, c *clickup.SCIMClient) error
}

var scimCalls = []scimCall{
	{"ListUsers", "GET", "/Users", 200, func(ctx context.Context, c *clickup.SCIMClient) error {
		users, err := c.ListUsers(ctx)
		return nilOrFail(users, err)
	}},
	{"ListTeams", "GET", "/Groups", 200, func(ctx context.Context, c *clickup.SCIMClient) error {
		teams, err := c.ListTeams(ctx)
		return nilOrFail(teams, err)
	}},
	{"CountUsers", "GET", "/Users", 200, func(ctx context.Context, c *clickup.SCIMClient) error {
		_, err := c.CountUsers(ctx)
		return err
	}},
	{"FindUsers", "GET", "/Users", 200, func(ctx context.Context, c *clickup.SCIMClient) error {
		users, err := c.FindUsers(ctx, core.ByEmail, "a@x.io")
		return nilOrFail(users, err)
	}},
	{"User", "GET", "/Users/7", 200, func(ctx context.Context, c *clickup.SCIMClient) error {
		u, ok, err := c.User(ctx, "7")
		if ok || u.ID != "" {
			return fmt.Errorf("read %+v, %t with the error %v", u, ok, err)
		}
		return err
	}},
	{"Team", "GET", "/Groups/g1", 200, func(ctx context.Context, c *clickup.SCIMClient) error {
		g, ok, err := c.Team(ctx, "g1")
		if ok || g.ID != "" {
			return fmt.Errorf("read %+v, %t with the error %v", g, ok, err)
		}
		return err
	}},
	{"CreateUser", "POST", "/Users", 201, func(ctx context.Context, c *clickup.SCIMClient) error {
		_, err := c.CreateUser(ctx, core.NewUser{UserName: "a@x.io", ExternalID: "00u1"})
		return err
	}},
	{"ReplaceUser", "PUT", "/Users/7", 200, func(ctx context.Context, c *clickup.SCIMClient) error {
		users, err := c.ListUsers(ctx)
		if err != nil {
			return fmt.Errorf("listing before the PUT: %w", err)
		}
		_, err = c.ReplaceUser(ctx, users[0])
		return err
	}},
	{"SetActive", "PATCH", "/Users/7", 200, func(ctx context.Context, c *clickup.SCIMClient) error {
		return c.SetActive(ctx, "7", false)
	}},
	{"CreateTeam", "POST", "/Groups", 201, func(ctx context.Context, c *clickup.SCIMClient) error {
		_, err := c.CreateTeam(ctx, "T", nil)
		return err
	}},
	{"RenameTeam", "PATCH", "/Groups/g1", 200, func(ctx context.Context, c *clickup.SCIMClient) error {
		return c.RenameTeam(ctx, "g1", "T")
	}},
	{"UpdateTeamMembers", "PATCH", "/Groups/g1", 200, func(ctx context.Context, c *clickup.SCIMClient) error {
		return c.UpdateTeamMembers(ctx, "g1", []string{"7"}, nil)
	}},
	{"DeleteTeam", "DELETE", "/Groups/g1", 200, func(ctx context.Context, c *clickup.SCIMClient) error {
		return c.DeleteTeam(ctx, "g1")
	}},
}

// nilOrFail is err, or a failure when err is nil; with an error, no part of a result may come
// back.
func nilOrFail[T any](items []T, err error) error {
	if err != nil && items != nil {
		return fmt.Errorf("%d items returned with the error %v", len(items), err)
	}
	return err
}

// A 200 that is empty, null, or not the JSON type the endpoint answers with is malformed for
// every SCIM and REST endpoint; nothing is taken from it.
func TestWrongTypeAnswersAreMalformed(t *testing.T) {
	for _, sc := range scimCalls {
		for name, body := range wrongBodies {
			t.Run(sc.name+"/"+name, func(t *testing.T) {
				c := newHandler(t, badAnswer(t, sc, body))
				wantMalformed(t, sc.run(t.Context(), c))
			})
		}
	}
	for _, path := range []string{"/team", "/team/9006054115/customroles"} {
		for name, body := range wrongBodies {
			t.Run("REST "+path+"/"+name, func(t *testing.T) {
				c := restHandler(t, path, body)
				var err error
				if path == "/team" {
					var id string
					if id, err = c.WorkspaceOwner(t.Context()); id != "" {
						t.Errorf("owner %q with the error", id)
					}
				} else {
					var roles []core.CustomRole
					roles, err = c.ListCustomRoles(t.Context())
					err = nilOrFail(roles, err)
				}
				wantMalformed(t, err, "clickup rest GET "+path)
			})
		}
	}
}

// A ListResponse that promises resources it does not hold is malformed too.
func TestListResponseWithoutResources(t *testing.T) {
	for _, body := range []string{
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":2,"startIndex":1,"itemsPerPage":0}`,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":2,"startIndex":1,"itemsPerPage":0,"Resources":null}`,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":2,"startIndex":1,"itemsPerPage":2}`,
	} {
		for _, sc := range scimCalls[:4] {
			t.Run(sc.name, func(t *testing.T) {
				c := newHandler(t, badAnswer(t, sc, body))
				wantMalformed(t, sc.run(t.Context(), c))
			})
		}
	}
}

// badAnswer answers sc's request with body, and everything a call needs before it well: a
// listing of user 7 for a ReplaceUser.
func badAnswer(t *testing.T, sc scimCall, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/scim+json")
		switch {
		case r.Method == sc.method && r.URL.Path == "/scim/v2/42"+sc.path:
			w.WriteHeader(sc.status)
			io.WriteString(w, body)
			return
		case sc.name == "ReplaceUser" && r.Method == http.MethodGet:
			io.WriteString(w, list("1", "1", "1", res("7")))
			return
		}
		t.Errorf("unexpected request %s %s", r.Method, r.URL)
		http.Error(w, "unexpected", http.StatusTeapot)
	}
}
