//go:build unix

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestDemo_JSONIsOneDocument(t *testing.T) {
	var out, errb bytes.Buffer
	if code := Main(t.Context(), []string{"demo", "-o", "json"}, nil, &out, &errb); code != exitOK {
		t.Fatalf("exit %d\n%s", code, errb.String())
	}
	var doc struct {
		Steps []struct {
			Title string `json:"title"`
			Run   struct {
				RunID   string `json:"run_id"`
				Outcome string `json:"outcome"`
				Summary struct{ Writes int }
			} `json:"run"`
		} `json:"steps"`
		Workspace []struct {
			UserName string `json:"user_name"`
			Active   bool   `json:"active"`
		} `json:"workspace"`
		Teams []struct {
			Name    string   `json:"name"`
			Members []string `json:"members"`
		} `json:"teams"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("demo -o json is not one JSON document: %v\n%s", err, out.String())
	}
	if len(doc.Steps) != 4 || doc.Steps[1].Run.Outcome != "changed" || doc.Steps[3].Run.Summary.Writes != 0 || doc.Steps[0].Run.RunID == "" {
		t.Errorf("steps %+v", doc.Steps)
	}
	if len(doc.Workspace) < 8 || len(doc.Teams) != 2 {
		t.Errorf("workspace %d users, %d teams", len(doc.Workspace), len(doc.Teams))
	}
}

// exportRE is one printed export line.
var exportRE = regexp.MustCompile(`(?m)^export ([A-Z_]+)=(.*)$`)

// shellUnquote undoes shellQuote.
func shellUnquote(s string) string {
	if len(s) >= 2 && s[0] == '\'' && s[len(s)-1] == '\'' {
		return strings.ReplaceAll(s[1:len(s)-1], `'\''`, `'`)
	}
	return s
}

// sandbox is demo --serve running in this process.
type sandbox struct {
	stdout, stderr *lockedBuffer
	cancel         context.CancelFunc
	done           chan int
}

func startSandbox(t *testing.T, args ...string) *sandbox {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	s := &sandbox{stdout: &lockedBuffer{}, stderr: &lockedBuffer{}, cancel: cancel, done: make(chan int, 1)}
	go func() {
		s.done <- mainWith(ctx, append([]string{"demo", "--serve"}, args...), options{}, s.stdout, s.stderr)
	}()
	t.Cleanup(func() {
		cancel()
		<-s.done
	})
	return s
}

// stop ends the sandbox as Ctrl-C does and returns its exit code.
func (s *sandbox) stop(t *testing.T) int {
	t.Helper()
	s.cancel()
	select {
	case code := <-s.done:
		s.done <- code // for the cleanup
		return code
	case <-time.After(waitLimit):
		t.Fatal("the sandbox did not stop")
	}
	return -1
}

func TestDemo_Sandbox(t *testing.T) {
	s := startSandbox(t)
	waitFor(t, "the sandbox to be up", func() bool { return strings.Contains(s.stdout.String(), "The sandbox is up") })
	guide := s.stdout.String()
	env := map[string]string{}
	for _, m := range exportRE.FindAllStringSubmatch(guide, -1) {
		env[m[1]] = shellUnquote(m[2])
	}
	for _, k := range []string{"OKTA_ORG_URL", "OKTA_APP_ID", "OKTA_API_TOKEN", "CLICKUP_SCIM_BASE_URL", "CLICKUP_SCIM_TOKEN",
		"CLICKUP_API_BASE_URL", "CLICKUP_API_TOKEN", "CLICKUP_WORKSPACE_ID", "SYNC_ALLOW_INSECURE_HTTP", "SYNC_STATE_PATH",
		"SYNC_LISTEN_ADDR", "SYNC_UI_TOKEN", "SYNC_TRIGGER_TOKEN", "SYNC_PUSH_GROUPS"} {
		if env[k] == "" {
			t.Errorf("no export of %s:\n%s", k, guide)
		}
	}
	if len(env["SYNC_UI_TOKEN"]) < 16 {
		t.Errorf("SYNC_UI_TOKEN %q is too short for the console", env["SYNC_UI_TOKEN"])
	}
	h := &harness{env: env}
	held := regexp.MustCompile(`okta-clickup-sync approve ([0-9]{8}T[0-9]{6}Z-[0-9a-f]+)`).FindStringSubmatch(guide)
	if held == nil {
		t.Fatalf("the guide names no held run to approve:\n%s", guide)
	}
	control := regexp.MustCompile(`curl -X POST '(http://127\.0\.0\.1:[0-9]+)/sandbox/suspend\?login=ravi\.role@example\.com'`).FindStringSubmatch(guide)
	if control == nil {
		t.Fatalf("the guide shows no suspend request:\n%s", guide)
	}
	base := control[1]

	// What the sandbox did is there to review.
	hist := h.run(t, "history", "-o", "json")
	if hist.code != exitOK || strings.Count(hist.stdout, `"run_id"`) != 3 || !strings.Contains(hist.stdout, `"held_status": "pending"`) {
		t.Fatalf("history: exit %d\n%s\n%s", hist.code, hist.stdout, hist.stderr)
	}
	if d := h.run(t, "drift", "--run", held[1], "--action", "deactivate"); d.code != exitOK || strings.Count(d.stdout, " held\n") != 2 {
		t.Fatalf("drift of the held run: exit %d\n%s\n%s", d.code, d.stdout, d.stderr)
	}

	// A change in the fake Okta org flows through a reconcile.
	post := func(path string) string {
		t.Helper()
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, base+path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("POST %s: %d %s", path, resp.StatusCode, b.String())
		}
		return b.String()
	}
	post("/sandbox/suspend?login=ravi.role@example.com")
	post("/sandbox/assign?login=new.hire@example.com&role=guest")
	dry := decodeReport(t, h.run(t, "reconcile", "--dry-run", "-o", "json"))
	var plans []string
	for _, e := range dry.Entries {
		plans = append(plans, e.Action+" "+e.User+" "+e.Outcome)
	}
	for _, want := range []string{"deactivate ravi.role@example.com planned", "create_user new.hire@example.com planned", "deactivate sam.suspended@example.com held"} {
		if !strings.Contains(strings.Join(plans, "\n"), want) {
			t.Errorf("the dry run lacks %q:\n%s", want, strings.Join(plans, "\n"))
		}
	}

	// Approving the held run applies what it held.
	ap := h.run(t, "approve", held[1], "-o", "json")
	if ap.code != exitOK {
		t.Fatalf("approve: exit %d\n%s", ap.code, ap.stderr)
	}
	applied := 0
	for _, e := range decodeReport(t, ap).Entries {
		if e.Action == "deactivate" && e.Outcome == "applied" {
			applied++
		}
	}
	if applied != 2 {
		t.Errorf("approve applied %d deactivations, want the 2 held", applied)
	}
	r := h.run(t, "reconcile", "-o", "json")
	if r.code != exitOK {
		t.Fatalf("reconcile: exit %d\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, `"user": "new.hire@example.com"`) || strings.Count(r.stdout, `"outcome": "applied"`) < 2 {
		t.Errorf("the reconcile did not apply the changes made in Okta:\n%s", r.stdout)
	}

	// The console is served with the printed token.
	code, page := httpGet(t, base+"/ui/signin")
	if code != http.StatusOK || !strings.Contains(page, "<form") {
		t.Errorf("GET /ui/signin: %d", code)
	}
	if code, _ := httpGet(t, base+"/sandbox/"); code != http.StatusOK {
		t.Errorf("GET /sandbox/: %d", code)
	}

	if code := s.stop(t); code != exitOK {
		t.Fatalf("exit %d after the stop\n%s", code, s.stderr.String())
	}
	if !strings.Contains(s.stdout.String(), "Sandbox stopped") {
		t.Error("no word that the sandbox stopped")
	}
	if _, err := os.Stat(env["SYNC_STATE_PATH"]); !os.IsNotExist(err) {
		t.Errorf("the sandbox's state file is still there: %v", err)
	}
}

func TestDemo_SandboxJSON(t *testing.T) {
	s := startSandbox(t, "-o", "json")
	var doc struct {
		Steps      []json.RawMessage `json:"steps"`
		Env        map[string]string `json:"env"`
		HeldRunID  string            `json:"held_run_id"`
		ConsoleURL string            `json:"console_url"`
		ControlURL string            `json:"control_url"`
	}
	waitFor(t, "the sandbox's JSON document", func() bool { return json.Unmarshal([]byte(s.stdout.String()), &doc) == nil })
	if len(doc.Steps) != 3 || doc.HeldRunID == "" || doc.Env["SYNC_STATE_PATH"] == "" || !strings.HasSuffix(doc.ConsoleURL, "/ui/") {
		t.Errorf("document %+v", doc)
	}
	if code, _ := httpGet(t, doc.ControlURL); code != http.StatusOK {
		t.Errorf("GET %s: %d", doc.ControlURL, code)
	}
	if code := s.stop(t); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	if r := (&harness{env: doc.Env}).run(t, "history"); r.code != exitError {
		t.Errorf("history after the sandbox stopped: exit %d, want 1 (its state file is gone)", r.code)
	}
}

func TestDemo_SandboxListensOnLoopbackOnly(t *testing.T) {
	var out, errb bytes.Buffer
	code := Main(t.Context(), []string{"demo", "--serve", "--listen", "0.0.0.0:0"}, nil, &out, &errb)
	if code != exitError || !strings.Contains(errb.String(), "loopback") {
		t.Fatalf("exit %d\n%s", code, errb.String())
	}
}
