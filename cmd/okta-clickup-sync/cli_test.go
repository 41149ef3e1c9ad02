package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/okta-clickup-sync/okta-clickup-sync/clickup/clickuptest"
)

// heldRunRE finds the id of a held run in the approve command printed for it.
var heldRunRE = regexp.MustCompile(`okta-clickup-sync (?:--config \S+ )?approve ([0-9]{8}T[0-9]{6}Z-[0-9a-f]+)`)

// writeConfig writes a YAML configuration file and returns its path.
func writeConfig(t *testing.T, yaml string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCLI_FlagsInAnyOrder(t *testing.T) {
	h := newHarness(t)
	state := filepath.Join(t.TempDir(), "state.db")
	// The state file comes only from the configuration file, so each command below finds it only
	// if it read --config, wherever --config stood.
	delete(h.env, "SYNC_STATE_PATH")
	cfg := writeConfig(t, "sync:\n  state_path: "+state+"\n  max_deactivations: 1\n")
	for _, login := range []string{"a@x.io", "b@x.io"} {
		id := h.person(login, "ACTIVE", nil)
		h.clickup(clickuptest.User{ExternalID: id, UserName: login, Active: true})
	}

	// A global flag before the command.
	held := h.run(t, "--config", cfg, "reconcile")
	if held.code != exitHeld {
		t.Fatalf("--config FILE reconcile: exit %d\n%s", held.code, held.stderr)
	}
	m := heldRunRE.FindStringSubmatch(held.stdout)
	if m == nil {
		t.Fatalf("the held run's stdout does not say how to approve it:\n%s", held.stdout)
	}
	if !strings.Contains(held.stdout, "--config "+cfg+" approve") {
		t.Errorf("the approve command printed does not carry --config:\n%s", held.stdout)
	}
	runID := m[1]

	// Flags after the argument, the short -o among them.
	r := h.run(t, "approve", runID, "--config", cfg, "-o", "json")
	if r.code != exitOK {
		t.Fatalf("approve RUN_ID --config FILE -o json: exit %d\n%s", r.code, r.stderr)
	}
	var doc struct {
		ApprovesRun string `json:"approves_run"`
		Outcome     string `json:"outcome"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || doc.ApprovesRun != runID || doc.Outcome != "changed" {
		t.Fatalf("approve -o json: %+v (%v)\n%s", doc, err, r.stdout)
	}
	// Flags before the argument: the run is found, and was approved already.
	r = h.run(t, "approve", "--config", cfg, runID)
	if r.code != exitError || !strings.Contains(r.stderr, "already approved by run") {
		t.Fatalf("approve --config FILE RUN_ID a second time: exit %d\n%s", r.code, r.stderr)
	}
	for _, args := range [][]string{
		{"history", "--config", cfg, "-o", "json"},
		{"--config", cfg, "history", "--output", "json"},
		{"-o", "json", "history", "--config", cfg},
	} {
		r := h.run(t, args...)
		if r.code != exitOK || !json.Valid([]byte(r.stdout)) || !strings.Contains(r.stdout, runID) {
			t.Errorf("%v: exit %d\n%s\n%s", args, r.code, r.stdout, r.stderr)
		}
	}
	if r := h.run(t, "reconcile", "-o", "yaml"); r.code != exitError || !strings.Contains(r.stderr, "text or json") {
		t.Errorf("-o yaml: exit %d\n%s", r.code, r.stderr)
	}
	if r := h.run(t, "approve"); r.code != exitError || !strings.Contains(r.stderr, "RUN_ID") {
		t.Errorf("approve without a run id: exit %d\n%s", r.code, r.stderr)
	}
	if r := h.run(t, "reconcile", "extra"); r.code != exitError || !strings.Contains(r.stderr, "extra") {
		t.Errorf("reconcile with an argument: exit %d\n%s", r.code, r.stderr)
	}
}

func TestCLI_HelpVersionAndCompletion(t *testing.T) {
	run := func(args ...string) result {
		var out, errb bytes.Buffer
		code := Main(t.Context(), args, nil, &out, &errb)
		return result{code, out.String(), errb.String()}
	}
	for _, args := range [][]string{{"--version"}, {"version"}} {
		if r := run(args...); r.code != exitOK || !strings.HasPrefix(r.stdout, "okta-clickup-sync ") {
			t.Errorf("%v: exit %d %q", args, r.code, r.stdout)
		}
	}
	if r := run(); r.code != exitError || !strings.Contains(r.stderr, "Available Commands") {
		t.Errorf("no command: exit %d, want 1 with the usage on stderr\n%s", r.code, r.stderr)
	}
	if r := run("frobnicate"); r.code != exitError || !strings.Contains(r.stderr, `unknown command "frobnicate"`) {
		t.Errorf("an unknown command: exit %d\n%s", r.code, r.stderr)
	}
	// Every command says what it does, shows examples, and names the variable behind each flag
	// that has one.
	for _, c := range []struct {
		cmd  []string
		want []string
	}{
		{[]string{"run"}, []string{"SYNC_SCHEDULE", "Examples:", "OKTA_CLICKUP_SYNC_CONFIG"}},
		{[]string{"reconcile"}, []string{"--dry-run", "--detailed-exitcode", "--user", "-o, --output", "Examples:", "OKTA_CLICKUP_SYNC_CONFIG", "LOG_LEVEL"}},
		{[]string{"check"}, []string{"Examples:"}},
		{[]string{"healthcheck"}, []string{"--addr", "SYNC_LISTEN_ADDR", "Examples:"}},
		{[]string{"drift"}, []string{"--run", "--since", "--action", "--user", "-o, --output", "SYNC_STATE_PATH", "Examples:"}},
		{[]string{"history"}, []string{"--limit", "--since", "-o, --output", "SYNC_STATE_PATH", "Examples:"}},
		{[]string{"approve"}, []string{"RUN_ID", "-o, --output", "Examples:"}},
		{[]string{"demo"}, []string{"--serve", "-o, --output", "Examples:"}},
		{[]string{"store", "migrate"}, []string{"--from", "--to", "SYNC_STATE_PATH", "SYNC_STATE_URL", "Examples:"}},
		{[]string{"version"}, []string{"Examples:"}},
	} {
		r := run(append(c.cmd, "--help")...)
		if r.code != exitOK {
			t.Errorf("%v --help: exit %d", c.cmd, r.code)
		}
		for _, w := range c.want {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("%v --help lacks %q:\n%s", c.cmd, w, r.stdout)
			}
		}
	}
	for shell, marker := range map[string]string{
		"bash":       "complete -o default -F __start_okta-clickup-sync okta-clickup-sync",
		"zsh":        "#compdef okta-clickup-sync",
		"fish":       "complete -c okta-clickup-sync",
		"powershell": "Register-ArgumentCompleter -CommandName 'okta-clickup-sync'",
	} {
		r := run("completion", shell)
		if r.code != exitOK || !strings.Contains(r.stdout, marker) {
			t.Errorf("completion %s: exit %d, no %q in %d bytes\n%s", shell, r.code, marker, len(r.stdout), r.stderr)
		}
	}
	// The completion of -o offers its two values.
	r := run("__complete", "reconcile", "-o", "")
	if !strings.Contains(r.stdout, "text\n") || !strings.Contains(r.stdout, "json\n") {
		t.Errorf("completion of -o: %q", r.stdout)
	}
}

func TestCLI_VerboseLevel(t *testing.T) {
	for _, c := range []struct {
		level   string
		verbose int
		want    string
	}{
		{"info", 0, "info"}, {"info", 1, "debug"}, {"info", 2, "trace"}, {"info", 5, "trace"},
		{"warn", 1, "debug"}, {"trace", 1, "trace"}, {"", 0, "info"}, {"error", 0, "error"},
	} {
		if got := verboseLevel(c.level, c.verbose); got != c.want {
			t.Errorf("verboseLevel(%q, %d) = %q, want %q", c.level, c.verbose, got, c.want)
		}
	}
}

func TestCLI_ConfigurationReportedInOneRound(t *testing.T) {
	h := newHarness(t)
	delete(h.env, "OKTA_ORG_URL")
	h.env["SYNC_MAX_DEACTIVATIONS"] = "lots"
	h.env["CLICKUP_SCIM_TOKEN"] = "<your-scim-token>"
	h.env["SYNC_MAX_DEACTIVATION_PCT"] = "5"
	cfg := writeConfig(t, "sync:\n  schedule: every fortnight\n")
	r := h.run(t, "reconcile", "--config", cfg)
	if r.code != exitError {
		t.Fatalf("exit %d, want 1\n%s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	if !strings.HasPrefix(lines[0], "Error: the configuration has 4 problems:") {
		t.Fatalf("first line %q, want the count of problems\n%s", lines[0], r.stderr)
	}
	for _, want := range [][]string{
		{"OKTA_ORG_URL", "okta.org_url"},
		{"SYNC_MAX_DEACTIVATIONS", "sync.max_deactivations", "lots"},
		{"CLICKUP_SCIM_TOKEN", "clickup.scim_token"},
		{"SYNC_SCHEDULE", "sync.schedule", "every fortnight"},
		{"SYNC_MAX_DEACTIVATION_PCT", "did you mean SYNC_MAX_DEACTIVATION_PERCENT"},
	} {
		found := false
		for _, l := range lines[1:] {
			hit := true
			for _, w := range want {
				hit = hit && strings.Contains(l, w)
			}
			found = found || hit
		}
		if !found {
			t.Errorf("no line of the report names all of %q:\n%s", want, r.stderr)
		}
	}
	if strings.Contains(r.stderr, "<your-scim-token>") {
		t.Error("the report quotes the secret's value")
	}
	if r.stdout != "" {
		t.Errorf("stdout: %q, want nothing", r.stdout)
	}
}

func TestCLI_PlaceholderTokenRefused(t *testing.T) {
	for _, v := range []string{"REPLACE_ME", "${OKTA_API_TOKEN}", "changeme", "xxxxxxxx"} {
		h := newHarness(t)
		h.env["OKTA_API_TOKEN"] = v
		h.okta.ResetRequests()
		r := h.run(t, "reconcile")
		if r.code != exitError || !strings.Contains(r.stderr, "OKTA_API_TOKEN (okta.api_token)") {
			t.Errorf("OKTA_API_TOKEN=%s: exit %d\n%s", v, r.code, r.stderr)
		}
		if n := len(h.okta.Requests()); n != 0 {
			t.Errorf("OKTA_API_TOKEN=%s: %d requests sent with a placeholder token", v, n)
		}
	}
}

func TestCLI_UnknownVariableWarnedByEveryCommand(t *testing.T) {
	h := newHarness(t)
	withStore(t, h)
	h.env["SYNC_MAX_DEACTIVATION_PCT"] = "5"
	h.env["OKTA_CLIENT_TOKEN"] = "not-read"
	if r := h.run(t, "reconcile"); r.code != exitOK {
		t.Fatalf("reconcile: exit %d\n%s", r.code, r.stderr)
	}
	for _, args := range [][]string{{"reconcile", "--dry-run"}, {"drift"}, {"history"}, {"check"}} {
		r := h.run(t, args...)
		var warned, sdk bool
		for _, l := range strings.Split(r.stderr, "\n") {
			var m map[string]any
			if json.Unmarshal([]byte(l), &m) != nil || m["message"] != "configuration warning" {
				continue
			}
			warned = warned || m["name"] == "SYNC_MAX_DEACTIVATION_PCT" && m["did_you_mean"] == "SYNC_MAX_DEACTIVATION_PERCENT"
			sdk = sdk || m["name"] == "OKTA_CLIENT_TOKEN" && m["did_you_mean"] == "OKTA_API_TOKEN"
			if strings.Contains(l, "not-read") {
				t.Errorf("%v: a warning quotes a value: %s", args, l)
			}
		}
		if !warned || !sdk {
			t.Errorf("%v: no warning with did_you_mean for each unknown variable (exit %d):\n%s", args, r.code, r.stderr)
		}
	}
}

func TestCLI_LogFormatAuto(t *testing.T) {
	h := newHarness(t)
	h.env["LOG_FORMAT"] = "auto"
	r := h.run(t, "reconcile", "--dry-run")
	if r.code != exitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	// A buffer is not a terminal: JSON lines.
	for _, l := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
		if !json.Valid([]byte(l)) {
			t.Fatalf("LOG_FORMAT=auto off a terminal wrote a non-JSON line: %q", l)
		}
	}
	h.env["LOG_FORMAT"] = "console"
	r = h.run(t, "reconcile", "--dry-run")
	if strings.HasPrefix(r.stderr, "{") || !strings.Contains(r.stderr, "run summary") {
		t.Errorf("LOG_FORMAT=console:\n%s", r.stderr)
	}
}
