package clickup

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

const fuzzUser = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","` + DefaultRoleSchema + `"],"id":"184","externalId":"00u1",` +
	`"userName":"jane@x.io","name":{"givenName":"Jane","familyName":"Doe"},"emails":[{"value":"jane@x.io","primary":true}],"active":true,` +
	`"` + DefaultRoleSchema + `":{"role":"admin","customRoleId":998877,"customRoleName":"admin custom"}}`

func fuzzClient(t testing.TB, rt http.RoundTripper) *SCIMClient {
	c, err := NewSCIM(SCIMOptions{BaseURL: "https://clickup.invalid/scim/v2/1", Token: "t", RoleSchema: DefaultRoleSchema,
		HTTPClient: &http.Client{Transport: rt}, PageSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// FuzzDecodeUser: no SCIM user resource may panic the decoder, and one that decodes has an id,
// a userName, and a PUT built from what was kept of it sends back the same user and every
// member it had (keepsWhatAPutSendsBack).
func FuzzDecodeUser(f *testing.F) {
	for _, s := range append(decodeCases,
		fuzzUser,
		`{"id":"1","userName":"u","active":false}`,
		`{"id":1,"userName":"u","active":true}`,
		`{"id":"1","userName":"u","active":"True"}`,
		`{"id":"1","userName":"u","active":true,"`+DefaultRoleSchema+`":{"role":["a"]}}`,
		`{"id":"1","userName":"u","active":true,"`+DefaultRoleSchema+`":{"customRoleId":1.5}}`,
		`{"id":"1","userName":"u","active":true,"`+DefaultRoleSchema+`":null}`,
		`{"id":"1","userName":"u","active":true} trailing`,
		`[]`, `null`, `{"id":`,
	) {
		f.Add([]byte(s))
	}
	cs := decodeClients(f)
	f.Fuzz(func(t *testing.T, raw []byte) {
		for _, c := range cs {
			keepsWhatAPutSendsBack(t, c, raw)
		}
	})
}

// fixedBody answers every request with one body, in process.
type fixedBody []byte

func (b fixedBody) RoundTrip(*http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {mediaTypeSCIM}},
		Body: io.NopCloser(bytes.NewReader(b))}, nil
}

// FuzzListUsers: whatever the ListResponse, ListUsers returns all users or an error, never
// part of a listing, never a user without an id, never one id twice.
func FuzzListUsers(f *testing.F) {
	page := func(total, start, items string, rs ...string) string {
		return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":` + total +
			`,"startIndex":` + start + `,"itemsPerPage":` + items + `,"Resources":[` + strings.Join(rs, ",") + `]}`
	}
	u2 := strings.Replace(fuzzUser, `"184"`, `"185"`, 1)
	for _, s := range []string{
		page("2", "1", "2", fuzzUser, u2),
		page("0", "1", "0"),
		page("1", "1", "1", fuzzUser),
		page("3", "1", "2", fuzzUser, u2),
		page(`"2"`, "1", "2", fuzzUser, u2),
		page("2", "1", "2.0", fuzzUser, u2),
		page("2", "1", "2", fuzzUser, fuzzUser),
		page("-1", "1", "0"),
		page("99999999999", "1", "1", fuzzUser),
		`{"totalResults":1}`,
		`{"bad json`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		c := fuzzClient(t, fixedBody(body))
		users, err := c.ListUsers(context.Background())
		if err != nil {
			if users != nil {
				t.Errorf("%d users returned with the error %v", len(users), err)
			}
			return
		}
		seen := map[string]bool{}
		for _, u := range users {
			if u.ID == "" || u.UserName == "" || seen[u.ID] {
				t.Errorf("listed %+v from %q", u, body)
			}
			seen[u.ID] = true
		}
	})
}
