package okta

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	sdk "github.com/okta/okta-sdk-golang/v2/okta"
)

// page is a successful answer to a GET: its body, read whole by the transport, and, for a
// listing, the path and query of the next page ("" on the last), with the query of the page it
// came from merged in, and the next link itself as the answer gave it (resolved) with the URL
// it answered.
type page struct {
	body     []byte
	next     string
	nextLink *url.URL
	asked    *url.URL
}

// get GETs pathAndQuery under the org URL. The SDK builds the request, with its authentication
// (the SSWS token, or an OAuth access token it fetches with the private_key_jwt assertion and
// caches); the client's http.Client sends it through the transport, which paces, retries and
// bounds it; and the SDK reads Okta's error body from a failure. The body of a success is
// decoded by the caller, never by the SDK. A failure comes with its status, 0 when no answer
// came. Only a listing (paged) may carry a next link.
func (c *Client) get(ctx context.Context, pathAndQuery string, paged bool) (_ page, status int, err error) {
	req, err := c.newRequest(pathAndQuery)
	if err != nil {
		return page{}, 0, err
	}
	resp, err := c.http.Do(req.WithContext(ctx))
	if resp != nil {
		status = resp.StatusCode
		defer resp.Body.Close()
	}
	if err != nil {
		// The request is named by the caller; url.Error would repeat it, query and all.
		if ue := (*url.Error)(nil); errors.As(err, &ue) {
			err = ue.Err
		}
		return page{}, status, err
	}
	switch {
	case status >= http.StatusBadRequest:
		return page{}, status, c.responseError(resp)
	case status < http.StatusOK || status >= http.StatusMultipleChoices:
		return page{}, status, fmt.Errorf("unexpected HTTP %d", status)
	case !isJSON(resp.Header.Get("Content-Type")):
		return page{}, status, malformedf("could not build a response for type: %s", clip(resp.Header.Get("Content-Type"), 64))
	}
	body, err := bodyBytes(resp.Body)
	if err != nil {
		return page{}, status, err
	}
	asked := req.URL // or where a redirect within the origin led
	if resp.Request != nil {
		asked = resp.Request.URL
	}
	next, err := nextLink(resp.Header, asked)
	switch {
	case err != nil:
		return page{}, status, err
	case next == nil:
		return page{body: body}, status, nil
	case !paged:
		return page{}, status, malformedf("a next link on an answer that is not a page of a listing")
	}
	return page{body: body, next: pathAndQueryOf(next, asked), nextLink: next, asked: asked}, status, nil
}

// newRequest has the SDK build a GET of pathAndQuery. A panic inside the SDK (its reading of
// the token endpoint's answer) fails the request instead of the process.
func (c *Client) newRequest(pathAndQuery string) (_ *http.Request, err error) {
	defer recoverSDK(&err)
	// A copy per request: NewRequest keeps state in the executor between its calls.
	return c.sdk.CloneRequestExecutor().NewRequest(http.MethodGet, pathAndQuery, nil)
}

// responseError is Okta's error body of a failed answer as the SDK reads it (*sdk.Error).
func (c *Client) responseError(resp *http.Response) (err error) {
	defer recoverSDK(&err)
	return sdk.CheckResponseForError(resp)
}

func recoverSDK(err *error) {
	if p := recover(); p != nil {
		*err = malformedf("okta-sdk-golang failed on the answer: %s", clip(fmt.Sprint(p), maxQuote))
	}
}

// bodyBytes is the body the transport read, without a copy.
func bodyBytes(body io.Reader) ([]byte, error) {
	if rb, ok := body.(*readBody); ok {
		return rb.b, nil
	}
	return readAnswer(body, -1, true) // not through the transport: bound it all the same
}

// pathAndQueryOf is next as the path and query of a request under the org URL, with the query
// of the page it came from merged in, as the SDK does: a next link's parameters win, and the
// others (limit, expand) carry over should a server drop them from its links.
func pathAndQueryOf(next, from *url.URL) string {
	q := from.Query()
	for k, v := range next.Query() {
		q[k] = v
	}
	return next.EscapedPath() + "?" + q.Encode()
}

// canonical is pathAndQuery with its query in the order pathAndQueryOf writes it, so that the
// first page and the next links compare.
func canonical(pathAndQuery string) string {
	u, err := url.Parse(pathAndQuery)
	if err != nil {
		return pathAndQuery
	}
	return u.EscapedPath() + "?" + u.Query().Encode()
}

// walk GETs first (a path and query under the org URL) and every page its next links lead to,
// and hands each body to each. In order it checks: a failed page, then each, then the next
// link, which must not repeat an earlier page nor leave path. The first error ends the walk.
func (c *Client) walk(ctx context.Context, op, request, path, first string, each func(page int, body []byte) error) error {
	seen := map[string]bool{canonical(first): true}
	next := first
	for n := 1; ; n++ {
		p, status, err := c.get(ctx, next, true)
		if err != nil {
			return c.callError(op, request, n, status, err)
		}
		if err := each(n, p.body); err != nil {
			return err
		}
		if p.next == "" {
			return nil
		}
		if err := c.checkNext(op, request, path, n, p.next, seen); err != nil {
			return err
		}
		next = p.next
	}
}

// checkNext refuses a next link seen before or outside path, and remembers it. Okta cursors are
// opaque, so a loop can only be recognised by a link seen before; and a listing must not wander
// into another resource's pages.
func (c *Client) checkNext(op, request, path string, page int, next string, seen map[string]bool) error {
	if seen[next] {
		return c.malformed(op, request, page, "next link %s repeats an earlier one", quote(next))
	}
	seen[next] = true
	if nu, err := url.Parse(next); err != nil || nu.Path != path {
		return c.malformed(op, request, page, "next link %s is not a page of %s", quote(next), path)
	}
	return nil
}
