package main

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/okta-clickup-sync/okta-clickup-sync/clickup/clickuptest"
	"github.com/okta-clickup-sync/okta-clickup-sync/okta/oktatest"
)

const appID = "0oatestclickup01"

// harness is a fake Okta org and a fake ClickUp Workspace with the environment that points the
// real binary's Main at them.
type harness struct {
	okta   *oktatest.Server
	cu     *clickuptest.Server
	env    map[string]string
	steady string // Okta id of a user in step on both sides, so no scenario looks like an empty source
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	h := &harness{
		okta: oktatest.NewServer(oktatest.Options{}),
		cu:   clickuptest.NewServer(clickuptest.Options{}),
	}
	t.Cleanup(h.okta.Close)
	t.Cleanup(h.cu.Close)
	h.okta.AddApp(appID, "ClickUp")
	h.cu.AddCustomRole(4547089, "guest custom", 4)
	h.cu.AddCustomRole(6715664, "member custom", 3)
	h.cu.AddCustomRole(2957195, "admin custom", 2)
	h.cu.AddUser(clickuptest.User{UserName: "owner@x.io", Email: "owner@x.io", GivenName: "Pat", FamilyName: "Owner", Active: true, Role: "owner", Owner: true})
	h.env = map[string]string{
		"OKTA_ORG_URL":             h.okta.URL(),
		"OKTA_APP_ID":              appID,
		"OKTA_API_TOKEN":           h.okta.Token(),
		"CLICKUP_SCIM_BASE_URL":    h.cu.SCIMBaseURL(),
		"CLICKUP_SCIM_TOKEN":       h.cu.SCIMToken(),
		"CLICKUP_API_BASE_URL":     h.cu.APIBaseURL(),
		"CLICKUP_API_TOKEN":        h.cu.APIToken(),
		"CLICKUP_WORKSPACE_ID":     h.cu.WorkspaceID(),
		"SYNC_ALLOW_INSECURE_HTTP": "true",
		"SYNC_STATE_PATH":          "",
		// Single-user scenarios would trip the percent cap; the cap has its own tests.
		"SYNC_MAX_DEACTIVATION_PERCENT": "100",
	}
	h.steady = h.person("steady@x.io", "ACTIVE", map[string]any{"role": "member"})
	h.clickup(clickuptest.User{ExternalID: h.steady, UserName: "steady@x.io", Active: true})
	return h
}

func (h *harness) lookup(k string) (string, bool) {
	v, ok := h.env[k]
	return v, ok
}

// environ is the harness's environment in os.Environ's form, for the unknown-variable warnings.
func (h *harness) environ() []string {
	out := make([]string, 0, len(h.env))
	for k, v := range h.env {
		out = append(out, k+"="+v)
	}
	return out
}

type result struct {
	code           int
	stdout, stderr string
}

func (h *harness) run(t *testing.T, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := mainWith(t.Context(), args, options{lookup: h.lookup, environ: h.environ()}, &out, &errb)
	r := result{code, out.String(), errb.String()}
	for _, s := range h.secrets() {
		if strings.Contains(r.stdout, s) || strings.Contains(r.stderr, s) {
			t.Fatalf("a secret reached the output of %v", args)
		}
	}
	return r
}

func (h *harness) secrets() []string {
	var out []string
	for _, k := range []string{"OKTA_API_TOKEN", "CLICKUP_SCIM_TOKEN", "CLICKUP_API_TOKEN"} {
		if v := h.env[k]; v != "" {
			out = append(out, v)
		}
	}
	return out
}

// person adds an Okta user, optionally assigned with profile, and returns the Okta id.
func (h *harness) person(login, status string, profile map[string]any) string {
	u := h.okta.AddUser(oktatest.User{Status: status, Login: login, Email: login, FirstName: "First", LastName: "Last"})
	if profile != nil {
		h.okta.Assign(appID, u.ID, "PROVISIONED", profile)
	}
	return u.ID
}

func (h *harness) clickup(u clickuptest.User) clickuptest.User {
	if u.Email == "" {
		u.Email = u.UserName
	}
	if u.GivenName == "" {
		u.GivenName, u.FamilyName = "First", "Last"
	}
	if u.Role == "" {
		u.Role = "member"
	}
	return h.cu.AddUser(u)
}

func (h *harness) find(t *testing.T, userName string) clickuptest.User {
	t.Helper()
	var found []clickuptest.User
	for _, u := range h.cu.Users() {
		if strings.EqualFold(u.UserName, userName) {
			found = append(found, u)
		}
	}
	if len(found) != 1 {
		t.Fatalf("ClickUp has %d users named %s, want exactly 1", len(found), userName)
	}
	return found[0]
}

// converge runs a dry run (no writes), a reconcile (expected exit code), then a second reconcile
// that must plan no write.
func (h *harness) converge(t *testing.T, wantCode int) result {
	t.Helper()
	before := h.cu.Users()
	h.cu.ResetRequests()
	dry := h.run(t, "reconcile", "--dry-run")
	if w := h.cu.Writes(); len(w) != 0 {
		t.Fatalf("--dry-run wrote to ClickUp: %+v", w)
	}
	if after := h.cu.Users(); !reflect.DeepEqual(before, after) {
		t.Fatalf("--dry-run changed ClickUp")
	}
	if dry.code != wantCode && !(wantCode == exitOK && dry.code == exitOK) {
		t.Fatalf("dry run exit %d, want %d\nstdout:\n%s\nstderr:\n%s", dry.code, wantCode, dry.stdout, dry.stderr)
	}
	r := h.run(t, "reconcile")
	if r.code != wantCode {
		t.Fatalf("reconcile exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, wantCode, r.stdout, r.stderr)
	}
	h.cu.ResetRequests()
	again := h.run(t, "reconcile", "--detailed-exitcode", "--output", "json")
	if w := h.cu.Writes(); len(w) != 0 {
		t.Fatalf("second reconcile wrote again: %+v\n%s", w, again.stdout)
	}
	var plan struct {
		Summary struct{ Writes int } `json:"summary"`
	}
	if err := json.Unmarshal([]byte(again.stdout), &plan); err != nil || plan.Summary.Writes != 0 {
		t.Fatalf("second reconcile planned writes (err %v):\n%s", err, again.stdout)
	}
	if wantCode == exitOK && again.code != exitOK {
		t.Fatalf("second reconcile exit %d, want 0\n%s", again.code, again.stderr)
	}
	return r
}

func TestReconcileRules(t *testing.T) {
	t.Run("create_user: a new hire gets a ClickUp user with externalId and role", func(t *testing.T) {
		h := newHarness(t)
		id := h.person("nina@x.io", "ACTIVE", map[string]any{"role": "admin"})
		r := h.converge(t, exitOK)
		u := h.find(t, "nina@x.io")
		want := clickuptest.User{ID: u.ID, ExternalID: id, UserName: "nina@x.io", Email: "nina@x.io", GivenName: "First", FamilyName: "Last", Active: true, Role: "admin"}
		if u != want {
			t.Errorf("created user\n got %+v\nwant %+v", u, want)
		}
		if !strings.Contains(r.stdout, "create_user") {
			t.Errorf("plan does not show the create:\n%s", r.stdout)
		}
	})
	t.Run("update_role: a role change in Okta is pushed", func(t *testing.T) {
		h := newHarness(t)
		id := h.person("ravi@x.io", "ACTIVE", map[string]any{"role": "guest"})
		h.clickup(clickuptest.User{ExternalID: id, UserName: "ravi@x.io", Active: true, Role: "member"})
		h.converge(t, exitOK)
		if u := h.find(t, "ravi@x.io"); u.Role != "guest" || !u.Active || u.CustomRoleID != "" {
			t.Errorf("got %+v, want an active guest", u)
		}
	})
	t.Run("update_role: custom role by id", func(t *testing.T) {
		h := newHarness(t)
		id := h.person("ida@x.io", "ACTIVE", map[string]any{"role": "guest", "customRoleId": "2957195"})
		h.clickup(clickuptest.User{ExternalID: id, UserName: "ida@x.io", Active: true})
		h.converge(t, exitOK)
		if u := h.find(t, "ida@x.io"); u.CustomRoleID != "2957195" || u.Role != "admin" {
			t.Errorf("got %+v, want custom role 2957195 inheriting admin", u)
		}
	})
	t.Run("update_role: custom role by name, case-insensitively", func(t *testing.T) {
		h := newHarness(t)
		id := h.person("noel@x.io", "ACTIVE", map[string]any{"customRoleName": "Guest Custom"})
		h.clickup(clickuptest.User{ExternalID: id, UserName: "noel@x.io", Active: true})
		h.converge(t, exitOK)
		if u := h.find(t, "noel@x.io"); u.CustomRoleID != "4547089" || u.Role != "guest" {
			t.Errorf("got %+v, want custom role 4547089 inheriting guest", u)
		}
	})
	t.Run("profile_drift_ignored: a changed Okta email and name are not pushed", func(t *testing.T) {
		h := newHarness(t)
		id := h.person("eve.new@x.io", "ACTIVE", map[string]any{"role": "member"})
		h.okta.UpdateUser(oktatest.User{ID: id, Status: "ACTIVE", Login: "eve.new@x.io", Email: "eve.new@x.io", FirstName: "Evelyn", LastName: "New"})
		old := h.clickup(clickuptest.User{ExternalID: id, UserName: "eve@x.io", Active: true})
		r := h.converge(t, exitOK)
		if u := h.find(t, "eve@x.io"); u != old {
			t.Errorf("ClickUp user changed:\n got %+v\nwant %+v", u, old)
		}
		for _, f := range []string{"email", "userName", "name"} {
			if !strings.Contains(r.stderr, `"action":"profile_drift_ignored"`) || !strings.Contains(r.stderr, `"field":"`+f+`"`) {
				t.Errorf("drift log lacks profile_drift_ignored for %s:\n%s", f, r.stderr)
			}
		}
	})
	t.Run("reactivate: an inactive user assigned again, with the new role in the same write", func(t *testing.T) {
		h := newHarness(t)
		id := h.person("rita@x.io", "ACTIVE", map[string]any{"role": "admin"})
		h.clickup(clickuptest.User{ExternalID: id, UserName: "rita@x.io", Active: false, Role: "guest"})
		h.cu.ResetRequests()
		h.run(t, "reconcile")
		if w := h.cu.Writes(); len(w) != 1 {
			t.Fatalf("reactivation with a role change took %d writes, want 1: %+v", len(w), w)
		}
		h.converge(t, exitOK)
		if u := h.find(t, "rita@x.io"); !u.Active || u.Role != "admin" {
			t.Errorf("got %+v, want an active admin", u)
		}
	})
	t.Run("deactivate: a suspended Okta user is deactivated and kept", func(t *testing.T) {
		h := newHarness(t)
		id := h.person("sam@x.io", "SUSPENDED", map[string]any{"role": "member"})
		h.clickup(clickuptest.User{ExternalID: id, UserName: "sam@x.io", Active: true})
		h.converge(t, exitOK)
		if u := h.find(t, "sam@x.io"); u.Active {
			t.Errorf("got %+v, want inactive", u)
		}
	})
	t.Run("deactivate: an unassigned user is deactivated and kept", func(t *testing.T) {
		h := newHarness(t)
		id := h.person("uma@x.io", "ACTIVE", nil)
		h.clickup(clickuptest.User{ExternalID: id, UserName: "uma@x.io", Active: true})
		h.converge(t, exitOK)
		if u := h.find(t, "uma@x.io"); u.Active || u.ExternalID != id {
			t.Errorf("got %+v, want kept and inactive", u)
		}
	})
	t.Run("not entitled and inactive: nothing", func(t *testing.T) {
		h := newHarness(t)
		id := h.person("gone@x.io", "DEPROVISIONED", map[string]any{"role": "member"})
		h.clickup(clickuptest.User{ExternalID: id, UserName: "gone@x.io", Active: false})
		h.cu.ResetRequests()
		if r := h.run(t, "reconcile", "--detailed-exitcode"); r.code != exitOK || len(h.cu.Writes()) != 0 {
			t.Fatalf("exit %d, writes %+v", r.code, h.cu.Writes())
		}
	})
	t.Run("unmanaged_user: a hand-added ClickUp user is reported, not touched", func(t *testing.T) {
		h := newHarness(t)
		h.clickup(clickuptest.User{UserName: "hank@x.io", Active: true})
		r := h.converge(t, exitOK)
		if u := h.find(t, "hank@x.io"); !u.Active {
			t.Errorf("unmanaged user was changed: %+v", u)
		}
		if !strings.Contains(r.stdout, "unmanaged_user") {
			t.Errorf("plan does not report the unmanaged user:\n%s", r.stdout)
		}
	})
	t.Run("invalid_role: a renamed custom role fails the run with no write", func(t *testing.T) {
		h := newHarness(t)
		id := h.person("rex@x.io", "ACTIVE", map[string]any{"customRoleName": "Old Custom Name"})
		before := h.clickup(clickuptest.User{ExternalID: id, UserName: "rex@x.io", Active: true})
		h.cu.ResetRequests()
		r := h.run(t, "reconcile")
		if r.code != exitError || len(h.cu.Writes()) != 0 {
			t.Fatalf("exit %d, writes %+v; want exit 1 and no write", r.code, h.cu.Writes())
		}
		if !strings.Contains(r.stdout, "invalid_role") || !strings.Contains(r.stdout, "customRoleId") {
			t.Errorf("plan lacks invalid_role with the customRoleId hint:\n%s", r.stdout)
		}
		if u := h.find(t, "rex@x.io"); u != before {
			t.Errorf("user changed: %+v", u)
		}
	})
	t.Run("owner: never written even if Okta says otherwise", func(t *testing.T) {
		h := newHarness(t)
		id := h.person("owner@x.io", "SUSPENDED", map[string]any{"role": "guest"})
		_ = id
		h.cu.ResetRequests()
		r := h.run(t, "reconcile")
		if r.code != exitOK || len(h.cu.Writes()) != 0 {
			t.Fatalf("exit %d, writes %+v; want no write", r.code, h.cu.Writes())
		}
		if u := h.find(t, "owner@x.io"); !u.Active || u.Role != "owner" {
			t.Errorf("owner changed: %+v", u)
		}
		if !strings.Contains(r.stdout, "protected") {
			t.Errorf("plan does not show the skipped change:\n%s", r.stdout)
		}
	})
	t.Run("protected: a listed user is never deactivated", func(t *testing.T) {
		h := newHarness(t)
		h.env["SYNC_PROTECTED_USERS"] = "breakglass@x.io"
		id := h.person("breakglass@x.io", "ACTIVE", nil)
		h.clickup(clickuptest.User{ExternalID: id, UserName: "breakglass@x.io", Active: true, Role: "admin"})
		h.cu.ResetRequests()
		r := h.run(t, "reconcile")
		if r.code != exitOK || len(h.cu.Writes()) != 0 {
			t.Fatalf("exit %d, writes %+v", r.code, h.cu.Writes())
		}
	})
	t.Run("existing ClickUp user matched by email gets no duplicate", func(t *testing.T) {
		h := newHarness(t)
		h.person("Mia@X.io", "ACTIVE", map[string]any{"role": "member"})
		h.clickup(clickuptest.User{UserName: "mia@x.io", Active: true})
		h.converge(t, exitOK)
		h.find(t, "mia@x.io")
	})
}

func TestReconcileOutputAndLogs(t *testing.T) {
	h := newHarness(t)
	h.person("nina@x.io", "ACTIVE", map[string]any{"role": "member"})
	r := h.run(t, "reconcile", "--dry-run", "--output", "json", "--detailed-exitcode")
	if r.code != exitChanges {
		t.Fatalf("dry run with changes and --detailed-exitcode: exit %d, want 2\n%s", r.code, r.stderr)
	}
	var plan struct {
		Entries []struct{ Action, User, Outcome string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &plan); err != nil {
		t.Fatalf("stdout is not the JSON plan: %v\n%s", err, r.stdout)
	}
	if len(plan.Entries) != 1 || plan.Entries[0].Action != "create_user" || plan.Entries[0].Outcome != "planned" {
		t.Fatalf("plan %+v", plan.Entries)
	}
	var sawEntry, sawSummary bool
	for _, line := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		switch m["message"] {
		case "plan entry":
			sawEntry = true
			for _, k := range []string{"run_id", "action", "okta_user_id", "clickup_user_id", "user", "field", "from", "to", "outcome", "dry_run"} {
				if _, ok := m[k]; !ok {
					t.Errorf("drift line lacks %s: %s", k, line)
				}
			}
		case "run summary":
			sawSummary = true
		}
	}
	if !sawEntry || !sawSummary {
		t.Errorf("missing drift or summary line:\n%s", r.stderr)
	}
}

func TestReconcileConfigErrors(t *testing.T) {
	h := newHarness(t)
	delete(h.env, "OKTA_ORG_URL")
	delete(h.env, "CLICKUP_SCIM_TOKEN")
	r := h.run(t, "reconcile")
	if r.code != exitError || !strings.Contains(r.stderr, "OKTA_ORG_URL") || !strings.Contains(r.stderr, "CLICKUP_SCIM_TOKEN") {
		t.Fatalf("exit %d; want 1 naming both missing settings:\n%s", r.code, r.stderr)
	}
}

func TestReconcileReadFailureWritesNothing(t *testing.T) {
	h := newHarness(t)
	h.person("nina@x.io", "ACTIVE", map[string]any{"role": "member"})
	h.okta.RepeatNextLink(true)
	h.cu.ResetRequests()
	r := h.run(t, "reconcile")
	if r.code != exitError || len(h.cu.Writes()) != 0 {
		t.Fatalf("exit %d, writes %+v; want 1 and no write", r.code, h.cu.Writes())
	}
}

func TestReconcileRails(t *testing.T) {
	t.Run("empty source is refused with exit 3 and no write", func(t *testing.T) {
		h := newHarness(t)
		h.okta.Unassign(appID, h.steady)
		h.cu.ResetRequests()
		r := h.run(t, "reconcile")
		if r.code != exitHeld || len(h.cu.Writes()) != 0 {
			t.Fatalf("exit %d, writes %+v; want 3 and none\n%s", r.code, h.cu.Writes(), r.stderr)
		}
		h.env["SYNC_ALLOW_EMPTY_SOURCE"] = "true"
		if r := h.run(t, "reconcile"); r.code != exitOK || h.find(t, "steady@x.io").Active {
			t.Fatalf("with SYNC_ALLOW_EMPTY_SOURCE: exit %d\n%s", r.code, r.stderr)
		}
	})
	t.Run("deactivations over the cap are held, the rest applies", func(t *testing.T) {
		h := newHarness(t)
		h.env["SYNC_MAX_DEACTIVATIONS"] = "1"
		h.person("keep@x.io", "ACTIVE", map[string]any{"role": "member"})
		for _, login := range []string{"a@x.io", "b@x.io"} {
			id := h.person(login, "ACTIVE", nil)
			h.clickup(clickuptest.User{ExternalID: id, UserName: login, Active: true})
		}
		r := h.run(t, "reconcile")
		if r.code != exitHeld {
			t.Fatalf("exit %d, want 3\n%s", r.code, r.stderr)
		}
		if !h.find(t, "a@x.io").Active || !h.find(t, "b@x.io").Active {
			t.Error("a held deactivation was applied")
		}
		if !h.find(t, "keep@x.io").Active {
			t.Error("the create was not applied alongside the held deactivations")
		}
		if !strings.Contains(r.stderr, "deactivations held by the cap") {
			t.Errorf("no log line explains the hold:\n%s", r.stderr)
		}
	})
}

func TestDemo(t *testing.T) {
	var out, errb bytes.Buffer
	code := Main(t.Context(), []string{"demo"}, func(string) (string, bool) { return "", false }, &out, &errb)
	if code != exitOK {
		t.Fatalf("demo exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errb.String())
	}
	s := out.String()
	for _, a := range []string{"create_user", "update_role", "reactivate", "deactivate", "profile_drift_ignored", "unmanaged_user"} {
		if !strings.Contains(s, a) {
			t.Errorf("demo output lacks %s", a)
		}
	}
	if !strings.Contains(s, "No changes to ClickUp") {
		t.Errorf("demo's second reconcile does not say it found nothing to change:\n%s", s)
	}
}

func TestVersion(t *testing.T) {
	var out bytes.Buffer
	if code := Main(t.Context(), []string{"version"}, nil, &out, &out); code != 0 || !strings.HasPrefix(out.String(), "okta-clickup-sync ") {
		t.Fatalf("version: %d %q", code, out.String())
	}
}
