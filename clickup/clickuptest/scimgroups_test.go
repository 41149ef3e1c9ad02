package clickuptest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/okta-clickup-sync/okta-clickup-sync/clickup/clickuptest"
)

func groupBody(name string, members ...string) string {
	refs := []map[string]string{}
	for _, m := range members {
		refs = append(refs, map[string]string{"value": m})
	}
	b, _ := json.Marshal(map[string]any{
		"schemas":     []string{"urn:ietf:params:scim:schemas:core:2.0:Group"},
		"displayName": name,
		"members":     refs,
	})
	return string(b)
}

func patchGroup(t *testing.T, s *clickuptest.Server, id, ops string) answer {
	t.Helper()
	return scim(t, s, http.MethodPatch, "/Groups/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":`+ops+`}`)
}

// members reads a group resource's member ids; null reads as nil.
func members(t *testing.T, res map[string]any) []string {
	t.Helper()
	raw, ok := res["members"]
	if !ok {
		t.Fatalf("group has no members attribute: %v", res)
	}
	if raw == nil {
		return nil
	}
	var out []string
	for _, m := range raw.([]any) {
		out = append(out, m.(map[string]any)["value"].(string))
	}
	return out
}

func seedUsers(s *clickuptest.Server, n int) []string {
	var ids []string
	for i := range n {
		ids = append(ids, s.AddUser(clickuptest.User{UserName: fmt.Sprintf("g%03d@x.io", i), Active: true}).ID)
	}
	return ids
}

func TestGroupLifecycle(t *testing.T) {
	s := newServer(t, clickuptest.Options{})
	ids := seedUsers(s, 3)

	a := scim(t, s, http.MethodPost, "/Groups", groupBody("Engineering", ids[1], ids[0]))
	if a.status != http.StatusCreated {
		t.Fatalf("create: %d %s", a.status, a.raw)
	}
	gid, _ := a.body["id"].(string)
	if gid == "" || a.body["displayName"] != "Engineering" || a.header.Get("Location") != s.SCIMBaseURL()+"/Groups/"+gid {
		t.Fatalf("created %s, Location %q", a.raw, a.header.Get("Location"))
	}
	if got := members(t, a.body); !reflect.DeepEqual(got, []string{ids[0], ids[1]}) {
		t.Errorf("members %v", got)
	}
	if m := a.body["members"].([]any)[0].(map[string]any); m["display"] != "g000@x.io" {
		t.Errorf("member %v has no display userName", m)
	}

	// Okta's rename, sent before every membership update.
	a = patchGroup(t, s, gid, `[{"op":"replace","value":{"id":"`+gid+`","displayName":"Eng"}}]`)
	if a.status != http.StatusOK || a.body["displayName"] != "Eng" {
		t.Fatalf("rename: %d %s", a.status, a.raw)
	}
	// Okta's membership update: remove by value filter, add by path; removing a non-member is a no-op.
	a = patchGroup(t, s, gid, `[{"op":"remove","path":"members[value eq \"`+ids[0]+`\"]"},`+
		`{"op":"remove","path":"members[value eq \"`+ids[2]+`\"]"},{"op":"remove","path":"members[value eq \"nobody\"]"},`+
		`{"op":"add","path":"members","value":[{"value":"`+ids[2]+`","display":"g002@x.io"},{"value":"`+ids[1]+`"}]}]`)
	if a.status != http.StatusOK {
		t.Fatalf("members: %d %s", a.status, a.raw)
	}
	if got := members(t, a.body); !reflect.DeepEqual(got, []string{ids[1], ids[2]}) {
		t.Errorf("members %v, want %s %s", got, ids[1], ids[2])
	}
	if g, ok := s.Group(gid); !ok || !reflect.DeepEqual(g, clickuptest.Group{ID: gid, DisplayName: "Eng", Members: []string{ids[1], ids[2]}}) {
		t.Errorf("stored %+v", g)
	}

	// A full replace to nothing: members then reads null, which Okta accepts.
	a = patchGroup(t, s, gid, `[{"op":"replace","path":"members","value":[]}]`)
	if a.status != http.StatusOK || a.body["members"] != nil {
		t.Fatalf("replace members: %d %s", a.status, a.raw)
	}
	if a = scim(t, s, http.MethodGet, "/Groups/"+gid, ""); a.status != http.StatusOK || a.body["displayName"] != "Eng" || members(t, a.body) != nil {
		t.Errorf("get: %d %s", a.status, a.raw)
	}

	if a = scim(t, s, http.MethodDelete, "/Groups/"+gid, ""); a.status != http.StatusNoContent || len(a.raw) != 0 {
		t.Fatalf("delete: %d %s", a.status, a.raw)
	}
	if _, ok := s.Group(gid); ok {
		t.Error("the group is still there")
	}
	wantSCIMError(t, scim(t, s, http.MethodDelete, "/Groups/"+gid, ""), http.StatusNotFound, "")
	wantSCIMError(t, scim(t, s, http.MethodGet, "/Groups/"+gid, ""), http.StatusNotFound, "")
	wantSCIMError(t, patchGroup(t, s, gid, `[{"op":"replace","value":{"displayName":"X"}}]`), http.StatusNotFound, "")

	var writes []string
	for _, r := range s.Writes() {
		writes = append(writes, fmt.Sprintf("%s %s %d", r.Method, strings.TrimPrefix(r.Path, "/scim/v2/"+s.WorkspaceID()), r.Status))
	}
	want := []string{"POST /Groups 201", "PATCH /Groups/" + gid + " 200", "PATCH /Groups/" + gid + " 200", "PATCH /Groups/" + gid + " 200",
		"DELETE /Groups/" + gid + " 204", "DELETE /Groups/" + gid + " 404", "PATCH /Groups/" + gid + " 404"}
	if !reflect.DeepEqual(writes, want) {
		t.Errorf("writes\n got %v\nwant %v", writes, want)
	}
}

func TestCreateGroupRules(t *testing.T) {
	s := newServer(t, clickuptest.Options{})
	ids := seedUsers(s, 101)
	off := s.AddUser(clickuptest.User{UserName: "off@x.io"}).ID
	s.AddGroup(clickuptest.Group{DisplayName: "Design"})

	cases := []struct {
		name, body string
		status     int
		scimType   string
	}{
		{"duplicate displayName in another case", groupBody("DESIGN"), 409, "uniqueness"},
		{"inactive member", groupBody("New", ids[0], off), 400, "invalidValue"},
		{"unknown member", groupBody("New", "999999"), 400, "invalidValue"},
		{"member without value", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"New","members":[{"display":"x"}]}`, 400, "invalidValue"},
		{"no displayName", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"members":[]}`, 400, "invalidValue"},
		{"user schema", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"displayName":"New"}`, 400, "invalidSyntax"},
		{"more members than one request may carry", groupBody("New", ids...), 400, "tooMany"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantSCIMError(t, scim(t, s, http.MethodPost, "/Groups", tc.body), tc.status, tc.scimType)
		})
	}
	if got := s.Groups(); len(got) != 1 || got[0].DisplayName != "Design" {
		t.Errorf("refused creates left groups: %+v", got)
	}
	if a := scim(t, s, http.MethodPost, "/Groups", groupBody("New", ids[:100]...)); a.status != http.StatusCreated || len(members(t, a.body)) != 100 {
		t.Errorf("100 members: %d %s", a.status, a.raw)
	}
}

func TestPatchGroupIsAtomic(t *testing.T) {
	s := newServer(t, clickuptest.Options{})
	ids := seedUsers(s, 3)
	off := s.AddUser(clickuptest.User{UserName: "off@x.io"}).ID
	s.AddGroup(clickuptest.Group{DisplayName: "Taken"})
	g := s.AddGroup(clickuptest.Group{DisplayName: "Ops", Members: []string{ids[0], ids[1]}})

	refused := []struct {
		name, ops string
		status    int
		scimType  string
	}{
		{"inactive user added", `[{"op":"replace","value":{"displayName":"Ops2"}},{"op":"remove","path":"members[value eq \"` + ids[0] + `\"]"},` +
			`{"op":"add","path":"members","value":[{"value":"` + ids[2] + `"},{"value":"` + off + `"}]}]`, 400, "invalidValue"},
		{"unknown user added", `[{"op":"add","path":"members","value":[{"value":"` + ids[2] + `"},{"value":"4242"}]}]`, 400, "invalidValue"},
		{"duplicate name", `[{"op":"remove","path":"members[value eq \"` + ids[0] + `\"]"},{"op":"replace","value":{"id":"` + g.ID + `","displayName":"taken"}}]`, 409, "uniqueness"},
		{"another group's id", `[{"op":"replace","value":{"id":"other","displayName":"Ops2"}}]`, 400, "mutability"},
		{"add by value filter", `[{"op":"add","path":"members[value eq \"` + ids[2] + `\"]","value":[{"value":"` + ids[2] + `"}]}]`, 400, "invalidPath"},
		{"other value filter", `[{"op":"remove","path":"members[display eq \"x\"]"}]`, 400, "invalidFilter"},
		{"a null member id", `[{"op":"remove","path":"members[value eq null]"}]`, 400, "invalidFilter"},
		{"unknown attribute", `[{"op":"replace","path":"owner","value":"x"}]`, 400, "invalidPath"},
		{"remove without path", `[{"op":"remove"}]`, 400, "noTarget"},
		{"empty displayName", `[{"op":"replace","path":"displayName","value":""}]`, 400, "invalidValue"},
		{"no operations", `[]`, 400, "invalidSyntax"},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			wantSCIMError(t, patchGroup(t, s, g.ID, tc.ops), tc.status, tc.scimType)
			if got, _ := s.Group(g.ID); !reflect.DeepEqual(got, g) {
				t.Errorf("a refused PATCH changed the group: %+v, was %+v", got, g)
			}
		})
	}
	wantSCIMError(t, scim(t, s, http.MethodPatch, "/Groups/"+g.ID, `{"Operations":[{"op":"replace","value":{"displayName":"X"}}]}`), 400, "invalidSyntax")
}

func TestPatchGroupBatchLimit(t *testing.T) {
	s := newServer(t, clickuptest.Options{})
	ids := seedUsers(s, 101)
	g := s.AddGroup(clickuptest.Group{DisplayName: "Big", Members: []string{ids[0]}})
	refs := func(ids []string) string {
		var parts []string
		for _, id := range ids {
			parts = append(parts, `{"value":"`+id+`"}`)
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	// 1 removal and 100 additions: 101 changes.
	over := `[{"op":"remove","path":"members[value eq \"` + ids[0] + `\"]"},{"op":"add","path":"members","value":` + refs(ids[1:]) + `}]`
	wantSCIMError(t, patchGroup(t, s, g.ID, over), 400, "tooMany")
	if got, _ := s.Group(g.ID); len(got.Members) != 1 {
		t.Errorf("a refused PATCH changed the members: %v", got.Members)
	}
	at := `[{"op":"remove","path":"members[value eq \"` + ids[0] + `\"]"},{"op":"add","path":"members","value":` + refs(ids[1:100]) + `}]`
	if a := patchGroup(t, s, g.ID, at); a.status != http.StatusOK || len(members(t, a.body)) != 99 {
		t.Errorf("100 changes: %d %s", a.status, a.raw)
	}
}

func TestDeactivationLeavesGroups(t *testing.T) {
	s := newServer(t, clickuptest.Options{})
	ids := seedUsers(s, 3)
	a := s.AddGroup(clickuptest.Group{DisplayName: "A", Members: ids})
	b := s.AddGroup(clickuptest.Group{DisplayName: "B", Members: ids[:2]})

	deactivate := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`
	if r := scim(t, s, http.MethodPatch, "/Users/"+ids[0], deactivate); r.status != http.StatusOK {
		t.Fatalf("deactivate: %d %s", r.status, r.raw)
	}
	// PUT with active false deactivates as well.
	got := scim(t, s, http.MethodGet, "/Users/"+ids[1], "")
	got.body["active"] = false
	body, _ := json.Marshal(got.body)
	if r := scim(t, s, http.MethodPut, "/Users/"+ids[1], string(body)); r.status != http.StatusOK {
		t.Fatalf("put: %d %s", r.status, r.raw)
	}
	if g, _ := s.Group(a.ID); !reflect.DeepEqual(g.Members, ids[2:]) {
		t.Errorf("group A members %v, want %v", g.Members, ids[2:])
	}
	if g, _ := s.Group(b.ID); len(g.Members) != 0 {
		t.Errorf("group B members %v, want none", g.Members)
	}
	// Reactivating does not restore memberships: the group push adds them back.
	if r := scim(t, s, http.MethodPatch, "/Users/"+ids[0], strings.Replace(deactivate, "false", "true", 1)); r.status != http.StatusOK {
		t.Fatalf("reactivate: %d %s", r.status, r.raw)
	}
	if g, _ := s.Group(a.ID); !reflect.DeepEqual(g.Members, ids[2:]) {
		t.Errorf("group A members %v after reactivation", g.Members)
	}
}

func TestListGroups(t *testing.T) {
	s := newServer(t, clickuptest.Options{})
	ids := seedUsers(s, 1)
	var want []string
	for i := range 250 {
		g := s.AddGroup(clickuptest.Group{DisplayName: fmt.Sprintf("team %03d", 249-i)})
		want = append(want, g.ID)
	}
	s.AddGroup(clickuptest.Group{ID: "zz-last", DisplayName: "R&D \"core\"", Members: ids})
	want = append(want, "zz-last")

	var got []string
	for start := 1; start <= len(want); start += 100 {
		a := scim(t, s, http.MethodGet, fmt.Sprintf("/Groups?startIndex=%d&count=100", start), "")
		for _, k := range []string{"totalResults", "startIndex", "itemsPerPage"} {
			if _, ok := a.body[k].(json.Number); !ok {
				t.Fatalf("%s is %#v, want a JSON integer", k, a.body[k])
			}
		}
		if a.body["totalResults"] != json.Number("251") || a.body["startIndex"] != json.Number(fmt.Sprint(start)) {
			t.Fatalf("page %d: %s", start, a.raw)
		}
		got = append(got, resourceIDs(a)...)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("listing order is not by id:\n got %v\nwant %v", got, want)
	}

	filter := func(f string) answer {
		return scim(t, s, http.MethodGet, "/Groups?filter="+url.QueryEscape(f)+"&startIndex=1&count=100", "")
	}
	for _, f := range []string{`displayName eq "r&d \"CORE\""`, `urn:ietf:params:scim:schemas:core:2.0:Group:displayName eq "R&D \"core\""`} {
		if a := filter(f); a.body["totalResults"] != json.Number("1") || !reflect.DeepEqual(resourceIDs(a), []string{"zz-last"}) {
			t.Errorf("filter %s: %s", f, a.raw)
		}
	}
	if a := filter(`displayName eq "nobody"`); a.status != http.StatusOK || a.body["totalResults"] != json.Number("0") || len(a.body["Resources"].([]any)) != 0 {
		t.Errorf("no match: %s", a.raw)
	}
	for _, f := range []string{`displayName co "team"`, `id eq "zz-last"`, `displayName eq team`, `displayName eq "a" and id eq "b"`, `members[value eq "1"]`, `displayName eq null`} {
		wantSCIMError(t, filter(f), 400, "invalidFilter")
	}

	wantGroups := s.Groups()
	if len(wantGroups) != 251 || wantGroups[0].DisplayName != "R&D \"core\"" || wantGroups[1].DisplayName != "team 000" {
		t.Errorf("Groups() is not sorted by name: %v", wantGroups[:2])
	}
}

func TestPutGroup(t *testing.T) {
	s := newServer(t, clickuptest.Options{})
	ids := seedUsers(s, 3)
	s.AddGroup(clickuptest.Group{DisplayName: "Other"})
	g := s.AddGroup(clickuptest.Group{DisplayName: "Ops", Members: ids[:2]})
	if a := scim(t, s, http.MethodPut, "/Groups/"+g.ID, groupBody("Ops Team", ids[2])); a.status != http.StatusOK || a.body["displayName"] != "Ops Team" {
		t.Fatalf("put: %d %s", a.status, a.raw)
	}
	if got, _ := s.Group(g.ID); !reflect.DeepEqual(got.Members, ids[2:]) {
		t.Errorf("members %v", got.Members)
	}
	wantSCIMError(t, scim(t, s, http.MethodPut, "/Groups/"+g.ID, groupBody("other")), 409, "uniqueness")
	wantSCIMError(t, scim(t, s, http.MethodPut, "/Groups/nope", groupBody("x")), 404, "")
}

func TestSetGroupPatchReturns204(t *testing.T) {
	s := newServer(t, clickuptest.Options{})
	ids := seedUsers(s, 1)
	g := s.AddGroup(clickuptest.Group{DisplayName: "Ops"})
	s.SetGroupPatchReturns204(true)
	a := patchGroup(t, s, g.ID, `[{"op":"add","path":"members","value":[{"value":"`+ids[0]+`"}]}]`)
	if a.status != http.StatusNoContent || len(a.raw) != 0 {
		t.Fatalf("%d %s", a.status, a.raw)
	}
	if got, _ := s.Group(g.ID); !reflect.DeepEqual(got.Members, ids) {
		t.Errorf("members %v", got.Members)
	}
	// Errors still carry their body.
	wantSCIMError(t, patchGroup(t, s, g.ID, `[{"op":"add","path":"members","value":[{"value":"0"}]}]`), 400, "invalidValue")
}

func TestAddGroupPanicsOnUnknownMember(t *testing.T) {
	s := newServer(t, clickuptest.Options{})
	defer func() {
		if recover() == nil {
			t.Error("AddGroup accepted a member that is not a user")
		}
	}()
	s.AddGroup(clickuptest.Group{DisplayName: "x", Members: []string{"12345"}})
}
