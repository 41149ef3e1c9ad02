package clickuptest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"testing"

	"github.com/okta-clickup-sync/okta-clickup-sync/clickup/clickuptest"
)

const extURN = "urn:ietf:params:scim:schemas:extension:clickup:2.0:User"

type answer struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any // decoded with UseNumber, so counters show their JSON type
}

// call sends one request with the given Authorization value ("" sends none) and a JSON body.
func call(t *testing.T, method, url, auth, body string) answer {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = bytes.NewBufferString(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	a := answer{status: resp.StatusCode, header: resp.Header, raw: raw}
	if len(raw) > 0 {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&a.body); err != nil {
			t.Fatalf("%s %s: answer is not a JSON object: %v\n%s", method, url, err, raw)
		}
	}
	return a
}

// scim calls the fake's SCIM API with its token.
func scim(t *testing.T, s *clickuptest.Server, method, path, body string) answer {
	t.Helper()
	return call(t, method, s.SCIMBaseURL()+path, "Bearer "+s.SCIMToken(), body)
}

func rest(t *testing.T, s *clickuptest.Server, path string) answer {
	t.Helper()
	return call(t, http.MethodGet, s.APIBaseURL()+path, s.APIToken(), "")
}

func newServer(t *testing.T, o clickuptest.Options) *clickuptest.Server {
	t.Helper()
	s := clickuptest.NewServer(o)
	t.Cleanup(s.Close)
	return s
}

// wantSCIMError checks a SCIM error answer: the status, the status in the body as a string, and
// the scimType.
func wantSCIMError(t *testing.T, a answer, status int, scimType string) {
	t.Helper()
	if a.status != status {
		t.Fatalf("status %d, want %d: %s", a.status, status, a.raw)
	}
	if got, ok := a.body["status"].(string); !ok || got != strconv.Itoa(status) {
		t.Errorf("body status %#v, want the string %q: %s", a.body["status"], strconv.Itoa(status), a.raw)
	}
	if got, _ := a.body["scimType"].(string); got != scimType {
		t.Errorf("scimType %q, want %q: %s", got, scimType, a.raw)
	}
	if ct := a.header.Get("Content-Type"); ct != "application/scim+json; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
}

// userBody is a create body in Okta's shape with the role extension.
func userBody(userName, role string) string {
	b, _ := json.Marshal(map[string]any{
		"schemas":  []string{"urn:ietf:params:scim:schemas:core:2.0:User", extURN},
		"userName": userName,
		"name":     map[string]string{"givenName": "Ann", "familyName": "Lee"},
		"emails":   []map[string]any{{"primary": true, "value": userName, "type": "work"}},
		"active":   true,
		"password": "ignored-1",
		extURN:     map[string]string{"role": role},
	})
	return string(b)
}

func ext(t *testing.T, res any) map[string]any {
	t.Helper()
	m, _ := res.(map[string]any)
	e, ok := m[extURN].(map[string]any)
	if !ok {
		t.Fatalf("resource has no %s object: %v", extURN, res)
	}
	return e
}
