package okta_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/okta-clickup-sync/okta-clickup-sync/internal/faults"
	"github.com/okta-clickup-sync/okta-clickup-sync/okta"
	"github.com/okta-clickup-sync/okta-clickup-sync/okta/oktatest"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// addMembers adds n users to the fake and makes them members of the group; it returns their ids.
func addMembers(t *testing.T, s *oktatest.Server, groupID string, n int) []string {
	t.Helper()
	var ids []string
	for i := range n {
		u := s.AddUser(oktatest.User{Login: fmt.Sprintf("%s-%d@example.com", groupID, i)})
		s.AddGroupMember(groupID, u.ID)
		ids = append(ids, u.ID)
	}
	slices.Sort(ids)
	return ids
}

// query parses a logged request's query.
func query(t *testing.T, r oktatest.Request) url.Values {
	t.Helper()
	q, err := url.ParseQuery(r.RawQuery)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func TestClient_ResolveGroups(t *testing.T) {
	s := newFake(t)
	eng := s.AddGroup(oktatest.Group{Name: "Engineering"})
	s.AddGroup(oktatest.Group{Name: "engineering"}) // Okta's eq ignores case; the adapter must not
	quoted := s.AddGroup(oktatest.Group{Name: `Ops "core" \ team`})
	c := newClient(t, s, nil)

	for _, tc := range []struct {
		name     string
		refs     []string
		want     []string
		requests []string // path?search of each request
	}{
		// An id costs nothing here: every run's ListGroups fails on one that does not exist.
		{"ByID", []string{eng.ID}, []string{eng.ID}, []string{}},
		{"ByName", []string{"Engineering"}, []string{eng.ID}, []string{`/api/v1/groups?profile.name eq "Engineering"`}},
		{"Quote", []string{`Ops "core" \ team`}, []string{quoted.ID}, []string{`/api/v1/groups?profile.name eq "Ops \"core\" \\ team"`}},
		{"OrderAndDuplicates", []string{quoted.ID, "Engineering", eng.ID}, []string{quoted.ID, eng.ID}, nil},
		{"None", nil, nil, []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s.ResetRequests()
			got, err := c.ResolveGroups(t.Context(), tc.refs)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ResolveGroups(%q) = %q, want %q", tc.refs, got, tc.want)
			}
			if tc.requests == nil {
				return
			}
			var reqs []string
			for _, r := range s.Requests() {
				q := query(t, r)
				if q.Has("search") {
					reqs = append(reqs, r.Path+"?"+q.Get("search"))
				} else {
					reqs = append(reqs, r.Path)
				}
			}
			if !slices.Equal(reqs, tc.requests) {
				t.Errorf("requests %q, want %q", reqs, tc.requests)
			}
		})
	}
}

// Every bad ref is reported in one go, so an operator fixes the configuration once.
func TestClient_ResolveGroups_Problems(t *testing.T) {
	s := newFake(t)
	ok := s.AddGroup(oktatest.Group{Name: "Fine"})
	sales1 := s.AddGroup(oktatest.Group{Name: "Sales"})
	sales2 := s.AddGroup(oktatest.Group{Name: "Sales"})
	const unknownID = "00gunknown0000000000"

	// An unknown id passes here; ListGroups refuses it on every run (TestClient_ListGroups_Deleted).
	ids, err := newClient(t, s, nil).ResolveGroups(t.Context(), []string{ok.ID, unknownID, "Nope", "Sales", "Fine"})
	if err == nil || ids != nil {
		t.Fatalf("ResolveGroups = %q, %v; want an error and no ids", ids, err)
	}
	if !errors.Is(err, core.ErrNotFound) {
		t.Errorf("error %v does not match ErrNotFound", err)
	}
	msg := err.Error()
	for _, want := range []string{
		`okta: group name "Nope" (SYNC_PUSH_GROUPS) matches no Okta group`,
		`okta: group name "Sales" (SYNC_PUSH_GROUPS) matches several Okta groups: ` + sales1.ID + ", " + sales2.ID + "; use an id",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not contain %q", msg, want)
		}
	}
	if strings.Contains(msg, `"Fine"`) || strings.Contains(msg, ok.ID) || strings.Contains(msg, unknownID) {
		t.Errorf("error %q mentions a ref that resolved", msg)
	}
	if n := len(s.Requests()); n != 3 {
		t.Errorf("%d requests, want 3: one per name", n)
	}
}

func TestClient_ResolveGroups_ErrUnauthorized(t *testing.T) {
	s := newFake(t)
	g := s.AddGroup(oktatest.Group{Name: "Eng"})
	const token = "00wrongTokenThatMustNotLeak"
	ids, err := newClient(t, s, func(o *okta.Options) { o.Token = token }).ResolveGroups(t.Context(), []string{g.ID, "Eng"})
	if !errors.Is(err, core.ErrUnauthorized) || ids != nil {
		t.Fatalf("ResolveGroups = %q, %v; want ErrUnauthorized", ids, err)
	}
	if strings.Contains(err.Error(), token) {
		t.Errorf("error %q contains the token", err)
	}
	if n := len(s.Requests()); n != 1 {
		t.Errorf("%d requests, want 1: refused credentials end the resolution", n)
	}
}

func TestClient_ListGroups_Cost(t *testing.T) {
	s := newFake(t)
	big := s.AddGroup(oktatest.Group{Name: "Big"})
	small := s.AddGroup(oktatest.Group{Name: "Small", Description: "a few"})
	empty := s.AddGroup(oktatest.Group{Name: "Empty"})
	s.AddGroup(oktatest.Group{Name: "Not pushed"})
	bigMembers := addMembers(t, s, big.ID, 450)
	smallMembers := addMembers(t, s, small.ID, 3)
	s.ResetRequests()

	groups, err := newClient(t, s, nil).ListGroups(t.Context(), []string{small.ID, big.ID, empty.ID})
	if err != nil {
		t.Fatal(err)
	}
	want := []core.OktaGroup{
		{ID: small.ID, Name: "Small", Members: smallMembers},
		{ID: big.ID, Name: "Big", Members: bigMembers},
		{ID: empty.ID, Name: "Empty", Members: []string{}},
	}
	if !reflect.DeepEqual(groups, want) {
		t.Errorf("ListGroups = %+v, want %+v", groups, want)
	}

	var searches, pages int
	memberPages := map[string]int{}
	for _, r := range s.Requests() {
		q := query(t, r)
		switch {
		case r.Path == "/api/v1/groups":
			searches++
			if got, want := q.Get("search"), fmt.Sprintf(`id eq %q or id eq %q or id eq %q`, small.ID, big.ID, empty.ID); got != want {
				t.Errorf("search %q, want %q", got, want)
			}
		case strings.HasPrefix(r.Path, "/api/v1/groups/") && strings.HasSuffix(r.Path, "/users"):
			pages++
			memberPages[strings.TrimSuffix(strings.TrimPrefix(r.Path, "/api/v1/groups/"), "/users")]++
			if q.Get("limit") != "200" {
				t.Errorf("member page %s?%s without limit=200", r.Path, r.RawQuery)
			}
		default:
			t.Errorf("unexpected request %s?%s", r.Path, r.RawQuery)
		}
	}
	if searches != 1 || pages != 5 || memberPages[big.ID] != 3 {
		t.Errorf("%d searches and %d member pages (%v), want exactly 1 and 3+1+1", searches, pages, memberPages)
	}
}

func TestClient_ListGroups_Chunks(t *testing.T) {
	s := newFake(t)
	var ids []string
	for i := range 150 {
		ids = append(ids, s.AddGroup(oktatest.Group{Name: fmt.Sprintf("g%d", i)}).ID)
	}
	groups, err := newClient(t, s, nil).ListGroups(t.Context(), ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 150 || groups[149].Name != "g149" {
		t.Fatalf("ListGroups = %d groups, want 150 in order", len(groups))
	}
	var sizes []int
	for _, r := range s.Requests() {
		if r.Path == "/api/v1/groups" {
			sizes = append(sizes, strings.Count(query(t, r).Get("search"), "id eq "))
		}
	}
	if !slices.Equal(sizes, []int{100, 50}) {
		t.Errorf("searches for %v ids, want [100 50]", sizes)
	}
}

// Pushing a deleted group as an empty one would strip its Team of every member.
func TestClient_ListGroups_Deleted(t *testing.T) {
	s := newFake(t)
	kept := s.AddGroup(oktatest.Group{Name: "Kept"})
	gone := s.AddGroup(oktatest.Group{Name: "Gone"})
	addMembers(t, s, kept.ID, 2)
	s.DeleteGroup(gone.ID)
	s.ResetRequests()

	groups, err := newClient(t, s, nil).ListGroups(t.Context(), []string{kept.ID, gone.ID})
	if !errors.Is(err, core.ErrNotFound) || groups != nil {
		t.Fatalf("ListGroups = %+v, %v; want ErrNotFound and no groups", groups, err)
	}
	if want := "okta: pushed group " + gone.ID + " no longer exists"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not say %q", err, want)
	}
	if n := len(s.Requests()); n != 1 {
		t.Errorf("%d requests, want only the search", n)
	}
}

func TestClient_ListGroups_RepeatedNextLink(t *testing.T) {
	s := newFake(t)
	g := s.AddGroup(oktatest.Group{Name: "Loop"})
	addMembers(t, s, g.ID, 250)
	s.RepeatNextLink(true)
	groups, err := newClient(t, s, nil).ListGroups(t.Context(), []string{g.ID})
	if !errors.Is(err, core.ErrMalformed) || groups != nil {
		t.Fatalf("ListGroups = %+v, %v; want ErrMalformed and no groups", groups, err)
	}
	if msg := err.Error(); !strings.Contains(msg, "repeats") || !strings.Contains(msg, "list group members: GET /api/v1/groups/"+g.ID+"/users page 2") {
		t.Errorf("error %q does not say which listing's next link repeats", msg)
	}
}

func TestClient_ListGroups_ErrUnauthorized(t *testing.T) {
	s := newFake(t)
	g := s.AddGroup(oktatest.Group{Name: "Eng"})
	const token = "00wrongTokenThatMustNotLeak"
	groups, err := newClient(t, s, func(o *okta.Options) { o.Token = token }).ListGroups(t.Context(), []string{g.ID})
	if !errors.Is(err, core.ErrUnauthorized) || groups != nil {
		t.Fatalf("ListGroups = %+v, %v; want ErrUnauthorized and no groups", groups, err)
	}
	if msg := err.Error(); strings.Contains(msg, token) || !strings.HasPrefix(msg, "okta: list groups: GET /api/v1/groups?search=") {
		t.Errorf("error %q: want the operation and request, and never the token", msg)
	}
}

// One failed listing fails the call: a partial set of members would remove the others.
func TestClient_ListGroups_MemberPageFails(t *testing.T) {
	s := newFake(t)
	a := s.AddGroup(oktatest.Group{Name: "A"})
	b := s.AddGroup(oktatest.Group{Name: "B"})
	addMembers(t, s, a.ID, 1)
	addMembers(t, s, b.ID, 1)
	s.Faults(1).Add(faults.Rule{Path: "/api/v1/groups/" + b.ID + "/users", Status: http.StatusNotFound,
		Body: `{"errorCode":"E0000007","errorSummary":"Not found","errorLink":"E0000007","errorId":"oaex","errorCauses":[]}`})
	groups, err := newClient(t, s, nil).ListGroups(t.Context(), []string{a.ID, b.ID})
	if !errors.Is(err, core.ErrNotFound) || groups != nil {
		t.Fatalf("ListGroups = %+v, %v; want ErrNotFound and no groups", groups, err)
	}
	if !strings.Contains(err.Error(), "GET /api/v1/groups/"+b.ID+"/users") {
		t.Errorf("error %q does not name the failed request", err)
	}
}

func TestClient_ListGroups_MemberWithoutID(t *testing.T) {
	s := newFake(t)
	g := s.AddGroup(oktatest.Group{Name: "A"})
	addMembers(t, s, g.ID, 2)
	s.Faults(1).Add(faults.Rule{Path: oktatest.PathGroupUsers, Kind: faults.Rewrite, Transform: func(b []byte) []byte {
		var users []map[string]any
		if err := json.Unmarshal(b, &users); err != nil {
			t.Errorf("fake's page: %v", err)
			return b
		}
		delete(users[1], "id")
		out, _ := json.Marshal(users)
		return out
	}})
	groups, err := newClient(t, s, nil).ListGroups(t.Context(), []string{g.ID})
	if !errors.Is(err, core.ErrMalformed) || groups != nil {
		t.Fatalf("ListGroups = %+v, %v; want ErrMalformed and no groups", groups, err)
	}
	if !strings.Contains(err.Error(), "position 2") {
		t.Errorf("error %q does not point at the entry", err)
	}
}

func TestClient_ListGroups_NoRequest(t *testing.T) {
	s := newFake(t)
	c := newClient(t, s, nil)
	if groups, err := c.ListGroups(t.Context(), nil); err != nil || groups != nil {
		t.Errorf("ListGroups(nil) = %+v, %v; want nothing", groups, err)
	}
	if groups, err := c.ListGroups(t.Context(), []string{"00g1/../../users"}); err == nil || groups != nil {
		t.Errorf("ListGroups(path) = %+v, %v; want an error", groups, err)
	}
	if n := len(s.Requests()); n != 0 {
		t.Errorf("%d requests, want none", n)
	}
}

// The search's next links are followed, and a group Okta did not ask for is refused; the fake
// never pages a search of 100 ids, so a scripted org does.
func TestClient_ListGroups_SearchPages(t *testing.T) {
	for _, tc := range []struct {
		name    string
		second  string // id on the second page
		wantErr error
	}{
		{"Followed", "00gb", nil},
		{"Unrequested", "00gz", core.ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var (
				mu   sync.Mutex
				seen []string
			)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				seen = append(seen, r.URL.Path+"?"+r.URL.RawQuery)
				mu.Unlock()
				w.Header().Set("Content-Type", "application/json")
				q := r.URL.Query()
				switch {
				case r.URL.Path == "/api/v1/groups" && q.Get("after") == "":
					w.Header().Add("Link", `<http://`+r.Host+`/api/v1/groups?after=00ga&limit=1>; rel="next"`)
					fmt.Fprint(w, `[{"id":"00ga","profile":{"name":"A"}}]`)
				case r.URL.Path == "/api/v1/groups":
					fmt.Fprintf(w, `[{"id":%q,"profile":{"name":"B"}}]`, tc.second)
				default:
					fmt.Fprint(w, `[]`)
				}
			}))
			t.Cleanup(srv.Close)
			c, err := okta.New(t.Context(), okta.Options{OrgURL: srv.URL, AppID: appID, Token: "t", AllowInsecureHTTP: true})
			if err != nil {
				t.Fatal(err)
			}
			groups, err := c.ListGroups(t.Context(), []string{"00ga", "00gb"})
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("ListGroups = %+v, %v; want %v", groups, err, tc.wantErr)
			}
			if tc.wantErr != nil {
				return
			}
			if len(groups) != 2 || groups[1].Name != "B" {
				t.Errorf("ListGroups = %+v, want A and B", groups)
			}
			if second := seen[1]; !strings.Contains(second, "after=00ga") || !strings.Contains(second, "search=") {
				t.Errorf("second request %q, want the next page of the same search", second)
			}
		})
	}
}
