package httpretry

import (
	"fmt"
	"time"

	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// WaitError fails a request whose rate-limit reset is further away than the client may wait:
// more than Policy.MaxWait (SYNC_RATE_LIMIT_MAX_WAIT), or past the deadline of the run
// (SYNC_RUN_TIMEOUT). A reset hours away is a broken clock or a lie more often than a real
// limit, and failing at once beats holding the run until its deadline with nothing learnt. It
// matches core.ErrRateLimited.
type WaitError struct {
	Header string        // the header that announced the reset, e.g. X-Rate-Limit-Reset
	Reset  time.Duration // how far away it announced the reset
	Limit  time.Duration // the longest the request could wait
	// Deadline says Limit is what was left before the context's deadline, not MaxWait.
	Deadline bool
}

func (e *WaitError) Error() string {
	reset, limit := e.Reset.Round(time.Second), max(e.Limit, 0).Round(time.Second)
	if e.Deadline {
		return fmt.Sprintf("%s announces a reset in %s, after the deadline of the run (in %s, SYNC_RUN_TIMEOUT)", e.Header, reset, limit)
	}
	return fmt.Sprintf("%s announces a reset in %s, more than SYNC_RATE_LIMIT_MAX_WAIT (%s)", e.Header, reset, limit)
}

// Unwrap makes a WaitError match core.ErrRateLimited.
func (e *WaitError) Unwrap() error { return core.ErrRateLimited }

// waitLimit is the longest a request may wait for a reset: MaxWait, or less when the deadline
// comes sooner.
type waitLimit struct {
	most     time.Duration
	deadline bool
}

func (p Policy) waitLimit(now, deadline time.Time) waitLimit {
	w := waitLimit{most: p.MaxWait}
	if !deadline.IsZero() {
		if left := deadline.Sub(now); left < w.most {
			w = waitLimit{most: left, deadline: true}
		}
	}
	return w
}

// check refuses a reset that is further away than w allows.
func (w waitLimit) check(header string, reset time.Duration) error {
	if reset <= w.most {
		return nil
	}
	return &WaitError{Header: header, Reset: reset, Limit: w.most, Deadline: w.deadline}
}
