package oktatest

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"testing"
)

// awkward are strings that need every kind of escaping json.Marshal does.
var awkward = []string{
	"", "plain", `quo"te`, `back\slash`, "ctl\x00\x01\x1f\x7f\b\f\n\r\t", "<a&b>", "</script>",
	"line\u2028para\u2029", "Zoë Ωmega 日本 🙂", "bad\xff\xfeutf", "cut\xe2\x80", "\xe2\x80\xa8\xe2\x80\xa9", "tab\tend",
	"\u2027\u202a", "\ufffd", "\xed\xa0\x80 surrogate", "\xf4\x90\x80\x80 too big",
}

// What every resource is served with comes back as it was set, through each route that shows
// it: encoding/json writes it, and invalid UTF-8 arrives as U+FFFD, byte for byte.
func TestServedResourcesRoundTrip(t *testing.T) {
	s := NewServer(Options{})
	defer s.Close()
	serve := func(path string, v any) {
		t.Helper()
		w := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodGet, path, nil)
		r.Header.Set("Authorization", "SSWS "+s.Token())
		s.serve(w, r)
		if err := json.Unmarshal(w.Body.Bytes(), v); err != nil || w.Code != http.StatusOK {
			t.Fatalf("%s: %d %v: %s", path, w.Code, err, w.Body)
		}
	}
	type user struct {
		ID, Status string
		Profile    struct{ Login, Email, FirstName, LastName string }
	}
	for i, n := range awkward[1:] { // an empty status is the default's
		want := string([]rune(n))
		appID := fmt.Sprintf("0oa%d", i)
		s.AddApp(appID, n)
		u := s.AddUser(User{ID: fmt.Sprintf("00u%d", i), Status: n, Login: n + "@x.io", Email: n, FirstName: n, LastName: n})
		s.Assign(appID, u.ID, n, map[string]any{"role": n})
		g := s.AddGroup(Group{ID: fmt.Sprintf("00g%d", i), Name: n + ".", Description: n})
		s.AddGroupMember(g.ID, u.ID)

		var aus []struct {
			ID, Status string
			Profile    map[string]string
			Embedded   struct{ User user } `json:"_embedded"`
		}
		serve("/api/v1/apps/"+appID+"/users?expand=user", &aus)
		var one user
		serve("/api/v1/users/"+u.ID, &one)
		var members []user
		serve("/api/v1/groups/"+g.ID+"/users", &members)
		var groups []struct {
			Profile struct{ Name, Description string }
		}
		serve("/api/v1/users/"+u.ID+"/groups", &groups)
		if len(aus) != 1 || len(members) != 1 || len(groups) != 1 {
			t.Fatalf("%q: %d app users, %d members, %d groups", n, len(aus), len(members), len(groups))
		}
		for _, got := range []user{aus[0].Embedded.User, one, members[0]} {
			p := got.Profile
			if got.Status != want || p.Login != want+"@x.io" || p.Email != want || p.FirstName != want || p.LastName != want {
				t.Errorf("%q: user came back as %+v", n, got)
			}
		}
		if aus[0].Status != want || aus[0].Profile["role"] != want {
			t.Errorf("%q: app user came back as %+v", n, aus[0])
		}
		if gp := groups[0].Profile; gp.Name != want+"." || gp.Description != want {
			t.Errorf("%q: group came back as %+v", n, gp)
		}
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

// BenchmarkListPages is the fake's own cost of the listing pages the bench reads, without HTTP.
func BenchmarkListPages(b *testing.B) {
	s := NewServer(Options{})
	defer s.Close()
	s.SetBucketRateLimit("/api/v1", math.MaxInt32)
	s.AddApp("0oabench", "ClickUp")
	g := s.AddGroup(Group{Name: "Team"})
	for i := range 100_000 {
		u := s.AddUser(User{Login: fmt.Sprintf("user%d@example.com", i), Email: fmt.Sprintf("user%d@example.com", i),
			FirstName: fmt.Sprint("Given", i), LastName: fmt.Sprint("Family", i)})
		s.Assign("0oabench", u.ID, "", map[string]any{"role": "member"})
		if i < 1000 {
			s.AddGroupMember(g.ID, u.ID)
		}
	}
	for _, c := range []struct{ name, path string }{
		{"app-users-page-500", "/api/v1/apps/0oabench/users?limit=500&expand=user&after=00ufake0000000050000"},
		{"group-members-page-200", "/api/v1/groups/" + g.ID + "/users?limit=200&after=00ufake0000000000400"},
	} {
		b.Run(c.name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, c.path, nil)
			req.Header.Set("Authorization", "SSWS "+s.Token())
			b.ReportAllocs()
			for b.Loop() {
				s.ResetRequests()
				w := &discard{h: http.Header{}}
				s.serve(w, req)
				if w.status != http.StatusOK {
					b.Fatal(w.status)
				}
				b.SetBytes(int64(w.n))
			}
		})
	}
}

// The members listing keeps the sorted ids between pages; a change of members must show.
func TestGroupMembersFollowChanges(t *testing.T) {
	s := NewServer(Options{})
	defer s.Close()
	g := s.AddGroup(Group{Name: "G"})
	var ids []string
	for i := range 4 {
		ids = append(ids, s.AddUser(User{Login: fmt.Sprintf("u%d@x.io", i)}).ID)
	}
	members := func() []string {
		t.Helper()
		w := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodGet, "/api/v1/groups/"+g.ID+"/users", nil)
		r.Header.Set("Authorization", "SSWS "+s.Token())
		s.serve(w, r)
		var got []struct{ ID string }
		if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || w.Code != http.StatusOK {
			t.Fatalf("%d %v: %s", w.Code, err, w.Body)
		}
		out := []string{}
		for _, u := range got {
			out = append(out, u.ID)
		}
		return out
	}
	want := func(step string, w ...string) {
		t.Helper()
		if got := members(); fmt.Sprint(got) != fmt.Sprint(append([]string{}, w...)) {
			t.Errorf("%s: members %v, want %v", step, got, w)
		}
	}
	want("none")
	s.AddGroupMember(g.ID, ids[2])
	s.AddGroupMember(g.ID, ids[0])
	want("two", ids[0], ids[2])
	s.AddGroupMember(g.ID, ids[3])
	want("three", ids[0], ids[2], ids[3])
	s.RemoveGroupMember(g.ID, ids[2])
	want("removed", ids[0], ids[3])
	s.RemoveGroupMember(g.ID, ids[1]) // not a member
	s.AddGroupMember(g.ID, ids[0])    // a member already
	want("no-ops", ids[0], ids[3])
}
