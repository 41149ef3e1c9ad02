package store

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// The environment of TestChildProcess: what to do, and on which state file.
const (
	childModeEnv      = "STORE_TEST_CHILD"
	childPathEnv      = "STORE_TEST_CHILD_PATH"
	childMustExistEnv = "STORE_TEST_CHILD_MUST_EXIST"
)

// crashedRun is the run the "journal" child begins and is killed in.
const crashedRun = "crashed-run"

// crashPlan is the plan of crashedRun: the child applies the first write, starts the second, and
// never gets to the third.
var crashPlan = []core.Entry{
	{Action: core.ActionCreateUser, OktaUserID: "00u1", User: "ann@x.io", Outcome: core.OutcomePlanned},
	{Action: core.ActionDeactivate, OktaUserID: "00u2", ClickUpUserID: "102", User: "bob@x.io", Outcome: core.OutcomePlanned},
	{Action: core.ActionDeactivate, OktaUserID: "00u3", ClickUpUserID: "103", User: "cy@x.io", Outcome: core.OutcomePlanned},
}

// TestChildProcess is the other process of the tests that need one. It does what
// STORE_TEST_CHILD says to the state file STORE_TEST_CHILD_PATH, says so in one line on stdout,
// and then waits for its stdin to close (or to be killed).
func TestChildProcess(t *testing.T) {
	mode := os.Getenv(childModeEnv)
	if mode == "" {
		t.Skip("runs only as another test's child process")
	}
	ctx := t.Context()
	path := os.Getenv(childPathEnv)
	say := func(line string) { fmt.Fprintln(os.Stdout, strings.ReplaceAll(line, "\n", " ")) }
	s, err := openStore(ctx, path, Options{MustExist: os.Getenv(childMustExistEnv) != ""})
	if mode == "open" {
		if err != nil {
			say(err.Error())
			return
		}
		say("ok")
		s.Close()
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	unlock, err := s.Lock(ctx, "child", 0)
	if err != nil {
		t.Fatal(err)
	}
	switch mode {
	case "lock":
		say("locked")
	case "journal":
		if err := s.BeginRun(ctx, Run{ID: crashedRun, Trigger: TriggerManual}); err != nil {
			t.Fatal(err)
		}
		if err := s.SavePlan(ctx, crashedRun, crashPlan); err != nil {
			t.Fatal(err)
		}
		created := crashPlan[0]
		created.Outcome, created.ClickUpUserID = core.OutcomeApplied, "101"
		for _, step := range []error{
			s.WriteStarted(ctx, crashedRun, 1),
			s.WriteDone(ctx, crashedRun, 1, created),
			s.WriteStarted(ctx, crashedRun, 2), // and the request is in flight when the process dies
		} {
			if step != nil {
				t.Fatal(step)
			}
		}
		say("journaled")
	default:
		t.Fatalf("unknown mode %q", mode)
	}
	_, _ = io.Copy(io.Discard, os.Stdin)
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
}

// child is a running TestChildProcess.
type child struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	said  string // its first line
}

// startChild runs TestChildProcess in mode on path and waits for its first line.
func startChild(t *testing.T, mode, path string) *child {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestChildProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), childModeEnv+"="+mode, childPathEnv+"="+path)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, stdin: stdin}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("child %s said %q (%v)", mode, line, err)
	}
	c.said = strings.TrimSuffix(line, "\n")
	return c
}

// finish lets the child end normally.
func (c *child) finish(t *testing.T) {
	t.Helper()
	c.stdin.Close()
	if err := c.cmd.Wait(); err != nil {
		t.Fatalf("child: %v", err)
	}
}

// kill is kill -9.
func (c *child) kill(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	var exit *exec.ExitError
	if err := c.cmd.Wait(); !errors.As(err, &exit) {
		t.Fatalf("killed child: %v", err)
	}
}

// unprivilegedOpener returns a func that opens a path in a child process that permissions apply
// to, and returns the error it got ("ok" when none). Root ignores file permissions, so when the
// tests run as root the child runs as nobody, from a copy of the test binary nobody may execute.
func unprivilegedOpener(t *testing.T) func(t *testing.T, path string, mustExist bool) string {
	t.Helper()
	bin := os.Args[0]
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		const nobody = 65534
		cred = &syscall.Credential{Uid: nobody, Gid: nobody}
		dir := t.TempDir()
		makeTraversable(t, dir)
		bin = filepath.Join(dir, "store.test")
		copyFile(t, os.Args[0], bin, 0o755)
	}
	return func(t *testing.T, path string, mustExist bool) string {
		t.Helper()
		cmd := exec.CommandContext(t.Context(), bin, "-test.run=^TestChildProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), childModeEnv+"=open", childPathEnv+"="+path)
		if mustExist {
			cmd.Env = append(cmd.Env, childMustExistEnv+"=1")
		}
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		cmd.Dir = "/"
		out, err := cmd.Output()
		if err != nil {
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				t.Logf("stderr: %s", exit.Stderr)
			}
			t.Fatalf("child open: %v (said %q)", err, out)
		}
		line, _, _ := strings.Cut(string(out), "\n")
		return line
	}
}

// makeTraversable lets every user into dir and its parent (t.TempDir makes both 0700).
func makeTraversable(t *testing.T, dir string) {
	t.Helper()
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
}

func copyFile(t *testing.T, from, to string, mode os.FileMode) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, mode); err != nil {
		t.Fatal(err)
	}
}
