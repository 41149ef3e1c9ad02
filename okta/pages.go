package okta

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	sdk "github.com/okta/okta-sdk-golang/v2/okta"
)

// walkRawPages GETs first (a path and query under the org URL) and every page its next links
// lead to, and hands each body, undecoded, to each: a listing decodes its own pages, leanly and,
// for the app users, on another goroutine while the next page is in flight. The requests are the
// SDK's (auth, Link headers, Okta error bodies); the transport does the retries and pacing.
//
// In order it checks: a failed page, then each, then the next
// link, which must not repeat an earlier one nor leave path. The first error ends the walk.
func (c *Client) walkRawPages(ctx context.Context, op, request, path, first string, each func(page int, body []byte) error) error {
	re := c.sdk.CloneRequestExecutor()
	seen := make(map[string]bool)
	next := first
	for page := 1; ; page++ {
		resp, body, err := getPage(ctx, re, next)
		if err != nil {
			return c.callError(op, request, page, resp, err)
		}
		if resp == nil {
			return c.malformed(op, request, page, "no response")
		}
		if err := each(page, body); err != nil {
			return err
		}
		if !resp.HasNextPage() {
			return nil
		}
		next = resp.NextPage
		if err := c.checkNext(op, request, path, page, next, seen); err != nil {
			return err
		}
	}
}

// checkNext refuses a next link seen before or outside path, and remembers it. Okta cursors are
// opaque, so a loop can only be recognised by a link seen before (the SDK turns a folded Link
// header into a next link equal to the current page, for one); and the SDK follows whatever
// path a link names, under the org URL, so a listing could wander into another resource's pages.
func (c *Client) checkNext(op, request, path string, page int, next string, seen map[string]bool) error {
	if seen[next] {
		return c.malformed(op, request, page, "next link %s repeats an earlier one", next)
	}
	seen[next] = true
	if nu, err := url.Parse(next); err != nil || nu.Path != path {
		return c.malformed(op, request, page, "next link %s is not a page of %s", next, path)
	}
	return nil
}

// getPage GETs one page through re and returns the body as it came. The transport hands the body
// of a success over through the request's context and leaves the SDK an empty one, so the SDK
// parses the Link headers and Okta's error bodies but decodes no page. A body the SDK would
// have refused to decode (not JSON) is refused with its error, and an empty body, which it would
// have taken for an empty page, is one.
func getPage(ctx context.Context, re *sdk.RequestExecutor, pathAndQuery string) (*sdk.Response, []byte, error) {
	req, err := re.WithAccept("application/json").WithContentType("application/json").NewRequest(http.MethodGet, pathAndQuery, nil)
	if err != nil {
		return nil, nil, err
	}
	var pb pageBody
	resp, err := re.Do(withPageBody(ctx, &pb), req, nil)
	switch {
	case err != nil:
		return resp, nil, err
	case !pb.received:
		// Only a client built without the package's transport gets here (the SDK answers from
		// its cache only when the cache is on, and New turns it off).
		return nil, nil, errors.New("the answer did not reach the adapter's transport")
	case len(pb.body) > 0 && !strings.Contains(pb.contentType, "application/json"):
		return nil, nil, errors.New("could not build a response for type: " + pb.contentType)
	}
	return resp, pb.body, nil
}
