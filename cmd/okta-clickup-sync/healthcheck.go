package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/okta-clickup-sync/okta-clickup-sync/config"
)

// healthcheckTimeout is short: a container runtime runs the probe every few seconds, and a
// daemon that cannot answer /healthz this fast is not healthy.
const healthcheckTimeout = 3 * time.Second

// runHealthcheck probes the running daemon's /healthz on loopback, for a Dockerfile HEALTHCHECK:
// distroless images have no curl or wget. It exits 0 when the daemon answers 200.
func runHealthcheck(ctx context.Context, args []string, lookup env, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	configPath := fs.String("config", "", "YAML configuration file (default $OKTA_CLICKUP_SYNC_CONFIG)")
	addr := fs.String("addr", "", "the daemon's listen address (default SYNC_LISTEN_ADDR)")
	if done, code := parseFlags(fs, args, stderr); done {
		return code
	}
	if *addr == "" {
		if *configPath == "" {
			*configPath, _ = lookup(config.ConfigPathEnv)
		}
		// Only the listen address matters here: a problem elsewhere in the configuration (an
		// unreadable secret file) is the daemon's to report, not a failed probe.
		cfg, _ := config.Load(*configPath, lookup)
		*addr = cfg.Sync.ListenAddr
	}
	target, err := probeAddr(*addr)
	if err != nil {
		fmt.Fprintf(stderr, "healthcheck: %v\n", err)
		return exitError
	}
	ctx, cancel := context.WithTimeout(ctx, healthcheckTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+target+"/healthz", nil)
	if err != nil {
		fmt.Fprintf(stderr, "healthcheck: %v\n", err)
		return exitError
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintf(stderr, "healthcheck: %v\n", err)
		return exitError
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<10))
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "healthcheck: GET /healthz: HTTP %d\n", resp.StatusCode)
		return exitError
	}
	fmt.Fprintln(stdout, "ok")
	return exitOK
}

// probeAddr turns a listen address into one to connect to: a wildcard host (":8080",
// "0.0.0.0:8080", "[::]:8080") is reached on 127.0.0.1, a specific host as given.
func probeAddr(listen string) (string, error) {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return "", fmt.Errorf("listen address %q: %w", listen, err)
	}
	if port == "" || port == "0" {
		return "", fmt.Errorf("listen address %q has no fixed port to probe", listen)
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port), nil
}
