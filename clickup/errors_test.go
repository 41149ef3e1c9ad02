package clickup_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/okta-clickup-sync/okta-clickup-sync/clickup"
	"github.com/okta-clickup-sync/okta-clickup-sync/clickup/clickuptest"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

func TestSCIMErrors(t *testing.T) {
	cases := []struct {
		name     string
		status   int
		body     string
		sentinel error
		want     clickup.APIError
		text     string
	}{
		{
			name: "integer status, as in Okta's examples", status: 409, sentinel: core.ErrConflict,
			body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"detail":"User already exists in the database.","status":409}`,
			want: clickup.APIError{Detail: "User already exists in the database."},
			text: "status 409 Conflict: User already exists in the database.",
		},
		{
			name: "string status, as in RFC 7644", status: 400,
			body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400","scimType":"invalidValue","detail":"role owner cannot be assigned"}`,
			want: clickup.APIError{SCIMType: "invalidValue", Detail: "role owner cannot be assigned"},
			text: "status 400 Bad Request, scimType invalidValue: role owner cannot be assigned",
		},
		{
			name: "forbidden", status: 403, sentinel: core.ErrUnauthorized,
			body: `{"status":"403","detail":"SCIM is disabled"}`, want: clickup.APIError{Detail: "SCIM is disabled"},
		},
		{
			name: "rate limited", status: 429, sentinel: core.ErrRateLimited,
			body: `{"status":"429","detail":"Rate limit exceeded"}`, want: clickup.APIError{Detail: "Rate limit exceeded"},
		},
		{
			name: "not an error document", status: 502, body: "<html><body>" + strings.Repeat("bad gateway ", 60) + "</body></html>",
			want: clickup.APIError{Body: "<html><body>" + strings.Repeat("bad gateway ", 60)[:188] + "…"},
			text: `status 502 Bad Gateway, body "<html><body>bad gateway`,
		},
		{
			name: "status of another type", status: 500, body: `{"status":{"code":500},"detail":"x"}`,
			want: clickup.APIError{Body: `{"status":{"code":500},"detail":"x"}`},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newHandler(t, func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.body)
			})
			err := c.SetActive(t.Context(), "5", false)
			ae := wantAPIError(t, err, tc.sentinel, tc.status)
			tc.want.Service, tc.want.Method, tc.want.Path, tc.want.Status = "clickup scim", "PATCH", "/Users/5", tc.status
			if *ae != tc.want {
				t.Errorf("error\n got %+v\nwant %+v", *ae, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "deactivate user 5: clickup scim PATCH /Users/5: "+tc.text) {
				t.Errorf("error text %q", err)
			}
		})
	}
}

func TestSCIMErrorsNeverShowTheToken(t *testing.T) {
	t.Run("wrong token", func(t *testing.T) {
		s := clickuptest.NewServer(clickuptest.Options{})
		t.Cleanup(s.Close)
		c, err := clickup.NewSCIM(clickup.SCIMOptions{BaseURL: s.SCIMBaseURL(), Token: token, RoleSchema: extURN, AllowInsecureHTTP: true})
		if err != nil {
			t.Fatal(err)
		}
		users, err := c.ListUsers(t.Context())
		wantAPIError(t, err, core.ErrUnauthorized, http.StatusUnauthorized)
		if users != nil || strings.Contains(err.Error(), token) {
			t.Errorf("users %v, error %q", users, err)
		}
	})
	t.Run("a server that echoes it", func(t *testing.T) {
		c := newHandler(t, func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"status":"401","detail":"token `+r.Header.Get("Authorization")+` is revoked"}`)
		})
		_, err := c.ListUsers(t.Context())
		if !errors.Is(err, core.ErrUnauthorized) || strings.Contains(err.Error(), token) || !strings.Contains(err.Error(), "[REDACTED]") {
			t.Errorf("error %q", err)
		}
	})
	t.Run("a transport failure", func(t *testing.T) {
		ts := httptest.NewServer(http.NotFoundHandler())
		ts.Close()
		c, err := clickup.NewSCIM(clickup.SCIMOptions{BaseURL: ts.URL + "/scim", Token: token, AllowInsecureHTTP: true})
		if err != nil {
			t.Fatal(err)
		}
		err = c.SetActive(t.Context(), "5", true)
		if err == nil || strings.Contains(err.Error(), token) || !strings.HasPrefix(err.Error(), "reactivate user 5: clickup scim PATCH /Users/5: ") {
			t.Errorf("error %q", err)
		}
	})
	t.Run("a redirect", func(t *testing.T) {
		var leaked bool
		other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			leaked = r.Header.Get("Authorization") != ""
		}))
		t.Cleanup(other.Close)
		c := newHandler(t, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+"/Users", http.StatusTemporaryRedirect)
		})
		if _, err := c.ListUsers(t.Context()); err == nil || leaked {
			t.Errorf("redirect followed: %v, token sent on: %t", err, leaked)
		}
	})
}
