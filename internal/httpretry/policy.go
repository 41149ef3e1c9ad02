package httpretry

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"
)

// Defaults of Policy.
const (
	DefaultMaxRetries = 4
	DefaultBaseDelay  = 500 * time.Millisecond
	DefaultMaxDelay   = 8 * time.Second
	// DefaultMaxWait is the longest wait for a rate-limit reset (SYNC_RATE_LIMIT_MAX_WAIT):
	// Okta's and ClickUp's windows are a minute long, so a reset further out is a clock or unit
	// mistake, or a lie, and not a reason to stall a run.
	DefaultMaxWait = 2 * time.Minute
	// DefaultRateLimitJitter spreads the clients that all waited for the same reset, so they do
	// not spend the new window's budget in the same instant.
	DefaultRateLimitJitter = time.Second
)

// Policy is how hard a client tries. The zero value is the default policy.
type Policy struct {
	// MaxRetries bounds the attempts after the first; 0 means DefaultMaxRetries, negative none.
	MaxRetries int
	// BaseDelay and MaxDelay shape the exponential backoff after a 5xx, a reset or a timeout:
	// the n-th retry waits between half and all of min(BaseDelay·2ⁿ⁻¹, MaxDelay).
	BaseDelay, MaxDelay time.Duration
	// MaxWait is the longest wait for an announced rate-limit reset (SYNC_RATE_LIMIT_MAX_WAIT;
	// 0 means DefaultMaxWait): a reset further away, or past the context's deadline, fails the
	// request at once with a *WaitError. RateLimitJitter is the most added to a wait.
	MaxWait, RateLimitJitter time.Duration

	// Sleep waits; nil means a timer (TimerSleep). Tests record the waits instead
	// (httpretrytest.Waits).
	Sleep SleepFunc
	// Now is the clock the limiter reads headers against; nil means time.Now.
	Now func() time.Time
	// Rand returns a number in [0, 1) for the jitter; nil means math/rand/v2.
	Rand func() float64
	// OnResponse, if set, sees every attempt's outcome: the HTTP status, or 0 when no answer
	// came. It is the hook for metrics and must be cheap and safe for concurrent use.
	OnResponse func(service string, status int)
}

func (p Policy) withDefaults() Policy {
	switch {
	case p.MaxRetries == 0:
		p.MaxRetries = DefaultMaxRetries
	case p.MaxRetries < 0:
		p.MaxRetries = 0
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = DefaultBaseDelay
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = DefaultMaxDelay
	}
	if p.MaxWait <= 0 {
		p.MaxWait = DefaultMaxWait
	}
	if p.RateLimitJitter <= 0 {
		p.RateLimitJitter = DefaultRateLimitJitter
	}
	if p.Sleep == nil {
		p.Sleep = TimerSleep
	}
	if p.Now == nil {
		p.Now = time.Now
	}
	if p.Rand == nil {
		p.Rand = rand.Float64
	}
	return p
}

// Backoff is the wait before the n-th retry (n ≥ 1) after a failure that gave no reset time.
func (p Policy) Backoff(n int) time.Duration {
	p = p.withDefaults()
	d := p.BaseDelay
	for i := 1; i < n && d < p.MaxDelay; i++ {
		d *= 2
	}
	d = min(d, p.MaxDelay)
	// Half fixed, half random: never hammering at once, yet never all retrying in lockstep.
	return d/2 + time.Duration(p.Rand()*float64(d/2))
}

// Idempotent reports whether a request may be sent again after an unclear failure without
// risking a second effect. POST is the exception that matters here: a create that timed out may
// have been applied, and the caller has to look before it tries again.
func Idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete, http.MethodPatch:
		// PATCH is not idempotent in general; every PATCH these clients send is a path-less
		// replace of absolute values, which is.
		return true
	}
	return false
}

// RetryableStatus reports a server-side failure that another attempt may not meet.
func RetryableStatus(status int) bool {
	switch status {
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// RetryableError reports a transport failure after which the server may or may not have seen
// the request: a reset or closed connection, a truncated answer, a timeout. A refused connection
// or a bad URL is not retried: another attempt meets the same answer.
func RetryableError(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	var ne net.Error
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EPIPE),
		errors.Is(err, context.DeadlineExceeded),
		errors.As(err, &ne) && ne.Timeout():
		return true
	}
	// net/http reports a connection the server dropped with unexported errors.
	msg := err.Error()
	return strings.Contains(msg, "server closed idle connection") || strings.Contains(msg, "transport connection broken")
}

// Budget is the longest one request can take under the policy when each attempt is bounded by
// attempt: every attempt, the limiter's wait before it, and the wait after each failure. It is
// a backstop deadline for callers that need one, not an estimate.
func (p Policy) Budget(attempt time.Duration) time.Duration {
	p = p.withDefaults()
	rl := p.MaxWait + p.RateLimitJitter
	tries := time.Duration(p.MaxRetries + 1)
	return tries*(attempt+rl) + time.Duration(p.MaxRetries)*max(p.MaxDelay, rl)
}
