package okta_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/okta-clickup-sync/okta-clickup-sync/internal/faults"
	"github.com/okta-clickup-sync/okta-clickup-sync/okta"
	"github.com/okta-clickup-sync/okta-clickup-sync/okta/oktatest"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// The tests here make Okta lie, each in one way an org, a proxy or an attacker could, and check
// that the adapter reads the lie as a failed read (DESIGN.md §7): never as zero users, never with
// a panic, never by sending the token elsewhere.

// noPanic runs f, turning a panic into a test failure so that one lie does not end the others.
func noPanic(t *testing.T, f func()) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Errorf("panic: %v", p)
		}
	}()
	f()
}

// reads are the adapter's reads of an org with one assigned user in one pushed group, each with
// the fault path that reaches its answer.
func reads(s *oktatest.Server, groupID string) []struct {
	name, path string
	read       func(context.Context, *okta.Client) error
} {
	return []struct {
		name, path string
		read       func(context.Context, *okta.Client) error
	}{
		{"app users", oktatest.PathAppUsers, func(ctx context.Context, c *okta.Client) error {
			users, err := c.ListAppUsers(ctx)
			if err == nil && len(users) == 0 {
				return errors.New("read as zero users")
			}
			return err
		}},
		{"group search", oktatest.PathGroups, func(ctx context.Context, c *okta.Client) error {
			_, err := c.ListGroups(ctx, []string{groupID})
			return err
		}},
		{"group search by name", oktatest.PathGroups, func(ctx context.Context, c *okta.Client) error {
			_, err := c.ResolveGroups(ctx, []string{"Pushed"})
			return err
		}},
		{"group members", oktatest.PathGroupUsers, func(ctx context.Context, c *okta.Client) error {
			gs, err := c.ListGroups(ctx, []string{groupID})
			if err == nil && len(gs[0].Members) == 0 {
				return errors.New("read as zero members")
			}
			return err
		}},
		{"app", oktatest.PathApp, func(ctx context.Context, c *okta.Client) error {
			_, err := c.App(ctx)
			return err
		}},
		{"app user schema", "/api/v1/meta/schemas/apps/*/default", func(ctx context.Context, c *okta.Client) error {
			_, err := c.AppUserSchema(ctx)
			return err
		}},
	}
}

func liarOrg(t *testing.T) (*oktatest.Server, string) {
	t.Helper()
	s := newFake(t)
	u := addAssigned(t, s, 1)[0]
	g := s.AddGroup(oktatest.Group{Name: "Pushed"})
	s.AddGroupMember(g.ID, u.ID)
	return s, g.ID
}

// A 200 whose body is empty, null, or not the JSON type the endpoint returns is malformed.
func TestLie_BodyOfTheWrongType(t *testing.T) {
	lists := []string{"", " ", "null", "{}", `{"id":"00u1"}`, `"[]"`, "0", "true", "[] []", "[]{}"}
	objects := []string{"", "null", "[]", `[{"id":"0oaclickup"}]`, `"{}"`, "7", "false", "{} {}"}
	probe, gid := liarOrg(t)
	for _, rd := range reads(probe, gid) {
		bodies := lists
		if rd.name == "app" || rd.name == "app user schema" {
			bodies = objects
		}
		for _, body := range bodies {
			t.Run(fmt.Sprintf("%s/%q", rd.name, body), func(t *testing.T) {
				s, _ := liarOrg(t)
				s.Faults(1).Add(faults.Rule{Path: rd.path, Kind: faults.Rewrite, Transform: func([]byte) []byte { return []byte(body) }})
				noPanic(t, func() {
					err := rd.read(t.Context(), newClient(t, s, nil))
					if !errors.Is(err, core.ErrMalformed) {
						t.Errorf("error %v, want ErrMalformed", err)
					}
				})
			})
		}
	}
}

// Link headers no Okta sends. The SDK's own parser dereferences a nil URL on some of them.
func TestLie_LinkHeaders(t *testing.T) {
	probe, gid := liarOrg(t)
	for _, rd := range reads(probe, gid) {
		for _, link := range []string{
			`<%zz>; rel="next"`,
			`<http://[::1>; rel="next"`,
			`https://acme.okta.com/api/v1/apps/` + appID + `/users?after=x; rel="next"`, // no angle brackets
			`<../../../../etc/passwd>; rel="next"`,
			`<http://other.example.com/api/v1/apps/` + appID + `/users?after=x>; rel="next"`,
			`<https://acme .okta.com/x>; rel="next"`,
			`<>; rel="next"`,
			`<`,
			`; rel="next"`,
		} {
			t.Run(rd.name+"/"+link, func(t *testing.T) {
				s, _ := liarOrg(t)
				r := oktatest.RawLink(link)
				r.Path = rd.path
				s.Faults(1).Add(r)
				noPanic(t, func() {
					err := rd.read(t.Context(), newClient(t, s, nil))
					if !errors.Is(err, core.ErrMalformed) {
						t.Errorf("error %v, want ErrMalformed", err)
					}
				})
			})
		}
	}
}

// A redirect to another origin, here another port of the same host, must not carry the token
// there; the read fails and says why.
func TestLie_RedirectToAnotherOrigin(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		if a := r.Header.Get("Authorization"); a != "" {
			t.Errorf("the other origin received Authorization %q", a)
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, "[]")
	}))
	t.Cleanup(other.Close)
	probe, gid := liarOrg(t)
	for _, rd := range reads(probe, gid) {
		t.Run(rd.name, func(t *testing.T) {
			s, _ := liarOrg(t)
			r := oktatest.Redirect(http.StatusTemporaryRedirect, other.URL+"/api/v1/apps/"+appID+"/users")
			r.Path = rd.path
			s.Faults(1).Add(r)
			elsewhere.Store(0)
			noPanic(t, func() {
				err := rd.read(t.Context(), newClient(t, s, nil))
				if err == nil || !strings.Contains(err.Error(), "redirect to another origin refused") {
					t.Errorf("error %v, want the redirect refused", err)
				}
				if strings.Contains(fmt.Sprint(err), s.Token()) {
					t.Errorf("error %v repeats the token", err)
				}
			})
			if n := elsewhere.Load(); n != 0 {
				t.Errorf("the other origin received %d requests", n)
			}
		})
	}
}
