package console

import (
	"net/http"
	"strconv"
)

// session is a signed-in browser.
type session struct {
	ID    string
	CSRF  string // the token its forms carry
	Flash string // one line left by the POST that redirected here
}

// maxFormBytes bounds what a form POST may send; the console's forms carry a token or two.
const maxFormBytes = 16 << 10

func (c *console) session(r *http.Request) (session, bool) {
	ck, err := r.Cookie(sessionCookie)
	if err != nil {
		return session{}, false
	}
	sid, ok := c.keys.verifySession(ck.Value, c.opt.Now())
	if !ok {
		return session{}, false
	}
	return session{ID: sid, CSRF: c.keys.csrfToken(sid)}, true
}

// signedIn serves a page to a signed-in browser and sends any other to the sign-in page, with
// the way back.
func (c *console) signedIn(page func(http.ResponseWriter, *http.Request, session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, ok := c.session(r)
		if !ok {
			http.Redirect(w, r, "/ui/signin?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if ck, err := r.Cookie(flashCookie); err == nil {
			if msg, ok := c.keys.readFlash(ck.Value); ok {
				s.Flash = msg
			}
			c.setCookie(w, r, flashCookie, "", -1)
		}
		page(w, r, s)
	}
}

func (c *console) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: basePath, MaxAge: maxAge,
		HttpOnly: true, Secure: c.opt.Cookies.secure(r), SameSite: http.SameSiteStrictMode,
	})
}

type signInData struct {
	layout
	Next      string
	Error     string
	PlainHTTP bool // the cookie will be Secure but the page came without TLS
}

func (c *console) signInPage(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"))
	if _, ok := c.session(r); ok {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	c.render(w, r, http.StatusOK, "signin", c.signInData(r, next, ""))
}

func (c *console) signInData(r *http.Request, next, msg string) signInData {
	return signInData{
		layout:    layout{Title: "Sign in"},
		Next:      next,
		Error:     msg,
		PlainHTTP: r.TLS == nil && c.opt.Cookies.secure(r),
	}
}

func (c *console) signIn(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r) {
		c.refuseCrossSite(w, r)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		c.errorPage(w, r, http.StatusBadRequest, "The sign-in form could not be read.")
		return
	}
	next := safeNext(r.PostForm.Get("next"))
	now := c.opt.Now()
	client := clientAddr(r)
	if !c.limiter.allowed(client, now) {
		c.log.Warn().Str("remote_addr", r.RemoteAddr).Msg("console sign-in throttled after repeated wrong tokens")
		w.Header().Set("Retry-After", strconv.Itoa(int(signInEvery.Seconds())))
		c.render(w, r, http.StatusTooManyRequests, "signin", c.signInData(r, next, "Too many wrong tokens from this address. Wait a few seconds and try again."))
		return
	}
	if !c.keys.tokenMatches(r.PostForm.Get("token")) {
		c.limiter.failed(client, now)
		c.log.Warn().Str("remote_addr", r.RemoteAddr).Msg("console sign-in refused: wrong token")
		c.render(w, r, http.StatusUnauthorized, "signin", c.signInData(r, next, "That is not the console token (SYNC_UI_TOKEN)."))
		return
	}
	value, err := c.keys.newSession(now.Add(c.opt.SessionTTL))
	if err != nil {
		c.log.Error().Err(err).Msg("console sign-in: new session")
		c.errorPage(w, r, http.StatusInternalServerError, "")
		return
	}
	c.setCookie(w, r, sessionCookie, value, int(c.opt.SessionTTL.Seconds()))
	c.log.Info().Str("remote_addr", r.RemoteAddr).Msg("console sign-in")
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (c *console) signOut(w http.ResponseWriter, r *http.Request) {
	if _, ok := c.checkPost(w, r); !ok {
		return
	}
	c.setCookie(w, r, sessionCookie, "", -1)
	c.log.Info().Str("remote_addr", r.RemoteAddr).Msg("console sign-out")
	http.Redirect(w, r, "/ui/signin", http.StatusSeeOther)
}

// checkPost admits a form POST only from a page of this console, in a signed-in browser, with the
// session's CSRF token. Otherwise it answers: 403 for another site or a wrong token, 401 without
// a session.
func (c *console) checkPost(w http.ResponseWriter, r *http.Request) (session, bool) {
	if !sameOrigin(r) {
		c.refuseCrossSite(w, r)
		return session{}, false
	}
	s, ok := c.session(r)
	if !ok {
		c.log.Warn().Str("remote_addr", r.RemoteAddr).Str("path", r.URL.Path).Msg("console POST refused: not signed in")
		c.errorPage(w, r, http.StatusUnauthorized, "Sign in first: this request carried no valid session.")
		return session{}, false
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil || !c.keys.csrfValid(s.ID, r.PostForm.Get("csrf")) {
		c.log.Warn().Str("remote_addr", r.RemoteAddr).Str("path", r.URL.Path).Msg("console POST refused: missing or wrong CSRF token")
		c.errorPage(w, r, http.StatusForbidden, "The form was stale or not from this console. Reload the page and try again.")
		return session{}, false
	}
	return s, true
}

func (c *console) refuseCrossSite(w http.ResponseWriter, r *http.Request) {
	c.log.Warn().Str("remote_addr", r.RemoteAddr).Str("path", r.URL.Path).
		Str("origin", truncate(r.Header.Get("Origin"), 256)).Str("sec_fetch_site", truncate(r.Header.Get("Sec-Fetch-Site"), 64)).
		Msg("console POST refused: sent from another site")
	c.errorPage(w, r, http.StatusForbidden, "This request came from another site and was refused.")
}
