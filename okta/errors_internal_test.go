package okta

import (
	"errors"
	"strings"
	"testing"
)

func TestAPIErrorRedactsCredentials(t *testing.T) {
	const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiIwb2EifQ.c2lnbmF0dXJl"
	cause := errors.New(`Post "https://acme.okta.com/oauth2/v1/token?client_assertion=` + jwt +
		`&client_assertion_type=urn%3Aietf&grant_type=client_credentials": dial tcp: connection refused`)
	e := &APIError{Op: "list app users", Request: "GET /api/v1/apps/x/users", Err: cause, token: "ssws-token"}
	msg := e.Error()
	if strings.Contains(msg, jwt) || !strings.Contains(msg, "client_assertion=[REDACTED]&client_assertion_type") {
		t.Fatalf("the client assertion reached the error: %s", msg)
	}
	e.Err = errors.New("echoed ssws-token back")
	if msg := e.Error(); strings.Contains(msg, "ssws-token") {
		t.Fatalf("the token reached the error: %s", msg)
	}
}
