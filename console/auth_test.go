package console

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestNew_RefusesUnsafeOptions(t *testing.T) {
	f := newFixture(t)
	for name, opt := range map[string]Options{
		"no token":    {Store: StoreReader(f.st)},
		"short token": {Token: "hunter2", Store: StoreReader(f.st)},
		"no store":    {Token: testToken},
	} {
		if _, err := New(opt); err == nil {
			t.Errorf("%s: New succeeded", name)
		} else if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s: the error quotes the token: %v", name, err)
		}
	}
}

func TestSecurityHeaders_OnEveryResponse(t *testing.T) {
	hs := newHarness(t)
	c := hs.signIn()
	cases := []struct {
		name    string
		resp    *http.Response
		status  int
		noStore bool
	}{
		{"sign-in page", hs.get("/ui/signin"), 200, true},
		{"redirect to sign-in", hs.get("/ui/held"), 303, true},
		{"runs", hs.get("/ui/", withCookie(c)), 200, true},
		{"run", hs.get("/ui/runs/"+runHeld, withCookie(c)), 200, true},
		{"held", hs.get("/ui/held", withCookie(c)), 200, true},
		{"user", hs.get("/ui/users?q=alice@example.com", withCookie(c)), 200, true},
		{"unknown run", hs.get("/ui/runs/nope", withCookie(c)), 404, true},
		{"unknown page", hs.get("/ui/nope"), 404, true},
		{"wrong method", hs.do(http.MethodPut, "/ui/held", nil), 405, true},
		{"wrong token", hs.post("/ui/signin", url.Values{"token": {"wrong"}}), 401, true},
		{"cross-site post", hs.post("/ui/runs/"+runHeld+"/approve", nil, withCookie(c), withHeader("Origin", "https://evil.example")), 403, true},
		{"stylesheet", hs.get(cssPath(t, hs)), 200, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := tc.resp.Header
			if tc.resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", tc.resp.StatusCode, tc.status)
			}
			csp := h.Get("Content-Security-Policy")
			for _, d := range []string{"default-src 'none'", "style-src 'self'", "form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'"} {
				if !strings.Contains(csp, d) {
					t.Errorf("Content-Security-Policy %q lacks %q", csp, d)
				}
			}
			if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "script-src") {
				t.Errorf("Content-Security-Policy %q allows scripts", csp)
			}
			for k, v := range map[string]string{"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"} {
				if got := h.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			if tc.noStore && h.Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", h.Get("Cache-Control"))
			}
			if tc.status == 200 && tc.noStore && !strings.HasPrefix(h.Get("Content-Type"), "text/html; charset=utf-8") {
				t.Errorf("Content-Type = %q", h.Get("Content-Type"))
			}
		})
	}
}

func cssPath(t *testing.T, hs *harness) string {
	t.Helper()
	page := body(t, hs.get("/ui/signin"))
	i := strings.Index(page, "/ui/assets/console.css?v=")
	if i < 0 {
		t.Fatal("sign-in page links no stylesheet")
	}
	return page[i : i+strings.IndexByte(page[i:], '"')]
}

func TestPages_WithoutSessionRedirectToSignIn(t *testing.T) {
	hs := newHarness(t)
	for _, target := range []string{"/ui/", "/ui/runs/" + runHeld + "?action=deactivate", "/ui/held", "/ui/users?q=alice@example.com"} {
		for _, c := range []*http.Cookie{
			nil,
			{Name: sessionCookie, Value: "forged"},
			{Name: sessionCookie, Value: testToken}, // the token itself is not a session
		} {
			resp := hs.get(target, withCookie(c))
			b := body(t, resp)
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("GET %s with cookie %v: status %d, want 303", target, c, resp.StatusCode)
			}
			want := "/ui/signin?next=" + url.QueryEscape(target)
			if got := resp.Header.Get("Location"); got != want {
				t.Errorf("GET %s: Location %q, want %q", target, got, want)
			}
			if strings.Contains(b, "00uab") || strings.Contains(b, "vendor.io") || strings.Contains(b, "<table") {
				t.Errorf("GET %s without a session leaked data: %s", target, b)
			}
		}
	}
}

func TestSignIn_WrongTokenIs401WithoutCookieAndNotLogged(t *testing.T) {
	hs := newHarness(t)
	guess := "console-token-guess-0000000000"
	resp := hs.post("/ui/signin", url.Values{"token": {guess}, "next": {"/ui/held"}})
	b := body(t, resp)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("status %d, want 401", resp.StatusCode)
	}
	if len(resp.Cookies()) != 0 {
		t.Errorf("a wrong token set cookies: %v", resp.Cookies())
	}
	if !strings.Contains(b, "not the console token") {
		t.Errorf("the page does not say the token was wrong: %s", b)
	}
	if strings.Contains(b, guess) {
		t.Error("the page echoes the token typed")
	}
	logs := hs.logs.String()
	if !strings.Contains(logs, "console sign-in refused") {
		t.Errorf("the refusal was not logged: %s", logs)
	}
	if strings.Contains(logs, guess) || strings.Contains(logs, testToken) {
		t.Errorf("a token reached the log: %s", logs)
	}
}

func TestSignIn_SessionCookie(t *testing.T) {
	hs := newHarness(t)
	resp := hs.post("/ui/signin", url.Values{"token": {testToken}, "next": {"/ui/held"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/ui/held" {
		t.Fatalf("status %d to %q, want 303 to /ui/held", resp.StatusCode, resp.Header.Get("Location"))
	}
	c := cookieNamed(resp, sessionCookie)
	if c == nil {
		t.Fatal("no session cookie")
	}
	if !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteStrictMode || c.Path != "/ui/" {
		t.Errorf("cookie %+v: want HttpOnly, Secure, SameSite=Strict, Path=/ui/", c)
	}
	if c.MaxAge != int((12 * time.Hour).Seconds()) {
		t.Errorf("cookie Max-Age %d, want 12h", c.MaxAge)
	}
	if strings.Contains(c.Value, testToken) || strings.Contains(c.Value, b64.EncodeToString([]byte(testToken))) {
		t.Error("the cookie carries the token")
	}
	if logs := hs.logs.String(); strings.Contains(logs, testToken) || strings.Contains(logs, c.Value) {
		t.Errorf("a secret reached the log: %s", logs)
	}

	// Two sign-ins get two sessions.
	if other := hs.signIn(); other.Value == c.Value {
		t.Error("two sign-ins share a session value")
	}

	hs.page("/ui/held", c, http.StatusOK)
	hs.clock.Advance(12*time.Hour - time.Second)
	hs.page("/ui/held", c, http.StatusOK)
	hs.clock.Advance(time.Second)
	if resp := hs.get("/ui/held", withCookie(c)); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("a session 12 hours old: status %d, want 303 to sign in", resp.StatusCode)
	}

	// A session forged by changing its expiry fails its signature.
	payload, sig, _ := strings.Cut(c.Value, ".")
	raw, _ := b64.DecodeString(payload)
	raw[len(raw)-1] ^= 0xff
	forged := &http.Cookie{Name: sessionCookie, Value: b64.EncodeToString(raw) + "." + sig}
	if resp := hs.get("/ui/held", withCookie(forged)); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("a session with a changed expiry: status %d, want 303", resp.StatusCode)
	}
}

func TestSignIn_NextStaysInsideTheConsole(t *testing.T) {
	hs := newHarness(t)
	for next, want := range map[string]string{
		"/ui/runs/x?action=deactivate": "/ui/runs/x?action=deactivate",
		"https://evil.example/":        "/ui/",
		"//evil.example/ui/":           "/ui/",
		"/ui/\\evil":                   "/ui/",
		"/metrics":                     "/ui/",
		"/ui/../metrics":               "/ui/",
		"/ui/%2e%2e/metrics":           "/ui/",
		"/ui/held?x=1#frag":            "/ui/held?x=1#frag",
		"":                             "/ui/",
	} {
		resp := hs.post("/ui/signin", url.Values{"token": {testToken}, "next": {next}})
		if got := resp.Header.Get("Location"); got != want {
			t.Errorf("next %q: redirected to %q, want %q", next, got, want)
		}
	}
}

func TestSignIn_CookieNotSecureOnLoopbackOnly(t *testing.T) {
	hs := newHarness(t)
	secureFor := func(host string, local net.Addr) bool {
		t.Helper()
		r := httptest.NewRequest(http.MethodPost, "/ui/signin", strings.NewReader(url.Values{"token": {testToken}}.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Host = host
		if local != nil {
			r = r.WithContext(context.WithValue(r.Context(), http.LocalAddrContextKey, local))
		}
		w := httptest.NewRecorder()
		hs.h.ServeHTTP(w, r)
		c := cookieNamed(w.Result(), sessionCookie)
		if c == nil {
			t.Fatalf("host %s: no cookie (status %d)", host, w.Code)
		}
		return c.Secure
	}
	loop := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}
	pod := &net.TCPAddr{IP: net.IPv4(10, 1, 2, 3), Port: 8080}
	for _, tc := range []struct {
		host   string
		local  net.Addr
		secure bool
	}{
		{"127.0.0.1:8080", loop, false},
		{"localhost:8080", loop, false},
		{"[::1]:8080", &net.TCPAddr{IP: net.IPv6loopback, Port: 8080}, false},
		{"sync.example.com", pod, true},
		{"10.1.2.3:8080", pod, true},
		// A loopback name in the Host header does not make a remote connection loopback.
		{"localhost:8080", pod, true},
	} {
		if got := secureFor(tc.host, tc.local); got != tc.secure {
			t.Errorf("host %s over %v: Secure=%v, want %v", tc.host, tc.local, got, tc.secure)
		}
	}

	always := newHarness(t, func(o *Options) { o.Cookies = CookieAlwaysSecure })
	always.host = "127.0.0.1:8080"
	if c := always.signIn(); !c.Secure {
		t.Error("CookieAlwaysSecure: loopback cookie not Secure")
	}
}

func TestSignIn_RealLoopbackListener(t *testing.T) {
	hs := newHarness(t)
	srv := httptest.NewServer(hs.h)
	defer srv.Close()
	client := srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.PostForm(srv.URL+"/ui/signin", url.Values{"token": {testToken}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	c := cookieNamed(resp, sessionCookie)
	if resp.StatusCode != http.StatusSeeOther || c == nil || c.Secure {
		t.Fatalf("sign-in over a loopback listener: status %d, cookie %+v; want 303 and a cookie without Secure", resp.StatusCode, c)
	}
}

func TestSignIn_WrongTokensAreThrottled(t *testing.T) {
	hs := newHarness(t)
	for i := range signInBurst {
		if resp := hs.post("/ui/signin", url.Values{"token": {"guess"}}); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("wrong try %d: status %d, want 401", i+1, resp.StatusCode)
		}
	}
	// Out of tries, even the right token waits: otherwise guessing would go on.
	resp := hs.post("/ui/signin", url.Values{"token": {testToken}})
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("after %d wrong tries: status %d, Retry-After %q; want 429 with Retry-After", signInBurst, resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if cookieNamed(resp, sessionCookie) != nil {
		t.Fatal("a throttled sign-in set a session")
	}
	// Another address is not slowed by this one.
	other := hs.do(http.MethodPost, "/ui/signin", strings.NewReader(url.Values{"token": {testToken}}.Encode()),
		func(r *http.Request) { r.RemoteAddr = "198.51.100.9:4000" })
	if other.StatusCode != http.StatusSeeOther {
		t.Fatalf("another address: status %d, want 303", other.StatusCode)
	}
	hs.clock.Advance(signInEvery)
	if resp := hs.post("/ui/signin", url.Values{"token": {testToken}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("after waiting %v: status %d, want 303", signInEvery, resp.StatusCode)
	}
}

func TestSignInLimiter_BoundedMemory(t *testing.T) {
	l := newSignInLimiter(time.Second, 2)
	now := t0
	for i := range 3 * maxLimitedClients {
		l.failed(net.IPv4(10, byte(i>>16), byte(i>>8), byte(i)).String(), now)
	}
	if n := len(l.clients); n > maxLimitedClients {
		t.Fatalf("%d clients remembered, want at most %d", n, maxLimitedClients)
	}
}

func TestPost_WithoutSessionIs401(t *testing.T) {
	hs := newHarness(t)
	for _, target := range []string{"/ui/runs/" + runHeld + "/approve", "/ui/signout"} {
		resp := hs.post(target, url.Values{"csrf": {"x"}})
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("POST %s without a session: status %d, want 401", target, resp.StatusCode)
		}
	}
	if n := hs.ap.count(); n != 0 {
		t.Fatalf("approve called %d times", n)
	}
}

func TestApprove_RefusedWithoutTheRightCSRFOrFromAnotherSite(t *testing.T) {
	hs := newHarness(t)
	c := hs.signIn()
	good := csrfOf(t, hs.page("/ui/runs/"+runHeldAgain, c, http.StatusOK))
	otherSession := csrfOf(t, hs.page("/ui/runs/"+runHeldAgain, hs.signIn(), http.StatusOK))
	target := "/ui/runs/" + runHeldAgain + "/approve"
	for _, tc := range []struct {
		name string
		form url.Values
		opts []reqOpt
	}{
		{"no csrf", url.Values{}, nil},
		{"empty csrf", url.Values{"csrf": {""}}, nil},
		{"wrong csrf", url.Values{"csrf": {"AAAA" + good[4:]}}, nil},
		{"csrf of another session", url.Values{"csrf": {otherSession}}, nil},
		{"cross-site origin", url.Values{"csrf": {good}}, []reqOpt{withHeader("Origin", "https://evil.example")}},
		{"null origin", url.Values{"csrf": {good}}, []reqOpt{withHeader("Origin", "null")}},
		{"cross-site fetch", url.Values{"csrf": {good}}, []reqOpt{withHeader("Sec-Fetch-Site", "cross-site")}},
		{"cross-site origin despite same-origin fetch", url.Values{"csrf": {good}}, []reqOpt{withHeader("Origin", "https://evil.example"), withHeader("Sec-Fetch-Site", "same-origin")}},
		{"typed-in POST", url.Values{"csrf": {good}}, []reqOpt{withHeader("Sec-Fetch-Site", "none")}},
		{"same-site fetch", url.Values{"csrf": {good}}, []reqOpt{withHeader("Sec-Fetch-Site", "same-site")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := hs.post(target, tc.form, append([]reqOpt{withCookie(c)}, tc.opts...)...)
			if resp.StatusCode != http.StatusForbidden {
				t.Fatalf("status %d, want 403", resp.StatusCode)
			}
		})
	}
	// Without a session, from another site: refused as well.
	if resp := hs.post(target, url.Values{"csrf": {good}}, withHeader("Origin", "https://evil.example")); resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site without session: status %d, want 403", resp.StatusCode)
	}
	if n := hs.ap.count(); n != 0 {
		t.Fatalf("approve called %d times by refused requests", n)
	}
	if logs := hs.logs.String(); !strings.Contains(logs, "CSRF") || !strings.Contains(logs, "another site") {
		t.Errorf("refusals not logged: %s", logs)
	}
}

func TestSignOut(t *testing.T) {
	hs := newHarness(t)
	c := hs.signIn()
	csrf := csrfOf(t, hs.page("/ui/", c, http.StatusOK))
	if resp := hs.post("/ui/signout", url.Values{}, withCookie(c)); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("sign-out without CSRF: status %d, want 403", resp.StatusCode)
	}
	resp := hs.post("/ui/signout", url.Values{"csrf": {csrf}}, withCookie(c))
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/ui/signin" {
		t.Fatalf("sign-out: status %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if cleared := cookieNamed(resp, sessionCookie); cleared == nil || cleared.MaxAge >= 0 || cleared.Value != "" {
		t.Fatalf("sign-out did not clear the cookie: %+v", cleared)
	}
}

func TestMethodsNotAllowed(t *testing.T) {
	hs := newHarness(t)
	c := hs.signIn()
	for _, tc := range []struct{ method, target, allow string }{
		{http.MethodPut, "/ui/held", "GET, HEAD"},
		{http.MethodDelete, "/ui/runs/" + runHeld, "GET, HEAD"},
		{http.MethodPost, "/ui/", "GET, HEAD"},
		{http.MethodGet, "/ui/runs/" + runHeld + "/approve", "POST"},
		{http.MethodDelete, "/ui/signin", "GET, HEAD, POST"},
	} {
		resp := hs.do(tc.method, tc.target, nil, withCookie(c))
		b := body(t, resp)
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("%s %s: status %d, want 405", tc.method, tc.target, resp.StatusCode)
		}
		if got := resp.Header.Get("Allow"); got != tc.allow {
			t.Errorf("%s %s: Allow %q, want %q", tc.method, tc.target, got, tc.allow)
		}
		if !strings.Contains(b, "Method Not Allowed") {
			t.Errorf("%s %s: not the console's page: %s", tc.method, tc.target, b)
		}
	}
	if hs.ap.count() != 0 {
		t.Fatal("approve called")
	}
}

func TestSameOrigin(t *testing.T) {
	for _, tc := range []struct {
		origin, fetchSite string
		want              bool
	}{
		{"", "", true}, // not a browser acting for a page: the session and CSRF token decide
		{"https://sync.example.com", "", true},
		{"https://SYNC.example.com", "same-origin", true},
		{"null", "same-origin", true}, // Chromium's same-origin form POST under no-referrer
		{"", "same-origin", true},
		{"null", "", false},
		{"https://evil.example", "", false},
		{"https://sync.example.com:8443", "", false},
		{"https://evil.example", "same-origin", false},
		{"https://sync.example.com", "same-site", false},
		{"https://sync.example.com", "cross-site", false},
		{"", "none", false},
		{"::not a url", "", false},
	} {
		r := httptest.NewRequest(http.MethodPost, "/ui/signin", nil)
		r.Host = "sync.example.com"
		if tc.origin != "" {
			r.Header.Set("Origin", tc.origin)
		}
		if tc.fetchSite != "" {
			r.Header.Set("Sec-Fetch-Site", tc.fetchSite)
		}
		if got := sameOrigin(r); got != tc.want {
			t.Errorf("Origin %q, Sec-Fetch-Site %q: %v, want %v", tc.origin, tc.fetchSite, got, tc.want)
		}
	}
}

func TestSignIn_OversizedFormRefused(t *testing.T) {
	hs := newHarness(t)
	resp := hs.post("/ui/signin", url.Values{"token": {strings.Repeat("x", 64<<10)}})
	if resp.StatusCode != http.StatusBadRequest || cookieNamed(resp, sessionCookie) != nil {
		t.Fatalf("a 64 KiB form: status %d, want 400 without a session", resp.StatusCode)
	}
}

func TestSessions_SharedByConsolesWithTheSameToken(t *testing.T) {
	// Replicas (§14) and restarts accept each other's sessions; a new token ends them all.
	a, b := newHarness(t), newHarness(t)
	c := a.signIn()
	b.page("/ui/held", c, http.StatusOK)
	other := newHarness(t, func(o *Options) { o.Token = testToken + "-rotated" })
	if resp := other.get("/ui/held", withCookie(c)); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("a session from before the token changed: status %d, want 303", resp.StatusCode)
	}
}
