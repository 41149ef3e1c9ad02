package httpretry

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	gosync "sync"
	"time"
)

// Headers names a service's rate-limit headers.
type Headers struct{ Limit, Remaining, Reset string }

// The services' header names (reference/okta-sdk-and-api.md §3.5, clickup-api.md §1.3).
var (
	OktaHeaders    = Headers{Limit: "X-Rate-Limit-Limit", Remaining: "X-Rate-Limit-Remaining", Reset: "X-Rate-Limit-Reset"}
	ClickUpHeaders = Headers{Limit: "X-RateLimit-Limit", Remaining: "X-RateLimit-Remaining", Reset: "X-RateLimit-Reset"}
)

const (
	// msThreshold tells a reset in epoch milliseconds from one in seconds: 1e12 seconds is
	// the year 33658, 1e12 milliseconds is 2001.
	msThreshold = 1e12
	// deltaThreshold tells a reset given as seconds from now from an epoch: 1e9 seconds is
	// 2001, and no server counts a window in decades.
	deltaThreshold = 1e9
	// maxReset is far beyond any plausible reset in milliseconds and well inside int64.
	maxReset = 1e16
)

// Limiter paces the requests to one service (or one rate-limit bucket of it) from the
// rate-limit headers of its answers. It counts the requests it lets go since the last answer
// it heard and holds requests until the window's reset only once the budget that answer named
// is spent; until then requests go as fast as they come. Requests still in flight when an
// answer arrives are taken out of its budget, since the server may not have counted them yet.
// It is safe for concurrent use; one Limiter serves every request of a service or bucket.
type Limiter struct {
	names  Headers
	policy Policy

	mu    gosync.Mutex
	until time.Time // no request before this: the budget is spent until the reset
	// The window last heard of, so that an answer overtaken by a later one cannot undo the
	// budget the later one named.
	reset     time.Time
	remaining int // as the last answer said
	limit     int // the window's full budget, 0 when the service does not say it
	// budget is how many more requests may go before the reset: the last answer's remaining
	// less the requests let go since, and less those in flight when it came. Negative when
	// no window is known: no limit.
	budget   int
	inflight int // requests let go whose answer has not been observed
}

// NewLimiter returns a limiter reading the headers names; p gives its clock and jitter.
func NewLimiter(names Headers, p Policy) *Limiter {
	return &Limiter{names: names, policy: p.withDefaults(), budget: -1}
}

// Reserve takes the next slot and returns how long to wait before using it. Every Reserve
// must be followed by Observe (with the answer's headers, or nil when none came) or Release.
func (l *Limiter) Reserve() time.Duration {
	now := l.policy.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	at := later(now, l.until)
	if !l.reset.IsZero() && !at.Before(l.reset) {
		l.newWindow()
	}
	switch {
	case l.budget == 0 && l.reset.IsZero():
		l.budget = -1 // spent, and no answer yet said when the window ends
	case l.budget == 0:
		// Spent: this and every later request of the window wait for the reset, and count
		// against the next window.
		l.until = later(l.until, l.reset.Add(l.jitter()))
		at = later(at, l.until)
		l.newWindow()
	}
	if l.budget > 0 {
		l.budget--
	}
	l.inflight++
	return at.Sub(now)
}

// newWindow expects l.mu held: the window last heard of is over, and the next one is assumed
// full until an answer says otherwise.
func (l *Limiter) newWindow() {
	l.budget = -1
	if l.limit > 0 {
		l.budget = l.limit
	}
	l.reset = time.Time{}
	l.remaining = 0
}

// Release returns a reserved slot whose request was never sent.
func (l *Limiter) Release() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.inflight = max(l.inflight-1, 0)
}

// Observe ends a request let go by Reserve and reads the rate-limit headers of its answer (h
// nil when none came). The remaining budget it names, less the other requests still in
// flight, may go at once; when it is spent, later requests wait for the reset.
func (l *Limiter) Observe(h http.Header) {
	now := l.policy.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.inflight = max(l.inflight-1, 0)
	if h == nil {
		return
	}
	remaining, err := strconv.Atoi(strings.TrimSpace(h.Get(l.names.Remaining)))
	if err != nil || remaining < 0 {
		return
	}
	reset, ok := ParseReset(h.Get(l.names.Reset), now)
	if !ok {
		return
	}
	if limit, err := strconv.Atoi(strings.TrimSpace(h.Get(l.names.Limit))); err == nil && limit > 0 {
		l.limit = limit
	}
	if reset.Equal(l.reset) && remaining > l.remaining {
		return // an answer from earlier in the same window
	}
	if !reset.After(now) {
		l.reset, l.remaining, l.budget = time.Time{}, 0, -1
		return
	}
	l.reset, l.remaining = reset, remaining
	l.budget = max(remaining-l.inflight, 0)
	if remaining == 0 {
		l.until = later(l.until, reset.Add(l.jitter()))
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
