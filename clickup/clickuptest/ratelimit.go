package clickuptest

import (
	"fmt"
	"net/http"
	"strconv"
	gosync "sync"
	"time"
)

// limiter is ClickUp's per-token budget (reference §1.3): a fixed one-minute window that starts
// with the first request after the previous one ended.
type limiter struct {
	mu    gosync.Mutex
	limit int
	start time.Time
	used  int
}

func newLimiter(perMinute int) *limiter { return &limiter{limit: perMinute} }

func (l *limiter) set(perMinute int) {
	if perMinute < 0 {
		panic(fmt.Sprintf("clickuptest: rate limit %d is negative", perMinute))
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.limit, l.start, l.used = perMinute, time.Time{}, 0
}

// take counts one request and reports the header values and whether the request is allowed.
func (l *limiter) take(now time.Time) (limit, remaining int, reset time.Time, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.start.IsZero() || !now.Before(l.start.Add(time.Minute)) {
		l.start, l.used = now, 0
	}
	l.used++
	return l.limit, max(0, l.limit-l.used), l.start.Add(time.Minute), l.used <= l.limit
}

// limited sends X-RateLimit-* on every response, as clients read them from successes too, and
// answers 429 once the window's budget is spent.
func (s *Server) limited(l *limiter, tooMany func(http.ResponseWriter), next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit, remaining, reset, ok := l.take(s.opt.Now())
		// Epoch seconds, rounded up so that a client sleeping until then is never early.
		epoch := strconv.FormatInt((reset.UnixNano()+int64(time.Second)-1)/int64(time.Second), 10)
		setRateLimitHeaders(w.Header(), limit, remaining, epoch)
		if !ok {
			tooMany(w)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// setRateLimitHeaders sets ClickUp's X-RateLimit-* headers (reference §1.3); reset is the value
// of X-RateLimit-Reset as sent.
func setRateLimitHeaders(h http.Header, limit, remaining int, reset string) {
	h.Set("X-RateLimit-Limit", strconv.Itoa(limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
	h.Set("X-RateLimit-Reset", reset)
}
