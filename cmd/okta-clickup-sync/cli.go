package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/okta-clickup-sync/okta-clickup-sync/config"
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

// options are what an invocation gets from its process besides the arguments.
type options struct {
	lookup env
	// environ is the whole environment (os.Environ()), for the warnings about variables this
	// program does not read; nil gives no such warnings.
	environ []string
	// clients are the adapters' HTTP clients and retry policy; the zero value is the default.
	clients adapterClients
}

// Main runs one invocation of the program and returns its exit code. It is the whole program
// but for the process: tests drive it directly with their own environment and output.
func Main(ctx context.Context, args []string, lookup env, stdout, stderr io.Writer) int {
	return mainWith(ctx, args, options{lookup: lookup}, stdout, stderr)
}

// cli is one invocation: where its output goes, its environment, and the global flags.
type cli struct {
	stdout, stderr io.Writer
	lookup         env
	environ        []string
	terminal       bool // stderr is a terminal: console log lines instead of JSON
	clients        adapterClients

	configPath string // --config
	verbose    int    // -v, -vv
}

// exitCode ends a command with a code other than 0, whatever needed saying already said.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit code %d", int(e)) }

// codeOf turns an exit code into what a command returns.
func codeOf(code int) error {
	if code == exitOK {
		return nil
	}
	return exitCode(code)
}

// mainWith is Main with everything the process gives spelled out.
func mainWith(ctx context.Context, args []string, opt options, stdout, stderr io.Writer) int {
	if opt.lookup == nil {
		opt.lookup = func(string) (string, bool) { return "", false }
	}
	c := &cli{stdout: stdout, stderr: stderr, lookup: opt.lookup, environ: opt.environ,
		terminal: isTerminal(stderr), clients: opt.clients}
	root := c.rootCommand()
	if args == nil {
		args = []string{} // nil would make cobra read os.Args
	}
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteContextC(ctx)
	var code exitCode
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &code):
		return int(code)
	}
	// Cobra's own errors: an unknown command or flag, a missing argument.
	fmt.Fprintf(stderr, "Error: %v\nRun '%s --help' for usage.\n", err, cmd.CommandPath())
	return exitError
}

// isTerminal reports whether w is a terminal, for LOG_FORMAT=auto.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

const rootLong = `okta-clickup-sync keeps a ClickUp Workspace in step with the assignments of the ClickUp app in
Okta: it creates users, pushes role changes, deactivates users who lose access and reactivates
those who get it back, and pushes Okta groups as Teams. Every run reads both sides whole, shows
its plan before it writes and records every change.

Configuration comes from a YAML file (--config, or OKTA_CLICKUP_SYNC_CONFIG) and the environment,
which wins; every secret may also be given as NAME_FILE. See README.md for every setting.

Exit codes: 0 success, 1 error, 2 changes (with --detailed-exitcode), 3 held by a safety rail.`

func (c *cli) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "okta-clickup-sync",
		Short: "Keep a ClickUp Workspace in step with the ClickUp app's assignments in Okta",
		Long:  rootLong,
		Example: `  okta-clickup-sync demo                      # try it against a built-in fake Okta and ClickUp
  okta-clickup-sync check                     # test the credentials and the role mapping
  okta-clickup-sync reconcile --dry-run       # show what would change
  okta-clickup-sync run                       # the daemon`,
		Version:       buildVersion(),
		SilenceErrors: true,
		SilenceUsage:  true,
		Args:          cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// No command: the usage, on stderr, and a failure, so a script with a typo stops.
			cmd.SetOut(c.stderr)
			_ = cmd.Help()
			return exitCode(exitError)
		},
	}
	root.SetVersionTemplate("okta-clickup-sync {{.Version}}\n")
	pf := root.PersistentFlags()
	pf.StringVar(&c.configPath, "config", "", "read the YAML configuration `FILE` (env "+config.ConfigPathEnv+")")
	_ = root.MarkPersistentFlagFilename("config", "yaml", "yml")
	pf.CountVarP(&c.verbose, "verbose", "v", "raise the log level (LOG_LEVEL): -v debug, one line per HTTP request; -vv trace, with rate-limit headers and waits")
	root.AddCommand(
		c.runCommand(),
		c.reconcileCommand(),
		c.checkCommand(),
		c.healthcheckCommand(),
		c.driftCommand(),
		c.historyCommand(),
		c.approveCommand(),
		c.demoCommand(),
		c.storeCommand(),
		c.versionCommand(),
	)
	return root
}

func (c *cli) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print the version",
		Long:    "Print the version of this build; --version says the same.",
		Example: "  okta-clickup-sync version",
		Args:    cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			fmt.Fprintln(c.stdout, "okta-clickup-sync", buildVersion())
			return nil
		},
	}
}

// outputFlag is --output / -o: text or json.
type outputFlag string

func (o *outputFlag) String() string { return string(*o) }
func (o *outputFlag) Type() string   { return "text|json" }
func (o *outputFlag) Set(s string) error {
	if s != "text" && s != "json" {
		return fmt.Errorf("must be text or json, not %q", s)
	}
	*o = outputFlag(s)
	return nil
}

// addOutputFlag adds -o/--output to cmd.
func addOutputFlag(cmd *cobra.Command, what string) *outputFlag {
	o := outputFlag("text")
	cmd.Flags().VarP(&o, "output", "o", what+": text or json")
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]string{"text", "json"}, cobra.ShellCompDirectiveNoFileComp))
	return &o
}

// commandLine is how an operator types a command in this configuration: with --config when one
// was given, so a printed hint can be pasted as it is.
func (c *cli) commandLine(args ...string) string {
	parts := []string{"okta-clickup-sync"}
	if c.configPath != "" {
		parts = append(parts, "--config", shellQuote(c.configPath))
	}
	return strings.Join(append(parts, args...), " ")
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("@%+=:,./-_", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// errorf prints one error sentence on stderr.
func (c *cli) errorf(format string, args ...any) {
	fmt.Fprintf(c.stderr, "Error: "+format+"\n", args...)
}
