package httpretry

import (
	"context"
	"net/http"
	"sync"
	"time"
)

// Pacer is one service's limiters and retry policy together: the loop around every request of
// a client asks it before each attempt (Wait) and after (Retry). A service that counts its
// rate limits in buckets (Okta: one per endpoint) has a limiter per bucket, named by the
// Bucket of Wait and Attempt; "" is the service's only bucket otherwise.
type Pacer struct {
	service string
	names   Headers
	policy  Policy

	mu       sync.Mutex
	limiters map[string]*Limiter
}

// NewPacer returns the pacer of service, which names its rate-limit headers names.
func NewPacer(service string, names Headers, p Policy) *Pacer {
	p = p.withDefaults()
	return &Pacer{service: service, names: names, policy: p, limiters: make(map[string]*Limiter)}
}

// limiter returns bucket's limiter, made on first use.
func (p *Pacer) limiter(bucket string) *Limiter {
	p.mu.Lock()
	defer p.mu.Unlock()
	l := p.limiters[bucket]
	if l == nil {
		l = NewLimiter(p.names, p.policy)
		p.limiters[bucket] = l
	}
	return l
}

// MaxRetries is the policy's bound on retries after the first attempt.
func (p *Pacer) MaxRetries() int { return p.policy.MaxRetries }

// Wait blocks until the limiter of the service's only bucket lets the next request start.
func (p *Pacer) Wait(ctx context.Context) error { return p.WaitBucket(ctx, "") }

// WaitBucket blocks until bucket's limiter lets the next request start. When it returns nil,
// the attempt's outcome must go to Retry with the same Bucket. A reset further away than
// MaxWait or ctx's deadline fails it at once with a *WaitError.
func (p *Pacer) WaitBucket(ctx context.Context, bucket string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	l := p.limiter(bucket)
	deadline, _ := ctx.Deadline()
	d, err := l.Reserve(deadline)
	if err != nil {
		return err
	}
	if d > 0 {
		if err := p.sleep(ctx, d); err != nil {
			l.Release()
			return err
		}
	}
	return nil
}

// Attempt is the outcome of one try of a request.
type Attempt struct {
	N          int  // 0 for the first attempt
	Idempotent bool // the request may be sent again after an unclear failure
	Status     int  // 0 when no answer came
	Header     http.Header
	Err        error  // the transport error, when no answer came or it could not be read
	Bucket     string // the rate-limit bucket given to WaitBucket
}

// Retry records the attempt's answer and decides whether to try again. It returns true after
// waiting what the failure calls for: until the reset after a 429, a backoff after a 5xx, a
// reset connection or a timeout of an idempotent request. It returns false when the attempt is
// final: a success or a failure another attempt would not change, retries spent, or a backoff
// that would outlast ctx's deadline. err is ctx's error when the wait was cut short, or a
// *WaitError when a 429 announced a reset further away than MaxWait or ctx's deadline.
func (p *Pacer) Retry(ctx context.Context, a Attempt) (retry bool, err error) {
	if p.policy.OnResponse != nil {
		p.policy.OnResponse(p.service, a.Status)
	}
	l := p.limiter(a.Bucket)
	if a.Status != 0 {
		l.Observe(a.Header)
	} else {
		l.Observe(nil)
	}
	deadline, _ := ctx.Deadline()
	var throttle time.Duration
	throttled := false
	if a.Status == http.StatusTooManyRequests {
		// Also after the last attempt: the next request or run still has to wait.
		if throttle, throttled, err = l.Throttled(a.Header, deadline); err != nil {
			return false, err
		}
	}
	if ctx.Err() != nil || a.N >= p.policy.MaxRetries {
		return false, nil
	}
	var wait time.Duration
	switch {
	case a.Status == http.StatusTooManyRequests:
		// The server refused before doing anything, so even a POST may go again.
		wait = throttle
		if !throttled {
			wait = p.policy.Backoff(a.N + 1)
		}
	case !a.Idempotent:
		return false, nil
	case a.Err != nil && RetryableError(a.Err), a.Err == nil && RetryableStatus(a.Status):
		wait = p.policy.Backoff(a.N + 1)
	default:
		return false, nil
	}
	if !deadline.IsZero() && p.policy.Now().Add(wait).After(deadline) {
		return false, nil // failing now beats failing at the deadline with nothing learnt
	}
	if err := p.sleep(ctx, wait); err != nil {
		return false, err
	}
	return true, nil
}

// Backoff waits before the n-th retry (n ≥ 1) of a request whose caller decided, after checking,
// that it may be sent again.
func (p *Pacer) Backoff(ctx context.Context, n int) error {
	return p.sleep(ctx, p.policy.Backoff(n))
}

func (p *Pacer) sleep(ctx context.Context, d time.Duration) error {
	return p.policy.Sleep(ctx, d)
}
