package main

import (
	"strings"
	"testing"

	"github.com/okta-clickup-sync/okta-clickup-sync/okta/oktatest"
)

// checkLine returns the result and detail of the named check in check's table.
func checkLine(t *testing.T, stdout, name string) (result, detail string) {
	t.Helper()
	lines := strings.Split(stdout, "\n")
	if !strings.HasPrefix(lines[0], "CHECK") || !strings.Contains(lines[0], "RESULT") || !strings.Contains(lines[0], "DETAIL") {
		t.Fatalf("no header line:\n%s", stdout)
	}
	col := strings.Index(lines[0], "RESULT")
	for _, l := range lines[1:] {
		if strings.TrimSpace(l[:min(col, len(l))]) != name {
			continue
		}
		f := strings.Fields(l[col:])
		if len(f) == 0 {
			t.Fatalf("check %q has no result:\n%s", name, stdout)
		}
		return f[0], strings.Join(f[1:], " ")
	}
	t.Fatalf("no check %q in:\n%s", name, stdout)
	return "", ""
}

// withMappedCustomRoles gives customRoleName the options the harness's ClickUp roles satisfy.
func withMappedCustomRoles(h *harness) {
	props := oktatest.DefaultAppUserSchema()
	for i := range props {
		if props[i].Name == "customRoleName" {
			props[i].Values = []string{"Guest Custom", "member custom"}
		}
	}
	h.okta.SetAppUserSchema(appID, props)
}

func TestCheck(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		h := newHarness(t)
		withMappedCustomRoles(h)
		r := h.run(t, "check")
		if r.code != exitOK {
			t.Fatalf("exit %d, want 0\n%s%s", r.code, r.stdout, r.stderr)
		}
		for _, name := range []string{
			"okta credentials", "okta app", "okta app user schema", "okta attribute role",
			"okta attribute customRoleName", "okta attribute customRoleId", "clickup scim",
			"clickup custom roles", "clickup workspace owner", "custom role mapping",
		} {
			if res, detail := checkLine(t, r.stdout, name); res != resultOK {
				t.Errorf("%s: %s %s, want ok", name, res, detail)
			}
		}
		if _, d := checkLine(t, r.stdout, "okta attribute role"); !strings.Contains(d, "admin, member, guest") {
			t.Errorf("role detail %q does not list the enum values", d)
		}
		if _, d := checkLine(t, r.stdout, "custom role mapping"); !strings.Contains(d, "Guest Custom -> #4547089") {
			t.Errorf("mapping detail %q does not show the mapping", d)
		}
		// One cheap call each: check must not list the whole Workspace.
		for _, req := range h.cu.Requests() {
			if strings.HasSuffix(req.Path, "/Users") && !strings.Contains(req.RawQuery, "count=1") {
				t.Errorf("check listed users: %s?%s", req.Path, req.RawQuery)
			}
			if req.Method != "GET" {
				t.Errorf("check wrote to ClickUp: %s %s", req.Method, req.Path)
			}
		}
	})

	for _, tc := range []struct {
		name   string
		setup  func(h *harness)
		check  string // the failing check
		detail string // in its detail
	}{
		{"WrongOktaToken", func(h *harness) { h.env["OKTA_API_TOKEN"] = "00wrong-token" }, "okta credentials", "Invalid token provided"},
		{"WrongAppID", func(h *harness) { h.env["OKTA_APP_ID"] = "0oanotthere" }, "okta app", "no app 0oanotthere"},
		{"MissingRoleAttribute", func(h *harness) {
			var props []oktatest.SchemaProperty
			for _, p := range oktatest.DefaultAppUserSchema() {
				if p.Name != "role" {
					props = append(props, p)
				}
			}
			h.okta.SetAppUserSchema(appID, props)
		}, "okta attribute role", "not in the app user schema"},
		{"RoleValueNotAssignable", func(h *harness) {
			props := oktatest.DefaultAppUserSchema()
			for i := range props {
				if props[i].Name == "role" {
					props[i].Values = append(props[i].Values, "owner")
				}
			}
			h.okta.SetAppUserSchema(appID, props)
		}, "okta attribute role", "can assign: owner"},
		{"WrongSCIMToken", func(h *harness) { h.env["CLICKUP_SCIM_TOKEN"] = "wrong-scim-token" }, "clickup scim", "CLICKUP_SCIM_TOKEN"},
		{"UnmappedCustomRoleName", func(h *harness) {
			props := oktatest.DefaultAppUserSchema()
			for i := range props {
				if props[i].Name == "customRoleName" {
					props[i].Values = []string{"guest custom", "Ghost Role"}
				}
			}
			h.okta.SetAppUserSchema(appID, props)
		}, "custom role mapping", `no ClickUp custom role named "Ghost Role"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			withMappedCustomRoles(h)
			tc.setup(h)
			r := h.run(t, "check")
			if r.code != exitError {
				t.Fatalf("exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
			}
			res, detail := checkLine(t, r.stdout, tc.check)
			if res != resultFail || !strings.Contains(detail, tc.detail) {
				t.Fatalf("%s: %s %q, want FAIL naming %q\n%s", tc.check, res, detail, tc.detail, r.stdout)
			}
			if n := strings.Count(r.stdout, " "+resultFail+" "); n != 1 {
				t.Errorf("%d checks failed, want only %s:\n%s", n, tc.check, r.stdout)
			}
			for _, s := range []string{"00wrong-token", "wrong-scim-token"} {
				if strings.Contains(r.stdout+r.stderr, s) {
					t.Errorf("a token reached the output")
				}
			}
		})
	}
}
