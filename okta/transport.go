package okta

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/okta-clickup-sync/okta-clickup-sync/internal/endpoint"
	"github.com/okta-clickup-sync/okta-clickup-sync/internal/httpretry"
)

const (
	serviceOkta = "okta"
	// maxRedirects bounds the redirects followed within the org's origin.
	maxRedirects = 10
)

// errDropped replaces io.EOF in what the transport returns: the SDK retries a request that
// failed with io.EOF at once and without counting, so an org that keeps dropping the
// connection would hold a call in a tight loop until its deadline.
var errDropped = errors.New("connection closed before a complete answer")

// transport sits under the SDK and does what the SDK does not: it paces every request with the
// org's X-Rate-Limit-* headers, waits out 429s until the reset (the SDK's own 429 retries are
// off, so waits are not doubled, and this wait has a clock tests can replace), and retries 5xx
// answers, dropped connections and timeouts of GETs with backoff. It reads each answer whole
// before handing it on, so that an answer cut off in the body is retried like one cut off in
// the headers, and refuses one beyond the bounds of DESIGN.md §7 or with a Link header the SDK
// could trip over (readAnswer, nextLink).
type transport struct {
	base    http.RoundTripper
	pace    *httpretry.Pacer
	timeout time.Duration // per attempt, answer body included
}

// withTransport returns a copy of hc (or of a new client) whose requests go through a
// transport and never follow a redirect off origin, where the Authorization header the SDK set
// would follow them (DESIGN.md §7). The client's Timeout becomes the per-attempt timeout, or
// timeout when it has none: left on the client it would bound all attempts and waits together.
func withTransport(hc *http.Client, origin endpoint.Origin, timeout time.Duration, p httpretry.Policy) *http.Client {
	c := http.Client{}
	if hc != nil {
		c = *hc
	}
	if c.Timeout > 0 {
		timeout = c.Timeout
	}
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	c.Transport = &transport{base: base, pace: httpretry.NewPacer(serviceOkta, httpretry.OktaHeaders, p), timeout: timeout}
	c.Timeout = 0
	c.CheckRedirect = endpoint.SameOriginRedirects(origin, maxRedirects)
	return &c
}

// callTimeout bounds one SDK call with all its attempts and waits: the SDK needs a deadline of
// its own (reference §0.2), and it must not cut the retries short.
func callTimeout(attempt time.Duration, p httpretry.Policy) int64 {
	return int64(math.Ceil(p.Budget(attempt).Seconds()))
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	// A body can only be sent again if it can be had again.
	replayable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	idempotent := replayable && httpretry.Idempotent(req.Method)
	bucket := rateBucket(req.URL.Path)
	for n := 0; ; n++ {
		if err := t.pace.WaitBucket(ctx, bucket); err != nil {
			return nil, err
		}
		r := req
		if n > 0 && req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, fmt.Errorf("rewind request body: %w", err)
			}
			r = req.Clone(ctx)
			r.Body = body
		}
		resp, err := t.attempt(ctx, r)
		a := httpretry.Attempt{N: n, Idempotent: idempotent, Err: err, Bucket: bucket}
		if resp != nil {
			a.Status, a.Header = resp.StatusCode, resp.Header
		}
		if !replayable {
			a.N = max(n, t.pace.MaxRetries()) // one attempt only, but the answer still counts
		}
		retry, werr := t.pace.Retry(ctx, a)
		switch {
		case werr != nil && err == nil:
			return nil, fmt.Errorf("HTTP %d: %w", resp.StatusCode, werr)
		case werr != nil:
			return nil, fmt.Errorf("%w while waiting to retry after: %w", werr, hideEOF(err))
		case !retry && err != nil:
			return nil, hideEOF(err)
		case !retry:
			return resp, nil
		}
	}
}

// rateBucket names the rate-limit bucket of an Okta path: Okta counts its limits per endpoint
// (/api/v1/apps/{id}/users apart from /api/v1/groups/{id}/users), each with its own
// X-Rate-Limit-* headers, so each is paced on its own. A segment with a digit in it is taken
// for an id: Okta's ids have digits, its endpoint names do not.
func rateBucket(path string) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if strings.ContainsAny(p, "0123456789") && !(i == 2 && p == "v1") {
			parts[i] = "{id}"
		}
	}
	return strings.Join(parts, "/")
}

// attempt sends r once under the per-attempt timeout and reads the answer whole into a
// readBody. On a refused or failed read it returns the response (status and headers, no body)
// together with the error.
func (t *transport) attempt(ctx context.Context, r *http.Request) (*http.Response, error) {
	actx, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()
	resp, err := t.base.RoundTrip(r.WithContext(actx))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if _, err := nextLink(resp.Header, r.URL); err != nil {
		return resp, err
	}
	b, err := readAnswer(resp.Body, resp.ContentLength, isJSON(resp.Header.Get("Content-Type")))
	if err != nil {
		return resp, fmt.Errorf("read answer to %s %s (status %d): %w", r.Method, r.URL.Path, resp.StatusCode, err)
	}
	resp.Body = &readBody{Reader: bytes.NewReader(b), b: b}
	resp.ContentLength = int64(len(b))
	return resp, nil
}

func hideEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("%w (%v)", errDropped, err)
	}
	return err
}
