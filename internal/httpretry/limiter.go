package httpretry

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
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
//
// Nothing it keeps outlives the reset that was announced with it, and a reset further away than
// a request may wait (Policy.MaxWait, or the context's deadline) fails that request with a
// *WaitError and is forgotten: a lying header costs one failed request, never the daemon's
// later runs. It is safe for concurrent use; one Limiter serves every request of a service or
// bucket.
type Limiter struct {
	names  Headers
	policy Policy

	mu sync.Mutex
	// hold is an announced reset before which no request starts (the budget is spent, or the
	// service answered 429); zero when none. holdJitter is added to the wait for it, drawn once
	// per hold, so the clients that all wait for one reset do not all go in the same instant.
	hold       time.Time
	holdJitter time.Duration
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

// NewLimiter returns a limiter reading the headers names; p gives its clock, jitter and MaxWait.
func NewLimiter(names Headers, p Policy) *Limiter {
	return &Limiter{names: names, policy: p.withDefaults(), budget: -1}
}

// Reserve takes the next slot and returns how long to wait before using it. A wait for a reset
// further away than MaxWait, or past deadline (zero for none), takes no slot: it returns a
// *WaitError, and a reset beyond MaxWait is forgotten. Every slot taken must be given back by
// Observe (with the answer's headers, or nil when none came) or Release.
func (l *Limiter) Reserve(deadline time.Time) (time.Duration, error) {
	now := l.policy.Now()
	limit := l.policy.waitLimit(now, deadline)
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.hold.IsZero() && !now.Before(l.hold) {
		l.hold, l.holdJitter = time.Time{}, 0 // the reset has come
	}
	if !l.reset.IsZero() && !l.start(now).Before(l.reset) {
		l.newWindow()
	}
	switch {
	case l.budget == 0 && l.reset.IsZero():
		l.budget = -1 // spent, and no answer yet said when the window ends
	case l.budget == 0:
		// Spent: this and every later request of the window wait for the reset, and count
		// against the next window.
		l.holdUntil(l.reset)
		l.newWindow()
	}
	if l.hold.IsZero() {
		l.take()
		return 0, nil
	}
	if err := limit.check(l.names.Reset, l.hold.Sub(now)); err != nil {
		l.forgetFar(now)
		return 0, err
	}
	l.take()
	return l.start(now).Sub(now), nil
}

// start expects l.mu held: when a request reserved now may go.
func (l *Limiter) start(now time.Time) time.Time {
	if l.hold.IsZero() {
		return now
	}
	return later(now, l.hold.Add(l.holdJitter))
}

// take expects l.mu held: one more request goes.
func (l *Limiter) take() {
	if l.budget > 0 {
		l.budget--
	}
	l.inflight++
}

// holdUntil expects l.mu held: no request before t.
func (l *Limiter) holdUntil(t time.Time) {
	if t.After(l.hold) {
		l.hold, l.holdJitter = t, l.jitter()
	}
}

// forgetFar expects l.mu held: a hold further away than MaxWait is believed by no request, so
// it is kept for none; the next request asks the service again.
func (l *Limiter) forgetFar(now time.Time) {
	if !l.hold.IsZero() && l.hold.Sub(now) > l.policy.MaxWait {
		l.hold, l.holdJitter = time.Time{}, 0
		l.newWindow()
	}
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
		// Kept even when far away: the next Reserve refuses it, naming the header, and forgets it.
		l.holdUntil(reset)
	}
}

// Throttled handles a 429: every request of the service waits until the reset the answer
// names. It returns that wait, with jitter, or false when the answer gave no usable reset. A
// reset past deadline (zero for none) is a *WaitError; one further away than MaxWait is too,
// and holds nothing.
func (l *Limiter) Throttled(h http.Header, deadline time.Time) (time.Duration, bool, error) {
	now := l.policy.Now()
	reset, ok := ParseReset(h.Get(l.names.Reset), now)
	if !ok {
		return 0, false, nil
	}
	reset = later(reset, now)
	l.mu.Lock()
	defer l.mu.Unlock()
	if reset.Sub(now) <= l.policy.MaxWait {
		l.holdUntil(reset) // the other requests wait for it, also when this one cannot
	} else {
		l.forgetFar(now) // the answer's X-*-Remaining: 0 announced the same reset
	}
	if err := l.policy.waitLimit(now, deadline).check(l.names.Reset, reset.Sub(now)); err != nil {
		return 0, false, err
	}
	return l.start(now).Sub(now), true, nil
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
