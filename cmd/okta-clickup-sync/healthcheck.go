package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"
)

// healthcheckTimeout is short: a container runtime runs the probe every few seconds, and a
// daemon that cannot answer /healthz this fast is not healthy.
const healthcheckTimeout = 3 * time.Second

func (c *cli) healthcheckCommand() *cobra.Command {
	var addr string
	cmd := &cobra.Command{
		Use:   "healthcheck",
		Short: "Probe the running daemon's /healthz (for a container HEALTHCHECK)",
		Long: `Probe the running daemon's /healthz on loopback and exit 0 when it answers 200: distroless
images have no curl or wget for a container HEALTHCHECK. The address is the daemon's
SYNC_LISTEN_ADDR unless --addr says otherwise; a wildcard host is reached on 127.0.0.1.`,
		Example: `  okta-clickup-sync healthcheck
  okta-clickup-sync healthcheck --addr 127.0.0.1:9090`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if addr == "" {
				// Only the listen address matters here: a problem elsewhere in the
				// configuration (an unreadable secret file) is the daemon's to report.
				cfg, _, problems := c.load(scopeListen)
				if len(problems) > 0 {
					c.errorf("healthcheck: %v", problems[0])
					return exitCode(exitError)
				}
				addr = cfg.Sync.ListenAddr
			}
			return codeOf(probe(cmd.Context(), addr, c.stdout, c.stderr))
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "", "the daemon's listen address (default: SYNC_LISTEN_ADDR)")
	return cmd
}

// probe GETs /healthz at the listen address addr.
func probe(ctx context.Context, addr string, stdout, stderr io.Writer) int {
	target, err := probeAddr(addr)
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
