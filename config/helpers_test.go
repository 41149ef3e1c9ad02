package config_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/okta-clickup-sync/okta-clickup-sync/config"
)

// secretValue is planted wherever a secret could leak; no output may ever contain it.
const secretValue = "s3cr3t-TOKEN"

// env is an injected environment.
type env map[string]string

func (e env) lookup(name string) (string, bool) {
	v, ok := e[name]
	return v, ok
}

// rsaKey is generated once: 2048-bit generation is slow under -race, and every test may share it.
var rsaKey = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })

// MustRSAKeyPEM returns a 2048-bit RSA key as PKCS#8 ("PRIVATE KEY") or PKCS#1 ("RSA PRIVATE KEY").
func MustRSAKeyPEM(tb testing.TB, pkcs8 bool) string {
	tb.Helper()
	k, err := rsaKey()
	if err != nil {
		tb.Fatal(err)
	}
	return encodeKey(tb, k, pkcs8)
}

func encodeKey(tb testing.TB, k any, pkcs8 bool) string {
	tb.Helper()
	if !pkcs8 {
		return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k.(*rsa.PrivateKey))}))
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		tb.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

func MustECKeyPEM(tb testing.TB) string {
	tb.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	return encodeKey(tb, k, true)
}

// MustWriteFile writes content to name in a fresh temporary directory and returns the path.
func MustWriteFile(tb testing.TB, name, content string) string {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		tb.Fatal(err)
	}
	return p
}

// validConfig is the smallest configuration Validate accepts; cases mutate a copy.
func validConfig() config.Config {
	c := config.Default()
	c.Okta.OrgURL = "https://acme.okta.com"
	c.Okta.AppID = "0oa1clickup"
	c.Okta.APIToken = config.Secret("00okta-api-token")
	c.ClickUp.SCIMBaseURL = "https://api.clickup.com/scim/v2/9012345"
	c.ClickUp.SCIMToken = config.Secret("scim-token-123")
	return c
}

// assertErrContains fails unless err is non-nil and its text contains every want.
func assertErrContains(tb testing.TB, err error, want ...string) {
	tb.Helper()
	if err == nil {
		tb.Fatalf("got no error, want one containing %q", want)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			tb.Errorf("error does not contain %q:\n%v", w, err)
		}
	}
}

// assertNoLeak fails if s contains the planted secret or any secret of c.
func assertNoLeak(tb testing.TB, s string, secrets ...string) {
	tb.Helper()
	for _, v := range append(secrets, secretValue) {
		if v != "" && strings.Contains(s, v) {
			tb.Errorf("output leaks secret %q:\n%s", v, s)
		}
	}
}

// settingErrors returns the *config.SettingError values joined in err.
func settingErrors(err error) []*config.SettingError {
	var out []*config.SettingError
	var walk func(error)
	walk = func(err error) {
		if se, ok := err.(*config.SettingError); ok {
			out = append(out, se)
			return
		}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
			return
		}
		if e := errors.Unwrap(err); e != nil {
			walk(e)
		}
	}
	walk(err)
	return out
}

// environ renders the injected environment as os.Environ() does.
func (e env) environ() []string {
	var out []string
	for k, v := range e {
		out = append(out, k+"="+v)
	}
	return out
}
