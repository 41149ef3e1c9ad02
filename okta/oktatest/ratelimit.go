package oktatest

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/okta-clickup-sync/okta-clickup-sync/internal/faults"
)

// rateLimiter is a fixed one-minute window per bucket, which is how Okta resets its org limits.
type rateLimiter struct {
	limit int
	// byPrefix overrides limit for the buckets whose name starts with a key (SetBucketRateLimit).
	byPrefix map[string]int
	buckets  map[string]*window
}

// limitOf returns the per-minute limit of bucket; the caller holds s.mu.
func (r *rateLimiter) limitOf(bucket string) int {
	limit, best := r.limit, -1
	for p, l := range r.byPrefix {
		if len(p) > best && strings.HasPrefix(bucket, p) {
			limit, best = l, len(p)
		}
	}
	return limit
}

type window struct {
	start int64 // Unix seconds at the start of the minute
	count int
}

func newRateLimiter(limit int) rateLimiter {
	return rateLimiter{limit: limit, buckets: make(map[string]*window)}
}

// takeRate counts the request against its bucket and sets the X-Rate-Limit-* headers, which
// Okta sends on every response and the SDK needs on a 429 to compute its wait. It reports false
// when the bucket is exhausted.
func (s *Server) takeRate(w http.ResponseWriter, bucket string) bool {
	now := time.Now().Unix()
	start := now - now%60

	s.mu.Lock()
	b := s.rate.buckets[bucket]
	if b == nil || b.start != start {
		b = &window{start: start}
		s.rate.buckets[bucket] = b
	}
	limit := s.rate.limitOf(bucket)
	ok := b.count < limit
	if ok {
		b.count++
	}
	remaining := max(limit-b.count, 0)
	s.mu.Unlock()

	h := w.Header()
	h.Set("X-Rate-Limit-Limit", strconv.Itoa(limit))
	h.Set("X-Rate-Limit-Remaining", strconv.Itoa(remaining))
	h.Set("X-Rate-Limit-Reset", strconv.FormatInt(start+60, 10))
	return ok
}

// RateLimited is a 429 as Okta sends it, with the bucket spent until reset. reset is the value
// of X-Rate-Limit-Reset, so a test can send epoch seconds, epoch milliseconds or garbage.
func RateLimited(reset string) faults.Rule {
	h := http.Header{}
	h.Set("X-Rate-Limit-Limit", "100")
	h.Set("X-Rate-Limit-Remaining", "0")
	h.Set("X-Rate-Limit-Reset", reset)
	return faults.Rule{Kind: faults.Status, Status: http.StatusTooManyRequests, Header: h,
		Body: `{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit due to too many requests.","errorLink":"E0000047","errorId":"oaefault","errorCauses":[]}`}
}

// ResetIn is an X-Rate-Limit-Reset value d from now, in epoch seconds or, with ms, milliseconds.
func ResetIn(d time.Duration, ms bool) string {
	t := time.Now().Add(d)
	if ms {
		return strconv.FormatInt(t.UnixMilli(), 10)
	}
	return strconv.FormatInt(t.Unix(), 10)
}
