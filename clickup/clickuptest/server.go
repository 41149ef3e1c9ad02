// Package clickuptest is a strict in-memory fake of ClickUp's SCIM 2.0 API (Users and Groups) and
// of the REST API v2 subset the daemon reads (GET /team, GET /team/{id}/customroles), served over
// HTTP on loopback. It follows the proposed contract of reference/clickup-api.md §2.3 and §4 and refuses
// what the real service would, so that client bugs show in tests instead of in production.
//
// It is used by tests and by the product's demo command, so it does not import testing.
package clickuptest

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	gosync "sync"
	"time"
)

// Defaults of Options.
const (
	DefaultWorkspaceID = "9006054115"
	DefaultSCIMToken   = "test-scim-token"
	DefaultAPIToken    = "pk_test_api_token"
	DefaultRoleSchema  = "urn:ietf:params:scim:schemas:extension:clickup:2.0:User"
	DefaultMaxCount    = 100
	DefaultRateLimit   = 10000 // requests per minute; ClickUp Enterprise's REST limit
)

// Options configure NewServer. The zero value is a usable Workspace.
type Options struct {
	WorkspaceID string // default DefaultWorkspaceID
	SCIMToken   string // default DefaultSCIMToken
	APIToken    string // default DefaultAPIToken
	// RoleSchema is the URN of the extension object holding the role attributes (default
	// DefaultRoleSchema). Set TopLevelRoles to have them at the top level of the user instead:
	// the zero value of a string cannot mean both "default" and "top level".
	RoleSchema    string
	TopLevelRoles bool
	// Names of the role attributes; defaults role, customRoleName, customRoleId.
	RoleAttribute, CustomRoleNameAttribute, CustomRoleIDAttribute string
	// MaxCount caps the SCIM page size (default 100).
	MaxCount int

	// What the service announces at /ServiceProviderConfig, /ResourceTypes and /Schemas
	// (RFC 7644 §4), and does accordingly. The zero value announces and does everything.
	//
	// NoDiscovery answers the three discovery endpoints with 404.
	NoDiscovery bool
	// NoPatch announces patch.supported false and answers every PATCH with NoPatchStatus: 501
	// (the default, RFC 7644 §3.12) or 405.
	NoPatch       bool
	NoPatchStatus int
	// NoFilter announces filter.supported false and answers a filter with 400 invalidFilter.
	NoFilter bool
	// AnnouncedMaxResults is filter.maxResults (default MaxCount); above MaxCount, the service
	// returns shorter pages than it says it will.
	AnnouncedMaxResults int
	// NoGroups has no Group resource type, and answers /Groups with 404.
	NoGroups bool
	// NoCustomRoleName and NoCustomRoleID leave that attribute out of the role schema: it is
	// never shown, and refused when sent.
	NoCustomRoleName, NoCustomRoleID bool
	// CustomRoleIDInteger types the custom role id as an integer: shown as a JSON number, and
	// refused as a string.
	CustomRoleIDInteger bool
	// RoleValues are the role attribute's canonicalValues ("Admin", "Member", "Guest"): roles are
	// shown in these spellings and only these are accepted. Empty: any case of admin, member,
	// guest.
	RoleValues []string
	// ExtraExtensions are more User extensions to announce.
	ExtraExtensions []Extension
	// Now is the clock for timestamps and the rate limit windows (default time.Now).
	Now func() time.Time
}

// Server is the fake ClickUp. All methods are safe for concurrent use.
type Server struct {
	opt     Options
	ts      *httptest.Server
	routes  http.Handler
	scimURL string

	mu gosync.Mutex // guards st
	st *state

	scimLimit, restLimit *limiter

	reqMu gosync.Mutex
	reqs  []Request

	mwMu       gosync.RWMutex
	middleware []func(http.Handler) http.Handler
}

// Request is one request the fake received.
type Request struct {
	Method, Path, RawQuery string
	Body                   []byte
	Status                 int // 0 while the request is still being answered
}

// NewServer starts the fake on a loopback port. Close it when done.
func NewServer(o Options) *Server {
	if o.WorkspaceID == "" {
		o.WorkspaceID = DefaultWorkspaceID
	}
	if o.SCIMToken == "" {
		o.SCIMToken = DefaultSCIMToken
	}
	if o.APIToken == "" {
		o.APIToken = DefaultAPIToken
	}
	switch {
	case o.TopLevelRoles:
		o.RoleSchema = ""
	case o.RoleSchema == "":
		o.RoleSchema = DefaultRoleSchema
	}
	if o.RoleAttribute == "" {
		o.RoleAttribute = "role"
	}
	if o.CustomRoleNameAttribute == "" {
		o.CustomRoleNameAttribute = "customRoleName"
	}
	if o.CustomRoleIDAttribute == "" {
		o.CustomRoleIDAttribute = "customRoleId"
	}
	if o.MaxCount <= 0 {
		o.MaxCount = DefaultMaxCount
	}
	if o.AnnouncedMaxResults <= 0 {
		o.AnnouncedMaxResults = o.MaxCount
	}
	if o.NoPatchStatus == 0 {
		o.NoPatchStatus = http.StatusNotImplemented
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	s := &Server{
		opt:       o,
		st:        newState(),
		scimLimit: newLimiter(DefaultRateLimit),
		restLimit: newLimiter(DefaultRateLimit),
	}
	s.routes = s.newRoutes()
	// The URL is known before the server starts, so no handler ever reads it while it is set.
	s.ts = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.scimURL = "http://" + s.ts.Listener.Addr().String() + s.scimPrefix()
	s.ts.Start()
	return s
}

// URL is the root of the fake, http://127.0.0.1:port.
func (s *Server) URL() string { return s.ts.URL }

// SCIMBaseURL is what ClickUp's SSO settings would show: URL()+"/scim/v2/"+WorkspaceID().
func (s *Server) SCIMBaseURL() string { return s.scimURL }

// APIBaseURL is the REST API v2 base, URL()+"/api/v2".
func (s *Server) APIBaseURL() string { return s.ts.URL + "/api/v2" }

// WorkspaceID is the Workspace ("team") id, a string of digits.
func (s *Server) WorkspaceID() string { return s.opt.WorkspaceID }

// SCIMToken is the token the SCIM API accepts.
func (s *Server) SCIMToken() string { return s.opt.SCIMToken }

// APIToken is the personal API token the REST API accepts.
func (s *Server) APIToken() string { return s.opt.APIToken }

// Close shuts the fake down, waiting for requests in flight.
func (s *Server) Close() { s.ts.Close() }

// Use wraps the fake's handling of every request in mw, for fault injection: a middleware may
// answer a request itself (a 500, a malformed page) or pass it on. The last one added runs first.
// Requests a middleware answers are recorded like any other.
func (s *Server) Use(mw func(http.Handler) http.Handler) {
	s.mwMu.Lock()
	defer s.mwMu.Unlock()
	s.middleware = append(s.middleware, mw)
}

// SetSCIMRateLimit sets the SCIM requests allowed per one-minute window and starts a new window.
func (s *Server) SetSCIMRateLimit(perMinute int) { s.scimLimit.set(perMinute) }

// SetRESTRateLimit sets the REST requests allowed per one-minute window and starts a new window.
func (s *Server) SetRESTRateLimit(perMinute int) { s.restLimit.set(perMinute) }

// Requests returns every request received, in order of arrival.
func (s *Server) Requests() []Request {
	s.reqMu.Lock()
	defer s.reqMu.Unlock()
	out := make([]Request, len(s.reqs))
	for i, r := range s.reqs {
		r.Body = bytes.Clone(r.Body)
		out[i] = r
	}
	return out
}

// Writes returns the requests other than GET, in order of arrival.
func (s *Server) Writes() []Request {
	var out []Request
	for _, r := range s.Requests() {
		if r.Method != http.MethodGet {
			out = append(out, r)
		}
	}
	return out
}

// ResetRequests forgets the requests received so far.
func (s *Server) ResetRequests() {
	s.reqMu.Lock()
	defer s.reqMu.Unlock()
	s.reqs = nil
}

// maxRequestBody bounds what the fake reads; the real service would refuse a huge body too.
const maxRequestBody = 1 << 20

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody+1))
	if err != nil {
		http.Error(w, "read body", http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	i := s.record(Request{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Body: body})
	sw := &statusWriter{ResponseWriter: w}
	if len(body) > maxRequestBody {
		http.Error(sw, "request body too large", http.StatusRequestEntityTooLarge)
	} else {
		s.handler().ServeHTTP(sw, r)
	}
	if sw.status == 0 {
		sw.status = http.StatusOK
	}
	s.reqMu.Lock()
	if i < len(s.reqs) { // ResetRequests may have run meanwhile
		s.reqs[i].Status = sw.status
	}
	s.reqMu.Unlock()
}

func (s *Server) record(r Request) int {
	s.reqMu.Lock()
	defer s.reqMu.Unlock()
	s.reqs = append(s.reqs, r)
	return len(s.reqs) - 1
}

func (s *Server) handler() http.Handler {
	s.mwMu.RLock()
	defer s.mwMu.RUnlock()
	h := s.routes
	for _, mw := range s.middleware {
		h = mw(h)
	}
	return h
}

// newRoutes maps the paths the fake serves. SCIM and REST each pass through their own rate limit
// and authentication first, as each has its own token; a later resource (SCIM Groups, REST
// groups) is one more line here.
func (s *Server) newRoutes() http.Handler {
	scim := http.NewServeMux()
	p := s.scimPrefix()
	if !s.opt.NoDiscovery {
		scim.HandleFunc("GET "+p+"/ServiceProviderConfig", s.scimServiceProviderConfig)
		scim.HandleFunc("GET "+p+"/ResourceTypes", s.scimResourceTypes)
		scim.HandleFunc("GET "+p+"/Schemas", s.scimSchemas)
	}
	patchUser, patchGroup := s.scimPatchUser, s.scimPatchGroup
	if s.opt.NoPatch {
		patchUser, patchGroup = s.scimNoPatch, s.scimNoPatch
	}
	scim.HandleFunc("PATCH "+p+"/Users/{id}", patchUser)
	scim.HandleFunc("GET "+p+"/Users", s.scimListUsers)
	scim.HandleFunc("POST "+p+"/Users", s.scimCreateUser)
	scim.HandleFunc(p+"/Users", s.scimMethodNotAllowed)
	scim.HandleFunc("GET "+p+"/Users/{id}", s.scimGetUser)
	scim.HandleFunc("PUT "+p+"/Users/{id}", s.scimReplaceUser)
	scim.HandleFunc(p+"/Users/{id}", s.scimMethodNotAllowed) // DELETE included: Okta never sends it
	if !s.opt.NoGroups {                                     // else /Groups falls to the 404 below
		scim.HandleFunc("GET "+p+"/Groups", s.scimListGroups)
		scim.HandleFunc("POST "+p+"/Groups", s.scimCreateGroup)
		scim.HandleFunc(p+"/Groups", s.scimMethodNotAllowed)
		scim.HandleFunc("GET "+p+"/Groups/{id}", s.scimGetGroup)
		scim.HandleFunc("PUT "+p+"/Groups/{id}", s.scimReplaceGroup)
		scim.HandleFunc("PATCH "+p+"/Groups/{id}", patchGroup)
		scim.HandleFunc("DELETE "+p+"/Groups/{id}", s.scimDeleteGroup)
		scim.HandleFunc(p+"/Groups/{id}", s.scimMethodNotAllowed)
	}
	scim.HandleFunc("/", s.scimNotFound)

	rest := http.NewServeMux()
	rest.HandleFunc("GET /api/v2/team", s.restTeams)
	rest.HandleFunc("GET /api/v2/team/{team_id}/customroles", s.restCustomRoles)
	rest.HandleFunc("/", s.restNotFound)

	root := http.NewServeMux()
	root.Handle("/scim/", s.limited(s.scimLimit, writeSCIMRateLimited, s.scimAuth(scim)))
	root.Handle("/api/", s.limited(s.restLimit, writeRESTRateLimited, s.restAuth(rest)))
	return root
}

func (s *Server) scimPrefix() string { return "/scim/v2/" + s.opt.WorkspaceID }

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
