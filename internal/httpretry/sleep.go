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
