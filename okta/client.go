// Package okta is the Okta adapter: it reads who is assigned to the ClickUp app in Okta, the desired
// state, and single users and groups, and implements sync.Directory, sync.UserReader,
// sync.UserGroupReader and sync.GroupDirectory.
//
// github.com/okta/okta-sdk-golang/v2 builds each request (its SSWS or OAuth private_key_jwt
// authentication) and reads Okta's error bodies; the adapter sends the requests through its own
// transport and decodes the answers itself with encoding/json (request.go). The SDK's known traps
// stay disarmed (reference/okta-sdk-and-api.md §0): its cache is off, every request has a
// deadline, and its reading of Link headers never sees one the transport has not checked. And what
// an org, a proxy or an attacker could make it say is refused (DESIGN.md §7): a 200 that is not the
// JSON type its endpoint returns, a body or a string beyond its bound, a next link that loops,
// wanders or leaves the org, a redirect to another origin, a rate-limit reset too far away.
package okta

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"time"

	sdk "github.com/okta/okta-sdk-golang/v2/okta"

	"github.com/okta-clickup-sync/okta-clickup-sync/internal/endpoint"
	"github.com/okta-clickup-sync/okta-clickup-sync/internal/httpretry"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// Defaults for Options.
const (
	DefaultRoleAttribute           = "role"
	DefaultCustomRoleNameAttribute = "customRoleName"
	DefaultCustomRoleIDAttribute   = "customRoleId"
	DefaultRequestTimeout          = 30 * time.Second
	// MaxPageLimit is the largest page Okta serves for /api/v1/apps/{appId}/users; it is also the
	// default, since every page costs one call against a bucket of about 100 calls per minute.
	MaxPageLimit = 500

	// The SDK's 429 retries are off: the transport (transport.go) waits out 429s with the
	// limiter's knowledge and a replaceable clock; retrying in both would double every wait.
	rateLimitMaxRetries = 0
	// Okta's buckets reset each minute, so a longer wait never helps; RequestTimeout bounds it
	// further.
	rateLimitMaxBackoff = 60 * time.Second
)

// Options configure a Client.
type Options struct {
	OrgURL string // e.g. https://acme.okta.com
	AppID  string // the ClickUp app instance id (0oa...)
	Token  string // SSWS API token; leave empty for OAuth

	// OAuth 2.0 service app (client credentials with a private_key_jwt assertion), Okta's
	// recommended alternative to an SSWS token. Setting any of ClientID, PrivateKey or
	// PrivateKeyID selects it; Token must then be empty.
	ClientID     string
	PrivateKey   string   // RSA, PEM, PKCS#8 (as Okta's admin console produces) or PKCS#1
	PrivateKeyID string   // the key's kid in Okta; optional when the app has a single key
	Scopes       []string // e.g. okta.apps.read okta.users.read

	// App-user profile keys holding the ClickUp role attributes. Empty means the default.
	RoleAttribute           string
	CustomRoleNameAttribute string
	CustomRoleIDAttribute   string

	// AllowInsecureHTTP permits an http:// OrgURL, and only when its host is a loopback address
	// (127.0.0.0/8, ::1, localhost): for tests and the demo, never for a real org.
	AllowInsecureHTTP bool

	// RequestTimeout bounds each attempt of a request, the answer's body included (default
	// 30s). Retries and rate-limit waits come on top, bounded by Retry.
	RequestTimeout time.Duration

	// PageLimit is the page size of the app users listing (default and maximum 500).
	PageLimit int

	// EventPageLimit is the page size of System Log polls (default and maximum 1000, Okta's
	// largest page).
	EventPageLimit int

	// HTTPClient is used for every request when set; its Timeout, if any, replaces
	// RequestTimeout. A timeout is always applied, because the SDK's own connection timeout
	// never is. Its CheckRedirect is replaced: redirects are followed only within the org's
	// origin.
	HTTPClient *http.Client

	// Retry tunes retries and rate-limit waits; the zero value is httpretry's default policy.
	Retry httpretry.Policy
}

// Client reads the assignments of one Okta app. It is safe for concurrent use.
type Client struct {
	sdk       *sdk.Client
	http      *http.Client // the SDK's too: the transport, and redirects only within the org
	appID     string
	token     string // kept only to scrub it from errors
	pageLimit int
	// eventPageLimit is the limit of a first System Log poll; later polls follow Okta's links.
	eventPageLimit int
	keys           roleKeys
}

type roleKeys struct{ role, customRoleName, customRoleID string }

var _ core.Directory = (*Client)(nil)

// New validates o and builds a Client. It makes no request.
func New(ctx context.Context, o Options) (*Client, error) {
	o, org, err := o.normalize()
	if err != nil {
		return nil, fmt.Errorf("okta: new client: %w", err)
	}
	secs := int64(math.Ceil(o.RequestTimeout.Seconds()))
	hc := withTransport(o.HTTPClient, endpoint.OriginOf(org), o.RequestTimeout, o.Retry)
	auth, err := o.authSetters()
	if err != nil {
		return nil, fmt.Errorf("okta: new client: %w", err)
	}
	// Every setting that matters is passed explicitly: the SDK also reads ~/.okta/okta.yaml and
	// OKTA_* variables, and those must not switch the auth mode, re-enable the cache or relax the
	// https check behind our back.
	_, c, err := sdk.NewClient(ctx, append(auth,
		sdk.WithOrgUrl(o.OrgURL),
		sdk.WithCache(false),
		sdk.WithRequestTimeout(callTimeout(o.RequestTimeout, o.Retry)),
		sdk.WithHttpClientPtr(hc),
		sdk.WithRateLimitMaxRetries(rateLimitMaxRetries),
		sdk.WithRateLimitMaxBackOff(int64(min(rateLimitMaxBackoff.Seconds(), float64(secs)))),
		sdk.WithTestingDisableHttpsCheck(org.Scheme == "http"),
		sdk.WithUserAgentExtra("okta-clickup-sync"),
	)...)
	if err != nil {
		return nil, fmt.Errorf("okta: new client: %s", redact(err.Error(), o.Token))
	}
	return &Client{
		sdk:            c,
		http:           hc,
		appID:          o.AppID,
		token:          o.Token,
		pageLimit:      o.PageLimit,
		eventPageLimit: o.EventPageLimit,
		keys:           roleKeys{o.RoleAttribute, o.CustomRoleNameAttribute, o.CustomRoleIDAttribute},
	}, nil
}

// normalize fills defaults and checks o, and returns the org URL parsed.
func (o Options) normalize() (Options, *url.URL, error) {
	org, err := orgURL(o.OrgURL, o.AllowInsecureHTTP)
	if err != nil {
		return o, nil, err
	}
	o.OrgURL = org.String()
	if o.AppID == "" {
		return o, nil, errors.New("app id is empty")
	}
	// The SDK pastes the id into the request path unescaped; Okta ids are alphanumeric.
	if !isID(o.AppID) {
		return o, nil, fmt.Errorf("app id %q is not an Okta id (letters, digits, '-' and '_' only)", o.AppID)
	}
	if err := o.checkAuth(); err != nil {
		return o, nil, err
	}
	if o.RoleAttribute == "" {
		o.RoleAttribute = DefaultRoleAttribute
	}
	if o.CustomRoleNameAttribute == "" {
		o.CustomRoleNameAttribute = DefaultCustomRoleNameAttribute
	}
	if o.CustomRoleIDAttribute == "" {
		o.CustomRoleIDAttribute = DefaultCustomRoleIDAttribute
	}
	switch {
	case o.RequestTimeout < 0:
		return o, nil, fmt.Errorf("request timeout %s is negative", o.RequestTimeout)
	case o.RequestTimeout == 0:
		o.RequestTimeout = DefaultRequestTimeout
	}
	switch {
	case o.PageLimit < 0 || o.PageLimit > MaxPageLimit:
		return o, nil, fmt.Errorf("page limit %d is outside 1..%d", o.PageLimit, MaxPageLimit)
	case o.PageLimit == 0:
		o.PageLimit = MaxPageLimit
	}
	switch {
	case o.EventPageLimit < 0 || o.EventPageLimit > MaxEventPageLimit:
		return o, nil, fmt.Errorf("event page limit %d is outside 1..%d", o.EventPageLimit, MaxEventPageLimit)
	case o.EventPageLimit == 0:
		o.EventPageLimit = MaxEventPageLimit
	}
	return o, org, nil
}

// orgURL checks the org URL by the rule every service address obeys (internal/endpoint), and
// Okta's own: scheme and host only, since Okta serves its API at the root and the SDK prefixes
// the URL to every path. It returns the URL without a trailing slash, the form the SDK wants.
func orgURL(raw string, allowInsecure bool) (*url.URL, error) {
	u, err := endpoint.Parse(raw, allowInsecure)
	if err != nil {
		return nil, fmt.Errorf("org URL %w", err)
	}
	if u.Path != "" {
		return nil, fmt.Errorf("org URL %q must be scheme and host only, like https://acme.okta.com", endpoint.Redacted(u))
	}
	return &url.URL{Scheme: u.Scheme, Host: u.Host}, nil
}

func isID(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return s != ""
}
