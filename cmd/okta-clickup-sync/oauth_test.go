package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
)

// The service app's key, as Okta's admin console hands it out: PKCS#8 PEM.
func TestOAuth_EndToEnd(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	pemText := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))

	h := newHarness(t)
	h.okta.RegisterServiceApp("0oasyncservice", "kid1", &key.PublicKey, []string{"okta.apps.read", "okta.users.read", "okta.schemas.read"})
	delete(h.env, "OKTA_API_TOKEN")
	h.env["OKTA_CLIENT_ID"] = "0oasyncservice"
	h.env["OKTA_PRIVATE_KEY"] = pemText
	h.env["OKTA_PRIVATE_KEY_ID"] = "kid1"
	h.person("oauth@x.io", "ACTIVE", map[string]any{"role": "guest"})

	r := h.run(t, "reconcile")
	if r.code != exitOK {
		t.Fatalf("reconcile with OAuth: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if u := h.find(t, "oauth@x.io"); u.Role != "guest" {
		t.Errorf("created with role %q, want guest", u.Role)
	}
	// The default scopes are the sync's own; the schema check says what it would need.
	r = h.run(t, "check")
	if res, detail := checkLine(t, r.stdout, "okta app user schema"); res != resultSkip || !strings.Contains(detail, "okta.schemas.read") {
		t.Errorf("schema check without okta.schemas.read: %s %q, want skip naming the scope", res, detail)
	}
	h.env["OKTA_SCOPES"] = "okta.apps.read okta.users.read okta.schemas.read"
	r = h.run(t, "check")
	if r.code != exitOK {
		t.Fatalf("check with OAuth: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if _, detail := checkLine(t, r.stdout, "okta credentials"); !strings.Contains(detail, "OAuth service app 0oasyncservice") {
		t.Errorf("credentials detail %q does not say OAuth", detail)
	}
	for _, line := range strings.Split(pemText, "\n")[1:3] {
		if strings.Contains(r.stdout+r.stderr, line) {
			t.Fatal("the private key reached the output")
		}
	}
}
