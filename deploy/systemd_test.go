package deploy_test

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/okta-clickup-sync/okta-clickup-sync/config"
)

const (
	unitPath    = "systemd/okta-clickup-sync.service"
	envFilePath = "systemd/okta-clickup-sync.env"
)

// unitLine is one Key=Value of a unit file; commented tells a "#Key=Value" line, which the unit
// uses for the optional credentials.
type unitLine struct {
	section, key, value string
	commented           bool
}

func readUnit(t *testing.T) []unitLine {
	t.Helper()
	f, err := os.Open(unitPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []unitLine
	section := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		commented := false
		if c, ok := strings.CutPrefix(line, "#"); ok && !strings.HasPrefix(c, " ") && strings.Contains(c, "=") {
			line, commented = c, true
		}
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "["):
			section = strings.Trim(line, "[]")
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				t.Fatalf("%s: %q is not Key=Value", unitPath, line)
			}
			out = append(out, unitLine{section, k, v, commented})
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func unitValues(lines []unitLine, section, key string) []string {
	var out []string
	for _, l := range lines {
		if l.section == section && l.key == key && !l.commented {
			out = append(out, l.value)
		}
	}
	return out
}

func TestSystemd_Hardening(t *testing.T) {
	lines := readUnit(t)
	for key, want := range map[string]string{
		"DynamicUser":     "yes",
		"StateDirectory":  "okta-clickup-sync",
		"NoNewPrivileges": "yes",
		"ProtectSystem":   "strict",
		"ProtectHome":     "yes",
		"PrivateTmp":      "yes",
		"PrivateDevices":  "yes",
		"UMask":           "0077",
		"ExecStart":       "/usr/local/bin/okta-clickup-sync run",
		"KillSignal":      "SIGTERM",
		"EnvironmentFile": "/etc/okta-clickup-sync/okta-clickup-sync.env",
	} {
		if got := unitValues(lines, "Service", key); !slices.Equal(got, []string{want}) {
			t.Errorf("[Service] %s = %q, want %q", key, got, want)
		}
	}
	if got := unitValues(lines, "Service", "CapabilityBoundingSet"); !slices.Equal(got, []string{""}) {
		t.Errorf("CapabilityBoundingSet = %q, want empty (no capabilities)", got)
	}
	if !slices.Contains(unitValues(lines, "Service", "Environment"), "SYNC_SECRETS_DIR=%d") {
		t.Error("the credentials directory is not SYNC_SECRETS_DIR")
	}
	// Secrets are credentials, never environment variables.
	for _, l := range lines {
		if l.key == "Environment" {
			name, _, _ := strings.Cut(l.value, "=")
			for _, s := range []string{"_TOKEN", "_SECRET", "_KEY", "_STATE_URL"} {
				if strings.HasSuffix(name, s) {
					t.Errorf("secret %s set by Environment=", name)
				}
			}
		}
	}
}

// credential is one LoadCredential=ID:PATH line of the unit.
type credential struct {
	id, path string
	optional bool // commented out in the unit
}

func credentials(t *testing.T) []credential {
	t.Helper()
	var out []credential
	for _, l := range readUnit(t) {
		if l.section != "Service" || l.key != "LoadCredential" {
			continue
		}
		id, path, ok := strings.Cut(l.value, ":")
		if !ok || filepath.Base(path) != id {
			t.Errorf("LoadCredential=%s: want ID:/etc/okta-clickup-sync/credentials/ID", l.value)
		}
		out = append(out, credential{id, path, l.commented})
	}
	return out
}

// readEnvFile reads an EnvironmentFile= as systemd does for these simple lines: KEY=VALUE, the
// value unquoted and taken whole, # comments.
func readEnvFile(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile(envFilePath)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("%s: %q is not KEY=VALUE", envFilePath, line)
		}
		if strings.ContainsAny(v, `"'$\`) {
			t.Errorf("%s: %s: keep values free of quotes, $ and \\ (EnvironmentFile= gives them meanings)", envFilePath, k)
		}
		env[k] = v
	}
	return env
}

// startUnit runs the configuration as the service would start: the environment file, the unit's
// Environment= lines, and the credentials directory holding the given files.
func startUnit(t *testing.T, env map[string]string, creds map[string]string) (config.Config, []config.Warning, error) {
	t.Helper()
	dir := t.TempDir()
	for id, content := range creds {
		if err := os.WriteFile(filepath.Join(dir, id), []byte(content), 0o400); err != nil {
			t.Fatal(err)
		}
	}
	all := map[string]string{}
	for k, v := range env {
		all[k] = v
	}
	for _, v := range unitValues(readUnit(t), "Service", "Environment") {
		k, val, _ := strings.Cut(v, "=")
		all[k] = strings.ReplaceAll(val, "%d", dir)
	}
	var environ []string
	for k, v := range all {
		environ = append(environ, k+"="+v)
	}
	return config.Build(config.Sources{
		Lookup:  func(k string) (string, bool) { v, ok := all[k]; return v, ok },
		Environ: environ,
	})
}

func TestSystemd_Configuration(t *testing.T) {
	env := readEnvFile(t)
	creds := credentials(t)
	required := map[string]string{}
	for _, c := range creds {
		if !c.optional {
			required[c.id] = "cred-" + c.id + "-0123456789abcdef\n"
		}
	}
	if len(required) != 2 || required["okta-api-token"] == "" || required["clickup-scim-token"] == "" {
		t.Fatalf("required credentials %v, want okta-api-token and clickup-scim-token", required)
	}

	// As shipped, the environment file's placeholders are the only problem.
	_, _, err := startUnit(t, env, required)
	problems := problemsOf(err)
	for _, want := range []string{"OKTA_ORG_URL", "OKTA_APP_ID", "CLICKUP_SCIM_BASE_URL"} {
		if !strings.Contains(problems[want], "placeholder") {
			t.Errorf("as shipped, %s: %q", want, problems[want])
		}
	}
	if len(problems) != 3 {
		t.Errorf("as shipped: %v", err)
	}

	filled := map[string]string{}
	for k, v := range env {
		filled[k] = strings.ReplaceAll(v, "REPLACEME", "filled1")
	}
	if _, warnings, err := startUnit(t, filled, required); err != nil || len(warnings) != 0 {
		t.Fatalf("filled in: %v, warnings %v", err, warnings)
	}

	// Each optional credential, uncommented with its file in place, is read.
	for _, c := range creds {
		if !c.optional {
			continue
		}
		t.Run(c.id, func(t *testing.T) {
			e, cr := map[string]string{}, map[string]string{}
			for k, v := range filled {
				e[k] = v
			}
			for k, v := range required {
				cr[k] = v
			}
			value := "optional-" + c.id + "-0123456789abcdef"
			switch c.id {
			case "okta-private-key":
				delete(cr, "okta-api-token")
				value = mustRSAKey(t)
				e["OKTA_CLIENT_ID"], e["OKTA_PRIVATE_KEY_ID"] = "0oaservice", "kid-1"
			case "clickup-api-token":
				e["CLICKUP_WORKSPACE_ID"] = "9012345"
			case "sync-event-hook-secret":
				e["SYNC_EVENTS"] = "systemlog"
			case "sync-state-url":
				value = "postgres://sync:pw-0123@db.example:5432/sync"
			}
			cr[c.id] = value
			cfg, warnings, err := startUnit(t, e, cr)
			if err != nil || len(warnings) != 0 {
				t.Fatalf("%v, warnings %v", err, warnings)
			}
			// One trailing newline is not part of a secret file's value.
			if !slices.Contains(cfg.Secrets(), strings.TrimSuffix(value, "\n")) {
				t.Errorf("%s was not read", c.id)
			}
		})
	}

	// A required credential that systemd did not provide is named.
	_, _, err = startUnit(t, filled, map[string]string{"okta-api-token": required["okta-api-token"]})
	if err == nil || !strings.Contains(err.Error(), "CLICKUP_SCIM_TOKEN") || !strings.Contains(err.Error(), "clickup-scim-token") {
		t.Errorf("without clickup-scim-token: %v", err)
	}
}

// systemd-analyze checks the unit's syntax where systemd is installed.
func TestSystemd_Verify(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed")
	}
	b, err := os.ReadFile(unitPath)
	if err != nil {
		t.Fatal(err)
	}
	// verify also wants ExecStart's binary to exist.
	unit := filepath.Join(t.TempDir(), "okta-clickup-sync.service")
	text := strings.ReplaceAll(string(b), "/usr/local/bin/okta-clickup-sync", "/bin/true")
	if err := os.WriteFile(unit, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, analyze, "verify", unit).CombinedOutput()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Skipf("systemd-analyze verify cannot run here: %v", err)
	}
	if err != nil || len(strings.TrimSpace(string(out))) != 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}
