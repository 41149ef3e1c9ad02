package console

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"net"
	"net/http"
	"net/url"
	"path"
	"strings"
	gosync "sync"
	"time"

	"golang.org/x/time/rate"
)

const (
	sessionCookie = "ocs_console"
	flashCookie   = "ocs_console_flash"
	basePath      = "/ui/"
	sidBytes      = 16
)

// keys signs sessions, CSRF tokens and flashes. They are derived from the token, so every
// replica serving the console accepts the same sessions (§14), a restart keeps them, and a new
// token ends them all; a cookie reveals nothing of the token (HMAC is one-way).
type keys struct {
	tokenHash [sha256.Size]byte
	session   []byte
	csrf      []byte
	flash     []byte
}

func newKeys(token string) keys {
	derive := func(label string) []byte {
		m := hmac.New(sha256.New, []byte(token))
		m.Write([]byte("okta-clickup-sync console v1 " + label))
		return m.Sum(nil)
	}
	return keys{tokenHash: sha256.Sum256([]byte(token)), session: derive("session"), csrf: derive("csrf"), flash: derive("flash")}
}

// tokenMatches compares hashes, so neither the length nor the content of the token leaks
// through the time the comparison takes.
func (k keys) tokenMatches(got string) bool {
	h := sha256.Sum256([]byte(got))
	return subtle.ConstantTimeCompare(h[:], k.tokenHash[:]) == 1
}

func mac(key []byte, parts ...[]byte) []byte {
	m := hmac.New(sha256.New, key)
	for _, p := range parts {
		m.Write(p)
	}
	return m.Sum(nil)
}

var b64 = base64.RawURLEncoding

// newSession returns a cookie value: a random session id and its expiry, signed.
func (k keys) newSession(expires time.Time) (string, error) {
	payload := make([]byte, sidBytes+8)
	if _, err := rand.Read(payload[:sidBytes]); err != nil {
		return "", err
	}
	binary.BigEndian.PutUint64(payload[sidBytes:], uint64(expires.Unix()))
	return b64.EncodeToString(payload) + "." + b64.EncodeToString(mac(k.session, payload)), nil
}

// session returns the session id of a cookie value that is signed and not expired.
func (k keys) verifySession(value string, now time.Time) (sid string, ok bool) {
	p, s, found := strings.Cut(value, ".")
	if !found {
		return "", false
	}
	payload, err1 := b64.DecodeString(p)
	sig, err2 := b64.DecodeString(s)
	if err1 != nil || err2 != nil || len(payload) != sidBytes+8 || !hmac.Equal(sig, mac(k.session, payload)) {
		return "", false
	}
	if !now.Before(time.Unix(int64(binary.BigEndian.Uint64(payload[sidBytes:])), 0)) {
		return "", false
	}
	return b64.EncodeToString(payload[:sidBytes]), true
}

// csrfToken binds a form to the session that rendered it.
func (k keys) csrfToken(sid string) string {
	return b64.EncodeToString(mac(k.csrf, []byte(sid)))
}

func (k keys) csrfValid(sid, got string) bool {
	return got != "" && hmac.Equal([]byte(got), []byte(k.csrfToken(sid)))
}

// signFlash and readFlash carry one line from a POST to the page it redirects to, signed so that
// a crafted link or cookie cannot make the console say something it did not.
func (k keys) signFlash(msg string) string {
	return b64.EncodeToString([]byte(msg)) + "." + b64.EncodeToString(mac(k.flash, []byte(msg)))
}

func (k keys) readFlash(value string) (string, bool) {
	p, s, found := strings.Cut(value, ".")
	if !found {
		return "", false
	}
	msg, err1 := b64.DecodeString(p)
	sig, err2 := b64.DecodeString(s)
	if err1 != nil || err2 != nil || !hmac.Equal(sig, mac(k.flash, msg)) {
		return "", false
	}
	return string(msg), true
}

// sameOrigin refuses a request a browser made on behalf of another site. Browsers send
// Sec-Fetch-Site and Origin on POSTs and pages cannot forge them; a client that sends neither is
// not a browser acting for someone else, and still needs the session and its CSRF token.
//
// Under Referrer-Policy: no-referrer, Chromium sends "Origin: null" even on a same-origin form
// POST, so "null" is accepted only when Sec-Fetch-Site vouches for the origin; without that
// header (an older browser) it is refused, as a sandboxed frame of another site sends it too.
func sameOrigin(r *http.Request) bool {
	fetchSite := r.Header.Get("Sec-Fetch-Site")
	switch fetchSite {
	case "", "same-origin":
	default: // cross-site, same-site, none
		return false
	}
	origin := r.Header.Get("Origin")
	switch {
	case origin == "":
		return true
	case origin == "null":
		return fetchSite == "same-origin"
	}
	u, err := url.Parse(origin)
	return err == nil && u.Host != "" && strings.EqualFold(u.Host, r.Host)
}

// CookieMode decides the Secure attribute of the console's cookies.
type CookieMode int

const (
	// CookieSecureUnlessLoopback marks cookies Secure unless the page was asked for by a
	// loopback name or address over a loopback connection without TLS (a local sandbox, or
	// kubectl port-forward), where browsers would otherwise refuse to keep them.
	CookieSecureUnlessLoopback CookieMode = iota
	// CookieAlwaysSecure marks cookies Secure on every request.
	CookieAlwaysSecure
)

func (m CookieMode) secure(r *http.Request) bool {
	if m == CookieAlwaysSecure || r.TLS != nil {
		return true
	}
	if !loopbackHost(r.Host) {
		return true
	}
	if la, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if ta, ok := la.(*net.TCPAddr); ok && !ta.IP.IsLoopback() {
			return true
		}
	}
	return false
}

func loopbackHost(hostport string) bool {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// signInLimiter slows the guessing of the token: each client address gets a few wrong tries,
// then one more every interval. Only failures spend them, so an operator who types the token
// right is never slowed.
type signInLimiter struct {
	every time.Duration
	burst int

	mu      gosync.Mutex
	clients map[string]*rate.Limiter
}

// maxLimitedClients bounds the limiter's memory when many addresses fail.
const maxLimitedClients = 4096

func newSignInLimiter(every time.Duration, burst int) *signInLimiter {
	return &signInLimiter{every: every, burst: burst, clients: map[string]*rate.Limiter{}}
}

// allowed reports whether client may try a token now.
func (l *signInLimiter) allowed(client string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	lim, ok := l.clients[client]
	return !ok || lim.TokensAt(now) >= 1
}

// failed spends one of client's tries.
func (l *signInLimiter) failed(client string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	lim, ok := l.clients[client]
	if !ok {
		if len(l.clients) >= maxLimitedClients {
			l.forgetRested(now)
		}
		lim = rate.NewLimiter(rate.Every(l.every), l.burst)
		l.clients[client] = lim
	}
	lim.AllowN(now, 1)
}

// forgetRested drops the clients whose tries are all back; if none are, it starts over, which
// at worst gives each address its first few tries again.
func (l *signInLimiter) forgetRested(now time.Time) {
	for c, lim := range l.clients {
		if lim.TokensAt(now) >= float64(l.burst) {
			delete(l.clients, c)
		}
	}
	if len(l.clients) >= maxLimitedClients {
		clear(l.clients)
	}
}

func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// safeNext keeps a post-sign-in redirect inside the console: a path under /ui/ of this origin,
// with no way out through "..", a backslash or a second slash.
func safeNext(next string) string {
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || strings.ContainsAny(next, "\\\r\n") {
		return basePath
	}
	// Clean resolves ".."; it also drops the trailing slash of "/ui/", hence the one added.
	if !strings.HasPrefix(next, basePath) || !strings.HasPrefix(path.Clean(u.Path)+"/", basePath) {
		return basePath
	}
	return next
}
