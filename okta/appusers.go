package okta

import (
	"context"
	"fmt"
	"sort"

	"github.com/okta/okta-sdk-golang/v2/okta/query"

	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

const opListAppUsers = "list app users"

// ListAppUsers returns every user assigned to the app, each joined with its Okta user, sorted by
// id. It reads one paginated listing (GET /api/v1/apps/{appId}/users?limit=N&expand=user) and
// makes no per-user call.
//
// Any failed or malformed page fails the whole listing and no users are returned. Errors are
// *APIError and match core.ErrUnauthorized (401, 403), core.ErrNotFound (unknown app),
// core.ErrRateLimited (429 after the SDK's retries) or core.ErrMalformed (undecodable body,
// missing required field, duplicate user, next link that repeats or leaves the listing).
//
// The listing is a cursor, so its pages come one after the other and the run waits for all of
// them: the time between receiving a page and requesting the next is spent on every page. Each
// page therefore goes undecoded to a second goroutine, which decodes it while the next one is
// requested. The error is the one reading the pages one at a time would give: that of the
// first page that fails, and for one page its users' before its next link's.
func (c *Client) ListAppUsers(ctx context.Context) ([]core.OktaUser, error) {
	return c.listAppUsers(ctx, nil)
}

// listAppUsers is ListAppUsers; beforeDecode, when set, is called on the decoding goroutine
// before each page is decoded, for tests.
func (c *Client) listAppUsers(ctx context.Context, beforeDecode func(page int)) ([]core.OktaUser, error) {
	path := "/api/v1/apps/" + c.appID + "/users"
	request := "GET " + path
	first := path + query.NewQueryParams(query.WithLimit(int64(c.pageLimit)), query.WithExpand("user")).String()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Unbuffered: the decoder takes a page as soon as it is done with the one before, which at
	// page sizes Okta serves is long before the next page arrives. So at most two pages are held,
	// the one being decoded and the one just received.
	pages := make(chan rawPage)
	d := appUserDecoder{c: c, request: request, users: []core.OktaUser{}, byID: make(map[string]struct{})}
	decoded := make(chan struct{})
	go func() {
		defer close(decoded)
		for p := range pages {
			if beforeDecode != nil {
				beforeDecode(p.n)
			}
			if d.err = d.decode(p); d.err != nil {
				cancel() // the page in flight is not needed any more
				return
			}
		}
	}()
	err := c.walkRawPages(ctx, opListAppUsers, request, path, first, func(page int, body []byte) error {
		select {
		case pages <- rawPage{page, body}:
			return nil
		case <-decoded:
			return d.err // the decoder failed: its error is the listing's
		}
	})
	close(pages)
	<-decoded
	// A page's users fail it before its next link does; a failed request can only be for a page
	// after the last one decoded.
	if d.err != nil {
		return nil, d.err
	}
	if err != nil {
		return nil, err
	}
	sort.Slice(d.users, func(i, j int) bool { return d.users[i].ID < d.users[j].ID })
	return d.users, nil
}

type rawPage struct {
	n    int // 1-based
	body []byte
}

// appUserDecoder decodes the pages of one app users listing, in order.
type appUserDecoder struct {
	c       *Client
	request string
	// The users themselves go straight into one slice, and each page is dropped once decoded: at
	// 100,000 users a map of them and the pages cost tens of MB.
	users []core.OktaUser
	byID  map[string]struct{}
	err   error // the first error; no page is decoded after it
}

func (d *appUserDecoder) decode(p rawPage) error {
	err := d.c.decodeAppUserPage(p.body, func(u core.OktaUser) error {
		if _, dup := d.byID[u.ID]; dup {
			return fmt.Errorf("app user %s listed twice", u.ID)
		}
		d.byID[u.ID] = struct{}{}
		d.users = append(d.users, u)
		return nil
	})
	if err != nil {
		return d.c.malformed(opListAppUsers, d.request, p.n, "%w", err)
	}
	return nil
}
