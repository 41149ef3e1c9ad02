package clickup_test

import (
	"strings"
	"testing"

	"github.com/okta-clickup-sync/okta-clickup-sync/clickup"
)

func TestNewSCIM(t *testing.T) {
	ok := clickup.SCIMOptions{BaseURL: "https://api.clickup.com/scim/v2/123", Token: token, RoleSchema: extURN}
	cases := []struct {
		name    string
		edit    func(*clickup.SCIMOptions)
		wantErr string // "" for success
	}{
		{"https", func(o *clickup.SCIMOptions) {}, ""},
		{"trailing slash", func(o *clickup.SCIMOptions) { o.BaseURL += "/" }, ""},
		{"http to a remote host", func(o *clickup.SCIMOptions) {
			o.BaseURL, o.AllowInsecureHTTP = "http://scim.example.com/v2", true
		}, "http is allowed only to a loopback address"},
		{"http to loopback without the switch", func(o *clickup.SCIMOptions) { o.BaseURL = "http://127.0.0.1:8080/scim" }, "must use https"},
		{"http to 127.0.0.1", func(o *clickup.SCIMOptions) { o.BaseURL, o.AllowInsecureHTTP = "http://127.0.0.1:8080/scim", true }, ""},
		{"http to 127.9.9.9", func(o *clickup.SCIMOptions) { o.BaseURL, o.AllowInsecureHTTP = "http://127.9.9.9/scim", true }, ""},
		{"http to ::1", func(o *clickup.SCIMOptions) { o.BaseURL, o.AllowInsecureHTTP = "http://[::1]:80/scim", true }, ""},
		{"http to localhost", func(o *clickup.SCIMOptions) { o.BaseURL, o.AllowInsecureHTTP = "http://localhost:80/scim", true }, ""},
		{"http to a look-alike", func(o *clickup.SCIMOptions) {
			o.BaseURL, o.AllowInsecureHTTP = "http://127.0.0.1.evil.io/scim", true
		}, "http is allowed only to a loopback address"},
		{"credentials in the URL", func(o *clickup.SCIMOptions) { o.BaseURL = "https://me:hunter2@api.clickup.com/scim" }, "must not contain credentials"},
		{"a query", func(o *clickup.SCIMOptions) { o.BaseURL += "?x=1" }, "query"},
		{"another scheme", func(o *clickup.SCIMOptions) { o.BaseURL = "ftp://api.clickup.com/scim" }, "must use https"},
		{"no host", func(o *clickup.SCIMOptions) { o.BaseURL = "https:///scim" }, "absolute URL"},
		{"empty", func(o *clickup.SCIMOptions) { o.BaseURL = "" }, "base URL is empty"},
		{"no token", func(o *clickup.SCIMOptions) { o.Token = "" }, "token is required"},
		{"token with a newline", func(o *clickup.SCIMOptions) { o.Token = token + "\n" }, "control character"},
		{"negative page size", func(o *clickup.SCIMOptions) { o.PageSize = -1 }, "page size"},
		{"negative concurrency", func(o *clickup.SCIMOptions) { o.Concurrency = -1 }, "concurrency"},
		{"top-level role attribute named like a core attribute", func(o *clickup.SCIMOptions) {
			o.RoleSchema, o.RoleAttribute = "", "Active"
		}, "would overwrite"},
		{"the same name twice", func(o *clickup.SCIMOptions) { o.CustomRoleIDAttribute = "ROLE" }, "used twice"},
		{"an attribute path", func(o *clickup.SCIMOptions) { o.RoleAttribute = "x.role" }, "plain attribute"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := ok
			tc.edit(&o)
			c, err := clickup.NewSCIM(o)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("unexpected error %v", err)
			case tc.wantErr == "":
				if c == nil {
					t.Fatal("nil client")
				}
			case err == nil:
				t.Fatalf("accepted, want an error mentioning %q", tc.wantErr)
			case !strings.Contains(err.Error(), tc.wantErr):
				t.Errorf("error %q does not mention %q", err, tc.wantErr)
			}
			if err != nil && (strings.Contains(err.Error(), token) || strings.Contains(err.Error(), "hunter2")) {
				t.Errorf("error shows a secret: %q", err)
			}
		})
	}
}
