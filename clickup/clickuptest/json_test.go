package clickuptest

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
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

// awkwardServer is a fake whose users, roles and groups carry the awkward strings, also in the
// option-given names and the Workspace id.
func awkwardServers(t testing.TB) []*Server {
	now := func() time.Time { return time.Date(2025, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600)) }
	var out []*Server
	for _, o := range []Options{
		{Now: now},
		{Now: now, TopLevelRoles: true, RoleAttribute: "r<&>le", CustomRoleIDAttribute: "crId\u2028", CustomRoleNameAttribute: `cr"Name`},
		{Now: now, RoleSchema: "urn:x:<y>&z\xff"},
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

// Whatever the strings, the fake's answers are JSON that carries them: invalid UTF-8 as U+FFFD,
// as encoding/json writes it, and everything else as it was given, in the option-given names too.
func TestAnswersCarryAwkwardStrings(t *testing.T) {
	valid := func(s string) string { return string([]rune(s)) } // each invalid byte as U+FFFD
	for _, s := range awkwardServers(t) {
		users := listBody(t, s, "/Users?count=100")
		if n := len(users.Resources); n != len(awkward)+2 {
			t.Fatalf("%d users listed", n)
		}
		for i, n := range awkward {
			u := users.Resources[i]
			if u["name"].(map[string]any)["givenName"] != valid(n) || u["externalId"] != nilIfEmpty(valid(n)) {
				t.Errorf("user %d: %v, want %q", i, u, valid(n))
			}
			roles := u
			if s.opt.RoleSchema != "" {
				roles = u[valid(s.opt.RoleSchema)].(map[string]any)
			}
			if i%2 == 0 && roles[valid(s.opt.CustomRoleNameAttribute)] != valid("Rev<&>iewer\"\u2028") {
				t.Errorf("user %d's roles %v", i, roles)
			}
		}
		names := map[any]bool{}
		for _, g := range listBody(t, s, "/Groups?count=100").Resources {
			names[g["displayName"]] = true
		}
		for i, n := range awkward {
			if name := valid(n) + fmt.Sprint(i); !names[name] {
				t.Errorf("group %q not listed", name)
			}
		}
	}
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

type listed struct {
	Resources []map[string]any
}

// listBody is a listing as the fake serves it, decoded.
func listBody(t *testing.T, s *Server, path string) listed {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.SCIMBaseURL()+path, nil)
	req.Header.Set("Authorization", "Bearer "+s.SCIMToken())
	w := httptest.NewRecorder()
	s.routes.ServeHTTP(w, req)
	var l listed
	if err := json.Unmarshal(w.Body.Bytes(), &l); w.Code != http.StatusOK || err != nil {
		t.Fatalf("GET %s: %d %v\n%s", path, w.Code, err, w.Body)
	}
	return l
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

// wantListedGroups checks a listing body against the groups as stored: the members it renders
// from its cache must be the members now.
func wantListedGroups(t *testing.T, s *Server, body []byte, step string) {
	t.Helper()
	var l struct {
		Resources []struct {
			ID          string
			DisplayName string
			Members     []struct{ Value, Display string }
		}
	}
	if err := json.Unmarshal(body, &l); err != nil {
		t.Fatalf("%s: %v", step, err)
	}
	var got []Group
	for _, r := range l.Resources {
		g := Group{ID: r.ID, DisplayName: r.DisplayName, Members: []string{}}
		for _, m := range r.Members {
			if u, _ := s.User(m.Value); u.UserName != m.Display {
				t.Errorf("%s: member %s shown as %q, is %q", step, m.Value, m.Display, u.UserName)
			}
			g.Members = append(g.Members, m.Value)
		}
		got = append(got, g)
	}
	want := s.Groups()
	slices.SortFunc(want, func(a, b Group) int { return strings.Compare(a.ID, b.ID) })
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s: listed\n%+v\nwant\n%+v", step, got, want)
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
