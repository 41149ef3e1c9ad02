package clickup

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// benchUser is a user as the fake ClickUp lists it, with a custom role.
const benchUser = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","` + DefaultRoleSchema + `"],"id":"100184",` +
	`"externalId":"00ufake0000000000184","userName":"user184@example.com","name":{"givenName":"Given184","familyName":"Family184"},` +
	`"displayName":"Given184 Family184","emails":[{"value":"user184@example.com","primary":true,"type":"work"}],"active":true,"groups":[],` +
	`"` + DefaultRoleSchema + `":{"role":"member","customRoleId":"998877","customRoleName":"Reviewer"},` +
	`"meta":{"resourceType":"User","created":"2025-01-02T03:04:05Z","lastModified":"2025-01-02T03:04:05Z",` +
	`"location":"https://clickup.invalid/scim/v2/1/Users/100184"}}`

// BenchmarkDecodeUser is the cost of one listed user: ns/op and allocs/op are per user. decode
// is what a listing spends on each (the user and its kept form), kept-B the bytes kept per user
// for a later PUT; put is building a PUT from them.
func BenchmarkDecodeUser(b *testing.B) {
	c := fuzzClient(b, nil)
	raw := jsontext.Value(benchUser)
	b.Run("decode", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(raw)))
		var kept keptUser
		for b.Loop() {
			var err error
			if _, kept, err = c.decodeUser(raw); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(kept.rest)), "kept-B")
	})
	b.Run("put", func(b *testing.B) {
		u, kept, err := c.decodeUser(raw)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			u.Active, u.Role = false, core.Role{Base: core.RoleAdmin}
			if _, err := c.putBody(u, kept, false); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// decodeCases are resources of every shape, well-formed or not: the seeds of FuzzDecodeUser and
// the cases of TestDecodeUserKeepsWhatAPutSendsBack.
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

// keepsWhatAPutSendsBack fails t unless a user that decodes from raw has an id and a userName,
// and a PUT built from what was kept of it reads back as the same user and carries every
// member raw had, except meta (read-only), nulls (SCIM's absent), empty strings (which the
// modeled attributes do not tell from absent) and role attributes (the PUT writes those afresh).
func keepsWhatAPutSendsBack(t *testing.T, c *SCIMClient, raw []byte) {
	t.Helper()
	u, kept, err := c.decodeUser(raw)
	if err != nil {
		return
	}
	if u.ID == "" || u.UserName == "" {
		t.Fatalf("schema %q: decoded %+v from %q", c.roleSchema, u, raw)
	}
	if _, err := c.roleValues(u.Role); err != nil {
		return // a role no PUT may send: the core replaces it before any write
	}
	body, err := c.putBody(u, kept, false)
	if err != nil {
		t.Fatalf("schema %q: no PUT from what was kept of %q: %v", c.roleSchema, raw, err)
	}
	if err := checkJSON(body, '{'); err != nil {
		t.Fatalf("schema %q: PUT body %q: %v", c.roleSchema, body, err)
	}
	again, _, err := c.decodeUser(body)
	if err != nil || again != u {
		t.Fatalf("schema %q: PUT body %s reads as %+v, %v; want %+v", c.roleSchema, body, again, err, u)
	}
	var in, out map[string]jsontext.Value
	if json.Unmarshal(raw, &in) != nil || json.Unmarshal(body, &out) != nil {
		t.Fatalf("schema %q: %q or %q is not an object", c.roleSchema, raw, body)
	}
	for k, v := range in {
		if isNull(v) || string(v) == `""` || strings.EqualFold(k, "meta") || (c.roleSchema == "" && (strings.EqualFold(k, c.roleAttr) || strings.EqualFold(k, c.idAttr) || strings.EqualFold(k, c.nameAttr))) {
			continue
		}
		if !slices.ContainsFunc(slices.Collect(maps.Keys(out)), func(o string) bool { return strings.EqualFold(o, k) }) {
			t.Fatalf("schema %q: the PUT %s lost %q of %s", c.roleSchema, body, k, raw)
		}
	}
}

func TestDecodeUserKeepsWhatAPutSendsBack(t *testing.T) {
	for _, c := range decodeClients(t) {
		for _, s := range decodeCases {
			keepsWhatAPutSendsBack(t, c, []byte(s))
		}
	}
}

// Strings are shared where they can be: an email that is the userName is the same string, and
// base roles are the core's constants.
func TestDecodeUserSharesStrings(t *testing.T) {
	c := fuzzClient(t, nil)
	u, _, err := c.decodeUser([]byte(benchUser))
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
