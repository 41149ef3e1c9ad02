package main

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/okta-clickup-sync/okta-clickup-sync/clickup"
	"github.com/okta-clickup-sync/okta-clickup-sync/clickup/clickuptest"
	"github.com/okta-clickup-sync/okta-clickup-sync/okta/oktatest"
)

// The product against SCIM services that announce themselves differently (DESIGN.md §11).

// newHarnessWith is newHarness with a ClickUp built from o, seeded alike.
func newHarnessWith(t *testing.T, o clickuptest.Options) *harness {
	t.Helper()
	h := newHarness(t)
	cu := clickuptest.NewServer(o)
	t.Cleanup(cu.Close)
	cu.AddCustomRole(4547089, "guest custom", 4)
	cu.AddCustomRole(6715664, "member custom", 3)
	cu.AddCustomRole(2957195, "admin custom", 2)
	cu.AddUser(clickuptest.User{UserName: "owner@x.io", Email: "owner@x.io", GivenName: "Pat", FamilyName: "Owner", Active: true, Role: "owner", Owner: true})
	h.cu = cu
	h.clickup(clickuptest.User{ExternalID: h.steady, UserName: "steady@x.io", Active: true})
	h.env["CLICKUP_SCIM_BASE_URL"] = cu.SCIMBaseURL()
	h.env["CLICKUP_SCIM_TOKEN"] = cu.SCIMToken()
	h.env["CLICKUP_API_BASE_URL"] = cu.APIBaseURL()
	h.env["CLICKUP_API_TOKEN"] = cu.APIToken()
	h.env["CLICKUP_WORKSPACE_ID"] = cu.WorkspaceID()
	return h
}

func TestSCIMService_CheckResultsAreCheckResults(t *testing.T) {
	if clickup.CheckOK != resultOK || clickup.CheckFail != resultFail || clickup.CheckSkip != resultSkip {
		t.Fatal("the SCIM service rows would print results check does not count")
	}
}

func TestSCIMService_Check(t *testing.T) {
	t.Run("announced", func(t *testing.T) {
		h := newHarnessWith(t, clickuptest.Options{RoleSchema: "urn:example:clickup:User", MaxCount: 40})
		withMappedCustomRoles(h)
		r := h.run(t, "check")
		if r.code != exitOK {
			t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		for name, want := range map[string]string{
			"scim discovery":   "/ServiceProviderConfig, /ResourceTypes, /Schemas answered",
			"scim role schema": "urn:example:clickup:User (discovered",
			"scim page size":   "40 (discovered",
			"scim patch":       "supported (discovered)",
			"scim groups":      "supported (discovered",
		} {
			if res, detail := checkLine(t, r.stdout, name); res != resultOK || !strings.Contains(detail, want) {
				t.Errorf("%s: %s %q, want ok with %q", name, res, detail, want)
			}
		}
		if res, detail := checkLine(t, r.stdout, "scim role attribute"); res != resultOK || !strings.Contains(detail, "role (default)") {
			t.Errorf("role attribute: %s %q", res, detail)
		}
	})
	t.Run("not announced", func(t *testing.T) {
		h := newHarnessWith(t, clickuptest.Options{NoDiscovery: true})
		withMappedCustomRoles(h)
		r := h.run(t, "check")
		if r.code != exitOK {
			t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		if res, detail := checkLine(t, r.stdout, "scim discovery"); res != resultOK || !strings.Contains(detail, "not announced") || !strings.Contains(detail, "using defaults") {
			t.Errorf("scim discovery: %s %q", res, detail)
		}
		if _, detail := checkLine(t, r.stdout, "scim role schema"); !strings.Contains(detail, clickup.DefaultRoleSchema+" (default") {
			t.Errorf("scim role schema: %q", detail)
		}
	})
}

func TestSCIMService_RoleSchemaDiscovered(t *testing.T) {
	const urn = "urn:example:clickup:2.0:Member"
	h := newHarnessWith(t, clickuptest.Options{RoleSchema: urn, RoleValues: []string{"Admin", "Member", "Guest"}})
	id := h.person("nina@x.io", "ACTIVE", map[string]any{"role": "admin"})
	h.converge(t, exitOK)
	if u := h.find(t, "nina@x.io"); u.Role != "admin" || u.ExternalID != id {
		t.Errorf("created %+v, want an admin", u)
	}
}

func TestSCIMService_RenamedAttributes(t *testing.T) {
	h := newHarnessWith(t, clickuptest.Options{RoleAttribute: "clickupRole", CustomRoleNameAttribute: "roleName", CustomRoleIDAttribute: "roleId"})
	h.env["CLICKUP_SCIM_ROLE_ATTRIBUTE"] = "clickupRole"
	h.env["CLICKUP_SCIM_CUSTOM_ROLE_NAME_ATTRIBUTE"] = "roleName"
	h.env["CLICKUP_SCIM_CUSTOM_ROLE_ID_ATTRIBUTE"] = "roleId"
	h.person("ida@x.io", "ACTIVE", map[string]any{"customRoleName": "Admin Custom"})
	h.person("gus@x.io", "ACTIVE", map[string]any{"role": "guest"})
	h.converge(t, exitOK)
	if u := h.find(t, "ida@x.io"); u.CustomRoleID != "2957195" || u.Role != "admin" {
		t.Errorf("got %+v, want custom role 2957195", u)
	}
	if u := h.find(t, "gus@x.io"); u.Role != "guest" {
		t.Errorf("got %+v, want a guest", u)
	}
}

func TestSCIMService_NoPatch(t *testing.T) {
	h := newHarnessWith(t, clickuptest.Options{NoPatch: true})
	withStore(t, h)
	leaver := h.person("sam@x.io", "SUSPENDED", map[string]any{"role": "member"})
	h.clickup(clickuptest.User{ExternalID: leaver, UserName: "sam@x.io", Active: true})
	back := h.person("rita@x.io", "ACTIVE", map[string]any{"customRoleId": "6715664"})
	h.clickup(clickuptest.User{ExternalID: back, UserName: "rita@x.io", Active: false, CustomRoleID: "6715664"})
	a, _ := h.assigned("a@x.io", true)
	g := h.okta.AddGroup(oktatest.Group{Name: "Eng"})
	h.okta.AddGroupMember(g.ID, a)
	h.okta.AddGroupMember(g.ID, back)
	h.env["SYNC_PUSH_GROUPS"] = g.ID // by id: it is renamed below
	h.cu.ResetRequests()
	h.converge(t, exitOK)
	if u := h.find(t, "sam@x.io"); u.Active {
		t.Errorf("sam is still active")
	}
	if u := h.find(t, "rita@x.io"); !u.Active || u.CustomRoleID != "6715664" {
		t.Errorf("rita %+v, want active with her custom role", u)
	}
	if got := h.team(t, "Eng"); strings.Join(got, ",") != "a@x.io,rita@x.io" {
		t.Errorf("Eng members %v", got)
	}
	// The Team changes too: renamed in Okta, a member removed.
	h.okta.RenameGroup(g.ID, "Engineering")
	h.okta.RemoveGroupMember(g.ID, a)
	h.converge(t, exitOK)
	if got := h.team(t, "Engineering"); strings.Join(got, ",") != "rita@x.io" {
		t.Errorf("Engineering members %v", got)
	}
	for _, r := range h.cu.Requests() {
		if r.Method == "PATCH" {
			t.Errorf("PATCH %s sent to a service that announced none", r.Path)
		}
	}
}

func TestSCIMService_NoGroupsRefusesToStart(t *testing.T) {
	for _, o := range []clickuptest.Options{{NoGroups: true}, {NoGroups: true, NoDiscovery: true}} {
		t.Run(fmt.Sprintf("discovery %t", !o.NoDiscovery), func(t *testing.T) {
			h := newHarnessWith(t, o)
			withMappedCustomRoles(h)
			a, _ := h.assigned("a@x.io", false) // a create the run would make
			g := h.okta.AddGroup(oktatest.Group{Name: "Eng"})
			h.okta.AddGroupMember(g.ID, a)
			h.env["SYNC_PUSH_GROUPS"] = "Eng"
			h.env["SYNC_LISTEN_ADDR"] = "127.0.0.1:0"
			h.cu.ResetRequests()

			for _, args := range [][]string{{"reconcile"}, {"reconcile", "--dry-run"}, {"run"}} {
				// A daemon that started would run until cancelled; this bounds the test, it
				// never decides it.
				ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
				var out, errb strings.Builder
				code := Main(ctx, args, h.lookup, &out, &errb)
				cancel()
				if code != exitError || !strings.Contains(errb.String(), "SYNC_PUSH_GROUPS") {
					t.Errorf("%v: exit %d, want 1 naming SYNC_PUSH_GROUPS:\n%s", args, code, errb.String())
				}
			}
			r := h.run(t, "check")
			if res, detail := checkLine(t, r.stdout, "scim groups"); r.code != exitError || res != resultFail || !strings.Contains(detail, "SYNC_PUSH_GROUPS") {
				t.Errorf("check: exit %d, scim groups %s %q", r.code, res, detail)
			}
			if w := h.cu.Writes(); len(w) != 0 {
				t.Errorf("writes %+v, want none", w)
			}
			// Without SYNC_PUSH_GROUPS the same service is fine.
			delete(h.env, "SYNC_PUSH_GROUPS")
			if r := h.run(t, "reconcile"); r.code != exitOK {
				t.Errorf("without SYNC_PUSH_GROUPS: exit %d\n%s", r.code, r.stderr)
			}
		})
	}
}

// TestSCIMService_CappedPages has a service that pages by 40 over 260 users, all in step: a run
// reads each user once and creates no one.
func TestSCIMService_CappedPages(t *testing.T) {
	for _, announced := range []int{0, 1000} {
		t.Run(fmt.Sprintf("maxResults %d", announced), func(t *testing.T) {
			h := newHarnessWith(t, clickuptest.Options{MaxCount: 40, AnnouncedMaxResults: announced})
			for i := range 258 {
				h.assigned(fmt.Sprintf("u%03d@x.io", i), true)
			}
			h.cu.ResetRequests()
			if r := h.run(t, "reconcile", "--detailed-exitcode"); r.code != exitOK {
				t.Fatalf("exit %d, want 0 (nothing to do)\n%s", r.code, r.stdout)
			}
			if w := h.cu.Writes(); len(w) != 0 {
				t.Errorf("writes %d, want none: %+v", len(w), w[0])
			}
			seen := map[string]int{}
			for _, r := range h.cu.Requests() {
				if strings.HasSuffix(r.Path, "/Users") {
					q, _ := url.ParseQuery(r.RawQuery)
					seen[q.Get("startIndex")]++
				}
			}
			if len(seen) != 7 {
				t.Errorf("pages %v, want 7 (260 users by 40)", seen)
			}
			for start, n := range seen {
				if n != 1 {
					t.Errorf("startIndex %s read %d times", start, n)
				}
			}
		})
	}
}

func TestSCIMService_TotalResultsMoves(t *testing.T) {
	setup := func(t *testing.T, changes int) *harness {
		h := newHarnessWith(t, clickuptest.Options{})
		for i := range 250 {
			h.clickup(clickuptest.User{UserName: fmt.Sprintf("hand%03d@x.io", i), Active: true})
		}
		h.person("nina@x.io", "ACTIVE", map[string]any{"role": "admin"})
		h.cu.ChangeTotalBetweenPages(changes)
		h.cu.ResetRequests()
		return h
	}
	t.Run("once: read again, applied", func(t *testing.T) {
		h := setup(t, 1)
		if r := h.run(t, "reconcile"); r.code != exitOK {
			t.Fatalf("exit %d\n%s", r.code, r.stderr)
		}
		if u := h.find(t, "nina@x.io"); u.Role != "admin" {
			t.Errorf("got %+v", u)
		}
		if w := h.cu.Writes(); len(w) != 1 {
			t.Errorf("writes %d, want the one create", len(w))
		}
	})
	t.Run("twice: failed, nothing written", func(t *testing.T) {
		h := setup(t, 2)
		r := h.run(t, "reconcile")
		if r.code != exitError || !strings.Contains(r.stderr, "totalResults changed") {
			t.Fatalf("exit %d, want 1 naming the moving totalResults\n%s", r.code, r.stderr)
		}
		if w := h.cu.Writes(); len(w) != 0 {
			t.Errorf("writes %+v, want none", w)
		}
	})
}

// A role the announced schema cannot hold is never sent: the user gets no write, and the reason
// names the ways out.
func TestSCIMService_RoleTheSchemaCannotHold(t *testing.T) {
	h := newHarnessWith(t, clickuptest.Options{NoCustomRoleName: true})
	delete(h.env, "CLICKUP_API_TOKEN") // no catalogue: the name cannot become an id
	h.person("ida@x.io", "ACTIVE", map[string]any{"customRoleName": "Admin Custom"})
	ok := h.person("gus@x.io", "ACTIVE", map[string]any{"role": "guest"})
	h.cu.ResetRequests()
	r := h.run(t, "reconcile")
	if r.code != exitError {
		t.Fatalf("exit %d, want 1\n%s", r.code, r.stderr)
	}
	for _, want := range []string{"customRoleName", "CLICKUP_API_TOKEN"} {
		if !strings.Contains(r.stdout+r.stderr, want) {
			t.Errorf("the output does not mention %s:\n%s\n%s", want, r.stdout, r.stderr)
		}
	}
	for _, w := range h.cu.Writes() {
		if strings.Contains(string(w.Body), "ida@x.io") {
			t.Errorf("a write for ida reached ClickUp: %s", w.Body)
		}
	}
	if u := h.find(t, "gus@x.io"); u.ExternalID != ok || u.Role != "guest" {
		t.Errorf("the user the schema can hold was not created: %+v", u)
	}
}
