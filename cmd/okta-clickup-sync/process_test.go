//go:build unix

package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	gosync "sync"
	"syscall"
	"testing"
	"time"
)

// waitLimit bounds every wait on the daemon process; none of them takes more than a few seconds
// when things work.
const waitLimit = 20 * time.Second

// pollEvery is how often a bounded wait looks again.
const pollEvery = 50 * time.Millisecond

// buildBinary builds the command into dir, as the Dockerfile does.
func buildBinary(t *testing.T, dir string) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	bin := filepath.Join(dir, "okta-clickup-sync")
	cmd := exec.CommandContext(t.Context(), goTool, "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// proc is the daemon running as a separate process, its stderr parsed as JSON log lines.
type proc struct {
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited and its output is read
	err  error         // Wait's result, valid once done is closed

	mu    gosync.Mutex
	lines []map[string]any
	raw   strings.Builder
}

func startDaemon(t *testing.T, bin string, env map[string]string) *proc {
	t.Helper()
	cmd := exec.Command(bin, "run")
	// An explicit environment: the SDK would also read OKTA_CLIENT_* and ~/.okta/okta.yaml.
	cmd.Env = []string{"HOME=" + t.TempDir()}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, done: make(chan struct{})}
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var m map[string]any
			_ = json.Unmarshal(sc.Bytes(), &m)
			p.mu.Lock()
			p.raw.WriteString(sc.Text() + "\n")
			if m != nil {
				p.lines = append(p.lines, m)
			}
			p.mu.Unlock()
		}
		_, _ = io.Copy(io.Discard, stderr)
		p.err = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("daemon log:\n%s", p.log())
		}
	})
	return p
}

func (p *proc) log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.raw.String()
}

// find returns the log lines with the message msg.
func (p *proc) find(msg string) []map[string]any {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []map[string]any
	for _, l := range p.lines {
		if l["message"] == msg {
			out = append(out, l)
		}
	}
	return out
}

// waitFor polls cond until it holds, failing the test after waitLimit.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", waitLimit, what)
		}
		<-tick.C
	}
}

// waitExit waits for the process to end within limit and returns its state.
func (p *proc) waitExit(t *testing.T, limit time.Duration) *os.ProcessState {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(limit):
		t.Fatalf("the daemon did not exit within %s", limit)
	}
	var ee *exec.ExitError
	if p.err != nil && !errors.As(p.err, &ee) {
		t.Fatalf("wait: %v", p.err)
	}
	return p.cmd.ProcessState
}

func (p *proc) addr(t *testing.T) string {
	t.Helper()
	waitFor(t, "the daemon started line", func() bool { return len(p.find("daemon started")) > 0 })
	a, _ := p.find("daemon started")[0]["addr"].(string)
	if a == "" {
		t.Fatal("the daemon started line has no addr")
	}
	return a
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// metricValue finds one sample in Prometheus text output, by its name and labels exactly as
// written, like `okta_clickup_sync_runs_total{kind="full",outcome="success"}`.
func metricValue(text, series string) float64 {
	for _, l := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(l, series+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err == nil {
				return f
			}
		}
	}
	return -1
}

func countRequests(reqs []string, method, suffix string) int {
	n := 0
	for _, r := range reqs {
		if strings.HasPrefix(r, method+" ") && strings.HasSuffix(r, suffix) {
			n++
		}
	}
	return n
}

func (h *harness) oktaRequests() []string {
	var out []string
	for _, r := range h.okta.Requests() {
		out = append(out, r.Method+" "+r.Path)
	}
	return out
}

func (h *harness) clickupRequests() []string {
	var out []string
	for _, r := range h.cu.Requests() {
		out = append(out, r.Method+" "+r.Path)
	}
	return out
}

// blockWrites holds every ClickUp write until release is called (at the latest when the test
// ends, before the fake closes), so a test can signal the daemon with a write in flight.
func blockWrites(t *testing.T, h *harness) (release func()) {
	gate := make(chan struct{})
	var once gosync.Once
	release = func() { once.Do(func() { close(gate) }) }
	t.Cleanup(release) // runs before the harness's Close, which waits for held requests
	h.cu.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodGet {
				select {
				case <-gate:
				case <-r.Context().Done():
				}
			}
			next.ServeHTTP(w, r)
		})
	})
	return release
}

func TestRun_Process(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t, t.TempDir())

	t.Run("ScheduleMetricsAndSIGTERM", func(t *testing.T) {
		h := newHarness(t)
		h.person("new@x.io", "ACTIVE", map[string]any{"role": "member"})
		h.env["SYNC_SCHEDULE"] = "@every 1s"
		h.env["SYNC_LISTEN_ADDR"] = "127.0.0.1:0"
		h.env["SYNC_TRIGGER_TOKEN"] = triggerToken
		p := startDaemon(t, bin, h.env)
		base := "http://" + p.addr(t)

		var metrics string
		waitFor(t, "two completed runs in the fakes and /metrics", func() bool {
			_, metrics = httpGet(t, base+"/metrics")
			runs := metricValue(metrics, `okta_clickup_sync_runs_total{kind="full",outcome="success"}`) +
				metricValue(metrics, `okta_clickup_sync_runs_total{kind="full",outcome="changed"}`)
			return runs >= 2 &&
				countRequests(h.oktaRequests(), "GET", "/api/v1/apps/"+appID+"/users") >= 2 &&
				countRequests(h.clickupRequests(), "GET", "/Users") >= 2
		})
		for series, want := range map[string]float64{
			`okta_clickup_sync_runs_total{kind="full",outcome="changed"}`:             1,
			`okta_clickup_sync_actions_total{action="create_user",outcome="applied"}`: 1,
			`okta_clickup_sync_api_requests_total{code="201",service="clickup_scim"}`: 1,
			`okta_clickup_sync_api_rate_limited_total{service="okta"}`:                0,
			`okta_clickup_sync_held_deactivations`:                                    0,
			`okta_clickup_sync_runs_total{kind="full",outcome="failed"}`:              0,
		} {
			if got := metricValue(metrics, series); got != want {
				t.Errorf("%s = %v, want %v", series, got, want)
			}
		}
		for _, series := range []string{
			`okta_clickup_sync_api_requests_total{code="200",service="okta"}`,
			`okta_clickup_sync_api_requests_total{code="200",service="clickup_rest"}`,
			`okta_clickup_sync_last_success_timestamp_seconds`,
			`okta_clickup_sync_run_duration_seconds_count{kind="full"}`,
		} {
			if got := metricValue(metrics, series); got < 1 {
				t.Errorf("%s = %v, want at least 1", series, got)
			}
		}
		if code, _ := httpGet(t, base+"/healthz"); code != http.StatusOK {
			t.Errorf("/healthz %d", code)
		}
		if code, body := httpGet(t, base+"/readyz"); code != http.StatusOK {
			t.Errorf("/readyz %d %s", code, body)
		}
		// Without the token nothing starts: the trigger is refused before it can queue.
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, base+"/reconcile", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("POST /reconcile without a token: %d, want 401", resp.StatusCode)
		}

		if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		st := p.waitExit(t, waitLimit)
		if st.ExitCode() != 0 {
			t.Fatalf("exit %d after SIGTERM, want 0", st.ExitCode())
		}
		stopped := p.find("daemon stopped")
		if len(stopped) != 1 || stopped[0]["last_run_id"] == "" || stopped[0]["last_run_id"] == nil {
			t.Fatalf("want one daemon stopped line naming the last run, got %v", stopped)
		}
		if len(p.find("shutdown requested")) != 1 {
			t.Error("no shutdown requested line")
		}
		for _, s := range append(h.secrets(), triggerToken) {
			if strings.Contains(p.log(), s) {
				t.Error("a secret reached the daemon's log")
			}
		}
	})

	t.Run("InFlightWriteFinishes", func(t *testing.T) {
		h := newHarness(t)
		h.person("late@x.io", "ACTIVE", map[string]any{"role": "member"})
		h.env["SYNC_SCHEDULE"] = "@every 1h"
		h.env["SYNC_LISTEN_ADDR"] = "127.0.0.1:0"
		release := blockWrites(t, h)
		p := startDaemon(t, bin, h.env)
		waitFor(t, "the create to reach ClickUp", func() bool { return countRequests(h.clickupRequests(), "POST", "/Users") == 1 })

		if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the shutdown to begin", func() bool { return len(p.find("shutdown requested")) == 1 })
		select {
		case <-p.done:
			t.Fatal("the daemon exited with a write in flight")
		default:
		}
		release()
		st := p.waitExit(t, waitLimit)
		if st.ExitCode() != 0 {
			t.Fatalf("exit %d, want 0", st.ExitCode())
		}
		res := p.find("action result")
		if len(res) != 1 || res[0]["outcome"] != "applied" {
			t.Fatalf("action results %v, want the create applied", res)
		}
		interrupted := p.find("run interrupted")
		if len(interrupted) != 1 || interrupted[0]["run_id"] != res[0]["run_id"] {
			t.Fatalf("run interrupted lines %v, want one for run %v", interrupted, res[0]["run_id"])
		}
		if u := h.find(t, "late@x.io"); !u.Active {
			t.Errorf("the created user is inactive: %+v", u)
		}
	})

	t.Run("SecondSignalKills", func(t *testing.T) {
		h := newHarness(t)
		h.person("late@x.io", "ACTIVE", map[string]any{"role": "member"})
		h.env["SYNC_SCHEDULE"] = "@every 1h"
		h.env["SYNC_LISTEN_ADDR"] = "127.0.0.1:0"
		blockWrites(t, h)
		p := startDaemon(t, bin, h.env)
		waitFor(t, "the create to reach ClickUp", func() bool { return countRequests(h.clickupRequests(), "POST", "/Users") == 1 })
		if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the shutdown to begin", func() bool { return len(p.find("shutdown requested")) == 1 })

		// The write stays blocked, so only the second signal can end the process before the
		// grace period (30s) and the write's own timeout. Signals go out until it does: the
		// release of the first signal's handler races with the log line above.
		start := time.Now()
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
	wait:
		for {
			if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
				t.Fatal(err)
			}
			select {
			case <-p.done:
				break wait
			case <-tick.C:
				if time.Since(start) > shutdownGrace/3 {
					t.Fatalf("the daemon outlived a second SIGTERM by %s", time.Since(start))
				}
			}
		}
		st := p.cmd.ProcessState
		ws, _ := st.Sys().(syscall.WaitStatus)
		if st.Success() || !(ws.Signaled() && ws.Signal() == syscall.SIGTERM || st.ExitCode() == exitError) {
			t.Fatalf("process state %v, want killed by SIGTERM or exit 1", st)
		}
		if len(p.find("daemon stopped")) != 0 {
			t.Error("the daemon stopped gracefully; the second signal should have ended it at once")
		}
	})
}
