// Command okta-clickup-sync keeps a ClickUp Workspace in step with the assignments of the ClickUp
// app in Okta.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		// The first signal starts a graceful stop; releasing the signals gives a second one its
		// default effect, ending the process at once.
		stop()
	}()
	code := Main(ctx, os.Args[1:], os.LookupEnv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
