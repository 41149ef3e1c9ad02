package clickup

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/okta-clickup-sync/okta-clickup-sync/internal/endpoint"
	"github.com/okta-clickup-sync/okta-clickup-sync/internal/httpretry"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

const (
	// DefaultTimeout bounds one request when the caller brings no http.Client.
	DefaultTimeout = 30 * time.Second

	// maxBodyBytes caps a successful answer (DESIGN.md §7). A page of 100 SCIM users is about
	// 60 KiB; REST GET /team lists every member of the Workspace in one answer, 17 MiB at
	// 100,000 members in the fake. Anything beyond is a misbehaving server.
	maxBodyBytes = 64 << 20
	// maxErrorBodyBytes caps what is read of an error answer: an error document is short, and
	// only an excerpt of anything else is ever shown.
	maxErrorBodyBytes = 64 << 10
	// maxRedirects bounds the same-origin redirects followed.
	maxRedirects = 3
)

// apiEndpoint is what the SCIM and REST clients share: one base URL, one credential, one
// http.Client and one pacer. Every request goes through do (retry.go), which paces and retries
// the single attempts that send makes.
type apiEndpoint struct {
	service     string // "clickup scim" or "clickup rest", the start of every error
	base        string // without a trailing slash
	auth        string // the Authorization header value
	token       string // kept only to redact it from anything a server echoes back
	accept      string
	contentType string
	hc          *http.Client
	pace        *httpretry.Pacer // the service's limiter and retry policy; see do
}

// newEndpoint checks the base URL and the token, and builds an http.Client that never follows a
// redirect off the base URL's origin.
func newEndpoint(service, rawBase, token string, allowInsecure bool, hc *http.Client) (apiEndpoint, error) {
	u, err := endpoint.Parse(rawBase, allowInsecure)
	if err != nil {
		return apiEndpoint{}, fmt.Errorf("%s: base URL %w", service, err)
	}
	if token == "" {
		return apiEndpoint{}, fmt.Errorf("%s: token is required", service)
	}
	for _, r := range token {
		if r < 0x20 || r == 0x7f {
			return apiEndpoint{}, fmt.Errorf("%s: token contains a control character", service)
		}
	}
	return apiEndpoint{service: service, base: u.String(), token: token, hc: httpClient(hc, endpoint.OriginOf(u))}, nil
}

// httpClient returns a copy of the caller's client, or one with a timeout, whose redirects stay
// on origin (DESIGN.md §7): following one elsewhere would replay the credential to wherever it
// points, and Go's client drops the Authorization header on a change of host only, not of port
// or scheme. The caller's own redirect policy still applies after that.
func httpClient(hc *http.Client, origin endpoint.Origin) *http.Client {
	if hc == nil {
		hc = &http.Client{Timeout: DefaultTimeout}
	} else {
		c := *hc
		hc = &c
	}
	sameOrigin := endpoint.SameOriginRedirects(origin, maxRedirects)
	callers := hc.CheckRedirect
	hc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if err := sameOrigin(req, via); err != nil {
			return err
		}
		if callers != nil {
			return callers(req, via)
		}
		return nil
	}
	return hc
}

// call is one request: path is relative to the base and may carry a query.
type call struct {
	method string
	path   string
	body   []byte
	ok     []int // the statuses that mean success; any other 2xx is malformed
	// stream, when set, reads a successful answer's body as it arrives instead of keeping it:
	// the reply then has no body. It is called again on each attempt. An error it returns is a
	// malformed answer, unless reading the body failed, which is a failed attempt.
	stream func(io.Reader) error
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

// send makes one attempt. On failure the reply still carries the status and headers when an
// answer came, so that do can decide on a retry.
func (e *apiEndpoint) send(ctx context.Context, c call) (reply, error) {
	var body io.Reader
	if c.body != nil {
		body = bytes.NewReader(c.body)
	}
	req, err := http.NewRequestWithContext(ctx, c.method, e.base+c.path, body)
	if err != nil {
		return reply{}, e.fail(c, err)
	}
	req.Header.Set("Authorization", e.auth)
	req.Header.Set("Accept", e.accept)
	if c.body != nil {
		req.Header.Set("Content-Type", e.contentType)
	}
	resp, err := e.hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL is already in our prefix
		}
		return reply{}, e.fail(c, err)
	}
	defer resp.Body.Close()
	r := reply{status: resp.StatusCode, header: resp.Header}
	ok := slices.Contains(c.ok, resp.StatusCode)
	if ok && c.stream != nil {
		return e.streamBody(c, r, resp.Body)
	}
	limit := int64(maxErrorBodyBytes)
	if ok {
		limit = maxBodyBytes
	}
	b, err := readBody(resp, limit)
	switch {
	case err != nil:
		return r, e.fail(c, fmt.Errorf("read response: %w", err))
	case ok && int64(len(b)) > limit:
		return reply{}, e.malformed(c, "the body is over %d MiB", maxBodyBytes>>20)
	}
	r.body = b
	switch {
	case ok:
		return r, nil
	case r.status >= 200 && r.status < 300:
		return r, e.malformed(c, "unexpected status %d (want %v)", r.status, c.ok)
	default:
		return r, e.apiError(c, r)
	}
}

// readBody reads at most limit+1 bytes, into a buffer sized by Content-Length when the server
// announced a plausible one, so that a large answer is not copied again and again as it grows.
// Past the limit it stops: what is there says enough, and the rest is never read.
func readBody(resp *http.Response, limit int64) ([]byte, error) {
	var buf bytes.Buffer
	if n := resp.ContentLength; n > 0 && n <= limit {
		buf.Grow(int(n) + bytes.MinRead)
	}
	_, err := buf.ReadFrom(io.LimitReader(resp.Body, limit+1))
	if int64(buf.Len()) > limit {
		return buf.Bytes(), nil
	}
	return buf.Bytes(), err
}

// streamBody hands a successful answer's body to c.stream, capped at maxBodyBytes.
func (e *apiEndpoint) streamBody(c call, r reply, body io.Reader) (reply, error) {
	t := &readTracker{r: io.LimitReader(body, maxBodyBytes+1)}
	err := c.stream(t)
	switch {
	case t.n > maxBodyBytes:
		return reply{}, e.malformed(c, "the body is over %d MiB", maxBodyBytes>>20)
	case t.err != nil && t.err != io.EOF:
		return r, e.fail(c, fmt.Errorf("read response: %w", t.err))
	case err != nil:
		return r, err
	}
	return r, nil
}

// readTracker remembers how much was read and the first read error, so that a body cut off
// in transit is told from one that arrived whole but does not decode.
type readTracker struct {
	r   io.Reader
	n   int64
	err error
}

func (t *readTracker) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	t.n += int64(n)
	if err != nil && t.err == nil {
		t.err = err
	}
	return n, err
}

// fail wraps a transport failure; the token never appears in it, but a proxy or resolver could
// echo anything, so it is redacted all the same.
func (e *apiEndpoint) fail(c call, err error) error {
	return &requestError{prefix: e.service + " " + c.method + " " + c.path, err: err, redact: e.token}
}

type requestError struct {
	prefix string
	err    error
	redact string
}

func (r *requestError) Error() string {
	return r.prefix + ": " + redact(truncate(r.err.Error(), maxQuoted), r.redact)
}
func (r *requestError) Unwrap() error { return r.err }

// malformed reports an answer that could be read but not trusted. Whatever of the answer the
// message quotes must have gone through shown or truncate.
func (e *apiEndpoint) malformed(c call, format string, args ...any) error {
	return fmt.Errorf("%s %s %s: %w: %s", e.service, c.method, c.path, core.ErrMalformed,
		redact(fmt.Sprintf(format, args...), e.token))
}

func redact(s, secret string) string {
	if secret == "" {
		return s
	}
	return strings.ReplaceAll(s, secret, "[REDACTED]")
}
