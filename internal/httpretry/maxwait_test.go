package httpretry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// resetIn is a spent bucket whose reset is d after c's time, as a 429 or a last 200 says it.
func resetIn(c *clock, d time.Duration) http.Header {
	return header(100, 0, strconv.FormatInt(c.t.Add(d).Unix(), 10))
}

// realClock starts at the wall clock's second, for tests whose contexts have real deadlines.
func realClock() *clock { return &clock{t: time.Unix(time.Now().Unix(), 0)} }

// A reset hours away is a lie or a broken clock: the request fails at once, naming the header,
// instead of holding the run for hours (or, as before, for a minute and then asking again).
func TestPacer_FarResetFailsAtOnce(t *testing.T) {
	c := newClock()
	var s sleeps
	p := NewPacer("svc", ClickUpHeaders, Policy{Sleep: s.sleep, Now: c.now, Rand: noJitter})
	retry, err := p.Retry(t.Context(), Attempt{Idempotent: true, Status: 429, Header: resetIn(c, 10*time.Hour)})
	if retry || !errors.Is(err, core.ErrRateLimited) {
		t.Fatalf("Retry = %t, %v; want to give up with ErrRateLimited", retry, err)
	}
	const want = "X-RateLimit-Reset announces a reset in 10h0m0s, more than SYNC_RATE_LIMIT_MAX_WAIT (2m0s)"
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not say %q", err, want)
	}
	var we *WaitError
	if !errors.As(err, &we) || we.Header != ClickUpHeaders.Reset || we.Reset != 10*time.Hour {
		t.Errorf("error %#v is not a WaitError naming the header and the reset", err)
	}
	if len(s.got) != 0 {
		t.Errorf("waited %v", s.got)
	}
	// Nothing of the refused announcement is kept: the next request goes at once, and the
	// service answers it afresh.
	if err := p.Wait(t.Context()); err != nil || len(s.got) != 0 {
		t.Errorf("the next request: %v after waits %v; want none", err, s.got)
	}
}

// A successful answer that spends the budget until a far reset fails the next request at once,
// and only that one: the daemon's next runs ask the service again.
func TestPacer_FarResetOfASuccessFailsTheNextRequest(t *testing.T) {
	c := newClock()
	var s sleeps
	p := NewPacer("svc", OktaHeaders, Policy{Sleep: s.sleep, Now: c.now, Rand: noJitter})
	h := http.Header{}
	h.Set(OktaHeaders.Limit, "100")
	h.Set(OktaHeaders.Remaining, "0")
	h.Set(OktaHeaders.Reset, strconv.FormatInt(c.t.Add(10*time.Hour).Unix(), 10))
	if err := p.Wait(t.Context()); err != nil {
		t.Fatal(err)
	}
	if retry, err := p.Retry(t.Context(), Attempt{Idempotent: true, Status: 200, Header: h}); retry || err != nil {
		t.Fatalf("Retry of a 200 = %t, %v", retry, err)
	}
	err := p.Wait(t.Context())
	if !errors.Is(err, core.ErrRateLimited) || !strings.Contains(err.Error(), "X-Rate-Limit-Reset announces a reset in 10h0m0s, more than SYNC_RATE_LIMIT_MAX_WAIT (2m0s)") {
		t.Fatalf("the next request: %v; want it refused, naming the header", err)
	}
	if len(s.got) != 0 {
		t.Errorf("waited %v", s.got)
	}
	if err := p.Wait(t.Context()); err != nil || len(s.got) != 0 {
		t.Errorf("a later request: %v after waits %v; the refused reset poisoned the limiter", err, s.got)
	}
}

// MaxWait is two minutes unless set; a reset within it is waited for, whole.
func TestPacer_MaxWait(t *testing.T) {
	for _, tc := range []struct {
		name    string
		maxWait time.Duration
		reset   time.Duration
		wait    time.Duration // 0: refused
	}{
		{"default, within", 0, 100 * time.Second, 100 * time.Second},
		{"default, beyond", 0, 121 * time.Second, 0},
		{"set, within", 10 * time.Minute, 9 * time.Minute, 9 * time.Minute},
		{"set, beyond", 30 * time.Second, 31 * time.Second, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newClock()
			var s sleeps
			p := NewPacer("svc", ClickUpHeaders, Policy{MaxWait: tc.maxWait, Sleep: s.sleep, Now: c.now, Rand: noJitter})
			retry, err := p.Retry(t.Context(), Attempt{Idempotent: true, Status: 429, Header: resetIn(c, tc.reset)})
			if tc.wait == 0 {
				if retry || !errors.Is(err, core.ErrRateLimited) || len(s.got) != 0 {
					t.Errorf("Retry = %t, %v after %v; want refused at once", retry, err, s.got)
				}
				return
			}
			if !retry || err != nil || fmt.Sprint(s.got) != fmt.Sprint([]time.Duration{tc.wait}) {
				t.Errorf("Retry = %t, %v after %v; want one wait of %v", retry, err, s.got, tc.wait)
			}
		})
	}
}

// No wait runs past the context's deadline: a reset after it fails the request at once, naming
// the header and the deadline.
func TestPacer_ResetPastTheDeadlineFailsAtOnce(t *testing.T) {
	c := realClock()
	var s sleeps
	p := NewPacer("svc", ClickUpHeaders, Policy{Sleep: s.sleep, Now: c.now, Rand: noJitter})
	ctx, cancel := context.WithDeadline(t.Context(), c.t.Add(30*time.Second))
	defer cancel()
	retry, err := p.Retry(ctx, Attempt{Idempotent: true, Status: 429, Header: resetIn(c, 90*time.Second)})
	if retry || !errors.Is(err, core.ErrRateLimited) || len(s.got) != 0 {
		t.Fatalf("Retry = %t, %v after %v; want refused at once", retry, err, s.got)
	}
	if !strings.Contains(err.Error(), "X-RateLimit-Reset announces a reset in 1m30s, after the deadline of the run (in 30s, SYNC_RUN_TIMEOUT)") {
		t.Errorf("error %q does not name the header and the deadline", err)
	}
	// The same for a budget already spent, at the next request.
	p.Retry(t.Context(), Attempt{Idempotent: true, Status: 200, Header: resetIn(c, 90*time.Second)})
	if err := p.Wait(ctx); !errors.Is(err, core.ErrRateLimited) || len(s.got) != 0 {
		t.Errorf("Wait = %v after %v; want refused at once", err, s.got)
	}
}

// A limiter keeps what a reset announced only until that reset: a daemon's later run finds it
// free, whatever the earlier runs heard.
func TestLimiter_StateEndsAtTheReset(t *testing.T) {
	c := newClock()
	l := NewLimiter(ClickUpHeaders, fixedPolicy(c))
	l.Observe(resetIn(c, 90*time.Second))
	if d, err := l.Reserve(time.Time{}); d != 90*time.Second || err != nil {
		t.Fatalf("Reserve = %v, %v; want to wait for the reset", d, err)
	}
	l.Observe(nil)
	c.add(91 * time.Second)
	for i := range 3 {
		if d, err := l.Reserve(time.Time{}); d != 0 || err != nil {
			t.Errorf("request %d after the reset: Reserve = %v, %v", i, d, err)
		}
	}
	// A throttled 429 likewise.
	if _, ok, err := l.Throttled(resetIn(c, 45*time.Second), time.Time{}); !ok || err != nil {
		t.Fatalf("Throttled = %t, %v", ok, err)
	}
	c.add(46 * time.Second)
	if d, err := l.Reserve(time.Time{}); d != 0 || err != nil {
		t.Errorf("after a 429's reset: Reserve = %v, %v", d, err)
	}
}
