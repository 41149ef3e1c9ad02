package clickuptest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"
)

// awkward are strings that need every kind of escaping encoding/json does.
var awkward = []string{
	"", "plain", `quo"te`, `back\slash`, "ctl\x00\x01\x1f\x7f\b\f\n\r\t", "<a&b>", "</script>",
	"line\u2028para\u2029", "Zoë Ωmega 日本 🙂", "bad\xff\xfeutf", "cut\xe2\x80", "\xe2\x80\xa8\xe2\x80\xa9", "tab\tend",
	"\u2027\u202a", "\ufffd", "\xed\xa0\x80 surrogate", "\xf4\x90\x80\x80 too big",
}

// encodingJSON is how the fake rendered values before it rendered them itself.
func encodingJSON(t testing.TB, v any, html bool) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(html)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// oldMarshal is obj's MarshalJSON as it was when encoding/json wrote the fake's responses: keys
// by json.Marshal, values by an Encoder without HTML escaping, all of it compacted by the
// Encoder that wrote the body.
type oldObj []kv

func (o oldObj) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(m.k)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		var vb bytes.Buffer
		enc := json.NewEncoder(&vb)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(old(m.v)); err != nil {
			return nil, err
		}
		b.Write(bytes.TrimRight(vb.Bytes(), "\n"))
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// old turns the objs in v into oldObjs.
func old(v any) any {
	switch v := v.(type) {
	case obj:
		return oldObj(v)
	case []obj:
		if v == nil {
			return []oldObj(nil)
		}
		out := []oldObj{}
		for _, o := range v {
			out = append(out, oldObj(o))
		}
		return out
	case []any:
		if v == nil {
			return v
		}
		out := []any{}
		for _, e := range v {
			out = append(out, old(e))
		}
		return out
	}
	return v
}

// body is a response body as the fake's writeJSON sent it before.
func oldBody(t testing.TB, o obj) []byte { return append(encodingJSON(t, oldObj(o), false), '\n') }

func newBody(t testing.TB, o obj) []byte {
	b, err := o.appendJSON(nil)
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

func TestObjAppendJSONIsEncodingJSON(t *testing.T) {
	for _, s := range awkward {
		o := obj{
			{s, s}, {"n", 42}, {"neg", -7}, {"t", true}, {"f", false}, {"nil", nil},
			{"strs", []string{s, "x"}}, {"nostrs", []string(nil)}, {"nostrs2", []string{}},
			{"ints", []int{1, 2}}, {"noints", []int(nil)}, {"any", []any{}}, {"anys", []any{s, 1, nil, obj{{s, s}}}},
			{"objs", []obj{{{"a", s}}, {}}}, {"noobjs", []obj(nil)}, {"emptyobj", obj{}}, {"nilobj", obj(nil)},
			{"nested", obj{{"deeper", obj{{s, []obj{{{s, s}}}}}}}},
			{"other", map[string]any{s: []float64{1.5, 2}}}, {"raw", json.RawMessage(`{"a" : 1}`)},
		}
		if got, want := newBody(t, o), oldBody(t, o); !bytes.Equal(got, want) {
			t.Errorf("%q:\n got %s\nwant %s", s, got, want)
		}
	}
}

// awkwardServer is a fake whose users, roles and groups carry the awkward strings, also in the
// option-given names and the Workspace id.
func awkwardServers(t testing.TB) []*Server {
	now := func() time.Time { return time.Date(2025, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600)) }
	var out []*Server
	for _, o := range []Options{
		{Now: now},
		{Now: now, TopLevelRoles: true, RoleAttribute: "r<&>le", CustomRoleIDAttribute: "crId\u2028", CustomRoleNameAttribute: `cr"Name`},
		{Now: now, RoleSchema: "urn:x:<y>&z\xff", WorkspaceID: "9<&>\u2028\xff"},
	} {
		s := NewServer(o)
		if tb, ok := t.(interface{ Cleanup(func()) }); ok {
			tb.Cleanup(s.Close)
		}
		s.AddCustomRole(5, "Rev<&>iewer\"\u2028", 3)
		var ids []string
		for i, n := range awkward {
			u := s.AddUser(User{UserName: fmt.Sprintf("u%d%s@x.io", i, n), Email: fmt.Sprintf("e%d@x.io", i), GivenName: n, FamilyName: n,
				ExternalID: n, Active: i%3 != 2, CustomRoleID: map[bool]string{true: "5", false: ""}[i%2 == 0], Owner: i == 1})
			ids = append(ids, u.ID)
		}
		s.AddUser(User{UserName: "same@x.io", Email: "same@x.io", Active: true, CustomRoleID: "77"}) // a role that does not exist
		s.AddUser(User{UserName: "noemail@x.io", Active: true, Role: "guest"})
		for i, n := range awkward {
			s.AddGroup(Group{ID: map[bool]string{true: "", false: n + "/?#%"}[i%4 != 3], DisplayName: n + fmt.Sprint(i), Members: ids[:i]})
		}
		out = append(out, s)
	}
	return out
}

// The listings render users and groups directly; the single resources still go through obj.
// They must agree byte for byte.
func TestListedResourcesAreTheResources(t *testing.T) {
	for _, s := range awkwardServers(t) {
		s.mu.Lock()
		for _, u := range s.st.sortedUsers() {
			if got, want := s.appendResource(nil, u), newBody(t, s.resource(u)); !bytes.Equal(append(got, '\n'), want) || !bytes.Equal(want, oldBody(t, s.resource(u))) {
				t.Errorf("user %d:\n got %s\nwant %s", u.id, got, want)
			}
		}
		for _, g := range s.st.sortedGroups() {
			got := s.appendGroupResource(nil, g)
			if want := newBody(t, s.groupResource(g)); !bytes.Equal(append(got, '\n'), want) || !bytes.Equal(want, oldBody(t, s.groupResource(g))) {
				t.Errorf("group %s:\n got %s\nwant %s", g.id, got, want)
			}
		}
		s.mu.Unlock()
	}
}

// discard is a ResponseWriter that keeps only the status and the size.
type discard struct {
	h      http.Header
	status int
	n      int
}

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) WriteHeader(code int)        { d.status = code }
func (d *discard) Write(b []byte) (int, error) { d.n += len(b); return len(b), nil }

// seedTeams is a Workspace of users users and groups Teams of members each.
func seedTeams(users, groups, members int) *Server {
	s := NewServer(Options{})
	s.AddCustomRole(5, "Reviewer", 3)
	var ids []string
	for i := range users {
		u := s.AddUser(User{UserName: fmt.Sprintf("user%d@example.com", i), Email: fmt.Sprintf("user%d@example.com", i),
			GivenName: fmt.Sprint("Given", i), FamilyName: fmt.Sprint("Family", i), ExternalID: fmt.Sprintf("00u%017d", i), Active: true,
			CustomRoleID: map[bool]string{true: "5", false: ""}[i%10 == 0]})
		ids = append(ids, u.ID)
	}
	for g := range groups {
		m := make([]string, 0, members)
		for k := range members {
			m = append(m, ids[(g*members+k)%len(ids)])
		}
		s.AddGroup(Group{DisplayName: fmt.Sprint("Team ", g), Members: m})
	}
	return s
}

// BenchmarkListPages is the fake's own cost of the listing pages BenchmarkFakes reads, without
// HTTP.
func BenchmarkListPages(b *testing.B) {
	s := seedTeams(100_000, 100, 1000)
	defer s.Close()
	s.SetSCIMRateLimit(math.MaxInt32)
	for _, c := range []struct{ name, path string }{
		{"users-page-100", "/Users?startIndex=50001&count=100"},
		{"groups-page-100", "/Groups?startIndex=1&count=100"},
	} {
		b.Run(c.name, func(b *testing.B) {
			req, _ := http.NewRequest(http.MethodGet, s.SCIMBaseURL()+c.path, nil)
			req.Header.Set("Authorization", "Bearer "+s.SCIMToken())
			b.ReportAllocs()
			for b.Loop() {
				w := &discard{h: http.Header{}}
				s.routes.ServeHTTP(w, req)
				if w.status != http.StatusOK {
					b.Fatal(w.status)
				}
				b.SetBytes(int64(w.n))
			}
		})
	}
}

// listGroupsBody is the body of GET /Groups as the fake serves it.
func listGroupsBody(t *testing.T, s *Server) []byte {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.SCIMBaseURL()+"/Groups?count=100", nil)
	req.Header.Set("Authorization", "Bearer "+s.SCIMToken())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /Groups: %d %v", resp.StatusCode, err)
	}
	return b
}

// wantListedGroups checks a listing body against the groups rendered through obj.
func wantListedGroups(t *testing.T, s *Server, body []byte, step string) {
	t.Helper()
	s.mu.Lock()
	var resources []obj
	for _, g := range s.st.sortedGroups() {
		resources = append(resources, s.groupResource(g))
	}
	s.mu.Unlock()
	want := oldBody(t, obj{
		{"schemas", []string{schemaListResponse}}, {"totalResults", len(resources)}, {"startIndex", 1},
		{"itemsPerPage", len(resources)}, {"Resources", resources},
	})
	if !bytes.Equal(body, want) {
		t.Fatalf("%s: listing\n%s\nwant\n%s", step, body, want)
	}
}

// The listing keeps each group's rendered members; every way the members change must show in
// the next listing.
func TestListedGroupsFollowMemberChanges(t *testing.T) {
	s := NewServer(Options{})
	defer s.Close()
	var ids []string
	for i := range 6 {
		ids = append(ids, s.AddUser(User{UserName: fmt.Sprintf("u%d@x.io", i), Active: true}).ID)
	}
	g := s.AddGroup(Group{DisplayName: "A", Members: ids[:3]})
	s.AddGroup(Group{DisplayName: "B"})
	send := func(method, path, body string) {
		t.Helper()
		req, _ := http.NewRequest(method, s.SCIMBaseURL()+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+s.SCIMToken())
		req.Header.Set("Content-Type", "application/scim+json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode >= 300 {
			t.Fatalf("%s %s: %d", method, path, resp.StatusCode)
		}
	}
	patch := func(op string) string {
		return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` + op + `]}`
	}
	wantListedGroups(t, s, listGroupsBody(t, s), "seeded")
	for _, step := range []struct{ name, method, path, body string }{
		{"add", http.MethodPatch, "/Groups/" + g.ID, patch(`{"op":"add","path":"members","value":[{"value":"` + ids[4] + `"}]}`)},
		{"remove one", http.MethodPatch, "/Groups/" + g.ID, patch(`{"op":"remove","path":"members[value eq \"` + ids[0] + `\"]"}`)},
		{"swap (same size)", http.MethodPatch, "/Groups/" + g.ID, patch(`{"op":"replace","path":"members","value":[{"value":"` + ids[0] + `"},{"value":"` + ids[2] + `"},{"value":"` + ids[5] + `"}]}`)},
		{"deactivate a member", http.MethodPatch, "/Users/" + ids[2], patch(`{"op":"replace","value":{"active":false}}`)},
		{"put", http.MethodPut, "/Groups/" + g.ID, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"A","members":[{"value":"` + ids[1] + `"}]}`},
		{"remove all", http.MethodPatch, "/Groups/" + g.ID, patch(`{"op":"remove","path":"members"}`)},
		{"create", http.MethodPost, "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"C","members":[{"value":"` + ids[3] + `"}]}`},
	} {
		send(step.method, step.path, step.body)
		wantListedGroups(t, s, listGroupsBody(t, s), step.name)
	}
}
