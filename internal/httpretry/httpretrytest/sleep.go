// Package httpretrytest provides sleepers for tests of code that waits through httpretry, so the
// waits a client asks for can be checked without spending them.
package httpretrytest

import (
	"context"
	gosync "sync"
	"time"
)

// NoSleep returns at once: for tests where retries must not cost time.
func NoSleep(ctx context.Context, _ time.Duration) error { return ctx.Err() }

// Waits records every wait asked of it and returns at once. The zero value is ready to use, and
// it is safe for concurrent use.
type Waits struct {
	mu  gosync.Mutex
	got []time.Duration
}

// Sleep records d; use it as httpretry.Policy.Sleep.
func (w *Waits) Sleep(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.got = append(w.got, d)
	return ctx.Err()
}

// All returns the waits recorded so far, in order.
func (w *Waits) All() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]time.Duration(nil), w.got...)
}
