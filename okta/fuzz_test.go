package okta

import (
	"encoding/json"
	"errors"
	"reflect"
	"regexp"
	"strings"
	"testing"

	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// FuzzDecodeAppUsers feeds arbitrary bodies of the app users listing through decodeAppUserPage
// and through the decoding the adapter did before (refDecodePage, the SDK's types and maps). No
// body may panic; both must decode the same users and fail at the same place with the same
// message, but where refDecodePage documents a difference; and a user that decodes carries
// everything the entitlement decision rests on.
func FuzzDecodeAppUsers(f *testing.F) {
	user := `{"id":"00u1","status":"PROVISIONED","scope":"USER","profile":{"role":"admin","customRoleName":"Auditor","customRoleId":998877},` +
		`"_embedded":{"user":{"id":"00u1","status":"ACTIVE","profile":{"login":"a@x.io","email":"a@x.io","firstName":"A","lastName":"B"}}}}`
	for _, s := range []string{
		"[" + user + "]",
		"[" + user + "," + strings.ReplaceAll(user, "00u1", "00u2") + "]",
		"[]",
		"",
		" null ",
		"[null]",
		`[{"id":"00u1"}]`,
		`[{"id":"00u1","status":"ACTIVE","_embedded":{"user":"00u1"}}]`,
		`[{"id":"00u1","status":"ACTIVE","_embedded":{"User":{"id":"00u1","status":"ACTIVE"}}}]`,
		`[{"id":"00u1","status":"ACTIVE","profile":["admin"],"_embedded":{"user":{"id":"00u1","status":"ACTIVE"}}}]`,
		`[{"id":"00u1","status":"ACTIVE","profile":{"role":1e300},"_embedded":{"user":{"id":"00u1","status":"ACTIVE","profile":{"login":7}}}}]`,
		`[{"id":"00u1","status":"ACTIVE","profile":{"role":" x ","role":-0,"customRoleId":1.5e3},"_embedded":{"user":{"ID":"00u1","Status":"ACTIVE","status":null,"profile":{"email":"\u0061"},"PROFILE":{"login":"\u0061","lastName":null}}}}]`,
		`[{"id":"00u1","status":"ACTIVE","_embedded":{"user":{"id":"00u2","status":"ACTIVE"}}}]`,
		`[{"id":"00u1","status":"ACTIVE","_embedded":{"user":{"id":7,"status":[],"profile":"p"}}}]`,
		`[{"id":"00u1","status":"ACTIVE","_embedded":{"user":{"id":"00u1","status":"ACTIVE","profile":{"login":1e999}}}}]`,
		`[{"id":"00u1","status":"ACTIVE","_embedded":{"\u0075ser":{"id":"00u1","status":"ACTIVE","profile":{"firstName":"\ud800"}}}}] trailing`,
		`{"errorCode":"E0000011"}`,
		`[{"id":`,
	} {
		f.Add([]byte(s))
	}
	c := &Client{keys: roleKeys{DefaultRoleAttribute, DefaultCustomRoleNameAttribute, DefaultCustomRoleIDAttribute}}
	f.Fuzz(func(t *testing.T, body []byte) {
		var got []core.OktaUser
		err := c.decodeAppUserPage(body, func(u core.OktaUser) error {
			if u.ID == "" || u.AppStatus == "" || u.UserStatus == "" {
				t.Errorf("decoded %+v from %q without an id or a status", u, body)
			}
			got = append(got, u)
			return nil
		})
		want, wantErr := c.refDecodePage(body)
		if errors.Is(wantErr, errRefRange) {
			return
		}
		if msg, wantMsg := errString(err), refMessage(wantErr); msg != wantMsg {
			t.Fatalf("body %q:\n error %s\n  want %s", body, msg, wantMsg)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("body %q:\n users %+v\n  want %+v", body, got, want)
		}
	})
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

var refTypeError = regexp.MustCompile(`^(app user .*: _embedded\.user)(?:: json: cannot unmarshal (\w+) into Go struct field refUser\.(\w+) of type (.*))$`)

// refMessage is the message of an error of refDecodePage as decodeAppUserPage words it: the
// types named differently, and the fields of _embedded.user, which encoding/json used to decode,
// checked in words of the adapter's own.
func refMessage(err error) string {
	msg := strings.ReplaceAll(errString(err), "refAppUser", "appUser")
	m := refTypeError.FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	kind := map[string]jsonKind{"number": kindNumber, "string": kindString, "bool": kindBoolean, "array": kindArray, "object": kindObject}[m[2]]
	want := kindString
	if m[4] != "string" {
		want = kindObject
	}
	return m[1] + "." + m[3] + " is " + string(kind) + ", want " + string(want)
}

// FuzzEachMember checks the scan of objects that lookupMembers and readUser rely on against
// encoding/json's decoding of the same object into a map.
func FuzzEachMember(f *testing.F) {
	for _, s := range []string{
		`{}`, ` { "a" : 1 , "b":[1,{"c":"]}"}], "a":null }`, `{"\u0061\"":"x\\","":{},"e":true,"f":-1.5e+3}`,
		`{"k":"\ud800","é":[[]],"\t":false}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, obj []byte) {
		var want map[string]json.RawMessage
		if json.Unmarshal(obj, &want) != nil || want == nil {
			eachMember(obj, func(_, _ []byte) {}) // must not panic either
			return
		}
		got := map[string]json.RawMessage{}
		eachMember(obj, func(key, value []byte) { got[string(key)] = value })
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("members of %q\n  got %q\n want %q", obj, got, want)
		}
		keys := make([]string, 0, len(want))
		for k := range want {
			keys = append(keys, k)
		}
		values := make([][]byte, len(keys))
		lookupMembers(obj, keys, values)
		for i, k := range keys {
			if string(values[i]) != string(want[k]) {
				t.Errorf("lookupMembers(%q) = %q, want %q", k, values[i], want[k])
			}
		}
	})
}
