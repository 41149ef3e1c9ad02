package httpretry

import (
	"context"
	"time"
)

// SleepFunc waits for d, or until ctx is done, in which case it returns ctx's error.
type SleepFunc func(ctx context.Context, d time.Duration) error

// TimerSleep is the real SleepFunc.
func TimerSleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

type sleepKey struct{}

// WithSleep returns a context whose requests wait through f instead of a timer, for the clients
// that were not built with Policy.Sleep. It is a test seam in the manner of net/http/httptrace:
// the clients are built deep inside the command from configuration, but every request carries
// the context of the run.
func WithSleep(ctx context.Context, f SleepFunc) context.Context {
	return context.WithValue(ctx, sleepKey{}, f)
}

// sleeper picks the policy's SleepFunc, else the context's, else the timer.
func (p Policy) sleeper(ctx context.Context) SleepFunc {
	if p.Sleep != nil {
		return p.Sleep
	}
	if f, ok := ctx.Value(sleepKey{}).(SleepFunc); ok && f != nil {
		return f
	}
	return TimerSleep
}
