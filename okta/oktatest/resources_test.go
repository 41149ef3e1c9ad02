package oktatest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// The listings render their elements directly (appendUser, appendAppUser, appendGroup). These
// are the shapes they render, as structs for json.Marshal: the reference the tests below hold
// them to, byte for byte.

type userJSON struct {
	ID              string          `json:"id"`
	Status          string          `json:"status"`
	Created         string          `json:"created"`
	Activated       *string         `json:"activated"`
	StatusChanged   string          `json:"statusChanged"`
	LastLogin       *string         `json:"lastLogin"`
	LastUpdated     string          `json:"lastUpdated"`
	PasswordChanged *string         `json:"passwordChanged"`
	Type            map[string]any  `json:"type"`
	Profile         userProfileJSON `json:"profile"`
	Links           map[string]link `json:"_links"`
}

type userProfileJSON struct {
	Login       string  `json:"login"`
	Email       string  `json:"email"`
	FirstName   string  `json:"firstName"`
	LastName    string  `json:"lastName"`
	MobilePhone *string `json:"mobilePhone"`
	SecondEmail *string `json:"secondEmail"`
}

type appUserJSON struct {
	ID              string            `json:"id"`
	ExternalID      string            `json:"externalId"`
	Created         string            `json:"created"`
	LastUpdated     string            `json:"lastUpdated"`
	Scope           string            `json:"scope"`
	Status          string            `json:"status"`
	StatusChanged   string            `json:"statusChanged"`
	PasswordChanged *string           `json:"passwordChanged"`
	SyncState       string            `json:"syncState"`
	Credentials     appUserCredsJSON  `json:"credentials"`
	Profile         json.RawMessage   `json:"profile"`
	Embedded        *appUserEmbedJSON `json:"_embedded,omitempty"`
	Links           map[string]link   `json:"_links"`
}

type appUserCredsJSON struct {
	UserName string `json:"userName"`
}

type appUserEmbedJSON struct {
	User userJSON `json:"user"`
}

func (s *Server) renderUser(u *user) userJSON {
	return userJSON{
		ID: u.ID, Status: u.Status,
		Created: timestamp(u.created), StatusChanged: timestamp(u.statusChanged), LastUpdated: timestamp(u.updated),
		Type:    map[string]any{"id": "otyfake0000000000001"},
		Profile: userProfileJSON{Login: u.Login, Email: u.Email, FirstName: u.FirstName, LastName: u.LastName},
		Links:   map[string]link{"self": {Href: s.URL() + "/api/v1/users/" + u.ID}},
	}
}

func (s *Server) renderAppUser(a *app, u *user, as *assignment, expandUser bool) appUserJSON {
	out := appUserJSON{
		ID: u.ID, ExternalID: "",
		Created: timestamp(as.created), LastUpdated: timestamp(as.updated),
		Scope: "USER", Status: as.status, StatusChanged: timestamp(as.statusChanged),
		SyncState:   "SYNCHRONIZED",
		Credentials: appUserCredsJSON{UserName: u.Login},
		Profile:     as.profile,
		Links: map[string]link{
			"app":  {Href: s.URL() + "/api/v1/apps/" + a.id},
			"user": {Href: s.URL() + "/api/v1/users/" + u.ID},
		},
	}
	if expandUser {
		out.Embedded = &appUserEmbedJSON{User: s.renderUser(u)}
	}
	return out
}

// awkward are strings that need every kind of escaping json.Marshal does.
var awkward = []string{
	"", "plain", `quo"te`, `back\slash`, "ctl\x00\x01\x1f\x7f\b\f\n\r\t", "<a&b>", "</script>",
	"line\u2028para\u2029", "Zoë Ωmega 日本 🙂", "bad\xff\xfeutf", "cut\xe2\x80", "\xe2\x80\xa8\xe2\x80\xa9", "tab\tend",
	"\u2027\u202a", "\ufffd", "\xed\xa0\x80 surrogate", "\xf4\x90\x80\x80 too big",
}

func marshal(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestAppendTimestampIsTimestamp(t *testing.T) {
	times := []time.Time{{}, time.Now(), time.Unix(0, 0), time.Unix(-1, 999_999_999), time.Unix(1<<40, 123_456_789),
		time.Date(9999, 12, 31, 23, 59, 59, 999_999_999, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 2, 29, 23, 30, 0, 5e6, time.FixedZone("x", -3600)),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.FixedZone("y", 5*3600))}
	for i := range 10000 {
		times = append(times, time.Unix(int64(i)*987_654_321-4e12, int64(i)*7919%1e9))
	}
	for _, at := range times {
		if got, want := string(appendTimestamp(nil, at)), `"`+timestamp(at)+`"`; got != want {
			t.Errorf("%v: %s, want %s", at, got, want)
		}
	}
}

func TestListedResourcesAreJSONMarshal(t *testing.T) {
	s := NewServer(Options{})
	defer s.Close()
	for i, n := range awkward {
		appID := "0oa" + n
		s.AddApp(appID, n)
		u := s.AddUser(User{ID: fmt.Sprintf("00u%d%s", i, n), Status: n, Login: n + "@x.io", Email: n, FirstName: n, LastName: n})
		s.Assign(appID, u.ID, n, map[string]any{"role": n, n: []any{1.5, nil, true, n, map[string]any{"z": n, "a": n}}})
		g := s.AddGroup(Group{ID: fmt.Sprintf("00g%d%s", i, n), Name: n + ".", Description: n})
		s.AddGroupMember(g.ID, u.ID)
	}
	s.AddApp("0oanull", "no profile")
	s.Assign("0oanull", "00u1plain", "", nil)
	s.mu.Lock()
	defer s.mu.Unlock()
	at := time.Date(12345, 1, 2, 3, 4, 5, 6e6, time.FixedZone("x", -3600)) // a year of five digits, not in UTC
	for _, a := range s.org.apps {
		for id, as := range a.assignments {
			u := s.org.users[id]
			if a.id == "0oaplain" {
				u.created, as.statusChanged = at, at
			}
			for _, expand := range []bool{false, true} {
				if got, want := s.appendAppUser(nil, a, u, as, expand), marshal(t, s.renderAppUser(a, u, as, expand)); !bytes.Equal(got, want) {
					t.Errorf("app user %q of %q (expand %t):\n got %s\nwant %s", id, a.id, expand, got, want)
				}
			}
			if got, want := s.appendUser(nil, u), marshal(t, s.renderUser(u)); !bytes.Equal(got, want) {
				t.Errorf("user %q:\n got %s\nwant %s", id, got, want)
			}
		}
	}
	for _, g := range s.org.groups {
		if got, want := s.appendGroup(nil, g), marshal(t, s.renderGroup(g)); !bytes.Equal(got, want) {
			t.Errorf("group %q:\n got %s\nwant %s", g.ID, got, want)
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
