package clickup_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strings"
	gosync "sync"
	"testing"

	"github.com/okta-clickup-sync/okta-clickup-sync/clickup"
	"github.com/okta-clickup-sync/okta-clickup-sync/clickup/clickuptest"
	"github.com/okta-clickup-sync/okta-clickup-sync/internal/faults"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

func seedUsers(s *clickuptest.Server, n int) []string {
	var ids []string
	for i := range n {
		ids = append(ids, s.AddUser(clickuptest.User{UserName: fmt.Sprintf("m%03d@x.io", i), Active: true}).ID)
	}
	return ids
}

// groupWrites returns the fake's writes as "METHOD path-below-the-base status".
func groupWrites(s *clickuptest.Server) []string {
	var out []string
	for _, r := range s.Writes() {
		out = append(out, fmt.Sprintf("%s %s %d", r.Method, strings.TrimPrefix(r.Path, "/scim/v2/"+s.WorkspaceID()), r.Status))
	}
	return out
}

func TestSCIMClient_TeamLifecycle(t *testing.T) {
	s, c := newFake(t, clickuptest.Options{}, 100)
	ids := seedUsers(s, 4)

	team, err := c.CreateTeam(t.Context(), "Engineering", []string{ids[2], ids[0]})
	if err != nil {
		t.Fatal(err)
	}
	if team.ID == "" || team.DisplayName != "Engineering" || !reflect.DeepEqual(team.Members, []string{ids[0], ids[2]}) {
		t.Fatalf("created %+v", team)
	}
	if err := c.RenameTeam(t.Context(), team.ID, "Eng"); err != nil {
		t.Fatal(err)
	}
	if err := c.UpdateTeamMembers(t.Context(), team.ID, []string{ids[1], ids[3]}, []string{ids[0]}); err != nil {
		t.Fatal(err)
	}
	want := clickuptest.Group{ID: team.ID, DisplayName: "Eng", Members: []string{ids[1], ids[2], ids[3]}}
	if g, _ := s.Group(team.ID); !reflect.DeepEqual(g, want) {
		t.Errorf("stored %+v, want %+v", g, want)
	}
	teams, err := c.ListTeams(t.Context())
	if err != nil || len(teams) != 1 || teams[0].ID != team.ID || teams[0].DisplayName != "Eng" || !reflect.DeepEqual(teams[0].Members, want.Members) {
		t.Fatalf("ListTeams = %+v, %v", teams, err)
	}

	// Okta's answer may be 204; the client takes it as well.
	s.SetGroupPatchReturns204(true)
	if err := c.UpdateTeamMembers(t.Context(), team.ID, nil, want.Members); err != nil {
		t.Fatal(err)
	}
	if err := c.RenameTeam(t.Context(), team.ID, "Engineering"); err != nil {
		t.Fatal(err)
	}
	s.SetGroupPatchReturns204(false)
	// Removing every member makes the fake answer members null, read as an empty team.
	if err := c.UpdateTeamMembers(t.Context(), team.ID, nil, nil); err != nil {
		t.Fatal(err)
	}
	teams, err = c.ListTeams(t.Context())
	if err != nil || len(teams) != 1 || teams[0].Members == nil || len(teams[0].Members) != 0 || teams[0].DisplayName != "Engineering" {
		t.Fatalf("ListTeams = %+v, %v", teams, err)
	}

	if err := c.DeleteTeam(t.Context(), team.ID); err != nil {
		t.Fatal(err)
	}
	err = c.DeleteTeam(t.Context(), team.ID)
	wantAPIError(t, err, core.ErrNotFound, http.StatusNotFound)
	if !strings.HasPrefix(err.Error(), "delete team "+team.ID+": clickup scim DELETE /Groups/"+team.ID) {
		t.Errorf("error %q does not name the operation and the request", err)
	}

	p := "/Groups/" + team.ID
	wantWrites := []string{"POST /Groups 201", "PATCH " + p + " 200", "PATCH " + p + " 200", "PATCH " + p + " 204", "PATCH " + p + " 204",
		"DELETE " + p + " 204", "DELETE " + p + " 404"}
	if got := groupWrites(s); !reflect.DeepEqual(got, wantWrites) {
		t.Errorf("writes\n got %v\nwant %v", got, wantWrites)
	}
}

func TestSCIMClient_CreateTeamBeyondTheBatchLimit(t *testing.T) {
	s, c := newFake(t, clickuptest.Options{}, 100)
	ids := seedUsers(s, 250)
	s.ResetRequests()

	team, err := c.CreateTeam(t.Context(), "Everyone", ids)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(team.Members, ids) {
		t.Errorf("returned %d members, want all 250 in order", len(team.Members))
	}
	if g, _ := s.Group(team.ID); !reflect.DeepEqual(g.Members, ids) {
		t.Errorf("stored %d members, want 250", len(g.Members))
	}
	writes := s.Writes()
	if got := groupWrites(s); !reflect.DeepEqual(got, []string{"POST /Groups 201", "PATCH /Groups/" + team.ID + " 200", "PATCH /Groups/" + team.ID + " 200"}) {
		t.Fatalf("writes %v, want one POST and two PATCHes", got)
	}
	var post struct {
		Schemas     []string
		DisplayName string
		Members     []struct{ Value string }
	}
	if err := json.Unmarshal(writes[0].Body, &post); err != nil {
		t.Fatal(err)
	}
	if len(post.Members) != 100 || post.Members[0].Value != ids[0] || post.Members[99].Value != ids[99] {
		t.Errorf("POST carried %d members, want the first 100", len(post.Members))
	}
	for i, n := range []int{100, 50} {
		if got := strings.Count(string(writes[1+i].Body), `{"value":`); got != n {
			t.Errorf("PATCH %d adds %d members, want %d", i, got, n)
		}
	}
}

// patchLog is an httptest handler that records PATCH bodies and answers 204.
type patchLog struct {
	mu     gosync.Mutex
	bodies []string
}

func (p *patchLog) handler(t *testing.T) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPatch || r.URL.Path != "/scim/v2/42/Groups/g-1" || r.Header.Get("Content-Type") != "application/scim+json" {
			t.Errorf("unexpected %s %s (%s)", r.Method, r.URL, r.Header.Get("Content-Type"))
		}
		p.mu.Lock()
		p.bodies = append(p.bodies, string(b))
		p.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}
}

func TestSCIMClient_UpdateTeamMembersRequests(t *testing.T) {
	var add, remove []string
	for i := range 110 {
		add = append(add, fmt.Sprintf("a%03d", i))
	}
	for i := range 120 {
		remove = append(remove, fmt.Sprintf("r%03d", i))
	}
	var log patchLog
	c := newHandler(t, log.handler(t))
	if err := c.UpdateTeamMembers(t.Context(), "g-1", add, remove); err != nil {
		t.Fatal(err)
	}
	removeOps := func(ids []string) string {
		var ops []string
		for _, id := range ids {
			ops = append(ops, `{"op":"remove","path":"members[value eq \"`+id+`\"]"}`)
		}
		return strings.Join(ops, ",")
	}
	addOp := func(ids []string) string {
		var vs []string
		for _, id := range ids {
			vs = append(vs, `{"value":"`+id+`"}`)
		}
		return `{"op":"add","path":"members","value":[` + strings.Join(vs, ",") + `]}`
	}
	body := func(ops string) string {
		return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` + ops + `]}`
	}
	want := []string{
		body(removeOps(remove[:100])),
		body(removeOps(remove[100:]) + "," + addOp(add[:80])),
		body(addOp(add[80:])),
	}
	if len(log.bodies) != len(want) {
		t.Fatalf("%d PATCHes, want %d", len(log.bodies), len(want))
	}
	for i := range want {
		if log.bodies[i] != want[i] {
			t.Errorf("PATCH %d\n got %s\nwant %s", i, log.bodies[i], want[i])
		}
	}
}

func TestSCIMClient_UpdateTeamMembersAgainstTheFake(t *testing.T) {
	s, c := newFake(t, clickuptest.Options{}, 100)
	ids := seedUsers(s, 240)
	before, after := ids[:120], ids[120:230] // 120 removed, 110 added
	g := s.AddGroup(clickuptest.Group{DisplayName: "Rotating", Members: append(slices.Clone(before), ids[230:]...)})
	s.ResetRequests()
	if err := c.UpdateTeamMembers(t.Context(), g.ID, after, before); err != nil {
		t.Fatal(err)
	}
	if got := groupWrites(s); len(got) != 3 || got[2] != "PATCH /Groups/"+g.ID+" 200" {
		t.Errorf("writes %v, want three accepted PATCHes", got)
	}
	if got, _ := s.Group(g.ID); !reflect.DeepEqual(got.Members, ids[120:]) {
		t.Errorf("members %v, want %v", got.Members, ids[120:])
	}
	// Nothing to change sends nothing.
	s.ResetRequests()
	if err := c.UpdateTeamMembers(t.Context(), g.ID, nil, nil); err != nil || len(s.Requests()) != 0 {
		t.Errorf("empty update: %v, %d requests", err, len(s.Requests()))
	}
}

func TestSCIMClient_TeamRequestShapes(t *testing.T) {
	var got []string
	c := newHandler(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = append(got, r.Method+" "+r.URL.Path+" "+string(b))
		switch r.Method {
		case http.MethodPost:
			w.WriteHeader(http.StatusCreated)
			io.WriteString(w, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"id":"g-1","displayName":"R&D \"core\"","members":[{"value":"7","display":"a@x.io"}],"meta":{"resourceType":"Group"}}`)
		case http.MethodPatch:
			io.WriteString(w, `{"id":"g-1","displayName":"Renamed","members":null}`)
		}
	})
	team, err := c.CreateTeam(t.Context(), `R&D "core"`, []string{"7"})
	if err != nil || !reflect.DeepEqual(team, core.ClickUpTeam{ID: "g-1", DisplayName: `R&D "core"`, Members: []string{"7"}}) {
		t.Fatalf("CreateTeam = %+v, %v", team, err)
	}
	if _, err := c.CreateTeam(t.Context(), "Empty", nil); err != nil {
		t.Fatal(err)
	}
	if err := c.RenameTeam(t.Context(), "g-1", "Renamed"); err != nil {
		t.Fatal(err)
	}
	want := []string{
		`POST /scim/v2/42/Groups {"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"R&D \"core\"","members":[{"value":"7"}]}`,
		`POST /scim/v2/42/Groups {"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Empty","members":[]}`,
		`PATCH /scim/v2/42/Groups/g-1 {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"id":"g-1","displayName":"Renamed"}}]}`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("requests\n got %q\nwant %q", got, want)
	}
}

func TestSCIMClient_TeamAnswersAreChecked(t *testing.T) {
	answer := func(status int, body string) *clickup.SCIMClient {
		return newHandler(t, func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(status)
			io.WriteString(w, body)
		})
	}
	err := answer(200, `{"id":"g-1","displayName":"Old"}`).RenameTeam(t.Context(), "g-1", "New")
	wantMalformed(t, err, "rename team g-1", `displayName "Old"`)
	err = answer(200, `{"id":"g-2","displayName":"New"}`).RenameTeam(t.Context(), "g-1", "New")
	wantMalformed(t, err, "answered with group g-2")
	err = answer(200, `{"id":"g-1","displayName":"T","members":[]}`).UpdateTeamMembers(t.Context(), "g-1", []string{"5"}, nil)
	wantMalformed(t, err, "without member 5")
	err = answer(200, `{"id":"g-1","displayName":"T","members":[{"value":"5"}]}`).UpdateTeamMembers(t.Context(), "g-1", nil, []string{"5"})
	wantMalformed(t, err, "with member 5")
	err = answer(201, `{"displayName":"T"}`).DeleteTeam(t.Context(), "g-1")
	wantMalformed(t, err, "unexpected status 201")
	_, err = answer(201, `{"id":"g-1"}`).CreateTeam(t.Context(), "T", nil)
	wantMalformed(t, err, "has no displayName")
	// The members' answer may leave them out, as Okta allows: nothing to check against.
	if err := answer(200, `{"id":"g-1","displayName":"T","members":null}`).UpdateTeamMembers(t.Context(), "g-1", []string{"5"}, nil); err != nil {
		t.Error(err)
	}
}

func TestSCIMClient_TeamInputIsChecked(t *testing.T) {
	c := newHandler(t, func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("unexpected %s %s", r.Method, r.URL)
	})
	for name, err := range map[string]error{
		"empty name":          func() error { _, err := c.CreateTeam(t.Context(), " ", nil); return err }(),
		"member twice":        func() error { _, err := c.CreateTeam(t.Context(), "T", []string{"1", "1"}); return err }(),
		"empty member":        c.UpdateTeamMembers(t.Context(), "g", []string{""}, nil),
		"added and removed":   c.UpdateTeamMembers(t.Context(), "g", []string{"1"}, []string{"1"}),
		"removed twice":       c.UpdateTeamMembers(t.Context(), "g", nil, []string{"2", "2"}),
		"no id":               c.UpdateTeamMembers(t.Context(), "", []string{"1"}, nil),
		"rename without name": c.RenameTeam(t.Context(), "g", ""),
		"delete without id":   c.DeleteTeam(t.Context(), ""),
	} {
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestSCIMClient_ListTeams(t *testing.T) {
	s, c := newFake(t, clickuptest.Options{}, 100)
	ids := seedUsers(s, 3)
	var want []core.ClickUpTeam
	for i := range 250 {
		g := s.AddGroup(clickuptest.Group{DisplayName: fmt.Sprintf("team %03d", i), Members: ids[:i%4]})
		want = append(want, core.ClickUpTeam{ID: g.ID, DisplayName: g.DisplayName, Members: g.Members})
	}
	s.ResetRequests()
	teams, err := c.ListTeams(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var queries []string
	for _, r := range s.Requests() {
		queries = append(queries, r.Method+" "+strings.TrimPrefix(r.Path, "/scim/v2/"+s.WorkspaceID())+"?"+r.RawQuery)
	}
	slices.Sort(queries)
	if wantQ := []string{"GET /Groups?startIndex=1&count=100", "GET /Groups?startIndex=101&count=100", "GET /Groups?startIndex=201&count=100"}; !reflect.DeepEqual(queries, wantQ) {
		t.Errorf("requests %v, want %v", queries, wantQ)
	}
	if !reflect.DeepEqual(teams, want) {
		t.Errorf("teams differ from the fake's; first got %+v, want %+v", teams[:2], want[:2])
	}
}

// gpages serves canned Group ListResponses by startIndex.
func gpages(t *testing.T, byStart map[string]string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, ok := byStart[r.URL.Query().Get("startIndex")]
		if r.Method != http.MethodGet || r.URL.Path != "/scim/v2/42/Groups" || !ok {
			t.Errorf("unexpected request %s %s", r.Method, r.URL)
			http.Error(w, "unexpected", http.StatusTeapot)
			return
		}
		io.WriteString(w, body)
	}
}

func grp(id string) string {
	return `{"id":"` + id + `","displayName":"T` + id + `","members":[{"value":"1"}]}`
}

func TestSCIMClient_ListTeamsMembers(t *testing.T) {
	c := newHandler(t, gpages(t, map[string]string{
		"1": list("4", "1", "2", `{"id":"a","displayName":"A","members":null}`, `{"id":"b","displayName":"B"}`),
		"3": list("4", "3", "2", `{"id":"c","displayName":"C","members":[]}`, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"id":"d","displayName":"D","members":[{"value":"9","display":"x@y.io","$ref":"https://x/Users/9"},{"value":"3"}],"meta":{}}`),
	}))
	teams, err := c.ListTeams(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := []core.ClickUpTeam{
		{ID: "a", DisplayName: "A", Members: []string{}},
		{ID: "b", DisplayName: "B", Members: []string{}},
		{ID: "c", DisplayName: "C", Members: []string{}},
		{ID: "d", DisplayName: "D", Members: []string{"9", "3"}},
	}
	if !reflect.DeepEqual(teams, want) {
		t.Errorf("teams\n got %+v\nwant %+v", teams, want)
	}
}

func TestSCIMClient_ListTeamsIsStrict(t *testing.T) {
	g1, g2, g3 := grp("1"), grp("2"), grp("3")
	cases := []struct {
		name    string
		pages   map[string]string
		mention string
	}{
		{"totalResults as a string", map[string]string{"1": list(`"2"`, "1", "2", g1, g2)}, "totalResults"},
		{"startIndex as a string", map[string]string{"1": list("2", `"1"`, "2", g1, g2)}, "startIndex"},
		{"itemsPerPage as a float", map[string]string{"1": list("2", "1", "2.0", g1, g2)}, "itemsPerPage"},
		{"totalResults changes between pages", map[string]string{"1": list("3", "1", "2", g1, g2), "3": list("4", "3", "1", g3)}, "changed from 3 to 4"},
		{"short page followed by an empty one", map[string]string{"1": list("5", "1", "2", g1, g2), "3": list("5", "3", "1", g3), "4": list("5", "4", "0"), "5": list("5", "5", "1", grp("5"))}, "0 groups on the page, want 1"},
		{"page with more than are left", map[string]string{"1": list("3", "1", "2", g1, g2), "3": list("3", "3", "2", g3, grp("4"))}, "more than the 1 left"},
		{"duplicate id across pages", map[string]string{"1": list("3", "1", "2", g1, g2), "3": list("3", "3", "1", g2)}, "group id 2 is listed twice"},
		{"group without id", map[string]string{"1": list("1", "1", "1", `{"displayName":"X"}`)}, "group has no id"},
		{"numeric id", map[string]string{"1": list("1", "1", "1", `{"id":1,"displayName":"X"}`)}, "resource 0"},
		{"group without displayName", map[string]string{"1": list("1", "1", "1", `{"id":"1","members":[]}`)}, "group 1 has no displayName"},
		{"member without value", map[string]string{"1": list("1", "1", "1", `{"id":"1","displayName":"X","members":[{"display":"a"}]}`)}, "members[0] has no value"},
		{"member value a number", map[string]string{"1": list("1", "1", "1", `{"id":"1","displayName":"X","members":[{"value":7}]}`)}, "members"},
		{"members an object", map[string]string{"1": list("1", "1", "1", `{"id":"1","displayName":"X","members":{"value":"7"}}`)}, "members"},
		{"member listed twice", map[string]string{"1": list("1", "1", "1", `{"id":"1","displayName":"X","members":[{"value":"7"},{"value":"7"}]}`)}, "member 7 is listed twice"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newHandler(t, gpages(t, tc.pages))
			teams, err := c.ListTeams(t.Context())
			if teams != nil {
				t.Errorf("returned %d teams with the error", len(teams))
			}
			wantMalformed(t, err, "list teams: clickup scim GET /Groups?startIndex=", tc.mention)
		})
	}
}

const conflictBody = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"409","scimType":"uniqueness","detail":"Group already exists"}`

func TestSCIMClient_CreateTeamConflict(t *testing.T) {
	for _, tc := range []struct {
		name    string
		found   []string
		wantErr string // "" for the found group
	}{
		{"nobody", nil, `no group has displayName "Ops"`},
		{"another case", []string{`{"id":"g-9","displayName":"OPS"}`}, `no group has displayName "Ops"`},
		{"two", []string{`{"id":"g-8","displayName":"Ops"}`, `{"id":"g-9","displayName":"Ops"}`}, `2 groups have displayName "Ops"`},
		{"ours", []string{`{"id":"g-9","displayName":"Ops","members":[{"value":"1"}]}`}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var n counter
			c := newHandler(t, func(w http.ResponseWriter, r *http.Request) {
				n.inc(r)
				switch {
				case r.Method == http.MethodPost:
					w.WriteHeader(http.StatusConflict)
					io.WriteString(w, conflictBody)
				case r.Method == http.MethodGet && r.URL.Query().Get("filter") == `displayName eq "Ops"`:
					io.WriteString(w, list(fmt.Sprint(len(tc.found)), "1", fmt.Sprint(len(tc.found)), tc.found...))
				default:
					t.Errorf("unexpected %s %s", r.Method, r.URL)
				}
			})
			team, err := c.CreateTeam(t.Context(), "Ops", []string{"1"})
			if n.get("POST /scim/v2/42/Groups") != 1 || n.get("GET /scim/v2/42/Groups") != 1 {
				t.Errorf("%d POSTs and %d lookups, want one each", n.get("POST /scim/v2/42/Groups"), n.get("GET /scim/v2/42/Groups"))
			}
			if tc.wantErr == "" {
				if err != nil || team.ID != "g-9" || !reflect.DeepEqual(team.Members, []string{"1"}) {
					t.Errorf("CreateTeam = %+v, %v; want group g-9", team, err)
				}
				return
			}
			ae := wantAPIError(t, err, core.ErrConflict, http.StatusConflict)
			if ae.SCIMType != "uniqueness" || !strings.Contains(err.Error(), tc.wantErr) || !strings.HasPrefix(err.Error(), `create team "Ops": `) {
				t.Errorf("error %q, want it to mention %q", err, tc.wantErr)
			}
		})
	}
}

func TestSCIMClient_CreateTeamConflictAgainstTheFake(t *testing.T) {
	s, c := newFake(t, clickuptest.Options{}, 100)
	s.AddGroup(clickuptest.Group{DisplayName: "DESIGN"})
	_, err := c.CreateTeam(t.Context(), "Design", nil)
	wantAPIError(t, err, core.ErrConflict, http.StatusConflict)
	if len(s.Groups()) != 1 {
		t.Errorf("groups %+v", s.Groups())
	}
}

// After a lost answer the group is looked up, found and completed; the POST is not sent again.
func TestSCIMClient_CreateTeamAfterLostAnswer(t *testing.T) {
	s, c := newFake(t, clickuptest.Options{}, 100)
	ids := seedUsers(s, 130)
	s.Faults(1).Add(faults.Rule{Method: http.MethodPost, Path: clickuptest.PathSCIMGroups, Kind: faults.DropAfterWrite, Times: 1})
	s.ResetRequests()
	team, err := c.CreateTeam(t.Context(), "Lost", ids)
	if err != nil {
		t.Fatal(err)
	}
	g, _ := s.Group(team.ID)
	if len(s.Groups()) != 1 || !reflect.DeepEqual(g.Members, ids) || !reflect.DeepEqual(team.Members, ids) {
		t.Errorf("groups %d, stored %d members, returned %d", len(s.Groups()), len(g.Members), len(team.Members))
	}
	var got []string
	for _, r := range s.Requests() {
		got = append(got, r.Method+" "+strings.TrimPrefix(r.Path, "/scim/v2/"+s.WorkspaceID()))
	}
	if want := []string{"POST /Groups", "GET /Groups", "PATCH /Groups/" + team.ID}; !reflect.DeepEqual(got, want) {
		t.Errorf("requests %v, want %v", got, want)
	}
}

func TestSCIMClient_CreateTeamOtherErrorsAreNotLookedUp(t *testing.T) {
	var n counter
	c := newHandler(t, func(w http.ResponseWriter, r *http.Request) {
		n.inc(r)
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400","scimType":"invalidValue","detail":"member 9 is deactivated"}`)
	})
	_, err := c.CreateTeam(t.Context(), "Ops", []string{"9"})
	ae := wantAPIError(t, err, nil, http.StatusBadRequest)
	if ae.SCIMType != "invalidValue" || n.get("GET /scim/v2/42/Groups") != 0 || errors.Is(err, core.ErrConflict) {
		t.Errorf("error %v after %d lookups", err, n.get("GET /scim/v2/42/Groups"))
	}
}

// A create answered without members made the group as sent: no PATCH re-adds them.
func TestSCIMClient_CreateTeamAnsweredWithoutMembers(t *testing.T) {
	var n counter
	c := newHandler(t, func(w http.ResponseWriter, r *http.Request) {
		n.inc(r)
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, `{"id":"g-2","displayName":"Quiet","members":null}`)
	})
	team, err := c.CreateTeam(t.Context(), "Quiet", []string{"1", "2"})
	if err != nil || !reflect.DeepEqual(team, core.ClickUpTeam{ID: "g-2", DisplayName: "Quiet", Members: []string{"1", "2"}}) {
		t.Fatalf("CreateTeam = %+v, %v", team, err)
	}
	if p := n.get("PATCH /scim/v2/42/Groups/g-2"); p != 0 {
		t.Errorf("%d PATCHes after a clean create", p)
	}
}
