package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/okta-clickup-sync/okta-clickup-sync/clickup/clickuptest"
	"github.com/okta-clickup-sync/okta-clickup-sync/internal/faults"
	"github.com/okta-clickup-sync/okta-clickup-sync/internal/httpretry/httpretrytest"
)

// report is reconcile -o json.
type report struct {
	RunID          string    `json:"run_id"`
	Kind           string    `json:"kind"`
	DryRun         bool      `json:"dry_run"`
	StartedAt      time.Time `json:"started_at"`
	FinishedAt     time.Time `json:"finished_at"`
	Outcome        string    `json:"outcome"`
	ExitCode       int       `json:"exit_code"`
	ExitMeaning    string    `json:"exit_meaning"`
	Error          string    `json:"error"`
	Held           int       `json:"held"`
	ApproveCommand string    `json:"approve_command"`
	Entries        []struct {
		Action, User, Outcome string
	} `json:"entries"`
	Summary struct{ Writes int } `json:"summary"`
}

func decodeReport(t *testing.T, r result) report {
	t.Helper()
	var doc report
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(r.stdout), &raw); err != nil {
		t.Fatalf("stdout is not one JSON document: %v\n%s", err, r.stdout)
	}
	for _, k := range []string{"run_id", "kind", "started_at", "finished_at", "outcome", "exit_code", "exit_meaning", "entries", "summary"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("the JSON report lacks %s:\n%s", k, r.stdout)
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestReconcile_JSONReport(t *testing.T) {
	h := newHarness(t)
	withStore(t, h)
	h.person("nina@x.io", "ACTIVE", map[string]any{"role": "member"})
	r := h.run(t, "reconcile", "-o", "json", "--detailed-exitcode")
	if r.code != exitChanges {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	doc := decodeReport(t, r)
	if doc.Kind != "full" || doc.Outcome != "changed" || doc.ExitCode != exitChanges || doc.ExitMeaning != "changes" || doc.Error != "" {
		t.Errorf("report %+v", doc)
	}
	if doc.StartedAt.IsZero() || doc.FinishedAt.Before(doc.StartedAt) {
		t.Errorf("started_at %v, finished_at %v", doc.StartedAt, doc.FinishedAt)
	}
	hist := h.run(t, "history", "-o", "json")
	if !strings.Contains(hist.stdout, `"run_id": "`+doc.RunID+`"`) {
		t.Errorf("the run id %s is not the store's:\n%s", doc.RunID, hist.stdout)
	}
}

func TestReconcile_FailureReadsAsASentence(t *testing.T) {
	h := newHarness(t)
	h.person("nina@x.io", "ACTIVE", map[string]any{"role": "member"})
	h.okta.RepeatNextLink(true)
	r := h.run(t, "reconcile")
	if r.code != exitError {
		t.Fatalf("exit %d", r.code)
	}
	var sentence string
	for _, l := range strings.Split(r.stderr, "\n") {
		if strings.HasPrefix(l, "Error: ") {
			sentence = l
		}
	}
	if !strings.Contains(sentence, "reconcile run ") || !strings.Contains(sentence, "failed") || !strings.Contains(sentence, "nothing was written") {
		t.Errorf("no sentence on stderr says the run failed and wrote nothing:\n%s", r.stderr)
	}
	if !strings.Contains(r.stdout, "nothing was planned or written") {
		t.Errorf("stdout: %q", r.stdout)
	}

	r = h.run(t, "reconcile", "-o", "json")
	doc := decodeReport(t, r)
	if r.code != exitError || doc.ExitCode != exitError || doc.ExitMeaning != "error" || doc.Outcome != "failed" ||
		!strings.Contains(doc.Error, "nothing was written") || doc.RunID == "" || doc.FinishedAt.IsZero() || len(doc.Entries) != 0 {
		t.Errorf("exit %d, report %+v", r.code, doc)
	}
}

func TestReconcile_User(t *testing.T) {
	h := newHarness(t)
	withStore(t, h)
	nina := h.person("nina@x.io", "ACTIVE", map[string]any{"role": "member"})
	h.person("omar@x.io", "ACTIVE", map[string]any{"role": "admin"})
	sam := h.person("sam@x.io", "ACTIVE", map[string]any{"role": "member"})
	h.clickup(clickuptest.User{ExternalID: sam, UserName: "sam@x.io", Active: true, Role: "guest"})

	h.cu.ResetRequests()
	dry := h.run(t, "reconcile", "--user", "nina@x.io", "--dry-run", "-o", "json", "--detailed-exitcode")
	if dry.code != exitChanges || len(h.cu.Writes()) != 0 {
		t.Fatalf("dry run: exit %d, writes %+v\n%s", dry.code, h.cu.Writes(), dry.stderr)
	}
	if doc := decodeReport(t, dry); doc.Kind != "user" || !doc.DryRun || len(doc.Entries) != 1 || doc.Entries[0].User != "nina@x.io" {
		t.Fatalf("dry run report %+v", doc)
	}
	// By Okta id and by login, two keys: only those two users are written.
	r := h.run(t, "reconcile", "--user", nina+", sam@x.io")
	if r.code != exitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if u := h.find(t, "nina@x.io"); !u.Active || u.ExternalID != nina {
		t.Errorf("nina: %+v", u)
	}
	if u := h.find(t, "sam@x.io"); u.Role != "member" {
		t.Errorf("sam's role %s, want member", u.Role)
	}
	for _, u := range h.cu.Users() {
		if u.UserName == "omar@x.io" {
			t.Error("a user run wrote a user it was not asked about")
		}
	}
	hist := h.run(t, "history")
	if !strings.Contains(hist.stdout, " user ") {
		t.Errorf("history does not show the user run's kind:\n%s", hist.stdout)
	}

	h.cu.ResetRequests()
	r = h.run(t, "reconcile", "--user", "nobody@x.io", "-o", "json")
	if r.code != exitError || len(h.cu.Writes()) != 0 {
		t.Fatalf("unknown user: exit %d, writes %+v", r.code, h.cu.Writes())
	}
	if !strings.Contains(r.stderr, `"nobody@x.io": no Okta user has this id, login or email`) {
		t.Errorf("the error does not name the unknown key:\n%s", r.stderr)
	}
	if doc := decodeReport(t, r); doc.Kind != "user" || !strings.Contains(doc.Error, "nobody@x.io") {
		t.Errorf("report %+v", doc)
	}
	if r := h.run(t, "reconcile", "--user", " , "); r.code != exitError || !strings.Contains(r.stderr, "--user needs") {
		t.Errorf("empty --user: exit %d\n%s", r.code, r.stderr)
	}
}

func TestHistory_HonestCountsAndApprovals(t *testing.T) {
	h := newHarness(t)
	withStore(t, h)
	h.env["SYNC_MAX_DEACTIVATIONS"] = "1"
	h.person("new@x.io", "ACTIVE", map[string]any{"role": "member"})
	for _, login := range []string{"a@x.io", "b@x.io"} {
		id := h.person(login, "ACTIVE", nil)
		h.clickup(clickuptest.User{ExternalID: id, UserName: login, Active: true})
	}
	if r := h.run(t, "reconcile", "--dry-run"); r.code != exitHeld {
		t.Fatalf("dry run: exit %d\n%s", r.code, r.stderr)
	}
	held := h.run(t, "reconcile", "-o", "json")
	doc := decodeReport(t, held)
	if held.code != exitHeld || doc.Held != 2 || doc.ApproveCommand != "okta-clickup-sync approve "+doc.RunID {
		t.Fatalf("held run: exit %d, report %+v", held.code, doc)
	}

	type run struct {
		RunID, Kind, Outcome, HeldStatus, ApprovedBy string
		DryRun                                       bool `json:"dry_run"`
		Writes, Held                                 int
	}
	history := func() []run {
		t.Helper()
		r := h.run(t, "history", "-o", "json")
		var doc struct {
			Runs []struct {
				RunID      string `json:"run_id"`
				Outcome    string `json:"outcome"`
				DryRun     bool   `json:"dry_run"`
				Writes     int    `json:"writes"`
				Held       int    `json:"held"`
				HeldStatus string `json:"held_status"`
				ApprovedBy string `json:"approved_by"`
			} `json:"runs"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
			t.Fatalf("history -o json: %v\n%s", err, r.stdout)
		}
		var out []run
		for _, x := range doc.Runs {
			out = append(out, run{RunID: x.RunID, Outcome: x.Outcome, DryRun: x.DryRun, Writes: x.Writes, Held: x.Held,
				HeldStatus: x.HeldStatus, ApprovedBy: x.ApprovedBy})
		}
		return out
	}
	runs := history()
	if len(runs) != 2 {
		t.Fatalf("%d runs, want 2: %+v", len(runs), runs)
	}
	// Newest first: the held run made one write (the create); the two held deactivations and the
	// dry run's three planned writes are not writes made.
	if r := runs[0]; r.RunID != doc.RunID || r.Writes != 1 || r.Held != 2 || r.HeldStatus != "pending" {
		t.Errorf("held run %+v, want 1 write, 2 held, pending", r)
	}
	if r := runs[1]; !r.DryRun || r.Writes != 0 || r.HeldStatus != "" {
		t.Errorf("dry run %+v, want 0 writes and nothing pending", r)
	}

	ap := h.run(t, "approve", doc.RunID, "-o", "json")
	approval := decodeReport(t, ap)
	if ap.code != exitOK {
		t.Fatalf("approve: exit %d\n%s", ap.code, ap.stderr)
	}
	runs = history()
	if r := runs[0]; r.RunID != approval.RunID || r.Writes != 2 {
		t.Errorf("approve run %+v, want 2 writes", r)
	}
	if r := runs[1]; r.HeldStatus != "approved" || r.ApprovedBy != approval.RunID || r.Writes != 1 {
		t.Errorf("held run after approval %+v, want approved by %s", r, approval.RunID)
	}
	text := h.run(t, "history")
	if !strings.Contains(text.stdout, "held, approved by "+approval.RunID) {
		t.Errorf("history text does not say who approved the held run:\n%s", text.stdout)
	}
	drift := h.run(t, "drift", "--run", doc.RunID, "--action", "deactivate", "-o", "json")
	var entries struct {
		Entries []struct {
			Outcome    string `json:"outcome"`
			HeldStatus string `json:"held_status"`
			ApprovedBy string `json:"approved_by"`
		} `json:"entries"`
	}
	if err := json.Unmarshal([]byte(drift.stdout), &entries); err != nil || len(entries.Entries) != 2 {
		t.Fatalf("drift: %v\n%s", err, drift.stdout)
	}
	for _, e := range entries.Entries {
		if e.Outcome != "held" || e.HeldStatus != "approved" || e.ApprovedBy != approval.RunID {
			t.Errorf("held entry after approval: %+v", e)
		}
	}
	if d := h.run(t, "drift", "--run", doc.RunID); strings.Contains(d.stdout, "held\n") || !strings.Contains(d.stdout, "held, approved by "+approval.RunID) {
		t.Errorf("drift text still shows the approved entries as pending:\n%s", d.stdout)
	}
}

func TestApproveAndDrift_SayWhatIsWrong(t *testing.T) {
	h := newHarness(t)
	withStore(t, h)
	plain := decodeReport(t, h.run(t, "reconcile", "-o", "json"))
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"approve", "bogus"}, "no run bogus"},
		{[]string{"approve", plain.RunID}, "run " + plain.RunID + " held no deactivations; there is nothing to approve"},
		{[]string{"drift", "--run", "nope"}, "no run nope"},
		{[]string{"drift", "--since", "soon"}, `--since "soon"`},
		{[]string{"drift", "--action", "nonsense"}, `unknown --action "nonsense"`},
	} {
		r := h.run(t, c.args...)
		if r.code != exitError || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: exit %d, want 1 and %q\n%s", c.args, r.code, c.want, r.stderr)
		}
		if strings.Contains(r.stdout, "0 entries in 0 runs") {
			t.Errorf("%v: reports an empty result instead of the error", c.args)
		}
	}
	// Neither approval left a run behind.
	hist := h.run(t, "history")
	if n := strings.Count(hist.stdout, "\n"); n != 2 {
		t.Errorf("history has %d lines, want the header and the one run:\n%s", n, hist.stdout)
	}
}

func TestStateFile_ReviewNeverCreatesIt(t *testing.T) {
	h := newHarness(t)
	path := filepath.Join(t.TempDir(), "missing", "state.db")
	h.env["SYNC_STATE_PATH"] = path
	// No Okta or ClickUp settings at all: reviewing needs none.
	for _, k := range []string{"OKTA_ORG_URL", "OKTA_API_TOKEN", "CLICKUP_SCIM_TOKEN"} {
		delete(h.env, k)
	}
	for _, args := range [][]string{{"drift"}, {"history"}, {"history", "-o", "json"}} {
		r := h.run(t, args...)
		if r.code != exitError || !strings.Contains(r.stderr, path) || !strings.Contains(r.stderr, "SYNC_STATE_PATH") ||
			!strings.Contains(r.stderr, "no state file") {
			t.Errorf("%v: exit %d\n%s", args, r.code, r.stderr)
		}
		if r.stdout != "" {
			t.Errorf("%v: stdout %q", args, r.stdout)
		}
	}
	if _, err := os.Stat(filepath.Dir(path)); !os.IsNotExist(err) {
		t.Fatalf("a review created %s (%v)", filepath.Dir(path), err)
	}
	// Beside an existing directory too: not even an empty file.
	path = filepath.Join(t.TempDir(), "state.db")
	h.env["SYNC_STATE_PATH"] = path
	if r := h.run(t, "drift"); r.code != exitError {
		t.Fatalf("exit %d", r.code)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 0 {
		t.Errorf("drift left %d files beside the missing state file", len(entries))
	}
}

func TestStateFile_NewIsPrivateAndBadPathsSayWhy(t *testing.T) {
	h := newHarness(t)
	path := withStore(t, h)
	if r := h.run(t, "reconcile"); r.code != exitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := fi.Mode().Perm(); mode != 0o600 {
		t.Errorf("new state file mode %o, want 600", mode)
	}
	// A path under a regular file can never be created.
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(blocker, "state.db")
	h.env["SYNC_STATE_PATH"] = bad
	for _, args := range [][]string{{"reconcile"}, {"history"}} {
		r := h.run(t, args...)
		if r.code != exitError || !strings.Contains(r.stderr, "SYNC_STATE_PATH") || !strings.Contains(r.stderr, blocker) ||
			!strings.Contains(r.stderr, "not a directory") {
			t.Errorf("%v with a path under a file: exit %d\n%s", args, r.code, r.stderr)
		}
	}
}

func TestLogs_DebugAndTrace(t *testing.T) {
	h := newHarness(t)
	h.person("nina@x.io", "ACTIVE", map[string]any{"role": "member"})
	// One 429 with a reset per run, so that each has a retry, and the limiter a wait to tell of.
	throttle := func() {
		h.cu.Faults(1).Add(faults.Rule{Method: http.MethodGet, Path: clickuptest.PathSCIMUsers, Times: 1, Kind: faults.Status,
			Status: http.StatusTooManyRequests, Header: http.Header{"X-RateLimit-Reset": {"1"}, "X-RateLimit-Remaining": {"0"}}})
	}
	throttle()
	waits := &httpretrytest.Waits{}
	r := h.runCtx(t, t.Context(), waits.Sleep, "reconcile", "-v")
	if r.code != exitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	lines := func(stderr, msg string) []map[string]any {
		var out []map[string]any
		for _, l := range strings.Split(stderr, "\n") {
			var m map[string]any
			if json.Unmarshal([]byte(l), &m) == nil && m["message"] == msg {
				out = append(out, m)
			}
		}
		return out
	}
	reqs := lines(r.stderr, "api request")
	if len(reqs) < 5 {
		t.Fatalf("%d api request lines at -v, want one per request:\n%s", len(reqs), r.stderr)
	}
	var sawRetry bool
	for _, m := range reqs {
		for _, k := range []string{"service", "method", "path", "endpoint", "status", "duration", "attempt"} {
			if _, ok := m[k]; !ok {
				t.Errorf("api request line lacks %s: %v", k, m)
			}
		}
		if strings.Contains(m["path"].(string), "?") {
			t.Errorf("a path carries its query: %v", m)
		}
		if m["service"] == "clickup_scim" && m["status"] == "200" && m["attempt"] == 2.0 {
			sawRetry = true
		}
	}
	if !sawRetry {
		t.Errorf("the retry after the 429 is not numbered attempt 2:\n%s", r.stderr)
	}
	if len(lines(r.stderr, "api rate limit headers")) != 0 || len(lines(r.stderr, "rate limiter or retry wait")) != 0 {
		t.Error("-v logs trace lines")
	}

	throttle()

	rr := h.runCtx(t, t.Context(), waits.Sleep, "reconcile", "-vv")
	if rr.code != exitOK {
		t.Fatalf("exit %d\n%s", rr.code, rr.stderr)
	}
	var sawHeaders bool
	for _, m := range lines(rr.stderr, "api rate limit headers") {
		if _, ok := m["X-Rate-Limit-Remaining"]; ok {
			sawHeaders = true
		}
	}
	if !sawHeaders {
		t.Errorf("-vv logs no Okta rate-limit headers:\n%s", rr.stderr)
	}
	var sawWait bool
	for _, m := range lines(rr.stderr, "rate limiter or retry wait") {
		sawWait = sawWait || m["service"] == "clickup_scim" && m["wait"].(float64) > 0
	}
	if !sawWait {
		t.Errorf("-vv logs no wait of the limiter after the 429:\n%s", rr.stderr)
	}
	for _, out := range []string{r.stderr, rr.stderr} {
		for _, s := range append(h.secrets(), "Authorization", "SSWS") {
			if strings.Contains(out, s) {
				t.Errorf("the debug log carries %q", s)
			}
		}
	}
}
