package oktatest_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/okta-clickup-sync/okta-clickup-sync/internal/faults"
	"github.com/okta-clickup-sync/okta-clickup-sync/okta/oktatest"
)

type groupBody struct {
	ID                    string
	Created               string
	LastUpdated           string
	LastMembershipUpdated string
	ObjectClass           []string
	Type                  string
	Profile               struct{ Name, Description string }
	Links                 map[string]any `json:"_links"`
}

func decodeJSON[T any](t *testing.T, r result) T {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("status %d, body %s", r.status, r.body)
	}
	var v T
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("body %s: %v", r.body, err)
	}
	return v
}

func groupIDs(gs []groupBody) []string {
	var ids []string
	for _, g := range gs {
		ids = append(ids, g.ID)
	}
	return ids
}

func searchURL(s *oktatest.Server, expr string) string {
	return s.URL() + "/api/v1/groups?" + url.Values{"search": {expr}}.Encode()
}

func TestServer_GetGroup(t *testing.T) {
	s, _ := newOrg(t, 0)
	g := s.AddGroup(oktatest.Group{Name: "Engineering", Description: "builds"})
	if !strings.HasPrefix(g.ID, "00g") || len(g.ID) != 20 {
		t.Errorf("generated id %q, want an Okta-shaped 00g id", g.ID)
	}
	body := decodeJSON[groupBody](t, get(t, s.URL()+"/api/v1/groups/"+g.ID, s.Token()))
	if body.ID != g.ID || body.Profile.Name != "Engineering" || body.Profile.Description != "builds" ||
		body.Type != "OKTA_GROUP" || !slices.Equal(body.ObjectClass, []string{"okta:user_group"}) ||
		body.Created == "" || body.LastUpdated == "" || body.LastMembershipUpdated == "" || body.Links["users"] == nil {
		t.Errorf("group %+v", body)
	}

	s.RenameGroup(g.ID, "Platform")
	if body := decodeJSON[groupBody](t, get(t, s.URL()+"/api/v1/groups/"+g.ID, s.Token())); body.Profile.Name != "Platform" {
		t.Errorf("after RenameGroup: name %q", body.Profile.Name)
	}
	wantError(t, get(t, s.URL()+"/api/v1/groups/00gnope", s.Token()), http.StatusNotFound, "E0000007")
	s.DeleteGroup(g.ID)
	wantError(t, get(t, s.URL()+"/api/v1/groups/"+g.ID, s.Token()), http.StatusNotFound, "E0000007")
	wantError(t, get(t, s.URL()+"/api/v1/groups/"+g.ID+"/users", s.Token()), http.StatusNotFound, "E0000007")
	if again := s.AddGroup(oktatest.Group{Name: "Platform"}); again.ID == g.ID {
		t.Errorf("a deleted group's id %s was handed out again", g.ID)
	}
}

func TestServer_SearchGroups(t *testing.T) {
	s, _ := newOrg(t, 0)
	eng := s.AddGroup(oktatest.Group{Name: "Engineering"})
	engLower := s.AddGroup(oktatest.Group{Name: "engineering"})
	quoted := s.AddGroup(oktatest.Group{Name: `Ops "core" \ team`})
	gone := s.AddGroup(oktatest.Group{Name: "Gone"})
	s.DeleteGroup(gone.ID)

	for _, tc := range []struct {
		expr string
		want []string
	}{
		{`profile.name eq "Engineering"`, []string{eng.ID, engLower.ID}}, // eq ignores case, as Okta's
		{`profile.name eq "Ops \"core\" \\ team"`, []string{quoted.ID}},
		{`profile.name eq "Ops"`, nil},
		{`profile.name eq "Gone"`, nil},
		{`id eq "` + quoted.ID + `"`, []string{quoted.ID}},
		{`id eq "` + quoted.ID + `" or id eq "` + eng.ID + `" or id eq "` + gone.ID + `" or id eq "00gnope"`, []string{eng.ID, quoted.ID}},
	} {
		got := groupIDs(decodeJSON[[]groupBody](t, get(t, searchURL(s, tc.expr), s.Token())))
		if !slices.Equal(got, tc.want) {
			t.Errorf("search %s = %v, want %v", tc.expr, got, tc.want)
		}
	}
	if got := groupIDs(decodeJSON[[]groupBody](t, get(t, s.URL()+"/api/v1/groups", s.Token()))); !slices.Equal(got, []string{eng.ID, engLower.ID, quoted.ID}) {
		t.Errorf("listing without search = %v, want every live group", got)
	}

	for _, bad := range []string{
		``,
		`profile.name sw "Eng"`,
		`profile.name eq Engineering`,
		`profile.name eq "Engineering`,
		`profile.name eq "Engineering" or id eq "` + eng.ID + `"`,
		`id eq "` + eng.ID + `" and id eq "` + quoted.ID + `"`,
		`id eq "` + eng.ID + `" or`,
		`id eq "` + eng.ID + `" trailing`,
		`type eq "OKTA_GROUP"`,
		`ID eq "` + eng.ID + `"`,
		`profile.name eq "x\`,
	} {
		t.Run(bad, func(t *testing.T) {
			wantError(t, get(t, searchURL(s, bad), s.Token()), http.StatusBadRequest, "E0000031")
		})
	}
	wantError(t, get(t, s.URL()+"/api/v1/groups?q=Eng", s.Token()), http.StatusBadRequest, "E0000031")
}

// Both listings page by an after cursor with one Link header per rel.
func TestServer_GroupPagination(t *testing.T) {
	s, users := newOrg(t, 5)
	var groups []string
	for i := range 5 {
		groups = append(groups, s.AddGroup(oktatest.Group{Name: fmt.Sprintf("g%d", i)}).ID)
	}
	for _, u := range users {
		s.AddGroupMember(groups[0], u.ID)
		s.AddGroupMember(groups[0], u.ID) // a no-op, as in Okta
	}
	s.RemoveGroupMember(groups[0], users[4].ID)
	var wantMembers []string
	for _, u := range users[:4] {
		wantMembers = append(wantMembers, u.ID)
	}

	walk := func(first string) (ids []string, requests int) {
		t.Helper()
		for next := first; next != ""; requests++ {
			r := get(t, next, s.Token())
			if vals := r.header.Values("Link"); len(vals) == 0 || len(vals) > 2 {
				t.Fatalf("%s: Link headers %q, want self and at most next, one value each", next, vals)
			}
			l := links(t, r.header)
			if l[`rel="self"`] == "" {
				t.Errorf("%s: no self link", next)
			}
			var page []struct{ ID string }
			page = decodeJSON[[]struct{ ID string }](t, r)
			for _, e := range page {
				ids = append(ids, e.ID)
			}
			next = l[`rel="next"`]
			if next != "" && !strings.Contains(next, "limit=2") {
				t.Errorf("next link %q lost the limit", next)
			}
		}
		return ids, requests
	}
	if ids, n := walk(s.URL() + "/api/v1/groups?limit=2&search=" + url.QueryEscape(`id eq "`+groups[0]+`" or id eq "`+groups[1]+`" or id eq "`+groups[3]+`"`)); !slices.Equal(ids, []string{groups[0], groups[1], groups[3]}) || n != 2 {
		t.Errorf("search pages: %v in %d requests, want 3 groups in 2", ids, n)
	}
	if ids, n := walk(s.URL() + "/api/v1/groups/" + groups[0] + "/users?limit=2"); !slices.Equal(ids, wantMembers) || n != 2 {
		t.Errorf("member pages: %v in %d requests, want %v in 2", ids, n, wantMembers)
	}

	for _, bad := range []string{"limit=0", "limit=-1", "limit=x", "after=00unope"} {
		wantError(t, get(t, s.URL()+"/api/v1/groups/"+groups[0]+"/users?"+bad, s.Token()), http.StatusBadRequest, "E0000001")
		wantError(t, get(t, s.URL()+"/api/v1/groups?"+strings.Replace(bad, "00unope", "00gnope", 1), s.Token()), http.StatusBadRequest, "E0000001")
	}
}

func TestServer_GroupMembers(t *testing.T) {
	s, _ := newOrg(t, 0)
	g := s.AddGroup(oktatest.Group{Name: "Big"})
	u := s.AddUser(oktatest.User{Login: "ada@example.com", Email: "ada@mail.example.com", FirstName: "Ada", LastName: "Lovelace", Status: "SUSPENDED"})
	s.AddGroupMember(g.ID, u.ID)
	for i := range oktatest.GroupMembersPageLimit {
		s.AddGroupMember(g.ID, s.AddUser(oktatest.User{Login: fmt.Sprintf("u%d@example.com", i)}).ID)
	}
	listing := s.URL() + "/api/v1/groups/" + g.ID + "/users"

	type member struct {
		ID, Status string
		Profile    struct{ Login, Email, FirstName, LastName string }
	}
	for _, q := range []string{"", "?limit=5000"} {
		r := get(t, listing+q, s.Token())
		page := decodeJSON[[]member](t, r)
		if len(page) != oktatest.GroupMembersPageLimit {
			t.Errorf("%s: %d members on the first page, want %d", q, len(page), oktatest.GroupMembersPageLimit)
		}
		if next := links(t, r.header)[`rel="next"`]; !strings.Contains(next, fmt.Sprintf("limit=%d", oktatest.GroupMembersPageLimit)) {
			t.Errorf("%s: next link %q, want one with the capped limit", q, next)
		}
	}
	page := decodeJSON[[]member](t, get(t, listing+"?limit=1", s.Token()))
	want := member{ID: u.ID, Status: "SUSPENDED"}
	want.Profile.Login, want.Profile.Email, want.Profile.FirstName, want.Profile.LastName = u.Login, u.Email, "Ada", "Lovelace"
	if len(page) != 1 || page[0] != want {
		t.Errorf("first member %+v, want %+v", page, want)
	}
}

func TestServer_GroupRepeatNextLink(t *testing.T) {
	s, users := newOrg(t, 3)
	g := s.AddGroup(oktatest.Group{Name: "Loop"})
	for _, u := range users {
		s.AddGroupMember(g.ID, u.ID)
	}
	s.RepeatNextLink(true)
	listing := s.URL() + "/api/v1/groups/" + g.ID + "/users?limit=2"
	first := links(t, get(t, listing, s.Token()).header)[`rel="next"`]
	last := links(t, get(t, first, s.Token()).header)[`rel="next"`]
	if first == "" || first != last {
		t.Errorf("next links %q then %q, want the same first-page cursor", first, last)
	}
}

func TestServer_GroupAuth(t *testing.T) {
	s, _ := newOrg(t, 0)
	g := s.AddGroup(oktatest.Group{Name: "Eng"})
	paths := []string{"/api/v1/groups", "/api/v1/groups/" + g.ID, "/api/v1/groups/" + g.ID + "/users"}
	for _, p := range paths {
		wantError(t, get(t, s.URL()+p, ""), http.StatusUnauthorized, "E0000011")
		wantError(t, get(t, s.URL()+p, "wrong"), http.StatusUnauthorized, "E0000011")
	}

	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	s.RegisterServiceApp(svcClientID, "", &key.PublicKey, []string{"okta.apps.read", "okta.groups.read"})
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
	for _, tc := range []struct {
		scope  string
		status int
	}{{"okta.apps.read", http.StatusForbidden}, {"okta.groups.read", http.StatusOK}} {
		tok := bearer(tc.scope)
		for _, p := range paths {
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, s.URL()+p, nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Errorf("%s with scope %s: status %d, want %d", p, tc.scope, resp.StatusCode, tc.status)
			}
		}
	}
}

// Group requests are logged, counted in buckets of their own, and reachable by fault rules.
func TestServer_GroupRequestsAndFaults(t *testing.T) {
	s, _ := newOrg(t, 0)
	g := s.AddGroup(oktatest.Group{Name: "Eng"})
	in := s.Faults(1)
	for _, p := range []string{oktatest.PathGroups, oktatest.PathGroup, oktatest.PathGroupUsers} {
		in.Add(faults.Rule{Path: p, Status: http.StatusTeapot, Times: 1})
	}
	paths := []string{"/api/v1/groups", "/api/v1/groups/" + g.ID, "/api/v1/groups/" + g.ID + "/users"}
	for _, p := range paths {
		// Not get: an injected answer bypasses the fake, rate-limit headers included.
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, s.URL()+p, nil)
		req.Header.Set("Authorization", "SSWS "+s.Token())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusTeapot {
			t.Errorf("%s: status %d, want the injected 418", p, resp.StatusCode)
		}
		if r := get(t, s.URL()+p, s.Token()); r.status != http.StatusOK {
			t.Errorf("%s after the fault: status %d", p, r.status)
		}
	}
	var logged []string
	for _, r := range s.Requests() {
		logged = append(logged, r.Path)
	}
	if want := []string{paths[0], paths[0], paths[1], paths[1], paths[2], paths[2]}; !slices.Equal(logged, want) {
		t.Errorf("request log %v, want %v", logged, want)
	}

	s.SetRateLimit(1)
	if r := get(t, s.URL()+paths[2], s.Token()); r.status != http.StatusTooManyRequests {
		t.Errorf("members listing past its bucket: status %d, want 429", r.status)
	}
	for _, p := range []string{"/api/v1/groups/", "/api/v1/groups/" + g.ID + "/apps/x", "/api/v1/groups/" + g.ID + "/roles"} {
		s.SetRateLimit(0)
		wantError(t, get(t, s.URL()+p, s.Token()), http.StatusNotFound, "E0000022")
	}
}

func TestServer_GroupMisusePanics(t *testing.T) {
	s, users := newOrg(t, 1)
	g := s.AddGroup(oktatest.Group{Name: "Eng"})
	for name, f := range map[string]func(){
		"EmptyName":       func() { s.AddGroup(oktatest.Group{}) },
		"DuplicateID":     func() { s.AddGroup(oktatest.Group{ID: g.ID, Name: "x"}) },
		"RenameUnknown":   func() { s.RenameGroup("00gnope", "x") },
		"RenameEmpty":     func() { s.RenameGroup(g.ID, "") },
		"DeleteUnknown":   func() { s.DeleteGroup("00gnope") },
		"MemberOfUnknown": func() { s.AddGroupMember("00gnope", users[0].ID) },
		"UnknownMember":   func() { s.AddGroupMember(g.ID, "00unope") },
		"RemoveUnknown":   func() { s.RemoveGroupMember("00gnope", users[0].ID) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			f()
		})
	}
}
