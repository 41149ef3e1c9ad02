// Package console is the drift console of DESIGN.md §13: read-only pages under /ui/ that show
// the recorded runs, their entries, one user's history across runs and the runs holding
// deactivations, behind a sign-in with the console token. The one write it can cause is an
// approval, through the same function as `approve RUN_ID`.
//
// Pages are rendered on the server with html/template, which escapes everything that comes from
// Okta, ClickUp or the store; they need no JavaScript.
package console

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"time"

	"github.com/rs/zerolog"
)

// Options configure the console.
type Options struct {
	// Token is the secret an operator signs in with (SYNC_UI_TOKEN). It is never logged or shown.
	Token string
	// Store is what the pages read.
	Store Reader
	// Approve applies a run's held deactivations. Nil hides the Approve buttons and refuses
	// approvals: they are then made with `approve RUN_ID`.
	Approve ApproveFunc
	Log     zerolog.Logger
	// Now is the clock for sessions and the sign-in limiter; time.Now when nil.
	Now func() time.Time
	// Cookies decides the Secure attribute of cookies; the zero value sets it except on loopback.
	Cookies CookieMode
	// Location is the time zone of the times shown; UTC when nil.
	Location *time.Location
	// SessionTTL is how long a sign-in lasts; 12 hours when zero.
	SessionTTL time.Duration
}

// MinTokenLength is the shortest token New accepts: a console token guards approvals, so a
// guessable one is refused rather than warned about.
const MinTokenLength = 16

// Sign-in tries: a few wrong ones, then one more every few seconds, per client address.
const (
	signInBurst = 10
	signInEvery = 6 * time.Second
)

// New returns the console's handler. Mount it at /ui/ (it serves only paths under /ui/).
func New(opt Options) (http.Handler, error) {
	if len(opt.Token) < MinTokenLength {
		return nil, fmt.Errorf("console: the token (SYNC_UI_TOKEN) has %d characters; use at least %d, e.g. from `openssl rand -hex 32`", len(opt.Token), MinTokenLength)
	}
	if opt.Store == nil {
		return nil, errors.New("console: no store to read: the console needs the state file (SYNC_STATE_PATH)")
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Location == nil {
		opt.Location = time.UTC
	}
	if opt.SessionTTL <= 0 {
		opt.SessionTTL = 12 * time.Hour
	}
	v, err := newViews(opt.Location)
	if err != nil {
		return nil, err
	}
	k := newKeys(opt.Token)
	opt.Token = "" // only the keys derived from it are kept
	c := &console{
		opt:     opt,
		keys:    k,
		limiter: newSignInLimiter(signInEvery, signInBurst),
		views:   v,
		log:     opt.Log.With().Str("component", "console").Logger(),
	}
	c.routes()
	return c, nil
}

type console struct {
	opt     Options
	keys    keys
	limiter *signInLimiter
	views   *views
	log     zerolog.Logger
	mux     *http.ServeMux
}

func (c *console) routes() {
	m := http.NewServeMux()
	m.HandleFunc("GET /ui/{$}", c.signedIn(c.runsPage))
	m.HandleFunc("GET /ui/runs/{id}", c.signedIn(c.runPage))
	m.HandleFunc("POST /ui/runs/{id}/approve", c.approve)
	m.HandleFunc("GET /ui/held", c.signedIn(c.heldPage))
	m.HandleFunc("GET /ui/users", c.signedIn(c.userPage))
	m.HandleFunc("GET /ui/signin", c.signInPage)
	m.HandleFunc("POST /ui/signin", c.signIn)
	m.HandleFunc("POST /ui/signout", c.signOut)
	m.Handle("GET /ui/assets/", http.StripPrefix("/ui/assets/", c.assets()))
	c.mux = m
}

func (c *console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")

	handler, pattern := c.mux.Handler(r)
	if pattern == "" {
		// The mux would answer 404 or 405 in plain text; answer with the console's page,
		// keeping the status and the Allow header it chose.
		probe := &statusProbe{header: http.Header{}}
		handler.ServeHTTP(probe, r)
		if allow := probe.header.Get("Allow"); allow != "" {
			h.Set("Allow", allow)
		}
		c.errorPage(w, r, probe.status, "")
		return
	}
	// Served by the mux itself, which sets the path values the handlers read.
	c.mux.ServeHTTP(w, r)
}

// statusProbe records the status a handler chose and drops its body.
type statusProbe struct {
	header http.Header
	status int
}

func (p *statusProbe) Header() http.Header         { return p.header }
func (p *statusProbe) Write(b []byte) (int, error) { return len(b), nil }
func (p *statusProbe) WriteHeader(code int) {
	if p.status == 0 {
		p.status = code
	}
}

func (c *console) assets() http.Handler {
	sub, err := fs.Sub(assetFS, "assets")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	files := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Files only: no directory listings, and the console's own 404 page.
		if info, err := fs.Stat(sub, r.URL.Path); err != nil || info.IsDir() {
			c.errorPage(w, r, http.StatusNotFound, "")
			return
		}
		// Asset URLs carry a hash of their content, so a new build never meets a stale copy.
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		files.ServeHTTP(w, r)
	})
}

// render executes a page fully before writing, so a template error becomes a clean 500.
func (c *console) render(w http.ResponseWriter, r *http.Request, status int, page string, data any) {
	var buf bytes.Buffer
	if err := c.views.execute(&buf, page, data); err != nil {
		c.log.Error().Err(err).Str("page", page).Msg("render console page")
		http.Error(w, "internal error rendering the page", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(buf.Bytes())
	}
}
