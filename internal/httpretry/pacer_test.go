package httpretry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"syscall"
	"testing"
	"time"

	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// sleeps records the waits asked of it and returns at once.
type sleeps struct{ got []time.Duration }

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.got = append(s.got, d)
	return ctx.Err()
}

// loop drives a pacer the way the clients do, with the outcome of each attempt from answer.
func loop(t *testing.T, ctx context.Context, p *Pacer, idempotent bool, answer func(n int) (int, http.Header, error)) (attempts int, err error) {
	t.Helper()
	for n := 0; ; n++ {
		if err := p.Wait(ctx); err != nil {
			return n, err
		}
		status, h, aerr := answer(n)
		retry, err := p.Retry(ctx, Attempt{N: n, Idempotent: idempotent, Status: status, Header: h, Err: aerr})
		if err != nil || !retry {
			return n + 1, err
		}
		if n > 100 {
			t.Fatal("the pacer never stops")
		}
	}
}

func TestPacer_RetriesAreBounded(t *testing.T) {
	for _, tc := range []struct {
		name       string
		idempotent bool
		status     int
		err        error
		want       int
	}{
		{"GET 503", true, 503, nil, 1 + DefaultMaxRetries},
		{"GET 500", true, 500, nil, 1 + DefaultMaxRetries},
		{"GET reset", true, 0, fmt.Errorf("read: %w", syscall.ECONNRESET), 1 + DefaultMaxRetries},
		{"GET timeout", true, 0, context.DeadlineExceeded, 1 + DefaultMaxRetries},
		{"GET refused", true, 0, syscall.ECONNREFUSED, 1},
		{"GET 400", true, 400, nil, 1},
		{"GET 401", true, 401, nil, 1},
		{"GET 501", true, 501, nil, 1},
		{"POST 503", false, 503, nil, 1},
		{"POST reset", false, 0, syscall.ECONNRESET, 1},
		{"POST 429", false, 429, nil, 1 + DefaultMaxRetries},
		{"GET 200", true, 200, nil, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var s sleeps
			p := NewPacer("svc", ClickUpHeaders, Policy{Sleep: s.sleep, Rand: noJitter})
			n, err := loop(t, t.Context(), p, tc.idempotent, func(int) (int, http.Header, error) { return tc.status, nil, tc.err })
			if err != nil || n != tc.want {
				t.Fatalf("%d attempts, %v; want %d", n, err, tc.want)
			}
			if len(s.got) != n-1 {
				t.Errorf("%d waits for %d attempts", len(s.got), n)
			}
		})
	}
}

func TestPacer_BackoffGrowsAndIsCapped(t *testing.T) {
	var s sleeps
	p := NewPacer("svc", ClickUpHeaders, Policy{MaxRetries: 6, BaseDelay: time.Second, MaxDelay: 5 * time.Second, Sleep: s.sleep, Rand: func() float64 { return 0.5 }})
	loop(t, t.Context(), p, true, func(int) (int, http.Header, error) { return 502, nil, nil })
	// Three quarters of 1, 2, 4, 5, 5, 5 seconds.
	want := []time.Duration{750 * time.Millisecond, 1500 * time.Millisecond, 3 * time.Second, 3750 * time.Millisecond, 3750 * time.Millisecond, 3750 * time.Millisecond}
	if fmt.Sprint(s.got) != fmt.Sprint(want) {
		t.Errorf("waits %v, want %v", s.got, want)
	}
}

func TestPacer_429WaitsForTheReset(t *testing.T) {
	for _, tc := range []struct{ name, reset string }{{"seconds", "1700000005"}, {"milliseconds", "1700000005000"}} {
		t.Run(tc.name, func(t *testing.T) {
			var s sleeps
			c := newClock()
			p := NewPacer("svc", ClickUpHeaders, Policy{Sleep: s.sleep, Now: c.now, Rand: noJitter})
			n, err := loop(t, t.Context(), p, true, func(n int) (int, http.Header, error) {
				if n < 2 {
					h := header(100, 0, tc.reset)
					return 429, h, nil
				}
				c.add(5 * time.Second)
				return 200, header(100, 99, "1700000065"), nil
			})
			if err != nil || n != 3 {
				t.Fatalf("%d attempts, %v; want 3", n, err)
			}
			// Each 429 asks for the reset, and the limiter holds the next request until then.
			for i, d := range s.got {
				if d != 5*time.Second {
					t.Errorf("wait %d is %v, want 5s (all waits %v)", i, d, s.got)
				}
			}
			if len(s.got) == 0 {
				t.Error("no wait")
			}
		})
	}
}

func TestPacer_NoWaitPastTheDeadline(t *testing.T) {
	var s sleeps
	c := realClock()
	p := NewPacer("svc", ClickUpHeaders, Policy{Sleep: s.sleep, Now: c.now, Rand: noJitter})
	ctx, cancel := context.WithDeadline(t.Context(), c.t.Add(10*time.Second))
	defer cancel()
	h := http.Header{}
	h.Set(ClickUpHeaders.Reset, strconv.FormatInt(c.t.Add(30*time.Second).Unix(), 10))
	retry, err := p.Retry(ctx, Attempt{Idempotent: true, Status: 429, Header: h})
	if retry || !errors.Is(err, core.ErrRateLimited) || len(s.got) != 0 {
		t.Errorf("Retry = %t, %v after waits %v; want to give up at once, rate limited", retry, err, s.got)
	}
}

func TestPacer_CanceledWait(t *testing.T) {
	p := NewPacer("svc", ClickUpHeaders, Policy{Rand: noJitter, BaseDelay: time.Hour})
	ctx, cancel := context.WithCancel(t.Context())
	p.policy.Sleep = func(ctx context.Context, d time.Duration) error { cancel(); return TimerSleep(ctx, d) }
	retry, err := p.Retry(ctx, Attempt{Idempotent: true, Status: 503})
	if retry || !errors.Is(err, context.Canceled) {
		t.Errorf("Retry = %t, %v; want context.Canceled", retry, err)
	}
}

func TestPacer_OnResponse(t *testing.T) {
	var got []string
	p := NewPacer("clickup scim", ClickUpHeaders, Policy{Sleep: (&sleeps{}).sleep, Rand: noJitter,
		OnResponse: func(svc string, status int) { got = append(got, fmt.Sprint(svc, " ", status)) }})
	loop(t, t.Context(), p, true, func(n int) (int, http.Header, error) {
		switch n {
		case 0:
			return 0, nil, syscall.ECONNRESET
		case 1:
			return 503, nil, nil
		}
		return 200, nil, nil
	})
	if fmt.Sprint(got) != "[clickup scim 0 clickup scim 503 clickup scim 200]" {
		t.Errorf("OnResponse saw %v", got)
	}
}

// Buckets are paced apart: one spent does not hold another, and a 429 holds only its own.
func TestPacer_BucketsArePacedApart(t *testing.T) {
	var s sleeps
	c := newClock()
	p := NewPacer("svc", OktaHeaders, Policy{Sleep: s.sleep, Now: c.now, Rand: noJitter})
	spent := http.Header{}
	spent.Set(OktaHeaders.Limit, "100")
	spent.Set(OktaHeaders.Remaining, "0")
	spent.Set(OktaHeaders.Reset, "1700000030")
	if err := p.WaitBucket(t.Context(), "/api/v1/apps/{id}/users"); err != nil {
		t.Fatal(err)
	}
	p.Retry(t.Context(), Attempt{Status: 200, Header: spent, Bucket: "/api/v1/apps/{id}/users"})
	p.WaitBucket(t.Context(), "/api/v1/groups/{id}/users")
	if len(s.got) != 0 {
		t.Errorf("another bucket waits %v", s.got)
	}
	p.WaitBucket(t.Context(), "/api/v1/apps/{id}/users")
	if fmt.Sprint(s.got) != "[30s]" {
		t.Errorf("the spent bucket waits %v, want [30s]", s.got)
	}
}
