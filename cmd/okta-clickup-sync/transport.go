package main

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	gosync "sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/okta-clickup-sync/okta-clickup-sync/clickup"
	"github.com/okta-clickup-sync/okta-clickup-sync/config"
	"github.com/okta-clickup-sync/okta-clickup-sync/internal/httpretry"
	"github.com/okta-clickup-sync/okta-clickup-sync/okta"
)

// listingEndpoint is each service's listing, whose duration series exist from the start.
var listingEndpoint = map[string]string{
	serviceOkta:        "/api/v1/apps/{id}/users",
	serviceClickUpSCIM: "/Users",
	serviceClickUpREST: "/team",
}

// pathWords are the path segments of the Okta, SCIM and REST endpoints this program calls. Any
// other segment is an id, a login or an email and becomes {id} in the endpoint label, so the
// label's values are few and never name a person.
var pathWords = map[string]bool{
	"api": true, "v1": true, "v2": true, "apps": true, "users": true, "groups": true, "logs": true,
	"meta": true, "schemas": true, "default": true, "oauth2": true, "token": true, "keys": true,
	"lifecycle": true, "team": true, "customroles": true, "member": true,
	"Users": true, "Groups": true, "ServiceProviderConfig": true, "ResourceTypes": true, "Schemas": true,
}

// endpointOf is the templated path of a request, relative to the service's base path:
// /api/v1/apps/{id}/users, /Users/{id}, /team/{id}/customroles.
func endpointOf(basePath, path string) string {
	if basePath != "" && basePath != "/" {
		if rest, ok := strings.CutPrefix(path, basePath); ok && (rest == "" || rest[0] == '/') {
			path = rest
		}
	}
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for i, s := range segs {
		if s != "" && !pathWords[s] {
			segs[i] = "{id}"
		}
	}
	return "/" + strings.Join(segs, "/")
}

// observedTransport counts, times and (at debug level) logs every HTTP request to one service,
// the SDK's token requests and every retry included, since each costs rate-limit budget. It
// never logs a query string, a header value but the rate-limit ones, or a body.
type observedTransport struct {
	base     http.RoundTripper
	service  string
	basePath string // the service's base URL path, left out of the endpoint label
	m        *metrics
	log      zerolog.Logger
	now      func() time.Time

	mu gosync.Mutex
	// tries counts the failed tries in a row of one method and URL, to number the attempts of
	// a request the adapter retries.
	tries map[string]int
}

func (m *metrics) transport(service, baseURL string, log zerolog.Logger, base http.RoundTripper) *observedTransport {
	if base == nil {
		base = http.DefaultTransport.(*http.Transport).Clone()
	}
	t := &observedTransport{base: base, service: service, m: m, now: time.Now, tries: map[string]int{},
		log: log.With().Str("component", "http").Str("service", service).Logger()}
	if u, err := url.Parse(baseURL); err == nil {
		t.basePath = strings.TrimRight(u.Path, "/")
	}
	return t
}

// httpClient is an observed client with the timeout the adapter would otherwise use itself: the
// client's Timeout is what bounds a hung request.
func (m *metrics) httpClient(service, baseURL string, timeout time.Duration, log zerolog.Logger) *http.Client {
	return &http.Client{Timeout: timeout, Transport: m.transport(service, baseURL, log, nil)}
}

// adapterClients returns observed clients for the three services of cfg.
func (m *metrics) adapterClients(cfg config.Config, log zerolog.Logger) adapterClients {
	return adapterClients{
		okta: m.httpClient(serviceOkta, cfg.Okta.OrgURL, okta.DefaultRequestTimeout, log),
		scim: m.httpClient(serviceClickUpSCIM, cfg.ClickUp.SCIMBaseURL, clickup.DefaultTimeout, log),
		rest: m.httpClient(serviceClickUpREST, cfg.ClickUp.APIBaseURL, clickup.DefaultTimeout, log),
	}
}

// withObserved fills the clients a caller left nil with observed ones.
func (hc adapterClients) withObserved(m *metrics, cfg config.Config, log zerolog.Logger) adapterClients {
	o := m.adapterClients(cfg, log)
	if hc.okta == nil {
		hc.okta = o.okta
	}
	if hc.scim == nil {
		hc.scim = o.scim
	}
	if hc.rest == nil {
		hc.rest = o.rest
	}
	return hc
}

// rateLimitHeaders are the headers logged at trace level: what the services say of their limits.
var rateLimitHeaders = []string{
	"X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Reset",
	"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After",
}

func (t *observedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	start := t.now()
	resp, err := t.base.RoundTrip(r)
	took := t.now().Sub(start)
	code := "error"
	if err == nil {
		code = strconv.Itoa(resp.StatusCode)
	}
	endpoint := endpointOf(t.basePath, r.URL.Path)
	t.m.apiRequests.WithLabelValues(t.service, code).Inc()
	t.m.apiDuration.WithLabelValues(t.service, endpoint, code).Observe(took.Seconds())
	if err == nil && resp.StatusCode == http.StatusTooManyRequests {
		t.m.apiThrottled.WithLabelValues(t.service).Inc()
	}
	if err == nil && r.Method == http.MethodGet && resp.StatusCode < 300 {
		t.m.pages.Add(1)
	}
	attempt := t.attempt(r, err != nil || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500)
	if ev := t.log.Debug(); ev.Enabled() {
		ev = ev.Str("method", r.Method).Str("path", r.URL.Path).Str("endpoint", endpoint).
			Str("status", code).Dur("duration", took).Int("attempt", attempt)
		if err != nil {
			ev = ev.Err(err)
		}
		ev.Msg("api request")
	}
	if err == nil {
		if ev := t.log.Trace(); ev.Enabled() {
			for _, h := range rateLimitHeaders {
				if v := resp.Header.Get(h); v != "" {
					ev = ev.Str(h, v)
				}
			}
			ev.Str("method", r.Method).Str("endpoint", endpoint).Msg("api rate limit headers")
		}
	}
	return resp, err
}

// attempt numbers this try of r: one more than the failed tries of the same method and URL just
// before it. The adapters retry above this transport, so it tells a retry only by its likeness.
func (t *observedTransport) attempt(r *http.Request, failed bool) int {
	key := r.Method + " " + r.URL.String()
	t.mu.Lock()
	defer t.mu.Unlock()
	n := t.tries[key] + 1
	if failed && len(t.tries) < 1024 {
		t.tries[key] = n
	} else {
		delete(t.tries, key)
	}
	return n
}

// logWaits makes every wait of p, for a rate-limit reset or a retry's backoff, a trace line.
func logWaits(p httpretry.Policy, service string, log zerolog.Logger) httpretry.Policy {
	sleep := p.Sleep
	if sleep == nil {
		sleep = httpretry.TimerSleep
	}
	l := log.With().Str("component", "http").Str("service", service).Logger()
	p.Sleep = func(ctx context.Context, d time.Duration) error {
		l.Trace().Dur("wait", d).Msg("rate limiter or retry wait")
		return sleep(ctx, d)
	}
	return p
}
