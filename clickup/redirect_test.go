package clickup_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/okta-clickup-sync/okta-clickup-sync/clickup"
	"github.com/okta-clickup-sync/okta-clickup-sync/internal/endpoint"
)

// elsewhere is a second listener on another port of 127.0.0.1: where a redirect must never take
// a credential. It counts the requests that reach it, and those that carry a token.
type elsewhere struct {
	*httptest.Server
	requests, withToken atomic.Int32
}

func newElsewhere(t *testing.T) *elsewhere {
	e := &elsewhere{}
	e.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.requests.Add(1)
		if r.Header.Get("Authorization") != "" {
			e.withToken.Add(1)
		}
		fmt.Fprint(w, list("0", "1", "0"))
	}))
	t.Cleanup(e.Close)
	return e
}

// Redirects are followed on the configured origin only (DESIGN.md §7), whatever the caller's
// http.Client would do: another port, another host name for the same address and another scheme
// are other origins.
func TestRedirectsNeverLeaveTheOrigin(t *testing.T) {
	other := newElsewhere(t)
	followAll := func(_ *http.Request, via []*http.Request) error { // Go's own policy
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	for _, hc := range []struct {
		name string
		c    *http.Client
	}{
		{"default client", nil},
		{"caller's client", &http.Client{}},
		{"caller's client that follows every redirect", &http.Client{CheckRedirect: followAll}},
	} {
		for _, to := range []func(ts *httptest.Server, r *http.Request) string{
			func(_ *httptest.Server, r *http.Request) string { return other.URL + r.URL.RequestURI() }, // another port
			func(ts *httptest.Server, r *http.Request) string { // another host name, same port
				return strings.Replace(ts.URL, "127.0.0.1", "localhost", 1) + r.URL.RequestURI()
			},
			func(ts *httptest.Server, r *http.Request) string { // another scheme
				return strings.Replace(ts.URL, "http:", "https:", 1) + r.URL.RequestURI()
			},
		} {
			for _, status := range []int{http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
				var ts *httptest.Server
				ts = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					http.Redirect(w, r, to(ts, r), status)
				}))
				t.Cleanup(ts.Close)
				c, err := clickup.NewSCIM(clickup.SCIMOptions{BaseURL: ts.URL + "/scim/v2/42", Token: token, RoleSchema: extURN,
					AllowInsecureHTTP: true, HTTPClient: hc.c})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := c.ListUsers(t.Context()); !errors.Is(err, endpoint.ErrCrossOrigin) || strings.Contains(err.Error(), token) {
					t.Errorf("%s, %d: %v, want the redirect refused", hc.name, status, err)
				}
				if err := c.SetActive(t.Context(), "7", false); !errors.Is(err, endpoint.ErrCrossOrigin) {
					t.Errorf("%s, %d, PATCH: %v, want the redirect refused", hc.name, status, err)
				}
			}
		}
	}
	if n, tok := other.requests.Load(), other.withToken.Load(); n != 0 || tok != 0 {
		t.Errorf("the other port got %d requests, %d of them with the token", n, tok)
	}

	t.Run("REST", func(t *testing.T) {
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+r.URL.RequestURI(), http.StatusTemporaryRedirect)
		}))
		t.Cleanup(ts.Close)
		c, err := clickup.NewREST(clickup.RESTOptions{BaseURL: ts.URL + "/api/v2", Token: "pk_42_ABC", WorkspaceID: "1",
			AllowInsecureHTTP: true, HTTPClient: &http.Client{CheckRedirect: followAll}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.WorkspaceOwner(t.Context()); !errors.Is(err, endpoint.ErrCrossOrigin) {
			t.Errorf("GET /team: %v, want the redirect refused", err)
		}
		if _, err := c.ListCustomRoles(t.Context()); !errors.Is(err, endpoint.ErrCrossOrigin) {
			t.Errorf("GET customroles: %v, want the redirect refused", err)
		}
		if n := other.requests.Load(); n != 0 {
			t.Errorf("the other port got %d requests", n)
		}
	})
}

// A redirect that stays on the origin is followed, with the token, a bounded number of times.
func TestRedirectOnTheOriginIsFollowed(t *testing.T) {
	var hops atomic.Int32
	c := newHandlerWith(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Header.Get("Authorization") != "Bearer "+token:
			t.Errorf("%s without the token", r.URL)
		case strings.HasPrefix(r.URL.Path, "/scim/v2/42/"):
			http.Redirect(w, r, "/v2"+strings.TrimPrefix(r.URL.RequestURI(), "/scim/v2/42"), http.StatusPermanentRedirect)
		case r.URL.Path == "/v2/Users":
			hops.Add(1)
			fmt.Fprint(w, list("1", "1", "1", res("7")))
		case r.URL.Path == "/v2/Users/7":
			body, _ := io.ReadAll(r.Body)
			if !strings.Contains(string(body), `"active":false`) {
				t.Errorf("PATCH followed without its body: %s", body)
			}
			fmt.Fprint(w, `{"id":"7","userName":"u7@x.io","active":false}`)
		}
	}, clickup.SCIMOptions{RoleSchema: extURN, PageSize: 2})
	if users, err := c.ListUsers(t.Context()); err != nil || len(users) != 1 || hops.Load() != 1 {
		t.Fatalf("%v %v", users, err)
	}
	if err := c.SetActive(t.Context(), "7", false); err != nil {
		t.Fatal(err)
	}

	loop := newHandlerWith(t, func(w http.ResponseWriter, r *http.Request) {
		u, _ := url.Parse(r.URL.RequestURI())
		http.Redirect(w, r, u.Path+"/again?"+u.RawQuery, http.StatusTemporaryRedirect)
	}, clickup.SCIMOptions{RoleSchema: extURN, Retry: noRetries()})
	if _, err := loop.ListUsers(t.Context()); err == nil || !strings.Contains(err.Error(), "redirects") {
		t.Errorf("a redirect loop: %v", err)
	}
}
