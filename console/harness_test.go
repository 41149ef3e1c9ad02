package console

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

const testToken = "console-token-7f3a9c2e5b1d4f60"

// clock is the console's injected clock.
type clock struct {
	mu  gosync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// syncBuffer collects log lines written from handler goroutines.
type syncBuffer struct {
	mu  gosync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// harness is a console over the fixture's state file, driven in process.
type harness struct {
	t     testing.TB
	h     http.Handler
	f     *fixture
	ap    *approver
	clock *clock
	logs  *syncBuffer
	host  string
}

func newHarness(t testing.TB, mods ...func(*Options)) *harness {
	t.Helper()
	f := newFixture(t)
	hs := &harness{t: t, f: f, ap: &approver{f: f}, clock: &clock{now: t0.Add(3 * time.Hour)}, logs: &syncBuffer{}, host: "sync.example.com"}
	opt := Options{
		Token:   testToken,
		Store:   StoreReader(f.st),
		Approve: hs.ap.approve,
		Log:     zerolog.New(hs.logs),
		Now:     hs.clock.Now,
	}
	for _, m := range mods {
		m(&opt)
	}
	h, err := New(opt)
	if err != nil {
		t.Fatal(err)
	}
	hs.h = h
	return hs
}

type reqOpt func(*http.Request)

func withCookie(c *http.Cookie) reqOpt {
	return func(r *http.Request) {
		if c != nil {
			r.AddCookie(c)
		}
	}
}

func withHeader(k, v string) reqOpt { return func(r *http.Request) { r.Header.Set(k, v) } }

func (hs *harness) do(method, target string, body io.Reader, opts ...reqOpt) *http.Response {
	hs.t.Helper()
	r := httptest.NewRequest(method, target, body)
	r.Host = hs.host
	r.RemoteAddr = "203.0.113.7:51000"
	if body != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for _, o := range opts {
		o(r)
	}
	w := httptest.NewRecorder()
	hs.h.ServeHTTP(w, r)
	return w.Result()
}

func (hs *harness) get(target string, opts ...reqOpt) *http.Response {
	return hs.do(http.MethodGet, target, nil, opts...)
}

func (hs *harness) post(target string, form url.Values, opts ...reqOpt) *http.Response {
	return hs.do(http.MethodPost, target, strings.NewReader(form.Encode()), opts...)
}

// signIn signs in with the token and returns the session cookie.
func (hs *harness) signIn() *http.Cookie {
	hs.t.Helper()
	resp := hs.post("/ui/signin", url.Values{"token": {testToken}, "next": {"/ui/"}})
	if resp.StatusCode != http.StatusSeeOther {
		hs.t.Fatalf("sign in: status %d, want 303", resp.StatusCode)
	}
	c := cookieNamed(resp, sessionCookie)
	if c == nil {
		hs.t.Fatal("sign in set no session cookie")
	}
	return c
}

// page gets a page as a signed-in browser and returns its body, failing unless the status is
// want.
func (hs *harness) page(target string, c *http.Cookie, want int) string {
	hs.t.Helper()
	resp := hs.get(target, withCookie(c))
	b := body(hs.t, resp)
	if resp.StatusCode != want {
		hs.t.Fatalf("GET %s: status %d, want %d\n%s", target, resp.StatusCode, want, b)
	}
	return b
}

func body(t testing.TB, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func cookieNamed(resp *http.Response, name string) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func csrfOf(t testing.TB, page string) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("page has no CSRF field")
	}
	return m[1]
}

var entryRowRE = regexp.MustCompile(`<tr data-action="([^"]*)" data-outcome="([^"]*)">`)

// rows returns the action and outcome of each entry row of a run page.
func rows(page string) [][2]string {
	var out [][2]string
	for _, m := range entryRowRE.FindAllStringSubmatch(page, -1) {
		out = append(out, [2]string{m[1], m[2]})
	}
	return out
}

var runRowRE = regexp.MustCompile(`<tr data-run="([^"]*)"`)

func runRows(page string) []string {
	var out []string
	for _, m := range runRowRE.FindAllStringSubmatch(page, -1) {
		out = append(out, m[1])
	}
	return out
}
