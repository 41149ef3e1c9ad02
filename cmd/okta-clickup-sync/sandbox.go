package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	stdlog "log"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/okta-clickup-sync/okta-clickup-sync/config"
	"github.com/okta-clickup-sync/okta-clickup-sync/internal/endpoint"
)

// The sandbox (demo --serve, DESIGN.md §12): the demo's fakes kept up on loopback with a state
// file, the environment that points every other command at them, the drift console and a few
// control requests that change the fake Okta org.

// sandboxSchedule is the daemon's schedule in the sandbox: often enough to watch a change flow.
const sandboxSchedule = "@every 1m"

// randomToken returns a fresh token for the sandbox's console and trigger.
func randomToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// freeLoopbackAddr returns a loopback address with a port free now, for the daemon a newcomer
// starts with the printed environment.
func freeLoopbackAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// envVar is one line of the printed environment.
type envVar struct{ name, value string }

// sandboxEnv is the environment that points the other commands at the sandbox.
func sandboxEnv(d *demo, listenAddr, uiToken, triggerToken string) []envVar {
	cfg := d.cfg
	return []envVar{
		{config.ConfigPathEnv, ""}, // no configuration file: the sandbox is all in the environment
		{"OKTA_ORG_URL", cfg.Okta.OrgURL},
		{"OKTA_APP_ID", cfg.Okta.AppID},
		{"OKTA_API_TOKEN", cfg.Okta.APIToken.Reveal()},
		{"CLICKUP_SCIM_BASE_URL", cfg.ClickUp.SCIMBaseURL},
		{"CLICKUP_SCIM_TOKEN", cfg.ClickUp.SCIMToken.Reveal()},
		{"CLICKUP_API_BASE_URL", cfg.ClickUp.APIBaseURL},
		{"CLICKUP_API_TOKEN", cfg.ClickUp.APIToken.Reveal()},
		{"CLICKUP_WORKSPACE_ID", cfg.ClickUp.WorkspaceID},
		{"SYNC_ALLOW_INSECURE_HTTP", "true"},
		{"SYNC_STATE_PATH", cfg.Sync.StatePath},
		{"SYNC_PUSH_GROUPS", strings.Join(cfg.Sync.PushGroups, ",")},
		{"SYNC_MAX_DEACTIVATIONS", strconv.Itoa(cfg.Sync.MaxDeactivations)},
		{"SYNC_MAX_DEACTIVATION_PERCENT", strconv.FormatFloat(cfg.Sync.MaxDeactivationPercent, 'f', -1, 64)},
		{"SYNC_SCHEDULE", sandboxSchedule},
		{"SYNC_LISTEN_ADDR", listenAddr},
		{"SYNC_TRIGGER_TOKEN", triggerToken},
		{"SYNC_UI_TOKEN", uiToken},
	}
}

// sandboxReport is demo --serve -o json: one document, printed once the sandbox is up.
type sandboxReport struct {
	Steps      []demoStepReport  `json:"steps"`
	Env        map[string]string `json:"env"`
	HeldRunID  string            `json:"held_run_id,omitempty"`
	ConsoleURL string            `json:"console_url"`
	ControlURL string            `json:"control_url"`
}

// serveSandbox runs the demo's first passes with a cap of one deactivation, so that one run is
// held, then keeps everything up until ctx is done.
func (c *cli) serveSandbox(ctx context.Context, listen string, out outputFlag) int {
	host, _, err := net.SplitHostPort(listen)
	if err != nil || !endpoint.IsLoopbackHost(host) {
		c.errorf("--listen %q: the sandbox serves on a loopback address only, such as 127.0.0.1:8090", listen)
		return exitError
	}
	log := c.demoLogger()
	d, err := newDemo(ctx, log, func(cfg *config.Config) { cfg.Sync.MaxDeactivations = 1 })
	if err != nil {
		c.errorf("sandbox: %v", err)
		return exitError
	}
	defer d.close()
	daemonAddr, err := freeLoopbackAddr()
	if err != nil {
		c.errorf("sandbox: find a free port for the daemon: %v", err)
		return exitError
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		c.errorf("sandbox: listen on %s (--listen): %v", listen, err)
		return exitError
	}
	defer ln.Close()
	uiToken, triggerToken := randomToken(), randomToken()

	if out != "json" {
		fmt.Fprintln(c.stdout, "okta-clickup-sync sandbox: a sample Okta org and ClickUp Workspace on loopback, with a state file.")
		fmt.Fprintln(c.stdout, "The cap is one deactivation per run (SYNC_MAX_DEACTIVATIONS=1), so the second pass holds two.")
		fmt.Fprintln(c.stdout)
	}
	// The last pass of the demo would converge; the sandbox leaves its held run to approve.
	steps, err := c.runSteps(ctx, d, demoSteps[:3], out)
	if err != nil {
		c.errorf("sandbox: %v", err)
		return exitError
	}
	held := "" // the first run that held: approving it applies what the later ones held again
	for _, s := range steps {
		if s.Run.Held > 0 && !s.Run.DryRun && held == "" {
			held = s.Run.RunID
		}
	}
	ui, err := newConsole(uiToken, d.app.st, engineApprove(d.app.engine, nil), log)
	if err != nil {
		c.errorf("sandbox: %v", err)
		return exitError
	}
	mux := http.NewServeMux()
	mux.Handle("/ui/", ui)
	mux.Handle("/sandbox/", newSandboxControl(d))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second,
		ErrorLog: stdlog.New(log.With().Str("component", "sandbox").Logger(), "", 0)}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	base := "http://" + ln.Addr().String()
	env := sandboxEnv(d, daemonAddr, uiToken, triggerToken)
	if out == "json" {
		doc := sandboxReport{Steps: steps, Env: map[string]string{}, HeldRunID: held,
			ConsoleURL: base + "/ui/", ControlURL: base + "/sandbox/"}
		for _, v := range env {
			doc.Env[v.name] = v.value
		}
		enc := json.NewEncoder(c.stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(doc)
	} else {
		writeSandboxGuide(c.stdout, env, base, held)
	}

	code := exitOK
	select {
	case <-ctx.Done():
	case err := <-served:
		c.errorf("sandbox: serving %s: %v", base, err)
		code = exitError
	}
	shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), httpShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Warn().Err(err).Msg("sandbox http shutdown")
	}
	if out != "json" {
		fmt.Fprintln(c.stdout, "Sandbox stopped; its state file is removed.")
	}
	return code
}

// writeSandboxGuide prints the environment and what to try.
func writeSandboxGuide(w io.Writer, env []envVar, base, held string) {
	fmt.Fprintln(w, "== Paste these lines into another shell: every command then works on the sandbox.")
	for _, v := range env {
		fmt.Fprintf(w, "export %s=%s\n", v.name, shellQuote(v.value))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "== Then try")
	fmt.Fprintln(w, "  okta-clickup-sync history                      # the runs so far")
	if held != "" {
		fmt.Fprintf(w, "  okta-clickup-sync drift --run %s --action deactivate\n", held)
		fmt.Fprintf(w, "  okta-clickup-sync approve %s    # apply what the cap held\n", held)
	}
	fmt.Fprintln(w, "  okta-clickup-sync reconcile --dry-run           # what a run would change now")
	fmt.Fprintln(w, "  okta-clickup-sync check")
	fmt.Fprintln(w, `  okta-clickup-sync run                           # the daemon on $SYNC_LISTEN_ADDR: /metrics, /readyz, /ui/`)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "== Change the fake Okta org, then reconcile and watch the change flow")
	for _, ex := range []string{
		"assign?login=new.hire@example.com&role=member",
		"role?login=stan.steady@example.com&role=admin",
		"suspend?login=ravi.role@example.com",
		"unsuspend?login=ravi.role@example.com",
		"unassign?login=eve.moved@example.com",
	} {
		fmt.Fprintf(w, "  curl -X POST '%s/sandbox/%s'\n", base, ex)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "== The drift console: %s/ui/ (sign in with $SYNC_UI_TOKEN)\n", base)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "The sandbox is up. Ctrl-C stops it.")
}
