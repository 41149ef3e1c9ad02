// Package oktatest is a strict in-memory fake of an Okta org, served over HTTP on loopback, for
// tests and for the product's demo command. It implements the part of the Okta API the adapter
// reads (apps, app users listed and one at a time, the app-user schema, groups and their members,
// users by id, login or email search, a user's groups, and the System Log as a poller reads it),
// the OAuth 2.0 token endpoint for service apps (RegisterServiceApp), and the details the v2 SDK
// depends on: one Link header per rel, JSON content type on every response, X-Rate-Limit-*
// headers, Okta-shaped error bodies. Every change its state makes is recorded in its System Log
// as Okta records it (syslog.go), and delivered to an event hook when one is set (hook.go).
// Faults (errors, latency, spoiled bodies, raw Link headers, redirects) come from package faults.
//
// Strict means it rejects what real Okta rejects (bad token, filter on app users, unknown cursor,
// limit below 1): a fake that accepts more than the service hides bugs.
package oktatest

import (
	"net/http"
	"net/http/httptest"
	"sync"
)

// Defaults for Options.
const (
	DefaultToken        = "test-okta-token"
	DefaultMaxPageLimit = 500
	// DefaultRateLimit is far above anything a test does, so throttling only happens when a test
	// asks for it with SetRateLimit.
	DefaultRateLimit = 600
)

// Options configure a Server.
type Options struct {
	Token        string // the SSWS token the server accepts; default DefaultToken
	MaxPageLimit int    // larger limit values are capped to it; default DefaultMaxPageLimit
}

// Middleware wraps the API handler. It is the slot for fault injection (errors, latency, malformed
// bodies): it sees every request after it was recorded and before auth, rate limiting and routing.
type Middleware func(next http.Handler) http.Handler

// Request is one request the server received.
type Request struct {
	Method   string
	Path     string
	RawQuery string
}

// Server is the fake org. All methods are safe for concurrent use, also while requests are served.
type Server struct {
	srv          *httptest.Server
	token        string
	maxPageLimit int

	mu         sync.Mutex
	org        org
	requests   []Request
	middleware []Middleware
	rate       rateLimiter
	repeatNext bool
	errorSeq   int
	oauth      oauthState
	schemas    map[string][]SchemaProperty // app-user schemas set by SetAppUserSchema, by app id
	log        systemLog                   // syslog.go
	hook       hookState                   // hook.go

	bufs sync.Pool // of *bytes.Buffer, for the answers (writeJSON)
}

// NewServer starts a fake org on a loopback address. Close it when done.
func NewServer(o Options) *Server {
	if o.Token == "" {
		o.Token = DefaultToken
	}
	if o.MaxPageLimit <= 0 {
		o.MaxPageLimit = DefaultMaxPageLimit
	}
	s := &Server{
		token:        o.Token,
		maxPageLimit: o.MaxPageLimit,
		org:          newOrg(),
		rate:         newRateLimiter(DefaultRateLimit),
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// URL is the org URL, e.g. http://127.0.0.1:PORT (no trailing slash).
func (s *Server) URL() string { return s.srv.URL }

// Token is the SSWS token the server accepts.
func (s *Server) Token() string { return s.token }

// Close shuts the server down, waiting for requests in flight; event hook deliveries not yet
// made are dropped.
func (s *Server) Close() {
	s.stopHook()
	s.srv.Close()
}

// Use appends middleware around the API; the first one added is the outermost.
func (s *Server) Use(mw ...Middleware) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.middleware = append(s.middleware, mw...)
}

// Requests returns a copy of every request received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// ResetRequests forgets the requests received so far.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

// SetRateLimit sets the requests allowed per minute in each rate-limit bucket; 0 or less restores
// DefaultRateLimit. Requests already counted in the current minute stay counted.
func (s *Server) SetRateLimit(perMinute int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if perMinute <= 0 {
		perMinute = DefaultRateLimit
	}
	s.rate.limit = perMinute
}

// SetBucketRateLimit sets the requests allowed per minute in the buckets whose name starts with
// prefix, such as "/api/v1/apps" (Okta's org-wide limit for the apps endpoints is 100 per minute
// on many orgs) or "/api/v1/groups", overriding SetRateLimit for them; the longest prefix wins.
// 0 or less removes the override.
func (s *Server) SetBucketRateLimit(prefix string, perMinute int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rate.byPrefix == nil {
		s.rate.byPrefix = make(map[string]int)
	}
	if perMinute <= 0 {
		delete(s.rate.byPrefix, prefix)
		return
	}
	s.rate.byPrefix[prefix] = perMinute
}

// RepeatNextLink makes every page of the app users and group members listings carry a next link
// to the cursor of the first page, even the last page: a paginator that loops. Clients must
// notice and stop.
func (s *Server) RepeatNextLink(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.repeatNext = on
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery})
	var h http.Handler = http.HandlerFunc(s.api)
	for i := len(s.middleware) - 1; i >= 0; i-- {
		h = s.middleware[i](h)
	}
	s.mu.Unlock()
	h.ServeHTTP(w, r)
}

// api is the org itself: rate limit, auth, then the route.
func (s *Server) api(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == TokenPath {
		s.issueToken(w, r) // authenticates with the client assertion, not a token
		return
	}
	rt := parseLogsRoute(r.URL.Path, parseUserRoute(r.URL.EscapedPath(), parseGroupRoute(r.URL.Path, parseSchemaRoute(r.URL.Path, parseRoute(r.URL.Path)))))
	if !s.takeRate(w, rt.bucket) {
		s.writeError(w, http.StatusTooManyRequests, "E0000047",
			"API call exceeded rate limit due to too many requests.")
		return
	}
	if !s.authorize(w, r, rt) {
		return
	}
	if rt.kind == routeUnknown {
		s.writeError(w, http.StatusNotFound, "E0000022",
			"The endpoint does not exist or does not support the provided HTTP method: "+r.URL.Path)
		return
	}
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		s.writeError(w, http.StatusMethodNotAllowed, "E0000022",
			"The endpoint does not support the provided HTTP method")
		return
	}
	switch rt.kind {
	case routeApp:
		s.getApp(w, rt.appID)
	case routeAppUsers:
		s.listAppUsers(w, r, rt.appID)
	case routeAppUser:
		s.getAppUser(w, r, rt.appID, rt.id)
	case routeAppUserSchema:
		s.getAppUserSchema(w, rt.appID)
	case routeGroup, routeGroups, routeGroupUsers:
		s.serveGroups(w, r, rt)
	case routeUser, routeUsers, routeUserGroups:
		s.serveUsers(w, r, rt)
	case routeLogs:
		s.listLogs(w, r)
	}
}
