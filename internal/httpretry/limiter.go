package httpretry

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	gosync "sync"
	"time"

	"golang.org/x/time/rate"
)

// Headers names a service's rate-limit headers.
type Headers struct{ Limit, Remaining, Reset string }

// The services' header names (reference/okta-sdk-and-api.md §3.5, clickup-api.md §1.3).
var (
	OktaHeaders    = Headers{Limit: "X-Rate-Limit-Limit", Remaining: "X-Rate-Limit-Remaining", Reset: "X-Rate-Limit-Reset"}
	ClickUpHeaders = Headers{Limit: "X-RateLimit-Limit", Remaining: "X-RateLimit-Remaining", Reset: "X-RateLimit-Reset"}
)

const (
	// lowFraction of the window's limit left is where pacing starts: above it requests go out as
	// fast as they come, below it the rest of the budget is spread until the reset.
	lowFraction = 0.2
	// lowUnknown is the low-water mark when the service does not say its limit.
	lowUnknown = 10
	// msThreshold tells a reset in epoch milliseconds from one in seconds: 1e12 seconds is
	// the year 33658, 1e12 milliseconds is 2001.
	msThreshold = 1e12
	// deltaThreshold tells a reset given as seconds from now from an epoch: 1e9 seconds is
	// 2001, and no server counts a window in decades.
	deltaThreshold = 1e9
	// maxReset is far beyond any plausible reset in milliseconds and well inside int64.
	maxReset = 1e16
)

// Limiter paces the requests to one service from the rate-limit headers of its answers. It is
// safe for concurrent use; one Limiter serves every request of a service.
type Limiter struct {
	names  Headers
	policy Policy

	mu    gosync.Mutex
	pace  *rate.Limiter // Inf while the budget is comfortable
	until time.Time     // no request before this: the budget is spent until the reset
	// The window last heard of, so that an answer overtaken by a later one cannot undo the
	// pacing the later one asked for.
	reset     time.Time
	remaining int
}

// NewLimiter returns a limiter reading the headers names; p gives its clock and jitter.
func NewLimiter(names Headers, p Policy) *Limiter {
	return &Limiter{names: names, policy: p.withDefaults(), pace: rate.NewLimiter(rate.Inf, 1)}
}

// Reserve takes the next slot and returns how long to wait before using it.
func (l *Limiter) Reserve() time.Duration {
	now := l.policy.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	d := time.Duration(0)
	if r := l.pace.ReserveN(now, 1); r.OK() {
		d = r.DelayFrom(now)
	}
	return max(d, l.until.Sub(now))
}

// Observe reads the rate-limit headers of an answer. When the remaining budget is low for the
// time left until the reset, later requests are spaced to spread it over that time; when it is
// spent, they wait for the reset.
func (l *Limiter) Observe(h http.Header) {
	if h == nil {
		return
	}
	now := l.policy.Now()
	remaining, err := strconv.Atoi(strings.TrimSpace(h.Get(l.names.Remaining)))
	if err != nil || remaining < 0 {
		return
	}
	reset, ok := ParseReset(h.Get(l.names.Reset), now)
	if !ok {
		return
	}
	low := lowUnknown
	if limit, err := strconv.Atoi(strings.TrimSpace(h.Get(l.names.Limit))); err == nil && limit > 0 {
		low = max(1, int(math.Ceil(float64(limit)*lowFraction)))
	}

	l.mu.Lock()
	defer l.mu.Unlock()
	if reset.Equal(l.reset) && remaining > l.remaining {
		return // an answer from earlier in the same window
	}
	l.reset, l.remaining = reset, remaining
	left := reset.Sub(now)
	switch {
	case left <= 0:
		l.setPace(now, rate.Inf)
	case remaining == 0:
		l.until = later(l.until, reset.Add(l.jitter()))
		l.setPace(now, rate.Inf)
	case remaining <= low:
		l.setPace(now, rate.Limit(float64(remaining)/left.Seconds()))
	default:
		l.setPace(now, rate.Inf)
	}
}

// setPace expects l.mu held.
func (l *Limiter) setPace(now time.Time, r rate.Limit) {
	switch {
	case r == l.pace.Limit():
	case l.pace.Limit() == rate.Inf:
		// A fresh limiter, because rate.Limiter leaving Inf at the instant it entered it
		// computes its tokens as 0·Inf, which is NaN.
		l.pace = rate.NewLimiter(r, 1)
	default:
		l.pace.SetLimitAt(now, r)
	}
}

// Throttled handles a 429: every request of the service waits until the reset the answer
// names, with jitter, capped at the policy's MaxRateLimitWait. It returns that wait, or false
// when the answer gave no usable reset.
func (l *Limiter) Throttled(h http.Header) (time.Duration, bool) {
	now := l.policy.Now()
	reset, ok := ParseReset(h.Get(l.names.Reset), now)
	if !ok {
		return 0, false
	}
	d := min(max(reset.Sub(now), 0), l.policy.MaxRateLimitWait)
	l.mu.Lock()
	defer l.mu.Unlock()
	d += l.jitter()
	l.until = later(l.until, now.Add(d))
	return d, true
}

// jitter expects l.mu held: the policy's Rand need not be safe for concurrent use.
func (l *Limiter) jitter() time.Duration {
	return time.Duration(l.policy.Rand() * float64(l.policy.RateLimitJitter))
}

// ParseReset reads a reset header: epoch seconds as documented, epoch milliseconds (any value
// above 1e12) as ClickUp may send, or seconds from now (a value below 1e9) as some proxies do.
func ParseReset(v string, now time.Time) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, false
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || f > maxReset || math.IsNaN(f) {
		return time.Time{}, false
	}
	switch {
	case f > msThreshold:
		return time.UnixMilli(int64(f)), true
	case f < deltaThreshold:
		return now.Add(time.Duration(f * float64(time.Second))), true
	default:
		sec, frac := math.Modf(f)
		return time.Unix(int64(sec), int64(frac*1e9)), true
	}
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
