// Command okta-clickup-sync keeps a ClickUp Workspace in step with the assignments of the ClickUp
// app in Okta.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// exitHooks run after Main returns, just before os.Exit, which skips deferred calls. Normal builds
// leave it empty. It exists for the benchmark harness (bench/bench_test.go), which runs this binary
// as a child process and so cannot read its runtime statistics from the inside: a build with
// -tags benchstats adds a hook (benchstats.go) that prints the run's allocation totals to stderr.
var exitHooks []func()

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		// The first signal starts a graceful stop; releasing the signals gives a second one its
		// default effect, ending the process at once.
		stop()
	}()
	code := mainWith(ctx, os.Args[1:], options{lookup: os.LookupEnv, environ: os.Environ()}, os.Stdout, os.Stderr)
	stop()
	for _, hook := range exitHooks {
		hook()
	}
	os.Exit(code)
}
