package okta

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	sdk "github.com/okta/okta-sdk-golang/v2/okta"
)

// Okta refuses service-app keys below this size.
const minRSABits = 2048

// usesOAuth reports whether the options select the OAuth 2.0 service-app flow over the SSWS token.
func (o Options) usesOAuth() bool {
	return o.ClientID != "" || o.PrivateKey != "" || o.PrivateKeyID != ""
}

// checkAuth checks that exactly one way of authenticating is configured, and that it is complete.
func (o Options) checkAuth() error {
	if !o.usesOAuth() {
		if o.Token == "" {
			return errors.New("API token is empty (or set ClientID, PrivateKey and Scopes for an OAuth service app)")
		}
		// A token read from a file with a trailing newline would make every request fail with an
		// opaque header error; say so up front, without echoing the token.
		if strings.ContainsFunc(o.Token, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
			return errors.New("API token contains whitespace or control characters")
		}
		return nil
	}
	switch {
	case o.Token != "":
		return errors.New("both an API token and OAuth service-app settings are set; use one")
	case o.ClientID == "":
		return errors.New("OAuth: client id is empty")
	case o.PrivateKey == "":
		return errors.New("OAuth: private key is empty")
	case len(o.Scopes) == 0:
		return errors.New("OAuth: no scopes (the listing needs okta.apps.read)")
	}
	for _, s := range o.Scopes {
		if s == "" || strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' }) {
			return fmt.Errorf("OAuth: scope %q is not a single word like okta.apps.read", s)
		}
	}
	if _, err := pkcs1PEM(o.PrivateKey); err != nil {
		return fmt.Errorf("OAuth: private key: %w", err)
	}
	return nil
}

// authSetters configures the SDK for the chosen authentication. Both modes are set explicitly so
// that OKTA_CLIENT_* variables or an okta.yaml can never switch the mode behind our back.
func (o Options) authSetters() ([]sdk.ConfigSetter, error) {
	if !o.usesOAuth() {
		return []sdk.ConfigSetter{sdk.WithAuthorizationMode("SSWS"), sdk.WithToken(o.Token)}, nil
	}
	key, err := pkcs1PEM(o.PrivateKey)
	if err != nil {
		return nil, fmt.Errorf("OAuth: private key: %w", err)
	}
	return []sdk.ConfigSetter{
		sdk.WithAuthorizationMode("PrivateKey"),
		sdk.WithClientId(o.ClientID),
		sdk.WithScopes(append([]string(nil), o.Scopes...)),
		sdk.WithPrivateKey(key),
		sdk.WithPrivateKeyId(o.PrivateKeyID),
	}, nil
}

// pkcs1PEM returns the RSA key as PKCS#1 PEM text. The SDK signs only with PKCS#1 keys and says so
// only at the first request, while Okta's admin console hands out PKCS#8: converting here makes
// both work and moves every key problem to start-up. Errors describe the key, never quote it.
func pkcs1PEM(text string) (string, error) {
	// Keys pasted into one-line environment variables often carry literal \n; the SDK accepts
	// them too.
	if !strings.Contains(text, "\n") {
		text = strings.ReplaceAll(text, `\n`, "\n")
	}
	block, _ := pem.Decode([]byte(text))
	if block == nil {
		return "", errors.New("not PEM (want -----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----)")
	}
	var key *rsa.PrivateKey
	switch block.Type {
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return "", errors.New("not a valid PKCS#1 RSA private key")
		}
		key = k
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return "", errors.New("not a valid PKCS#8 private key")
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return "", fmt.Errorf("a %T, not an RSA key; Okta service apps sign with RS256", k)
		}
		key = rk
	default:
		return "", fmt.Errorf("a PEM block of type %q, not a private key", block.Type)
	}
	if bits := key.N.BitLen(); bits < minRSABits {
		return "", fmt.Errorf("a %d-bit RSA key; Okta requires at least %d bits", bits, minRSABits)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})), nil
}
