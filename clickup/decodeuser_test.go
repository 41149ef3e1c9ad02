package clickup

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unsafe"

	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// benchUser is a user as the fake ClickUp lists it, with a custom role.
const benchUser = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","` + DefaultRoleSchema + `"],"id":"100184",` +
	`"externalId":"00ufake0000000000184","userName":"user184@example.com","name":{"givenName":"Given184","familyName":"Family184"},` +
	`"displayName":"Given184 Family184","emails":[{"value":"user184@example.com","primary":true,"type":"work"}],"active":true,"groups":[],` +
	`"` + DefaultRoleSchema + `":{"role":"member","customRoleId":"998877","customRoleName":"Reviewer"},` +
	`"meta":{"resourceType":"User","created":"2025-01-02T03:04:05Z","lastModified":"2025-01-02T03:04:05Z",` +
	`"location":"https://clickup.invalid/scim/v2/1/Users/100184"}}`

// BenchmarkDecodeUser is the cost of one listed user: ns/op and allocs/op are per user. slow
// is the reference path (encoding/json, then parseObject for the roles), what every user cost
// before the fast pass; pack is the Raw packing alone, which both include.
func BenchmarkDecodeUser(b *testing.B) {
	c := fuzzClient(b, nil)
	raw := []byte(benchUser)
	for _, bc := range []struct {
		name   string
		decode func(json.RawMessage) (core.ClickUpUser, error)
	}{
		{"fast", c.decodeUser},
		{"slow", c.decodeUserSlow},
		{"pack", func(raw json.RawMessage) (core.ClickUpUser, error) {
			return core.ClickUpUser{Raw: c.packer.pack(raw)}, nil
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(raw)))
			for b.Loop() {
				if _, err := bc.decode(raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// decodeCases are resources the fast pass of decodeUser reads itself or leaves to the slow
// path; either way the result must be decodeUserSlow's.
var decodeCases = []string{
	benchUser,
	fuzzUser,
	`{"id":"1","userName":"u","active":false}`,
	` {"id" : "1" , "userName":"u@x.io",` + "\t\r\n" + `"active" : true } ` + "\n",
	`{"id":"1","userName":"jos\u00e9@x.io","active":true,"name":{"givenName":"Jos\u00e9","familyName":"O\"Brien \\ <&> \u2028"}}`,
	`{"id":"1","userName":"josé@x.io","active":true,"name":{"givenName":"José","familyName":"Ω"},"emails":[{"value":"josé@x.io","primary":true}]}`,
	"{\"id\":\"1\",\"userName\":\"\xff\xfe@x.io\",\"active\":true,\"emails\":[{\"value\":\"\xff\xfe@x.io\"}]}",
	`{"id":"1","userName":"u","active":true,"emails":[{"value":"a@x.io"},{"value":"b@x.io","primary":true},{"value":"c@x.io","primary":true}]}`,
	`{"id":"1","userName":"u","active":true,"emails":[null,{"value":"b@x.io","primary":false}]}`,
	`{"id":"1","userName":"u","active":true,"emails":[{"primary":true},{"value":"b@x.io","primary":true}]}`,
	`{"id":"1","userName":"u","active":true,"emails":[{"value":"a@x.io","value":null,"primary":true,"primary":null},{"value":"b@x.io"}]}`,
	`{"id":"1","userName":"u","active":true,"emails":[]}`,
	`{"id":"1","userName":"u","active":true,"emails":null,"name":null,"externalId":null}`,
	`{"id":"1","userName":"u","active":true,"emails":{}}`,
	`{"id":"1","userName":"u","active":true,"emails":["a@x.io"]}`,
	`{"id":"1","userName":"u","active":true,"emails":[{"value":1}]}`,
	`{"id":"1","userName":"u","active":true,"emails":[{"primary":"true"}]}`,
	`{"id":"1","userName":"u","active":true,"name":"Jane"}`,
	`{"id":"1","userName":"u","active":true,"name":{"givenName":1}}`,
	`{"id":"1","userName":"u","active":true,"name":{"givenName":"a","givenName":"b","familyName":"c","familyName":null}}`,
	`{"id":"1","userName":"u","active":true,"name":{"givenName":"a"},"name":{"familyName":"b"}}`,
	`{"id":"1","userName":"u","active":true,"emails":[{"value":"a@x.io","primary":true}],"emails":[{"value":"b@x.io"}]}`,
	`{"id":"1","ID":"2","userName":"u","active":true}`,
	`{"id":"1","userName":"u","active":true,"active":false}`,
	`{"id":"1","userName":"u","active":null}`,
	`{"id":"","userName":"u","active":true}`,
	`{"id":null,"userName":"u","active":true}`,
	`{"id":"1","userName":"","active":true}`,
	`{"id":"1","userName":"u","active":1}`,
	`{"ID":"1","USERNAME":"u","Active":true,"EMAILS":[{"VALUE":"v","PRIMARY":true}],"NAME":{"GIVENNAME":"g"}}`,
	`{"\u0069d":"1","user\u004eame":"u","active":true}`,
	"{\"i\xffd\":\"1\",\"userName\":\"u\",\"active\":true}",
	`{"id":"1","userName":"u","active":true,"emaiſs":[{"value":"e"}],"externalId":"x"}`,
	`{"id":"1","userName":"u","active":true,"e` + "\u212a" + `":1}`,
	`{"id":"1","userName":"u","active":true,"x":[1,-0,0.5,-1.5e+3,2E-2,true,false,null,"s",{"a":[{}]},[]]}`,
	`{"id":"1","userName":"u","active":true,"x":01}`,
	`{"id":"1","userName":"u","active":true,"x":1.}`,
	`{"id":"1","userName":"u","active":true,"x":-}`,
	`{"id":"1","userName":"u","active":true,"x":.5}`,
	`{"id":"1","userName":"u","active":true,"x":1e}`,
	`{"id":"1","userName":"u","active":true,"x":tru}`,
	`{"id":"1","userName":"u","active":true,"x":"\x"}`,
	`{"id":"1","userName":"u","active":true,"x":"\u12"}`,
	"{\"id\":\"1\",\"userName\":\"u\",\"active\":true,\"x\":\"a\tb\"}",
	`{"id":"1","userName":"u","active":true,}`,
	`{"id":"1","userName":"u","active":true,"x":[1,]}`,
	`{"id":"1","userName":"u","active":true,"x":[1 2]}`,
	`{"id":"1","userName":"u","active":true "x":1}`,
	`{"id":"1","userName":"u","active":true}}`,
	`{"id":"1","userName":"u","active":true} {}`,
	`{"id":"1","userName":"u","active":true,"x":` + strings.Repeat("[", 300) + strings.Repeat("]", 300) + `}`,
	`{"id":"1","userName":"u","active":true,"x":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`,
	`{"id":"1","userName":"u","active":true,"` + DefaultRoleSchema + `":{"role":"Admin ","customRoleId":" 12 ","customRoleName":"R\u00e9viewer"}}`,
	`{"id":"1","userName":"u","active":true,"` + DefaultRoleSchema + `":{"role":"admin","role":"guest","ROLE":"owner"}}`,
	`{"id":"1","userName":"u","active":true,"` + DefaultRoleSchema + `":{"role":"admin"},"` + strings.ToUpper(DefaultRoleSchema) + `":{"role":"guest"}}`,
	`{"id":"1","userName":"u","active":true,"` + DefaultRoleSchema + `":{"role":"admin"},"` + DefaultRoleSchema + `":null}`,
	`{"id":"1","userName":"u","active":true,"` + DefaultRoleSchema + `":"admin"}`,
	`{"id":"1","userName":"u","active":true,"` + DefaultRoleSchema + `":[]}`,
	`{"id":"1","userName":"u","active":true,"` + DefaultRoleSchema + `":{"role":2}}`,
	`{"id":"1","userName":"u","active":true,"` + DefaultRoleSchema + `":{"role":"superuser","customRoleId":12,"customRoleName":null}}`,
	`{"id":"1","userName":"u","active":true,"` + DefaultRoleSchema + `":{"customRoleId":1.5}}`,
	`{"id":"1","userName":"u","active":true,"` + DefaultRoleSchema + `":{"customRoleId":true}}`,
	`{"id":"1","userName":"u","active":true,"` + DefaultRoleSchema + `":{"customRoleName":{"a":1}}}`,
	`{"id":"1","userName":"u","active":true,"` + DefaultRoleSchema + `":{"c\u0075stomRoleName":"esc"}}`,
	`{"id":"1","userName":"u","active":true,"role":"admin","crId":"5","crName":"Top","ſtatus":"guest"}`,
	`{"id":"1","userName":"u","active":true,"clickupRole":"admin","CRID":7,"crname":"x","crName":"y"}`,
	`{"id":"1","userName":"u","active":true,"clickupRole":["admin"]}`,
	`[]`, `null`, `{"id":`, ``, ` `, `"x"`, `{}`, `{"id":"1"}`,
}

// decodeClients are configurations whose role attributes sit in different places.
func decodeClients(t testing.TB) []*SCIMClient {
	var cs []*SCIMClient
	for _, o := range []SCIMOptions{
		{RoleSchema: DefaultRoleSchema},
		{RoleAttribute: "clickupRole", CustomRoleIDAttribute: "crId", CustomRoleNameAttribute: "crName"},
		{RoleAttribute: "ſtatus", CustomRoleIDAttribute: "\u212aid", CustomRoleNameAttribute: "crName"},
		{RoleSchema: "urn:x:\u212a", RoleAttribute: "role"},
	} {
		o.BaseURL, o.Token = "https://clickup.invalid/scim/v2/1", "t"
		c, err := NewSCIM(o)
		if err != nil {
			t.Fatal(err)
		}
		cs = append(cs, c)
	}
	return cs
}

// sameDecode fails t unless decodeUser and decodeUserSlow agree on raw.
func sameDecode(t *testing.T, c *SCIMClient, raw []byte) {
	t.Helper()
	got, gotErr := c.decodeUser(raw)
	want, wantErr := c.decodeUserSlow(raw)
	if (gotErr == nil) != (wantErr == nil) || (gotErr != nil && gotErr.Error() != wantErr.Error()) {
		t.Fatalf("schema %q: %q: error %v, want %v", c.roleSchema, raw, gotErr, wantErr)
	}
	if gotErr != nil {
		return
	}
	for _, u := range []*core.ClickUpUser{&got, &want} {
		var err error
		if u.Raw, err = c.packer.unpack(u.Raw); err != nil {
			t.Fatal(err)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("schema %q: %q:\n got %+v\nwant %+v", c.roleSchema, raw, got, want)
	}
}

func TestDecodeUserFastPathAgrees(t *testing.T) {
	for _, c := range decodeClients(t) {
		for _, s := range decodeCases {
			sameDecode(t, c, []byte(s))
		}
	}
}

// The fast pass must read the resources ClickUp sends, not hand them all to the slow path.
func TestDecodeUserFastPathTaken(t *testing.T) {
	c := fuzzClient(t, nil)
	for _, s := range []string{
		benchUser, fuzzUser, decodeCases[3], decodeCases[4], decodeCases[5], decodeCases[6],
		`{"id":"1","userName":"u","active":true,"` + DefaultRoleSchema + `":{"role":"admin"},"` + DefaultRoleSchema + `":null}`,
	} {
		var f userFields
		if !c.scanUser([]byte(s), &f) {
			t.Errorf("slow path for %s", s)
		}
	}
}

// The string-sharing survives the fast pass: an email that is the userName is the same string,
// and base roles are the core's constants.
func TestDecodeUserSharesStrings(t *testing.T) {
	c := fuzzClient(t, nil)
	u, err := c.decodeUser([]byte(benchUser))
	if err != nil {
		t.Fatal(err)
	}
	if u.Email != u.UserName || unsafe.StringData(u.Email) != unsafe.StringData(u.UserName) {
		t.Errorf("email %q is a copy of userName %q", u.Email, u.UserName)
	}
	if unsafe.StringData(string(u.Role.Base)) != unsafe.StringData(string(core.RoleMember)) {
		t.Errorf("base role %q is not core.RoleMember", u.Role.Base)
	}
}

// FuzzDecodeUserFast: decodeUser's fast pass and decodeUserSlow agree on every input.
func FuzzDecodeUserFast(f *testing.F) {
	for _, s := range decodeCases {
		f.Add([]byte(s))
	}
	cs := decodeClients(f)
	f.Fuzz(func(t *testing.T, raw []byte) {
		for _, c := range cs {
			sameDecode(t, c, raw)
		}
	})
}
