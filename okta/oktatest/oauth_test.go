package oktatest_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/okta-clickup-sync/okta-clickup-sync/okta/oktatest"
)

const svcClientID = "0oasvc"

func signJWT(t *testing.T, key *rsa.PrivateKey, header, claims map[string]any) string {
	t.Helper()
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	signing := enc(header) + "." + enc(claims)
	d := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, d[:])
	if err != nil {
		t.Fatal(err)
	}
	return signing + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func requestToken(t *testing.T, s *oktatest.Server, method, assertion, scope string) (int, map[string]any) {
	t.Helper()
	q := url.Values{
		"grant_type":            {"client_credentials"},
		"scope":                 {scope},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
		"client_assertion":      {assertion},
	}
	req, err := http.NewRequestWithContext(t.Context(), method, s.URL()+oktatest.TokenPath+"?"+q.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var body map[string]any
	if err := json.Unmarshal(b, &body); err != nil {
		t.Fatalf("token response is not JSON: %s", b)
	}
	return resp.StatusCode, body
}

func TestServer_Token(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	s := oktatest.NewServer(oktatest.Options{})
	t.Cleanup(s.Close)
	s.AddApp(appID, "ClickUp")
	s.RegisterServiceApp(svcClientID, "k1", &key.PublicKey, []string{"okta.apps.read"})
	now := time.Now().Unix()
	claims := func(edit func(map[string]any)) map[string]any {
		c := map[string]any{"iss": svcClientID, "sub": svcClientID, "aud": s.URL() + oktatest.TokenPath, "iat": now, "exp": now + 3600}
		if edit != nil {
			edit(c)
		}
		return c
	}
	hdr := map[string]any{"alg": "RS256", "kid": "k1"}

	status, body := requestToken(t, s, http.MethodPost, signJWT(t, key, hdr, claims(nil)), "okta.apps.read")
	if status != http.StatusOK || body["token_type"] != "Bearer" || body["access_token"] == "" || body["expires_in"] != float64(3600) || body["scope"] != "okta.apps.read" {
		t.Fatalf("valid assertion: %d %v", status, body)
	}
	tok, _ := body["access_token"].(string)
	for _, tc := range []struct {
		bearer string
		status int
	}{{tok, http.StatusOK}, {"made-up", http.StatusUnauthorized}} {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, s.URL()+"/api/v1/apps/"+appID, nil)
		req.Header.Set("Authorization", "Bearer "+tc.bearer)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("GET app with bearer %q: %d, want %d", tc.bearer, resp.StatusCode, tc.status)
		}
	}

	for _, tc := range []struct {
		name      string
		method    string
		assertion string
		scope     string
		status    int
		error     string
	}{
		{"GET", http.MethodGet, signJWT(t, key, hdr, claims(nil)), "okta.apps.read", http.StatusMethodNotAllowed, "invalid_request"},
		{"WrongAudience", http.MethodPost, signJWT(t, key, hdr, claims(func(c map[string]any) { c["aud"] = "https://other.okta.com/oauth2/v1/token" })), "okta.apps.read", http.StatusUnauthorized, "invalid_client"},
		{"Expired", http.MethodPost, signJWT(t, key, hdr, claims(func(c map[string]any) { c["exp"] = now - 10 })), "okta.apps.read", http.StatusUnauthorized, "invalid_client"},
		{"TooLong", http.MethodPost, signJWT(t, key, hdr, claims(func(c map[string]any) { c["exp"] = now + 7200 })), "okta.apps.read", http.StatusUnauthorized, "invalid_client"},
		{"SubDiffers", http.MethodPost, signJWT(t, key, hdr, claims(func(c map[string]any) { c["sub"] = "someone" })), "okta.apps.read", http.StatusUnauthorized, "invalid_client"},
		{"UnknownClient", http.MethodPost, signJWT(t, key, hdr, claims(func(c map[string]any) { c["iss"], c["sub"] = "0oanobody", "0oanobody" })), "okta.apps.read", http.StatusUnauthorized, "invalid_client"},
		{"HS256", http.MethodPost, signJWT(t, key, map[string]any{"alg": "HS256"}, claims(nil)), "okta.apps.read", http.StatusUnauthorized, "invalid_client"},
		{"Tampered", http.MethodPost, strings.Replace(signJWT(t, key, hdr, claims(nil)), ".", ".e30", 1), "okta.apps.read", http.StatusUnauthorized, "invalid_client"},
		{"NoScope", http.MethodPost, signJWT(t, key, hdr, claims(nil)), "", http.StatusBadRequest, "invalid_scope"},
		{"ScopeNotGranted", http.MethodPost, signJWT(t, key, hdr, claims(nil)), "okta.users.manage", http.StatusBadRequest, "invalid_scope"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := requestToken(t, s, tc.method, tc.assertion, tc.scope)
			if status != tc.status || body["error"] != tc.error {
				t.Fatalf("%d %v, want %d %s", status, body, tc.status, tc.error)
			}
		})
	}

	t.Run("ReplayedJTI", func(t *testing.T) {
		a := signJWT(t, key, hdr, claims(func(c map[string]any) { c["jti"] = "once" }))
		if status, body := requestToken(t, s, http.MethodPost, a, "okta.apps.read"); status != http.StatusOK {
			t.Fatalf("first use: %d %v", status, body)
		}
		if status, body := requestToken(t, s, http.MethodPost, a, "okta.apps.read"); status != http.StatusUnauthorized {
			t.Fatalf("replay: %d %v, want 401", status, body)
		}
	})
}

func TestServer_AppUserSchema(t *testing.T) {
	s, _ := newOrg(t, 0)
	r := get(t, s.URL()+"/api/v1/meta/schemas/apps/"+appID+"/default", s.Token())
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	var doc struct {
		Definitions struct {
			Custom struct {
				Properties map[string]struct {
					Enum  []string `json:"enum"`
					OneOf []struct {
						Const string `json:"const"`
					} `json:"oneOf"`
				} `json:"properties"`
			} `json:"custom"`
		} `json:"definitions"`
	}
	if err := json.Unmarshal(r.body, &doc); err != nil {
		t.Fatal(err)
	}
	role := doc.Definitions.Custom.Properties["role"]
	if strings.Join(role.Enum, ",") != "admin,member,guest" || len(role.OneOf) != 3 {
		t.Errorf("role = %+v, want enum and oneOf admin, member, guest", role)
	}
	wantError(t, get(t, s.URL()+"/api/v1/meta/schemas/apps/0oanope/default", s.Token()), http.StatusNotFound, "E0000007")
	wantError(t, get(t, s.URL()+"/api/v1/meta/schemas/apps/"+appID+"/default", "wrong"), http.StatusUnauthorized, "E0000011")
}
