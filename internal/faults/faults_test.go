package faults

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	gosync "sync"
	"testing"
)

// served counts what reached the fake behind the injector.
type served struct {
	mu gosync.Mutex
	n  int
}

func (s *served) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.n++
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{"a":1,"b":{"a":2,"c":[{"a":3}]}}`)
}

func (s *served) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

func start(t *testing.T, in *Injector) (*httptest.Server, *served) {
	t.Helper()
	s := &served{}
	ts := httptest.NewServer(in.Middleware(s))
	t.Cleanup(ts.Close)
	return ts, s
}

func get(t *testing.T, c *http.Client, url string) (int, string, error) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

func TestSkipTimesPerURI(t *testing.T) {
	in := New(1)
	in.Add(Rule{Path: "/p/*", Skip: 1, Times: 2, PerURI: true, Kind: Status, Status: 503})
	ts, _ := start(t, in)
	var got []string
	for _, p := range []string{"/p/1", "/p/1", "/p/2", "/p/1", "/p/1", "/p/2", "/q"} {
		code, _, err := get(t, ts.Client(), ts.URL+p)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprint(p, ":", code))
	}
	want := "[/p/1:200 /p/1:503 /p/2:200 /p/1:503 /p/1:200 /p/2:503 /q:200]"
	if fmt.Sprint(got) != want {
		t.Errorf("got %v\nwant %s", got, want)
	}
	if in.Hits() != 3 {
		t.Errorf("%d hits, want 3", in.Hits())
	}
}

func TestRateIsSeeded(t *testing.T) {
	pattern := func(seed uint64) string {
		in := New(seed)
		in.Add(Rule{Rate: 0.5, Kind: Status, Status: 500})
		ts, _ := start(t, in)
		var b strings.Builder
		for range 40 {
			code, _, _ := get(t, ts.Client(), ts.URL)
			b.WriteString(map[int]string{200: ".", 500: "x"}[code])
		}
		return b.String()
	}
	a, b, c := pattern(7), pattern(7), pattern(8)
	if a != b || a == c || !strings.Contains(a, "x") || !strings.Contains(a, ".") {
		t.Errorf("seed 7: %s, again: %s, seed 8: %s", a, b, c)
	}
}

func TestKinds(t *testing.T) {
	for _, tc := range []struct {
		name       string
		rule       Rule
		wantErr    bool
		wantBody   string
		wantServed int
	}{
		{"hang-up", Rule{Kind: HangUp}, true, "", 0},
		{"drop after write", Rule{Kind: DropAfterWrite}, true, "", 1},
		{"cut body", Rule{Kind: CutBody}, true, "", 1},
		{"half body", Rule{Kind: Rewrite, Transform: HalfBody}, false, `{"a":1,"b":{"a":`, 1},
		{"bad json", Rule{Kind: Rewrite, Transform: BadJSON}, false, `{"bad json`, 1},
		{"drop key", Rule{Kind: Rewrite, Transform: DropKey("a")}, false, `{"b":{"c":[{}]}}`, 1},
		{"status", Rule{Kind: Status, Status: 429, Body: "slow down"}, false, "slow down", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := New(1)
			in.Add(tc.rule)
			ts, s := start(t, in)
			c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
			_, body, err := get(t, c, ts.URL)
			if (err != nil) != tc.wantErr || (!tc.wantErr && body != tc.wantBody) || s.count() != tc.wantServed {
				t.Errorf("body %q, error %v, fake served %d; want error %t, body %q, served %d", body, err, s.count(), tc.wantErr, tc.wantBody, tc.wantServed)
			}
		})
	}
}

func TestRemoveAndClear(t *testing.T) {
	in := New(1)
	remove := in.Add(Rule{Kind: Status, Status: 500})
	ts, _ := start(t, in)
	if code, _, _ := get(t, ts.Client(), ts.URL); code != 500 {
		t.Fatalf("rule not applied: %d", code)
	}
	remove()
	if code, _, _ := get(t, ts.Client(), ts.URL); code != 200 {
		t.Errorf("removed rule still applied: %d", code)
	}
	in.Add(Rule{Kind: Status, Status: 500})
	in.Clear()
	if code, _, _ := get(t, ts.Client(), ts.URL); code != 200 {
		t.Errorf("cleared rule still applied: %d", code)
	}
}
