package httpretry

import (
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"
)

// clock is a fake time source the tests move by hand.
type clock struct{ t time.Time }

func (c *clock) now() time.Time      { return c.t }
func (c *clock) add(d time.Duration) { c.t = c.t.Add(d) }
func newClock() *clock               { return &clock{t: time.Unix(1_700_000_000, 0)} }
func noJitter() float64              { return 0 }
func fixedPolicy(c *clock) Policy    { return Policy{Now: c.now, Rand: noJitter} }
func header(limit, remaining int, reset string) http.Header {
	h := http.Header{}
	h.Set(ClickUpHeaders.Limit, strconv.Itoa(limit))
	h.Set(ClickUpHeaders.Remaining, strconv.Itoa(remaining))
	h.Set(ClickUpHeaders.Reset, reset)
	return h
}

func TestParseReset(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	for _, tc := range []struct {
		v    string
		want time.Time
		ok   bool
	}{
		{"1700000030", now.Add(30 * time.Second), true},
		{"1700000030500", now.Add(30*time.Second + 500*time.Millisecond), true}, // milliseconds
		{"1700000000000", now, true},
		{"30", now.Add(30 * time.Second), true}, // seconds from now
		{" 1700000001 ", now.Add(time.Second), true},
		{"1700000001.5", now.Add(1500 * time.Millisecond), true},
		{"", time.Time{}, false},
		{"soon", time.Time{}, false},
		{"-5", time.Time{}, false},
		{"1e300", time.Time{}, false},
		{"NaN", time.Time{}, false},
	} {
		got, ok := ParseReset(tc.v, now)
		if ok != tc.ok || !got.Equal(tc.want) {
			t.Errorf("ParseReset(%q) = %v, %t; want %v, %t", tc.v, got, ok, tc.want, tc.ok)
		}
	}
}

func reserveN(l *Limiter, n int) []time.Duration {
	var out []time.Duration
	for range n {
		out = append(out, reserve(l))
	}
	return out
}

// reserve is l.Reserve without a deadline; a refusal shows as -1.
func reserve(l *Limiter) time.Duration {
	d, err := l.Reserve(time.Time{})
	if err != nil {
		return -1
	}
	return d
}

func TestLimiter_ComfortableBudgetDoesNotWait(t *testing.T) {
	c := newClock()
	l := NewLimiter(ClickUpHeaders, fixedPolicy(c))
	if d := reserve(l); d != 0 {
		t.Fatalf("first request waits %v before any answer", d)
	}
	l.Observe(header(100, 50, "1700000030"))
	for i, d := range reserveN(l, 20) {
		if d != 0 {
			t.Fatalf("request %d waits %v with half the budget left", i, d)
		}
	}
}

func TestLimiter_BudgetGoesAtOnceThenWaitsForReset(t *testing.T) {
	c := newClock()
	l := NewLimiter(ClickUpHeaders, fixedPolicy(c))
	// 5 requests left for 20 seconds: 5 go at once, the 6th and 7th wait for the reset.
	l.Observe(header(100, 5, "1700000020"))
	got := reserveN(l, 7)
	want := []time.Duration{0, 0, 0, 0, 0, 20 * time.Second, 20 * time.Second}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("waits %v, want %v", got, want)
	}
	for range 7 {
		l.Observe(nil)
	}

	// Time passes and the window resets with a full budget: no wait.
	c.add(21 * time.Second)
	l.Observe(header(100, 97, "1700000081"))
	if got := reserveN(l, 97); fmt.Sprint(got) != fmt.Sprint(make([]time.Duration, 97)) {
		t.Errorf("after the reset requests wait %v", got)
	}
	if d := reserve(l); d != 60*time.Second {
		t.Errorf("request past the new budget waits %v, want 60s", d)
	}
}

// The requests still in flight when an answer comes may not be counted in it yet.
func TestLimiter_InFlightComeOutOfTheBudget(t *testing.T) {
	c := newClock()
	l := NewLimiter(ClickUpHeaders, fixedPolicy(c))
	reserveN(l, 4)                          // 4 in flight
	l.Observe(header(100, 5, "1700000020")) // one answered: 3 more in flight
	got := reserveN(l, 3)
	if fmt.Sprint(got) != "[0s 0s 20s]" {
		t.Errorf("waits %v, want [0s 0s 20s]: 5 left less 3 in flight", got)
	}

	// A request never sent gives its place back.
	l = NewLimiter(ClickUpHeaders, fixedPolicy(c))
	reserve(l)
	l.Release()
	reserve(l)
	l.Observe(header(100, 2, "1700000020")) // nothing else in flight: 2 go
	if got := reserveN(l, 3); fmt.Sprint(got) != "[0s 0s 20s]" {
		t.Errorf("waits %v after a release, want [0s 0s 20s]", got)
	}
}

func TestLimiter_StaleAnswerDoesNotUndoTheBudget(t *testing.T) {
	c := newClock()
	l := NewLimiter(ClickUpHeaders, fixedPolicy(c))
	l.Observe(header(100, 2, "1700000010"))
	l.Observe(header(100, 60, "1700000010")) // overtaken on the wire by the one above
	if got := reserveN(l, 3); got[2] != 10*time.Second {
		t.Errorf("waits %v; a stale answer lifted the budget", got)
	}
}

// Once the reset has passed, the window's full budget goes without a wait.
func TestLimiter_WindowOverRestoresTheLimit(t *testing.T) {
	c := newClock()
	l := NewLimiter(ClickUpHeaders, fixedPolicy(c))
	l.Observe(header(3, 1, "1700000010"))
	if got := reserveN(l, 2); fmt.Sprint(got) != "[0s 10s]" {
		t.Fatalf("waits %v, want [0s 10s]", got)
	}
	// The second request already counts against the next window: two more may go in it.
	c.add(11 * time.Second)
	if got := reserveN(l, 2); fmt.Sprint(got) != "[0s 0s]" {
		t.Errorf("waits %v in the next window, want none", got)
	}
	// An answer whose reset has passed names no budget.
	l.Observe(header(3, 0, "1700000005"))
	if got := reserveN(l, 5); fmt.Sprint(got) != fmt.Sprint(make([]time.Duration, 5)) {
		t.Errorf("waits %v after an answer from a past window", got)
	}
}

func TestLimiter_SpentBudgetWaitsForReset(t *testing.T) {
	for _, tc := range []struct {
		name, reset string
	}{
		{"seconds", "1700000012"},
		{"milliseconds", "1700000012000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newClock()
			l := NewLimiter(ClickUpHeaders, fixedPolicy(c))
			l.Observe(header(100, 0, tc.reset))
			if d := reserve(l); d != 12*time.Second {
				t.Errorf("wait %v, want 12s", d)
			}
		})
	}
}

func TestLimiter_Throttled(t *testing.T) {
	for _, tc := range []struct {
		name, reset string
		jitter      float64
		want        time.Duration
		ok          bool
	}{
		{"seconds", "1700000007", 0, 7 * time.Second, true},
		{"milliseconds", "1700000007250", 0, 7250 * time.Millisecond, true},
		{"jitter", "1700000007", 0.5, 7*time.Second + DefaultRateLimitJitter/2, true},
		{"within MaxWait", "1700000120", 0, DefaultMaxWait, true},
		{"past", "1699999990", 0, 0, true},
		{"missing", "", 0, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newClock()
			l := NewLimiter(ClickUpHeaders, Policy{Now: c.now, Rand: func() float64 { return tc.jitter }})
			h := http.Header{}
			if tc.reset != "" {
				h.Set(ClickUpHeaders.Reset, tc.reset)
			}
			d, ok, err := l.Throttled(h, time.Time{})
			if d != tc.want || ok != tc.ok || err != nil {
				t.Fatalf("Throttled = %v, %t, %v; want %v, %t", d, ok, err, tc.want, tc.ok)
			}
			// Every other request of the service holds off as well.
			if got := reserve(l); got != tc.want {
				t.Errorf("next request waits %v, want %v", got, tc.want)
			}
		})
	}
}
