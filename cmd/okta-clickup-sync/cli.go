package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
)

// Exit codes (DESIGN.md §8).
const (
	exitOK      = 0
	exitError   = 1
	exitChanges = 2 // only with --detailed-exitcode
	exitHeld    = 3
)

// version is set at build time with -ldflags "-X main.version=..."; otherwise the module version.
var version = ""

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// env looks up an environment variable; os.LookupEnv in production, a map in tests.
type env func(string) (string, bool)

const usage = `okta-clickup-sync keeps a ClickUp Workspace in step with the ClickUp app's assignments in Okta.

Usage:
  okta-clickup-sync run       [--config FILE]   the daemon: reconcile now, then on SYNC_SCHEDULE
  okta-clickup-sync reconcile [--config FILE] [--dry-run] [--output text|json] [--detailed-exitcode]
  okta-clickup-sync check     [--config FILE]   test credentials, app schema and role mapping
  okta-clickup-sync healthcheck [--config FILE] probe the daemon's /healthz (container HEALTHCHECK)
  okta-clickup-sync drift     [--config FILE] [--run ID] [--since 7d] [--action KIND] [--user EMAIL] [--output text|json]
  okta-clickup-sync history   [--config FILE] [--limit N] [--since 7d] [--output text|json]
  okta-clickup-sync approve   RUN_ID [--config FILE] [--output text|json]
  okta-clickup-sync demo      [--output text|json]
  okta-clickup-sync version

Configuration comes from a YAML file (--config or OKTA_CLICKUP_SYNC_CONFIG) and the environment;
see README.md. Exit codes: 0 success, 1 error, 2 changes (with --detailed-exitcode), 3 held.
`

// Main runs one invocation of the program and returns its exit code. It is the whole program
// but for the process: tests drive it directly with their own environment and output.
func Main(ctx context.Context, args []string, lookup env, stdout, stderr io.Writer) int {
	return mainWith(ctx, args, lookup, stdout, stderr, adapterClients{})
}

// mainWith is Main with the adapters' clients and retry policy of a one-off reconcile given.
func mainWith(ctx context.Context, args []string, lookup env, stdout, stderr io.Writer, hc adapterClients) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitError
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "reconcile":
		return runReconcile(ctx, rest, lookup, stdout, stderr, hc)
	case "run":
		return runDaemon(ctx, rest, lookup, stdout, stderr)
	case "check":
		return runCheck(ctx, rest, lookup, stdout, stderr)
	case "healthcheck":
		return runHealthcheck(ctx, rest, lookup, stdout, stderr)
	case "drift":
		return runDrift(ctx, rest, lookup, stdout, stderr)
	case "history":
		return runHistory(ctx, rest, lookup, stdout, stderr)
	case "approve":
		return runApprove(ctx, rest, lookup, stdout, stderr)
	case "demo":
		return runDemo(ctx, rest, lookup, stdout, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, "okta-clickup-sync", buildVersion())
		return exitOK
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "unknown command %q\n\n%s", cmd, usage)
		return exitError
	}
}

// parseFlags parses a subcommand's flags; help is not an error.
func parseFlags(fs *flag.FlagSet, args []string, stderr io.Writer) (done bool, code int) {
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return true, exitOK
		}
		return true, exitError
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return true, exitError
	}
	return false, 0
}
