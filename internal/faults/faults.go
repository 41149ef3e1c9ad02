// Package faults is the fault injection the fake Okta org and the fake ClickUp share: an
// http middleware that, for the requests a rule matches, answers an error instead of the fake,
// delays it, hangs up, spoils the fake's answer, or applies the request and drops the connection
// before the answer. Randomness is seeded, so a failing run can be replayed.
package faults

import (
	"bytes"
	"context"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path"
	"strconv"
	"strings"
	gosync "sync"
	"time"
)

// Kind is what a rule does to a request it hits.
type Kind int

const (
	// Status answers Status, Header and Body without the fake seeing the request.
	Status Kind = iota
	// Latency waits Latency, then lets the fake answer.
	Latency
	// HangUp closes the connection without an answer; the fake never sees the request.
	HangUp
	// DropAfterWrite lets the fake apply the request, then closes the connection before the
	// answer: the client cannot tell whether the change was made.
	DropAfterWrite
	// CutBody sends the fake's status and headers and half its body, announcing the full
	// length, then closes the connection: a transfer cut off midway.
	CutBody
	// Rewrite lets the fake answer and passes its body through Transform: a well-delivered
	// answer with wrong content.
	Rewrite
)

// Rule selects requests and says what to do to them.
type Rule struct {
	Method string // "" matches any
	// Path is a path.Match pattern for the URL path ("*" is one segment); "" matches any.
	Path string
	// Query, when set, must occur in the raw query, e.g. "startIndex=3" or "after=".
	Query string
	// Rate is the chance that a matching request is hit, from the injector's seeded source;
	// 0 means always.
	Rate float64
	// Skip lets the first Skip matching requests through; Times, when positive, bounds the hits.
	// With PerURI both count per distinct method and request URI, so "the first request for each
	// page fails, its retry succeeds" is Times: 1, PerURI: true.
	Skip, Times int
	PerURI      bool

	Kind   Kind
	Status int // for Status; default 500
	Body   string
	// Header is sent with a Status answer; on a Rewrite it replaces the fake's values of its
	// keys (a raw Link header, say), and an empty value removes the key.
	Header    http.Header
	Latency   time.Duration
	Transform func([]byte) []byte
}

// Injector holds the rules. It is safe for concurrent use and may be changed while requests
// are served.
type Injector struct {
	mu    gosync.Mutex
	rules []*rule
	rand  *rand.Rand
	sleep func(context.Context, time.Duration) error
	hits  int
}

type rule struct {
	Rule
	seen map[string]int // matching requests, by URI when PerURI, else under ""
	hits map[string]int
}

// New returns an injector without rules, its randomness seeded with seed.
func New(seed uint64) *Injector {
	return &Injector{rand: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), sleep: sleepTimer}
}

// Seed restarts the random source.
func (in *Injector) Seed(seed uint64) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.rand = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// SetSleep replaces the wait of Latency rules, so tests can record latency instead of spending
// it; nil restores the timer.
func (in *Injector) SetSleep(f func(context.Context, time.Duration) error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if f == nil {
		f = sleepTimer
	}
	in.sleep = f
}

// Add adds a rule and returns a function that removes it. Rules are tried in the order added;
// the first that hits a request decides.
func (in *Injector) Add(r Rule) (remove func()) {
	in.mu.Lock()
	defer in.mu.Unlock()
	rr := &rule{Rule: r, seen: map[string]int{}, hits: map[string]int{}}
	in.rules = append(in.rules, rr)
	return func() {
		in.mu.Lock()
		defer in.mu.Unlock()
		for i, x := range in.rules {
			if x == rr {
				in.rules = append(in.rules[:i], in.rules[i+1:]...)
				return
			}
		}
	}
}

// Clear removes every rule.
func (in *Injector) Clear() {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.rules = nil
}

// Hits is how many requests rules have hit so far.
func (in *Injector) Hits() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.hits
}

// pick returns the rule that hits r, if any, and the sleeper to use.
func (in *Injector) pick(r *http.Request) (*Rule, func(context.Context, time.Duration) error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	for _, rr := range in.rules {
		if !rr.matches(r) {
			continue
		}
		key := ""
		if rr.PerURI {
			key = r.Method + " " + r.URL.RequestURI()
		}
		rr.seen[key]++
		if rr.seen[key] <= rr.Skip || (rr.Times > 0 && rr.hits[key] >= rr.Times) {
			continue
		}
		if rr.Rate > 0 && in.rand.Float64() >= rr.Rate {
			continue
		}
		rr.hits[key]++
		in.hits++
		out := rr.Rule
		return &out, in.sleep
	}
	return nil, nil
}

func (r *rule) matches(req *http.Request) bool {
	if r.Method != "" && !strings.EqualFold(r.Method, req.Method) {
		return false
	}
	if r.Path != "" {
		if ok, _ := path.Match(r.Path, req.URL.Path); !ok {
			return false
		}
	}
	return r.Query == "" || strings.Contains(req.URL.RawQuery, r.Query)
}

// Middleware applies the rules around next, the fake.
func (in *Injector) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r, sleep := in.pick(req)
		if r == nil {
			next.ServeHTTP(w, req)
			return
		}
		switch r.Kind {
		case Status:
			for k, vs := range r.Header {
				w.Header()[k] = append([]string(nil), vs...)
			}
			if w.Header().Get("Content-Type") == "" {
				w.Header().Set("Content-Type", "application/json")
			}
			st := r.Status
			if st == 0 {
				st = http.StatusInternalServerError
			}
			w.WriteHeader(st)
			_, _ = w.Write([]byte(r.Body))
		case Latency:
			if err := sleep(req.Context(), r.Latency); err != nil {
				return
			}
			next.ServeHTTP(w, req)
		case HangUp:
			hangUp(w)
		case DropAfterWrite:
			next.ServeHTTP(httptest.NewRecorder(), req)
			hangUp(w)
		case CutBody:
			rec := record(next, req)
			copyHeader(w, rec)
			body := rec.Body.Bytes()
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.WriteHeader(rec.Code)
			_, _ = w.Write(body[:len(body)/2])
			_ = http.NewResponseController(w).Flush()
			hangUp(w)
		case Rewrite:
			rec := record(next, req)
			body := rec.Body.Bytes()
			if r.Transform != nil {
				body = r.Transform(bytes.Clone(body))
			}
			copyHeader(w, rec)
			for k, vs := range r.Header {
				w.Header().Del(k)
				for _, v := range vs {
					if v != "" {
						w.Header().Add(k, v)
					}
				}
			}
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.WriteHeader(rec.Code)
			_, _ = w.Write(body)
		}
	})
}

func record(next http.Handler, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, req)
	return rec
}

func copyHeader(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	for k, vs := range rec.Header() {
		w.Header()[k] = vs
	}
}

// hangUp closes the client's connection without a word. Should the writer not allow it (HTTP/2),
// panicking with ErrAbortHandler has the server reset the stream, which looks the same to a
// client.
func hangUp(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

func sleepTimer(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
