package console

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// The browser tests drive headless Chromium (Debian's chromium) through the console as an
// operator would. Without a browser they skip, unless CONSOLE_REQUIRE_BROWSER is set (CI sets
// it, so a missing browser fails there). Screenshots at desktop and phone widths go to
// CONSOLE_SCREENSHOTS_DIR, or a temporary directory.

// stepTimeout bounds every browser step; a slow CI machine takes seconds, not minutes.
const stepTimeout = 30 * time.Second

func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM_PATH"); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("CHROMIUM_PATH=%s: %v", p, err)
		}
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "no Chromium found: set CHROMIUM_PATH or install one (apt-get install chromium)"
	if os.Getenv("CONSOLE_REQUIRE_BROWSER") != "" {
		t.Fatal(msg + "; CONSOLE_REQUIRE_BROWSER is set, so this fails instead of skipping")
	}
	t.Skip(msg + "; set CONSOLE_REQUIRE_BROWSER=1 to fail instead of skipping")
	return ""
}

// browser is one Chromium; each test gets its own browser context (its own cookies) in it.
type browser struct {
	root  context.Context
	shots string
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	path := chromiumPath(t)
	if testing.Short() && os.Getenv("CONSOLE_REQUIRE_BROWSER") == "" {
		t.Skip("browser tests are not short")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		// Headless, and nothing that reaches for the network on its own: on a closed
		// network Chromium otherwise stalls on its background connections.
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-features", "Translate,MediaRouter,OptimizationHints"),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("force-color-profile", "srgb"),
		chromedp.Flag("password-store", "basic"),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	root, cancelRoot := chromedp.NewContext(alloc)
	t.Cleanup(cancelRoot)
	// The first run starts the browser and must not carry a deadline of its own (it would
	// outlive it); the watchdog bounds it instead.
	watchdog := time.AfterFunc(stepTimeout, cancelAlloc)
	err := chromedp.Do(root)
	watchdog.Stop()
	if err != nil {
		t.Fatalf("start Chromium (%s): %v", path, err)
	}
	dir := os.Getenv("CONSOLE_SCREENSHOTS_DIR")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", dir)
	return &browser{root: root, shots: dir}
}

// tab opens a tab in a fresh browser context: no cookies from other tests.
func (b *browser) tab(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.root, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	// The first run opens the tab, which lives as long as the context of that run: it gets no
	// deadline, and a watchdog bounds it instead.
	watchdog := time.AfterFunc(stepTimeout, cancel)
	err := chromedp.Do(ctx)
	watchdog.Stop()
	if err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	return ctx
}

// do runs browser steps within the step timeout.
func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if _, err := run(ctx, chromedp.Steps(steps...)); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func run[T any](ctx context.Context, a chromedp.Action[T]) (T, error) {
	ctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	return chromedp.Run(ctx, a)
}

func must[T any](t *testing.T, what string) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
}

// shot saves the page at desktop and phone widths, and checks that at phone width nothing
// is wider than the screen.
func (b *browser) shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	for _, w := range []struct {
		width, height int64
		opts          []chromedp.EmulateViewportOption
	}{
		{1280, 900, nil},
		{390, 844, []chromedp.EmulateViewportOption{chromedp.EmulateMobile, chromedp.EmulateScale(2)}},
	} {
		do(t, ctx, "resize to "+fmt.Sprint(w.width), chromedp.EmulateViewport(w.width, w.height, w.opts...))
		if w.width < 500 {
			scroll := must[int](t, "measure the page")(run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)))
			if scroll > int(w.width) {
				t.Errorf("%s at %d px: the page is %d px wide; it scrolls sideways", name, w.width, scroll)
			}
		}
		png := must[[]byte](t, "screenshot "+name)(run(ctx, chromedp.FullScreenshot(100)))
		file := filepath.Join(b.shots, fmt.Sprintf("%s-%d.png", name, w.width))
		if err := os.WriteFile(file, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	do(t, ctx, "restore the width", chromedp.EmulateViewport(1280, 900))
}

// consoleServer serves the console as the daemon does: mounted at /ui/ of a real listener.
func consoleServer(t *testing.T, hs *harness) *httptest.Server {
	mux := http.NewServeMux()
	mux.Handle("/ui/", hs.h)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func signInBrowser(t *testing.T, ctx context.Context, base, token string) {
	t.Helper()
	do(t, ctx, "sign in",
		chromedp.Navigate(base+"/ui/"),
		chromedp.WaitVisible(chromedp.CSS("#token")),
		chromedp.SendKeys(chromedp.CSS("#token"), token),
		chromedp.Click(chromedp.CSS(".signin button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("table.runs")),
	)
}

// rowAttrs returns the attributes of the elements sel selects now, without waiting for any.
func rowAttrs(t *testing.T, ctx context.Context, sel string) []map[string]string {
	t.Helper()
	if countIn(t, ctx, sel) == 0 {
		return nil
	}
	return must[[]map[string]string](t, "read rows")(run(ctx, chromedp.AttributesAll(chromedp.CSSAll(sel))))
}

func countIn(t *testing.T, ctx context.Context, sel string) int {
	t.Helper()
	return must[int](t, "count "+sel)(run(ctx, chromedp.Evaluate[int](fmt.Sprintf("document.querySelectorAll(%q).length", sel))))
}

func cookies(t *testing.T, ctx context.Context, url string) []*network.Cookie {
	t.Helper()
	res := must[network.GetCookiesResult](t, "read cookies")(run(ctx, func(ctx context.Context, tg *chromedp.Target) (network.GetCookiesResult, error) {
		return cdp.Call(ctx, tg, network.GetCookies, network.GetCookiesParams{URLs: []string{url}})
	}))
	return res.Cookies
}

func TestBrowser(t *testing.T) {
	b := newBrowser(t)
	hs := newHarness(t)
	srv := consoleServer(t, hs)
	base := srv.URL

	t.Run("SignIn", func(t *testing.T) {
		ctx := b.tab(t)
		do(t, ctx, "open the console",
			chromedp.Navigate(base+"/ui/held"),
			chromedp.WaitVisible(chromedp.CSS("#token")),
		)
		b.shot(t, ctx, "signin")
		do(t, ctx, "sign in with a wrong token",
			chromedp.SendKeys(chromedp.CSS("#token"), "not-the-token-at-all"),
			chromedp.Click(chromedp.CSS(".signin button[type=submit]")),
			chromedp.WaitVisible(chromedp.CSS(".signin .alert")),
		)
		if msg := must[string](t, "read the alert")(run(ctx, chromedp.Text(chromedp.CSS(".signin .alert")))); !strings.Contains(msg, "not the console token") {
			t.Errorf("alert %q", msg)
		}
		if cs := cookies(t, ctx, base+"/ui/"); len(cs) != 0 {
			t.Fatalf("a wrong token left cookies: %v", cs)
		}
		do(t, ctx, "sign in",
			chromedp.SendKeys(chromedp.CSS("#token"), testToken),
			chromedp.Click(chromedp.CSS(".signin button[type=submit]")),
			chromedp.WaitVisible(chromedp.CSS("nav.nav")), // signed-in pages only
		)
		// Back where the operator was going.
		if loc := must[string](t, "location")(run(ctx, chromedp.Location())); loc != base+"/ui/held" {
			t.Errorf("after sign-in at %s, want %s/ui/held", loc, base)
		}
		cs := cookies(t, ctx, base+"/ui/")
		if len(cs) != 1 || !cs[0].HTTPOnly || cs[0].SameSite != network.CookieSameSiteStrict || cs[0].Value == testToken {
			t.Fatalf("session cookie %+v: want one, HttpOnly, SameSite=Strict, not the token", cs)
		}
		do(t, ctx, "open the runs", chromedp.Navigate(base+"/ui/"), chromedp.WaitVisible(chromedp.CSS("table.runs")))
		if n := len(rowAttrs(t, ctx, "table.runs tbody tr")); n != 11 {
			t.Errorf("runs page lists %d runs, want 11", n)
		}
		b.shot(t, ctx, "runs")
	})

	t.Run("Filter", func(t *testing.T) {
		ctx := b.tab(t)
		signInBrowser(t, ctx, base, testToken)
		do(t, ctx, "open a run", chromedp.Navigate(base+"/ui/runs/"+runRoles), chromedp.WaitVisible(chromedp.CSS("table.entries")))
		if n := len(rowAttrs(t, ctx, "table.entries tbody tr")); n != 9 {
			t.Fatalf("run shows %d entries, want 9", n)
		}
		b.shot(t, ctx, "run")
		do(t, ctx, "filter by action",
			chromedp.SetValue(chromedp.CSS(`select[name="action"]`), "update_role"),
			chromedp.Click(chromedp.CSS(".filters button[type=submit]")),
			chromedp.WaitVisible(chromedp.CSS(".filter-actions a")), // "Clear" shows once filtered
		)
		got := rowAttrs(t, ctx, "table.entries tbody tr")
		if len(got) != 2 {
			t.Fatalf("filtered to update_role: %d rows, want 2", len(got))
		}
		for _, r := range got {
			if r["data-action"] != "update_role" {
				t.Errorf("filtered row %v", r)
			}
		}
		do(t, ctx, "filter by user too",
			chromedp.SendKeys(chromedp.CSS(`input[name="user"]`), "alice"),
			chromedp.Click(chromedp.CSS(".filters button[type=submit]")),
			chromedp.WaitVisible(chromedp.CSS(`input[name="user"][value="alice"]`)),
		)
		if got := rowAttrs(t, ctx, "table.entries tbody tr"); len(got) != 1 {
			t.Fatalf("filtered to update_role and alice: %d rows, want 1", len(got))
		}
		b.shot(t, ctx, "run-filtered")
		do(t, ctx, "clear the filter",
			chromedp.Click(chromedp.CSS(".filter-actions a")),
			chromedp.WaitNotPresent(chromedp.CSS(".filter-actions a")),
		)
		if n := len(rowAttrs(t, ctx, "table.entries tbody tr")); n != 9 {
			t.Errorf("after clearing: %d entries, want 9", n)
		}
		do(t, ctx, "open the held run", chromedp.Navigate(base+"/ui/runs/"+runHeldAgain), chromedp.WaitVisible(chromedp.CSS("table.entries")))
		b.shot(t, ctx, "run-held")
		do(t, ctx, "open the failed run", chromedp.Navigate(base+"/ui/runs/"+runFailed), chromedp.WaitVisible(chromedp.CSS("table.entries")))
		b.shot(t, ctx, "run-failed")
	})

	t.Run("UserHistory", func(t *testing.T) {
		ctx := b.tab(t)
		signInBrowser(t, ctx, base, testToken)
		do(t, ctx, "look up alice",
			chromedp.SendKeys(chromedp.CSS("#q"), "Alice@Example.com"),
			chromedp.Click(chromedp.CSS(".lookup button[type=submit]")),
			chromedp.WaitVisible(chromedp.CSS("h1 .q")),
		)
		want := []string{runHeldAgain, runHeld, runRoles, runDry, runFirst}
		check := func(how string) {
			t.Helper()
			var got []string
			for _, r := range rowAttrs(t, ctx, "table.entries tbody tr") {
				got = append(got, r["data-run"])
			}
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("history by %s: runs %v, want %v", how, got, want)
			}
		}
		check("email")
		b.shot(t, ctx, "user")
		do(t, ctx, "follow the Okta id",
			chromedp.Click(chromedp.CSS(`.facts a[href*="`+aliceOkta+`"]`)),
			chromedp.WaitVisible(chromedp.CSS(`input[name="q"][value="`+aliceOkta+`"]`)),
		)
		check("Okta id")
	})

	t.Run("Approve", func(t *testing.T) {
		ctx := b.tab(t)
		signInBrowser(t, ctx, base, testToken)
		do(t, ctx, "open the held runs", chromedp.Navigate(base+"/ui/held"), chromedp.WaitVisible(chromedp.CSS("form.approve button")))
		b.shot(t, ctx, "held")
		do(t, ctx, "approve",
			chromedp.Click(chromedp.CSS("form.approve button")),
			chromedp.WaitVisible(chromedp.CSS(".flash")),
		)
		if n := hs.ap.count(); n != 1 {
			t.Fatalf("approve called %d times, want 1", n)
		}
		flash := must[string](t, "read the flash")(run(ctx, chromedp.Text(chromedp.CSS(".flash"))))
		if !strings.Contains(flash, "13 deactivations applied") {
			t.Errorf("flash %q", flash)
		}
		if loc := must[string](t, "location")(run(ctx, chromedp.Location())); loc != base+"/ui/runs/20250602T110000Z-app001" {
			t.Errorf("after approving at %s, want the approve run", loc)
		}
		if n := len(rowAttrs(t, ctx, `table.entries tbody tr[data-action="deactivate"][data-outcome="applied"]`)); n != 13 {
			t.Errorf("approve run shows %d applied deactivations, want 13", n)
		}
		b.shot(t, ctx, "approved")
		do(t, ctx, "reopen the held runs", chromedp.Navigate(base+"/ui/held"), chromedp.WaitVisible(chromedp.CSS(".empty")))
		if n := countIn(t, ctx, "form.approve"); n != 0 {
			t.Errorf("%d Approve buttons left after approving", n)
		}
	})

	t.Run("NoCookieRefused", func(t *testing.T) {
		ctx := b.tab(t)
		for _, page := range []string{"/ui/", "/ui/held", "/ui/runs/" + runHeld, "/ui/users?q=alice@example.com"} {
			do(t, ctx, "open "+page, chromedp.Navigate(base+page), chromedp.WaitVisible(chromedp.CSS("#token")))
			loc := must[string](t, "location")(run(ctx, chromedp.Location()))
			if !strings.HasPrefix(loc, base+"/ui/signin?next=") {
				t.Errorf("%s without a session landed on %s, want the sign-in page", page, loc)
			}
			if n := countIn(t, ctx, "table"); n != 0 {
				t.Errorf("%s without a session shows a table", page)
			}
		}
	})

	t.Run("CrossSitePostRefused", func(t *testing.T) {
		// Signed in, with a valid CSRF token copied into the hostile page: the browser's
		// Origin and Sec-Fetch-Site still give the forgery away.
		ctx := b.tab(t)
		signInBrowser(t, ctx, base, testToken)
		before := hs.ap.count()
		hs.f.record(t, "20250602T120000Z-held03", "schedule", false, 4*time.Hour, 5*time.Second, "", []core.Entry{deactivation("zoe", 20, "held", "held: cap")}, "")
		do(t, ctx, "open the held run", chromedp.Navigate(base+"/ui/runs/20250602T120000Z-held03"), chromedp.WaitVisible(chromedp.CSS("form.approve")))
		csrf := must[chromedp.AttributeResult](t, "read the CSRF token")(run(ctx, chromedp.AttributeValue(chromedp.CSS(`form.approve input[name="csrf"]`), "value")))
		approveURL := base + "/ui/runs/20250602T120000Z-held03/approve"
		evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, `<!doctype html><body onload="document.forms[0].submit()"><form method="post" action="%s"><input type="hidden" name="csrf" value="%s"></form>`, approveURL, csrf.Value)
		}))
		defer evil.Close()
		// 127.0.0.1 on another port is the same site, so even the SameSite cookie goes along;
		// localhost is another site.
		for _, page := range []string{evil.URL, strings.Replace(evil.URL, "127.0.0.1", "localhost", 1)} {
			refusals := strings.Count(hs.logs.String(), "sent from another site")
			do(t, ctx, "open the hostile page "+page,
				chromedp.Navigate("about:blank"),
				chromedp.Navigate(page),
				chromedp.WaitVisible(chromedp.CSS(".status-code")),
			)
			if n := strings.Count(hs.logs.String(), "sent from another site"); n != refusals+1 {
				t.Fatalf("the console logged %d cross-site refusals for %s, want 1", n-refusals, page)
			}
			if loc := must[string](t, "location")(run(ctx, chromedp.Location())); loc != approveURL {
				t.Fatalf("the hostile form did not post: at %s", loc)
			}
			if code := must[string](t, "read the status")(run(ctx, chromedp.Text(chromedp.CSS(".status-code")))); code != "403" {
				t.Errorf("hostile POST from %s: status %s, want 403", page, code)
			}
		}
		if n := hs.ap.count(); n != before {
			t.Fatalf("approve called %d times by cross-site POSTs", n-before)
		}
		b.shot(t, ctx, "refused")
	})
}
