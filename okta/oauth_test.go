package okta_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/okta-clickup-sync/okta-clickup-sync/okta"
	"github.com/okta-clickup-sync/okta-clickup-sync/okta/oktatest"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

const (
	clientID = "0oaserviceapp01"
	keyID    = "kid-2026"
)

// Key generation is the slow part of these tests; two keys serve them all.
var testKeys = sync.OnceValues(func() (*rsa.PrivateKey, *rsa.PrivateKey) {
	gen := func() *rsa.PrivateKey {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		return k
	}
	return gen(), gen()
})

func pkcs8PEM(t *testing.T, k any) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

func pkcs1PEM(k *rsa.PrivateKey) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}))
}

// oauthClient points a client at the fake with OAuth settings instead of the SSWS token.
func oauthClient(t *testing.T, s *oktatest.Server, key string, scopes ...string) *okta.Client {
	t.Helper()
	return newClient(t, s, func(o *okta.Options) {
		o.Token = ""
		o.ClientID, o.PrivateKey, o.PrivateKeyID, o.Scopes = clientID, key, keyID, scopes
	})
}

func tokenRequests(s *oktatest.Server) int {
	n := 0
	for _, r := range s.Requests() {
		if r.Method == "POST" && r.Path == oktatest.TokenPath {
			n++
		}
	}
	return n
}

func TestClient_OAuth(t *testing.T) {
	key, _ := testKeys()
	for _, tc := range []struct {
		name string
		pem  string
	}{
		{"PKCS8", pkcs8PEM(t, key)},
		{"PKCS1", pkcs1PEM(key)},
		// A key pasted into a one-line environment variable.
		{"EscapedNewlines", strings.ReplaceAll(pkcs8PEM(t, key), "\n", `\n`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newFake(t)
			s.RegisterServiceApp(clientID, keyID, &key.PublicKey, []string{"okta.apps.read", "okta.users.read"})
			u := s.AddUser(oktatest.User{Login: "ann@x.io", Email: "ann@x.io", FirstName: "Ann", LastName: "A"})
			s.Assign(appID, u.ID, "", map[string]any{"role": "admin"})
			c := oauthClient(t, s, tc.pem, "okta.apps.read", "okta.users.read")

			for range 2 {
				users, err := c.ListAppUsers(t.Context())
				if err != nil {
					t.Fatalf("ListAppUsers: %v", err)
				}
				if len(users) != 1 || users[0].ID != u.ID || users[0].Role != "admin" {
					t.Fatalf("users = %+v, want Ann as admin", users)
				}
			}
			// The access token is cached: one token request serves both listings.
			if n := tokenRequests(s); n != 1 {
				t.Errorf("%d token requests, want 1", n)
			}
			if n := s.AccessTokens(); n != 1 {
				t.Errorf("%d access tokens issued, want 1", n)
			}
		})
	}
}

func TestClient_OAuth_Refused(t *testing.T) {
	key, other := testKeys()
	for _, tc := range []struct {
		name       string
		registered *rsa.PrivateKey
		granted    []string
		kid        string
		asked      []string
		want       string // in the error
	}{
		{"WrongKey", other, []string{"okta.apps.read"}, keyID, []string{"okta.apps.read"}, "signature does not verify"},
		{"WrongKid", key, []string{"okta.apps.read"}, "kid-other", []string{"okta.apps.read"}, "kid"},
		{"ScopeNotGranted", key, []string{"okta.users.read"}, keyID, []string{"okta.apps.read"}, "scopes are not allowed: okta.apps.read"},
		{"TokenLacksScope", key, []string{"okta.users.read"}, keyID, []string{"okta.users.read"}, "HTTP 403"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newFake(t)
			s.RegisterServiceApp(clientID, tc.kid, &tc.registered.PublicKey, tc.granted)
			pemText := pkcs8PEM(t, key)
			c := oauthClient(t, s, pemText, tc.asked...)
			_, err := c.ListAppUsers(t.Context())
			if !errors.Is(err, core.ErrUnauthorized) {
				t.Fatalf("err = %v, want ErrUnauthorized", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to mention %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "PRIVATE KEY") {
				t.Errorf("the error quotes the key: %v", err)
			}
		})
	}
}

func TestNew_OAuthOptions(t *testing.T) {
	key, _ := testKeys()
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	good := pkcs8PEM(t, key)
	base := okta.Options{OrgURL: "https://acme.okta.com", AppID: appID, ClientID: clientID, PrivateKey: good, Scopes: []string{"okta.apps.read"}}
	for _, tc := range []struct {
		name    string
		edit    func(*okta.Options)
		wantErr string
	}{
		{"OK", func(*okta.Options) {}, ""},
		{"AlsoToken", func(o *okta.Options) { o.Token = "00tok" }, "both an API token and OAuth"},
		{"NoClientID", func(o *okta.Options) { o.ClientID = "" }, "client id is empty"},
		{"NoKey", func(o *okta.Options) { o.PrivateKey = "" }, "private key is empty"},
		{"NoScopes", func(o *okta.Options) { o.Scopes = nil }, "no scopes"},
		{"BadScope", func(o *okta.Options) { o.Scopes = []string{"okta.apps.read okta.users.read"} }, "not a single word"},
		{"NotPEM", func(o *okta.Options) { o.PrivateKey = "not a key" }, "not PEM"},
		{"Certificate", func(o *okta.Options) {
			o.PrivateKey = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1}}))
		}, `type "CERTIFICATE"`},
		{"SmallKey", func(o *okta.Options) { o.PrivateKey = pkcs8PEM(t, small) }, "1024-bit"},
		{"ECKey", func(o *okta.Options) { o.PrivateKey = pkcs8PEM(t, ec) }, "not an RSA key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := base
			tc.edit(&o)
			_, err := okta.New(t.Context(), o)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("New: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("New: err = %v, want %q", err, tc.wantErr)
			}
			for _, line := range strings.Split(o.PrivateKey, "\n") {
				if err != nil && len(line) > 20 && !strings.HasPrefix(line, "-----") && strings.Contains(err.Error(), line) {
					t.Errorf("the error quotes the key: %v", err)
				}
			}
		})
	}
}
