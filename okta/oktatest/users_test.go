package oktatest_test

import (
	"crypto/rand"
	"crypto/rsa"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/okta-clickup-sync/okta-clickup-sync/internal/faults"
	"github.com/okta-clickup-sync/okta-clickup-sync/okta/oktatest"
)

type userBody struct {
	ID, Status string
	Profile    struct{ Login, Email, FirstName, LastName string }
	Links      struct{ Self struct{ Href string } } `json:"_links"`
}

func TestServer_GetAppUser(t *testing.T) {
	s, users := newOrg(t, 2)
	s.Unassign(appID, users[1].ID)
	base := s.URL() + "/api/v1/apps/" + appID + "/users/"

	au := decodeJSON[appUser](t, get(t, base+users[0].ID+"?expand=user", s.Token()))
	if au.ID != users[0].ID || au.Status != "PROVISIONED" || au.Profile["role"] != "member" || au.Embedded == nil ||
		au.Embedded.User.ID != users[0].ID || au.Embedded.User.Profile["login"] != users[0].Login {
		t.Errorf("app user %+v", au)
	}
	if au := decodeJSON[appUser](t, get(t, base+users[0].ID, s.Token())); au.Embedded != nil {
		t.Errorf("without expand=user the user is embedded: %+v", au.Embedded)
	}
	for _, tc := range []struct{ path, names string }{
		{base + users[1].ID, users[1].ID + " (AppUser)"},                // exists, not assigned
		{base + "00unobody0000000000", "00unobody0000000000 (AppUser)"}, // does not exist
		{s.URL() + "/api/v1/apps/0oanope/users/" + users[0].ID, "0oanope (AppInstance)"},
	} {
		r := get(t, tc.path, s.Token())
		wantError(t, r, http.StatusNotFound, "E0000007")
		if !strings.Contains(string(r.body), tc.names) {
			t.Errorf("%s: body %s does not name %s", tc.path, r.body, tc.names)
		}
	}
	wantError(t, get(t, base+users[0].ID+"?expand=group", s.Token()), http.StatusBadRequest, "E0000001")
}

func TestServer_GetUser(t *testing.T) {
	s, _ := newOrg(t, 0)
	u := s.AddUser(oktatest.User{Login: "Ann+ops@Example.com", Email: "ann@example.com", FirstName: "Ann", LastName: "Ops", Status: "SUSPENDED"})
	for _, key := range []string{u.ID, u.Login, "ann+ops@example.com", url.PathEscape(u.Login)} {
		b := decodeJSON[userBody](t, get(t, s.URL()+"/api/v1/users/"+key, s.Token()))
		if b.ID != u.ID || b.Status != "SUSPENDED" || b.Profile.Login != u.Login || b.Profile.Email != u.Email ||
			b.Links.Self.Href != s.URL()+"/api/v1/users/"+u.ID {
			t.Errorf("GET /api/v1/users/%s = %+v", key, b)
		}
	}
	// A login that changes is found under its new name only.
	u.Login = "ann@example.com"
	s.UpdateUser(u)
	wantError(t, get(t, s.URL()+"/api/v1/users/Ann+ops@Example.com", s.Token()), http.StatusNotFound, "E0000007")
	if b := decodeJSON[userBody](t, get(t, s.URL()+"/api/v1/users/ann@example.com", s.Token())); b.ID != u.ID {
		t.Errorf("by the new login: %+v", b)
	}
	r := get(t, s.URL()+"/api/v1/users/nobody@example.com", s.Token())
	wantError(t, r, http.StatusNotFound, "E0000007")
	if !strings.Contains(string(r.body), "nobody@example.com (User)") {
		t.Errorf("body %s does not name the key", r.body)
	}
	// A login holding a slash is one segment once escaped.
	slash := s.AddUser(oktatest.User{Login: "a/b@example.com"})
	if b := decodeJSON[userBody](t, get(t, s.URL()+"/api/v1/users/"+url.PathEscape(slash.Login), s.Token())); b.ID != slash.ID {
		t.Errorf("login with a slash: %+v", b)
	}
}

func TestServer_SearchUsers(t *testing.T) {
	s, _ := newOrg(t, 0)
	a := s.AddUser(oktatest.User{Login: "a@example.com", Email: "Shared@example.com"})
	b := s.AddUser(oktatest.User{Login: "b@example.com", Email: "shared@example.com"})
	s.AddUser(oktatest.User{Login: "c@example.com", Email: "c@example.com"})
	search := func(expr string, extra url.Values) result {
		q := url.Values{"search": {expr}}
		for k, v := range extra {
			q[k] = v
		}
		return get(t, s.URL()+"/api/v1/users?"+q.Encode(), s.Token())
	}
	got := decodeJSON[[]userBody](t, search(`profile.email eq "shared@EXAMPLE.com"`, nil))
	if len(got) != 2 || got[0].ID != a.ID || got[1].ID != b.ID {
		t.Errorf("email search found %+v, want %s and %s", got, a.ID, b.ID)
	}
	if got := decodeJSON[[]userBody](t, search(`profile.email eq "none@example.com"`, nil)); len(got) != 0 {
		t.Errorf("search for nobody found %+v", got)
	}
	// Paged by limit, one Link header per rel, the search carried into the next link.
	r := search(`profile.email eq "shared@example.com"`, url.Values{"limit": {"1"}})
	l := links(t, r.header)
	if page := decodeJSON[[]userBody](t, r); len(page) != 1 || page[0].ID != a.ID || !strings.Contains(l[`rel="next"`], "after="+a.ID) {
		t.Fatalf("first page %+v, links %v", page, l)
	}
	if page := decodeJSON[[]userBody](t, get(t, l[`rel="next"`], s.Token())); len(page) != 1 || page[0].ID != b.ID {
		t.Errorf("second page %+v", page)
	}
	for _, bad := range []string{`profile.firstName eq "a"`, `profile.email eq "a" or profile.email eq "b"`, `profile.email eq "a`} {
		wantError(t, search(bad, nil), http.StatusBadRequest, "E0000031")
	}
	wantError(t, get(t, s.URL()+"/api/v1/users?filter=status+eq+%22ACTIVE%22", s.Token()), http.StatusBadRequest, "E0000031")
	wantError(t, search(`profile.email eq "a"`, url.Values{"limit": {"0"}}), http.StatusBadRequest, "E0000001")
}

func TestServer_UserGroups(t *testing.T) {
	s, users := newOrg(t, 2)
	var want []string
	for i := range oktatest.UserGroupsPageLimit + 1 {
		g := s.AddGroup(oktatest.Group{Name: "G" + string(rune('a'+i%26))})
		s.AddGroupMember(g.ID, users[0].ID)
		want = append(want, g.ID)
	}
	gone := s.AddGroup(oktatest.Group{Name: "Gone"})
	s.AddGroupMember(gone.ID, users[0].ID)
	s.DeleteGroup(gone.ID)

	var got []string
	next := s.URL() + "/api/v1/users/" + users[0].ID + "/groups"
	for pages := 0; next != ""; pages++ {
		if pages > 2 {
			t.Fatal("more pages than the groups need")
		}
		r := get(t, next, s.Token())
		got = append(got, groupIDs(decodeJSON[[]groupBody](t, r))...)
		next = links(t, r.header)[`rel="next"`]
	}
	if !slices.Equal(got, want) {
		t.Errorf("groups %d, want the %d the user is in, in id order", len(got), len(want))
	}
	if gs := decodeJSON[[]groupBody](t, get(t, s.URL()+"/api/v1/users/"+users[1].ID+"/groups", s.Token())); len(gs) != 0 {
		t.Errorf("a user in no group is in %v", groupIDs(gs))
	}
	wantError(t, get(t, s.URL()+"/api/v1/users/00unobody0000000000/groups", s.Token()), http.StatusNotFound, "E0000007")
}

// The users routes refuse a missing or wrong token, demand okta.users.read (okta.apps.read for
// the app user) of an access token, are logged, and are reached by fault rules.
func TestServer_UserRoutesAuthAndFaults(t *testing.T) {
	s, users := newOrg(t, 1)
	u := users[0]
	routes := []struct{ path, pattern, scope string }{
		{"/api/v1/apps/" + appID + "/users/" + u.ID, oktatest.PathAppUser, "okta.apps.read"},
		{"/api/v1/users/" + u.ID, oktatest.PathUser, "okta.users.read"},
		{"/api/v1/users?search=" + url.QueryEscape(`profile.email eq "x"`), oktatest.PathUsers, "okta.users.read"},
		{"/api/v1/users/" + u.ID + "/groups", oktatest.PathUserGroups, "okta.users.read"},
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	s.RegisterServiceApp(svcClientID, "", &key.PublicKey, []string{"okta.apps.read", "okta.users.read", "okta.groups.read"})
	bearer := func(scope string) string {
		now := time.Now().Unix()
		assertion := signJWT(t, key, map[string]any{"alg": "RS256"}, map[string]any{
			"iss": svcClientID, "sub": svcClientID, "aud": s.URL() + oktatest.TokenPath, "iat": now, "exp": now + 600})
		status, body := requestToken(t, s, http.MethodPost, assertion, scope)
		tok, _ := body["access_token"].(string)
		if status != http.StatusOK || tok == "" {
			t.Fatalf("token for %s: %d %v", scope, status, body)
		}
		return tok
	}
	in := s.Faults(1)
	for _, rt := range routes {
		wantError(t, get(t, s.URL()+rt.path, ""), http.StatusUnauthorized, "E0000011")
		wantError(t, get(t, s.URL()+rt.path, "wrong"), http.StatusUnauthorized, "E0000011")
		for _, scope := range []string{"okta.apps.read", "okta.users.read", "okta.groups.read"} {
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, s.URL()+rt.path, nil)
			req.Header.Set("Authorization", "Bearer "+bearer(scope))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if want := map[bool]int{true: http.StatusOK, false: http.StatusForbidden}[scope == rt.scope]; resp.StatusCode != want {
				t.Errorf("%s with scope %s: status %d, want %d", rt.path, scope, resp.StatusCode, want)
			}
		}
		s.ResetRequests()
		in.Add(faults.Rule{Path: rt.pattern, Kind: faults.Status, Status: http.StatusTeapot, Times: 1})
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, s.URL()+rt.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusTeapot || len(s.Requests()) != 1 {
			t.Errorf("%s: status %d after %d requests, want the injected 418 logged", rt.path, resp.StatusCode, len(s.Requests()))
		}
	}
	for _, p := range []string{"/api/v1/users/" + u.ID + "/roles", "/api/v1/users/", "/api/v1/apps/" + appID + "/users/" + u.ID + "/x"} {
		wantError(t, get(t, s.URL()+p, s.Token()), http.StatusNotFound, "E0000022")
	}
}

// The misbehaviour helpers reach the answers of the routes they aim at.
func TestServer_MisbehaviourHelpers(t *testing.T) {
	s, _ := newOrg(t, 1)
	listing := s.URL() + "/api/v1/apps/" + appID + "/users"
	remove := s.Faults(1).Add(oktatest.RawLink(`<%zz>; rel="next"`, `<x>; rel="self"`))
	r := get(t, listing, s.Token())
	if got := r.header.Values("Link"); !slices.Equal(got, []string{`<%zz>; rel="next"`, `<x>; rel="self"`}) || len(decodePage(t, r)) != 1 {
		t.Errorf("RawLink: Link %q", got)
	}
	remove()
	remove = s.Faults(2).Add(oktatest.Body(http.StatusOK, "null"))
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, listing, nil)
	resp, err := http.DefaultClient.Do(req) // not get: an injected answer has no rate-limit headers
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != "null" || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("Body: %d %s", resp.StatusCode, body)
	}
	remove()
	s.Faults(3).Add(oktatest.Redirect(http.StatusTemporaryRedirect, "http://127.0.0.1:1/elsewhere"))
	resp, err = http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTemporaryRedirect || resp.Header.Get("Location") != "http://127.0.0.1:1/elsewhere" {
		t.Errorf("Redirect: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}
