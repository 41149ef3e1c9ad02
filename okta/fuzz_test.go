package okta

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/okta-clickup-sync/okta-clickup-sync/internal/endpoint"
	"github.com/okta-clickup-sync/okta-clickup-sync/internal/httpretry"
	"github.com/okta-clickup-sync/okta-clickup-sync/internal/httpretry/httpretrytest"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// FuzzDecodeAppUsers feeds arbitrary bodies to the decoding of an app users page. No body may
// panic; a page decodes only when it is one JSON array, then into as many users as it has
// entries, each with what the entitlement decision rests on, and as decoding the whole body at
// once with encoding/json would; anything else is malformed, with a short message.
func FuzzDecodeAppUsers(f *testing.F) {
	user := `{"id":"00u1","status":"PROVISIONED","scope":"USER","profile":{"role":"admin","customRoleName":"Auditor","customRoleId":998877},` +
		`"_embedded":{"user":{"id":"00u1","status":"ACTIVE","profile":{"login":"a@x.io","email":"a@x.io","firstName":"A","lastName":"B"}}}}`
	for _, s := range []string{
		"[" + user + "]",
		"[" + user + "," + strings.ReplaceAll(user, "00u1", "00u2") + "]",
		"[" + user + "," + user + "]",
		"[]", "", " null ", "{}", `"[]"`, "[] []", "[null]", "[1]",
		`[{"id":"00u1"}]`,
		`[{"id":"00u1","status":"ACTIVE","_embedded":{"user":"00u1"}}]`,
		`[{"id":"00u1","status":"ACTIVE","_embedded":{"User":{"id":"00u1","status":"ACTIVE"}}}]`,
		`[{"id":"00u1","status":"ACTIVE","profile":["admin"],"_embedded":{"user":{"id":"00u1","status":"ACTIVE"}}}]`,
		`[{"id":"00u1","status":"ACTIVE","profile":{"role":1e300},"_embedded":{"user":{"id":"00u1","status":"ACTIVE","profile":{"login":7}}}}]`,
		`[{"id":"00u1","status":"ACTIVE","profile":{"role":" x ","role":-0,"customRoleId":1.5e3},"_embedded":{"user":{"ID":"00u1","Status":"ACTIVE","status":null,"profile":{"email":"\u0061"},"PROFILE":{"login":"\u0061","lastName":null}}}}]`,
		`[{"id":"00u1","status":"ACTIVE","_embedded":{"user":{"id":"00u2","status":"ACTIVE"}}}]`,
		`[{"id":"00u1","status":"ACTIVE","_embedded":{"user":{"id":7,"status":[],"profile":"p"}}}]`,
		`[{"id":"00u1","status":"ACTIVE","profile":{"role":1e999},"_embedded":{"user":{"id":"00u1","status":"ACTIVE"}}}]`,
		`[{"id":"00u1","status":"ACTIVE","_embedded":{"\u0075ser":{"id":"00u1","status":"ACTIVE","profile":{"firstName":"\ud800"}}}}] trailing`,
		`{"errorCode":"E0000011"}`,
		`[{"id":`,
	} {
		f.Add([]byte(s))
	}
	c := &Client{keys: roleKeys{DefaultRoleAttribute, DefaultCustomRoleNameAttribute, DefaultCustomRoleIDAttribute}}
	f.Fuzz(func(t *testing.T, body []byte) {
		d := appUserDecoder{c: c, request: "GET /x", byID: map[string]struct{}{}}
		err := d.decode(rawPage{1, body})
		if err != nil {
			if !errors.Is(err, core.ErrMalformed) {
				t.Fatalf("body %q: error %v is not ErrMalformed", body, err)
			}
			if n := len(err.Error()); n > 600 {
				t.Fatalf("body %q: error of %d bytes", body, n)
			}
		}
		var entries []json.RawMessage
		isArray := json.Unmarshal(body, &entries) == nil && kindOf(body) == kindArray
		if err == nil && (!isArray || len(d.users) != len(entries)) {
			t.Fatalf("body %q decoded into %d users, but it is not an array of as many entries", body, len(d.users))
		}
		for _, u := range d.users {
			if u.ID == "" || u.AppStatus == "" || u.UserStatus == "" {
				t.Fatalf("body %q: user %+v without an id or a status", body, u)
			}
		}
		// Decoding the whole page at once, as encoding/json does, agrees wherever it succeeds.
		var whole []*appUser
		if !isArray || json.Unmarshal(body, &whole) != nil {
			if err == nil {
				t.Fatalf("body %q decoded, but encoding/json refuses it whole", body)
			}
			return
		}
		var want []core.OktaUser
		for i, au := range whole {
			u, jerr := c.joinAppUser(au, i, nil)
			if jerr != nil {
				return // the page is refused, which err said or the duplicate check did
			}
			want = append(want, u)
		}
		if err == nil && !reflect.DeepEqual(d.users, want) {
			t.Fatalf("body %q:\n users %+v\n  want %+v", body, d.users, want)
		}
	})
}

// roundTripper answers every request in memory.
type roundTripper func(*http.Request) *http.Response

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r), nil }

func answer(r *http.Request, link, body string) *http.Response {
	h := http.Header{"Content-Type": {"application/json"}}
	if link != "" {
		h.Set("Link", link)
	}
	return &http.Response{StatusCode: 200, Header: h, Body: io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)), Request: r}
}

// FuzzLinkHeader sends arbitrary Link headers: to nextLink, and through the whole client to a
// listing and to the SDK's own reading of the OAuth token endpoint's answer, which dereferences
// a nil URL on some of them unless the transport refuses them first. No header may panic; a
// next link that is followed stays on the org's origin; a header refused is malformed.
func FuzzLinkHeader(f *testing.F) {
	for _, s := range []string{
		`<https://acme.okta.com/api/v1/apps/0oa1/users?after=00u2&limit=500>; rel="next"`,
		`<https://acme.okta.com/api/v1/apps/0oa1/users>; rel="self", <https://acme.okta.com/api/v1/apps/0oa1/users?after=x>; rel="next"`,
		`</api/v1/apps/0oa1/users?after=x>; rel=next; title="a, b"`,
		`<%zz>; rel="next"`, `<http://[::1>; rel="next"`, `https://acme.okta.com/x; rel="next"`,
		`<../../etc/passwd>; rel="next"`, `<http://evil.example/api/v1/apps/0oa1/users>; rel="next"`,
		`<>; rel="next"`, `<`, `; rel="next"`, `<a>; rel="next", <b>; rel="next"`, `<a>; rel="`,
	} {
		f.Add(s)
	}
	base, _ := url.Parse("https://acme.okta.com/api/v1/apps/0oa1/users?limit=500&expand=user")
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		f.Fatal(err)
	}
	keyPEM := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
	f.Fuzz(func(t *testing.T, link string) {
		next, err := nextLink(http.Header{"Link": {link}}, base)
		switch {
		case err != nil && !errors.Is(err, core.ErrMalformed):
			t.Fatalf("Link %q: error %v is not ErrMalformed", link, err)
		case err != nil && len(err.Error()) > 600:
			t.Fatalf("Link %q: error of %d bytes", link, len(err.Error()))
		case next != nil && endpoint.OriginOf(next) != endpoint.OriginOf(base):
			t.Fatalf("Link %q: next link %v leaves the origin", link, next)
		}

		// The listing's first page carries the header; any page after it is the last.
		var requests int
		o := Options{OrgURL: "https://acme.okta.com", AppID: "0oa1", Token: "t", Retry: httpretry.Policy{Sleep: httpretrytest.NoSleep},
			HTTPClient: &http.Client{Transport: roundTripper(func(r *http.Request) *http.Response {
				requests++
				if r.URL.Host != "acme.okta.com" {
					t.Errorf("Link %q: a request to %s", link, r.URL)
				}
				if requests == 1 {
					return answer(r, link, "[]")
				}
				return answer(r, "", "[]")
			})}}
		c, err := New(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.ListAppUsers(context.Background()); err != nil && !errors.Is(err, core.ErrMalformed) {
			t.Fatalf("Link %q: listing error %v is not ErrMalformed", link, err)
		}

		// The SDK reads the token endpoint's answer itself.
		o = Options{OrgURL: "https://acme.okta.com", AppID: "0oa1", ClientID: "0oaclient", PrivateKey: keyPEM, Scopes: []string{"okta.apps.read"},
			Retry: httpretry.Policy{Sleep: httpretrytest.NoSleep},
			HTTPClient: &http.Client{Transport: roundTripper(func(r *http.Request) *http.Response {
				if r.URL.Path == "/oauth2/v1/token" {
					return answer(r, link, `{"token_type":"Bearer","expires_in":3600,"access_token":"at"}`)
				}
				return answer(r, "", `{"id":"0oa1"}`)
			})}}
		if c, err = New(context.Background(), o); err != nil {
			t.Fatal(err)
		}
		if _, err := c.App(context.Background()); err != nil && !errors.Is(err, core.ErrMalformed) {
			t.Fatalf("Link %q on the token answer: error %v is not ErrMalformed", link, err)
		}
	})
}
