package okta

import (
	"bytes"
	"encoding/json"
	"testing"

	sdk "github.com/okta/okta-sdk-golang/v2/okta"
)

// FuzzDecodeAppUsers feeds arbitrary bodies of the app users listing through the decoding the
// SDK does (json.Decoder into []*sdk.AppUser) and through decodeAppUser. No body may panic,
// and a user that decodes carries everything the entitlement decision rests on.
func FuzzDecodeAppUsers(f *testing.F) {
	user := `{"id":"00u1","status":"PROVISIONED","scope":"USER","profile":{"role":"admin","customRoleName":"Auditor","customRoleId":998877},` +
		`"_embedded":{"user":{"id":"00u1","status":"ACTIVE","profile":{"login":"a@x.io","email":"a@x.io","firstName":"A","lastName":"B"}}}}`
	for _, s := range []string{
		"[" + user + "]",
		"[]",
		"[null]",
		`[{"id":"00u1"}]`,
		`[{"id":"00u1","status":"ACTIVE","_embedded":{"user":"00u1"}}]`,
		`[{"id":"00u1","status":"ACTIVE","profile":["admin"],"_embedded":{"user":{"id":"00u1","status":"ACTIVE"}}}]`,
		`[{"id":"00u1","status":"ACTIVE","profile":{"role":1e300},"_embedded":{"user":{"id":"00u1","status":"ACTIVE","profile":{"login":7}}}}]`,
		`[{"id":"00u1","status":"ACTIVE","_embedded":{"user":{"id":"00u2","status":"ACTIVE"}}}]`,
		`{"errorCode":"E0000011"}`,
		`[{"id":`,
	} {
		f.Add([]byte(s))
	}
	c := &Client{keys: roleKeys{DefaultRoleAttribute, DefaultCustomRoleNameAttribute, DefaultCustomRoleIDAttribute}}
	f.Fuzz(func(t *testing.T, body []byte) {
		var aus []*sdk.AppUser
		if err := json.NewDecoder(bytes.NewReader(body)).Decode(&aus); err != nil {
			return
		}
		for i, au := range aus {
			u, err := c.decodeAppUser(au, i)
			if err != nil {
				continue
			}
			if u.ID == "" || u.AppStatus == "" || u.UserStatus == "" {
				t.Errorf("decoded %+v from %q without an id or a status", u, body)
			}
			if u.ID != au.Id {
				t.Errorf("decoded id %q from app user %q", u.ID, au.Id)
			}
		}
	})
}
