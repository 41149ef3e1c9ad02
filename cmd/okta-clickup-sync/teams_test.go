package main

import (
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/okta-clickup-sync/okta-clickup-sync/clickup/clickuptest"
	"github.com/okta-clickup-sync/okta-clickup-sync/okta/oktatest"
)

// team returns the ClickUp Team named name with its members' userNames, sorted.
func (h *harness) team(t *testing.T, name string) []string {
	t.Helper()
	names := map[string]string{}
	for _, u := range h.cu.Users() {
		names[u.ID] = u.UserName
	}
	var found []clickuptest.Group
	for _, g := range h.cu.Groups() {
		if g.DisplayName == name {
			found = append(found, g)
		}
	}
	if len(found) != 1 {
		t.Fatalf("ClickUp has %d Teams named %q, want 1", len(found), name)
	}
	members := []string{}
	for _, m := range found[0].Members {
		members = append(members, names[m])
	}
	sort.Strings(members)
	return members
}

// assigned adds an Okta user assigned the app, in ClickUp already when inClickUp.
func (h *harness) assigned(login string, inClickUp bool) (oktaID, clickupID string) {
	oktaID = h.person(login, "ACTIVE", map[string]any{"role": "member"})
	if inClickUp {
		clickupID = h.clickup(clickuptest.User{ExternalID: oktaID, UserName: login, Active: true}).ID
	}
	return oktaID, clickupID
}

func TestTeams(t *testing.T) {
	t.Run("create with members, including a user created in the same run", func(t *testing.T) {
		h := newHarness(t)
		withStore(t, h)
		a, _ := h.assigned("a@x.io", true)
		b, _ := h.assigned("b@x.io", false)
		outsider := h.person("out@x.io", "ACTIVE", nil) // in the group, not assigned the app
		g := h.okta.AddGroup(oktatest.Group{Name: "Eng"})
		for _, id := range []string{a, b, outsider} {
			h.okta.AddGroupMember(g.ID, id)
		}
		h.env["SYNC_PUSH_GROUPS"] = "Eng"
		h.converge(t, exitOK)
		if got, want := h.team(t, "Eng"), []string{"a@x.io", "b@x.io"}; !reflect.DeepEqual(got, want) {
			t.Errorf("members %v, want %v", got, want)
		}
	})
	t.Run("rename, add and remove members, hand-added member removed as drift", func(t *testing.T) {
		h := newHarness(t)
		withStore(t, h)
		a, ca := h.assigned("a@x.io", true)
		b, _ := h.assigned("b@x.io", true)
		_, cc := h.assigned("c@x.io", true)
		hand := h.clickup(clickuptest.User{UserName: "hand@x.io", Active: true})
		g := h.okta.AddGroup(oktatest.Group{Name: "Eng"})
		h.okta.AddGroupMember(g.ID, a)
		h.cu.AddGroup(clickuptest.Group{DisplayName: "Eng", Members: []string{ca, cc, hand.ID}})
		h.env["SYNC_PUSH_GROUPS"] = g.ID
		r := h.converge(t, exitOK)
		if got := h.team(t, "Eng"); !reflect.DeepEqual(got, []string{"a@x.io"}) {
			t.Fatalf("members %v", got)
		}
		if !strings.Contains(r.stdout, "team_member_drift") || !strings.Contains(r.stderr, `"action":"team_member_drift"`) {
			t.Errorf("hand-added member not reported as team_member_drift:\n%s", r.stdout)
		}
		h.okta.RenameGroup(g.ID, "Engineering")
		h.okta.AddGroupMember(g.ID, b)
		h.converge(t, exitOK)
		if got := h.team(t, "Engineering"); !reflect.DeepEqual(got, []string{"a@x.io", "b@x.io"}) {
			t.Errorf("after rename and add: %v", got)
		}
	})
	t.Run("a member who loses the app assignment is deactivated and leaves the team", func(t *testing.T) {
		h := newHarness(t)
		a, ca := h.assigned("a@x.io", true)
		b, cb := h.assigned("b@x.io", true)
		g := h.okta.AddGroup(oktatest.Group{Name: "Eng"})
		h.okta.AddGroupMember(g.ID, a)
		h.okta.AddGroupMember(g.ID, b)
		h.cu.AddGroup(clickuptest.Group{DisplayName: "Eng", Members: []string{ca, cb}})
		h.okta.Unassign(appID, b)
		h.env["SYNC_PUSH_GROUPS"] = "Eng"
		h.converge(t, exitOK)
		if h.find(t, "b@x.io").Active {
			t.Error("b was not deactivated")
		}
		if got := h.team(t, "Eng"); !reflect.DeepEqual(got, []string{"a@x.io"}) {
			t.Errorf("members %v", got)
		}
	})
	t.Run("more than 100 member changes take several PATCH requests", func(t *testing.T) {
		h := newHarness(t)
		g := h.okta.AddGroup(oktatest.Group{Name: "Big"})
		h.cu.AddGroup(clickuptest.Group{DisplayName: "Big"})
		for i := range 150 {
			id, _ := h.assigned(fmt.Sprintf("u%03d@x.io", i), true)
			h.okta.AddGroupMember(g.ID, id)
		}
		h.env["SYNC_PUSH_GROUPS"] = "Big"
		h.cu.ResetRequests()
		if r := h.run(t, "reconcile"); r.code != exitOK {
			t.Fatalf("exit %d\n%s", r.code, r.stderr)
		}
		patches := 0
		for _, w := range h.cu.Writes() {
			if w.Method == "PATCH" && strings.Contains(w.Path, "/Groups/") {
				patches++
			}
		}
		if patches != 2 {
			t.Errorf("%d PATCH requests for 150 member changes, want 2", patches)
		}
		if got := h.team(t, "Big"); len(got) != 150 {
			t.Errorf("%d members, want 150", len(got))
		}
		h.converge(t, exitOK)
	})
	t.Run("two Teams with the group's name: ambiguous, no write, exit 1", func(t *testing.T) {
		h := newHarness(t)
		a, _ := h.assigned("a@x.io", true)
		g := h.okta.AddGroup(oktatest.Group{Name: "Eng"})
		h.okta.AddGroupMember(g.ID, a)
		h.cu.AddGroup(clickuptest.Group{DisplayName: "Eng"})
		h.cu.AddGroup(clickuptest.Group{DisplayName: "Eng "}) // only exact names match: not a candidate
		h.env["SYNC_PUSH_GROUPS"] = "Eng"
		h.cu.ResetRequests()
		if r := h.run(t, "reconcile"); r.code != exitOK {
			t.Fatalf("one exact candidate: exit %d\n%s", r.code, r.stderr)
		}
		h2 := newHarness(t)
		a2, _ := h2.assigned("a@x.io", true)
		g2 := h2.okta.AddGroup(oktatest.Group{Name: "Ops"})
		h2.okta.AddGroupMember(g2.ID, a2)
		h2.env["SYNC_PUSH_GROUPS"] = "Ops"
		// Two Teams cannot share a name through SCIM, but ClickUp's UI may allow it.
		h2.cu.AddGroup(clickuptest.Group{DisplayName: "Ops"})
		h2.cu.AddGroup(clickuptest.Group{DisplayName: "Ops"})
		h2.cu.ResetRequests()
		r := h2.run(t, "reconcile")
		if r.code != exitError || len(h2.cu.Writes()) != 0 || !strings.Contains(r.stdout, "ambiguous_match") {
			t.Fatalf("exit %d, writes %+v\n%s", r.code, h2.cu.Writes(), r.stdout)
		}
	})
	t.Run("an unpushed Team is never touched; deleted only with the flag and within the cap", func(t *testing.T) {
		h := newHarness(t)
		withStore(t, h)
		a, ca := h.assigned("a@x.io", true)
		g := h.okta.AddGroup(oktatest.Group{Name: "Eng"})
		h.okta.AddGroupMember(g.ID, a)
		h.cu.AddGroup(clickuptest.Group{DisplayName: "Hand made", Members: []string{ca}})
		h.env["SYNC_PUSH_GROUPS"] = "Eng"
		h.converge(t, exitOK)
		delete(h.env, "SYNC_PUSH_GROUPS")
		h.cu.ResetRequests()
		if r := h.run(t, "reconcile"); r.code != exitOK || len(h.cu.Writes()) != 0 {
			t.Fatalf("unpushed without the flag: exit %d writes %+v", r.code, h.cu.Writes())
		}
		for _, r := range h.cu.Requests() {
			if strings.Contains(r.Path, "/Groups") {
				t.Fatalf("Teams were read although none is pushed: %+v", r)
			}
		}
		h.env["SYNC_DELETE_UNPUSHED_TEAMS"] = "true"
		h.env["SYNC_MAX_DEACTIVATIONS"] = "0"
		held := h.run(t, "reconcile")
		if held.code != exitHeld {
			t.Fatalf("deletion over the cap: exit %d\n%s", held.code, held.stderr)
		}
		h.team(t, "Eng") // still there
		// A held deletion stays held whatever the caps say later (DESIGN.md §7): raising the cap
		// does not apply it; approving the run that held it does.
		h.env["SYNC_MAX_DEACTIVATIONS"] = "10"
		if r := h.run(t, "reconcile"); r.code != exitHeld {
			t.Fatalf("a held deletion was applied without approval: exit %d\n%s", r.code, r.stderr)
		}
		h.team(t, "Eng")
		runID := regexp.MustCompile(`okta-clickup-sync approve ([0-9]{8}T[0-9]{6}Z-[0-9a-f]+)`).FindStringSubmatch(held.stderr)
		if runID == nil {
			t.Fatalf("no approve hint:\n%s", held.stderr)
		}
		if r := h.run(t, "approve", runID[1]); r.code != exitOK {
			t.Fatalf("approve: exit %d\n%s", r.code, r.stderr)
		}
		for _, g := range h.cu.Groups() {
			if g.DisplayName == "Eng" {
				t.Fatal("the unpushed Team was not deleted")
			}
		}
		h.team(t, "Hand made") // never pushed, never deleted
	})
}

func TestTeamsNoOpRequestCount(t *testing.T) {
	h := newHarness(t)
	var groups []string
	for i := range 3 {
		g := h.okta.AddGroup(oktatest.Group{Name: fmt.Sprintf("G%d", i)})
		groups = append(groups, g.ID)
	}
	for i := range 40 {
		id, _ := h.assigned(fmt.Sprintf("u%02d@x.io", i), true)
		h.okta.AddGroupMember(groups[i%3], id)
	}
	h.env["SYNC_PUSH_GROUPS"] = strings.Join(groups, ",")
	if r := h.run(t, "reconcile"); r.code != exitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	h.okta.ResetRequests()
	h.cu.ResetRequests()
	if r := h.run(t, "reconcile", "--detailed-exitcode"); r.code != exitOK {
		t.Fatalf("no-op run: exit %d\n%s", r.code, r.stdout)
	}
	// Okta: ids need no request at start; one app-user listing, one listing of the pushed
	// groups' names, and one member listing per group.
	var okta []string
	for _, r := range h.okta.Requests() {
		okta = append(okta, r.Method+" "+r.Path)
	}
	if len(okta) != 1+1+3 {
		t.Errorf("okta requests %d, want 5:\n%s", len(okta), strings.Join(okta, "\n"))
	}
	// ClickUp: the three discovery reads (DESIGN.md §11), one SCIM user listing, one SCIM group
	// listing, the custom roles and the owner.
	var cu []string
	for _, r := range h.cu.Requests() {
		cu = append(cu, r.Method+" "+r.Path)
	}
	if len(cu) != 3+4 {
		t.Errorf("clickup requests %d, want 7:\n%s", len(cu), strings.Join(cu, "\n"))
	}
}

// An id is not looked up at start-up, so a group deleted in Okta (or a mistyped id) must fail
// every run before any write instead.
func TestTeamsUnknownGroupID(t *testing.T) {
	h := newHarness(t)
	const unknown = "00gdeleted0000000000"
	h.env["SYNC_PUSH_GROUPS"] = unknown
	h.cu.ResetRequests()
	r := h.run(t, "reconcile")
	if r.code != exitError || len(h.cu.Writes()) != 0 {
		t.Fatalf("exit %d, writes %+v", r.code, h.cu.Writes())
	}
	if !strings.Contains(r.stderr, "pushed group "+unknown+" no longer exists") {
		t.Errorf("stderr does not name the missing group:\n%s", r.stderr)
	}
}
