package okta_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/okta-clickup-sync/okta-clickup-sync/okta"
	"github.com/okta-clickup-sync/okta-clickup-sync/okta/oktatest"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

const appID = "0oaclickup"

// newFake starts a fake org with the ClickUp app.
func newFake(t *testing.T) *oktatest.Server {
	t.Helper()
	s := oktatest.NewServer(oktatest.Options{})
	t.Cleanup(s.Close)
	s.AddApp(appID, "ClickUp")
	return s
}

// newClient points a client at the fake; edit adjusts the options.
func newClient(t *testing.T, s *oktatest.Server, edit func(*okta.Options)) *okta.Client {
	t.Helper()
	o := okta.Options{OrgURL: s.URL(), AppID: appID, Token: s.Token(), AllowInsecureHTTP: true}
	if edit != nil {
		edit(&o)
	}
	c, err := okta.New(t.Context(), o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func TestNew(t *testing.T) {
	const token = "00aSecretTokenValue"
	for _, tc := range []struct {
		name    string
		o       okta.Options
		wantErr string // substring; empty means success
	}{
		{"HTTPS", okta.Options{OrgURL: "https://acme.okta.com/", AppID: appID, Token: token}, ""},
		{"LoopbackV4", okta.Options{OrgURL: "http://127.0.0.2:8080", AppID: appID, Token: token, AllowInsecureHTTP: true}, ""},
		{"LoopbackV6", okta.Options{OrgURL: "http://[::1]:8080", AppID: appID, Token: token, AllowInsecureHTTP: true}, ""},
		{"Localhost", okta.Options{OrgURL: "http://LocalHost:8080", AppID: appID, Token: token, AllowInsecureHTTP: true}, ""},
		{"HTTPNotAllowed", okta.Options{OrgURL: "http://127.0.0.1:8080", AppID: appID, Token: token}, "must use https, not http"},
		{"HTTPNotLoopback", okta.Options{OrgURL: "http://acme.okta.com", AppID: appID, Token: token, AllowInsecureHTTP: true}, `http is allowed only to a loopback address (127.0.0.0/8, ::1, localhost), not "acme.okta.com"`},
		{"HTTPPrivateIP", okta.Options{OrgURL: "http://10.0.0.1", AppID: appID, Token: token, AllowInsecureHTTP: true}, "only to a loopback address"},
		{"OtherScheme", okta.Options{OrgURL: "ftp://acme.okta.com", AppID: appID, Token: token}, "must use https"},
		{"EmptyURL", okta.Options{AppID: appID, Token: token}, "org URL is empty"},
		{"BadURL", okta.Options{OrgURL: "https://acme .okta.com", AppID: appID, Token: token}, "org URL"},
		{"NoHost", okta.Options{OrgURL: "acme.okta.com", AppID: appID, Token: token}, "must be an absolute URL"},
		{"Path", okta.Options{OrgURL: "https://acme.okta.com/api/v1", AppID: appID, Token: token}, "scheme and host only"},
		{"UserInfo", okta.Options{OrgURL: "https://me:pw@acme.okta.com", AppID: appID, Token: token}, "must not contain credentials"},
		{"NoAppID", okta.Options{OrgURL: "https://acme.okta.com", Token: token}, "app id is empty"},
		{"AppIDPath", okta.Options{OrgURL: "https://acme.okta.com", AppID: "../users", Token: token}, "not an Okta id"},
		{"NoToken", okta.Options{OrgURL: "https://acme.okta.com", AppID: appID}, "token is empty"},
		{"TokenNewline", okta.Options{OrgURL: "https://acme.okta.com", AppID: appID, Token: token + "\n"}, "whitespace"},
		{"PageLimitHigh", okta.Options{OrgURL: "https://acme.okta.com", AppID: appID, Token: token, PageLimit: 501}, "page limit 501"},
		{"PageLimitNegative", okta.Options{OrgURL: "https://acme.okta.com", AppID: appID, Token: token, PageLimit: -1}, "page limit -1"},
		{"EventPageLimitHigh", okta.Options{OrgURL: "https://acme.okta.com", AppID: appID, Token: token, EventPageLimit: 1001}, "event page limit 1001"},
		{"EventPageLimitNegative", okta.Options{OrgURL: "https://acme.okta.com", AppID: appID, Token: token, EventPageLimit: -1}, "event page limit -1"},
		{"NegativeTimeout", okta.Options{OrgURL: "https://acme.okta.com", AppID: appID, Token: token, RequestTimeout: -1}, "negative"},
		{"SDKValidation", okta.Options{OrgURL: "https://acme-admin.okta.com", AppID: appID, Token: token}, "-admin"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := okta.New(t.Context(), tc.o)
			if tc.wantErr == "" {
				if err != nil || c == nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("New accepted %+v", tc.o)
			}
			if !strings.Contains(err.Error(), tc.wantErr) || !strings.HasPrefix(err.Error(), "okta: new client: ") {
				t.Errorf("error %q, want it to start with okta: new client: and contain %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), token) {
				t.Errorf("error %q contains the token", err)
			}
		})
	}
}

// The SDK also reads OKTA_* variables; none of them may redirect, re-authenticate or re-cache
// the client.
func TestNew_IgnoresSDKEnvironment(t *testing.T) {
	s := newFake(t)
	u := s.AddUser(oktatest.User{Login: "a@example.com"})
	s.Assign(appID, u.ID, "", nil)
	for k, v := range map[string]string{
		"OKTA_CLIENT_ORGURL":               "https://evil.okta.com",
		"OKTA_CLIENT_TOKEN":                "env-token",
		"OKTA_CLIENT_AUTHORIZATIONMODE":    "Bearer",
		"OKTA_CLIENT_CACHE_ENABLED":        "true",
		"OKTA_TESTING_DISABLE_HTTPS_CHECK": "true",
	} {
		t.Setenv(k, v)
	}
	c := newClient(t, s, nil)
	for range 2 {
		if users, err := c.ListAppUsers(t.Context()); err != nil || len(users) != 1 {
			t.Fatalf("ListAppUsers: %v users, %v", len(users), err)
		}
	}
	if n := len(s.Requests()); n != 2 {
		t.Errorf("fake saw %d requests, want 2 (cache off, SSWS with our token)", n)
	}
}

func TestClient_App(t *testing.T) {
	s := newFake(t)
	t.Run("OK", func(t *testing.T) {
		a, err := newClient(t, s, nil).App(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if a != (okta.App{ID: appID, Name: "clickup", Label: "ClickUp", Status: "ACTIVE", SignOnMode: "SAML_2_0"}) {
			t.Errorf("App = %+v", a)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := newClient(t, s, func(o *okta.Options) { o.AppID = "0oanope" }).App(t.Context())
		if !errors.Is(err, core.ErrNotFound) || !strings.Contains(err.Error(), "okta: get app: GET /api/v1/apps/0oanope: not found: HTTP 404 E0000007") {
			t.Errorf("err = %v, want ErrNotFound naming the request", err)
		}
	})
	t.Run("ErrUnauthorized", func(t *testing.T) {
		_, err := newClient(t, s, func(o *okta.Options) { o.Token = "wrong-token-value" }).App(t.Context())
		if !errors.Is(err, core.ErrUnauthorized) {
			t.Errorf("err = %v, want ErrUnauthorized", err)
		}
	})
}
