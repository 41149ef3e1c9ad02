package okta

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/okta/okta-sdk-golang/v2/okta/query"
	"golang.org/x/sync/errgroup"

	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

const opListAppUsers = "list app users"

// ListAppUsers returns every user assigned to the app, each joined with its Okta user, sorted by
// id. It reads one paginated listing (GET /api/v1/apps/{appId}/users?limit=N&expand=user) and
// makes no per-user call.
//
// Any failed or malformed page fails the whole listing and no users are returned. Errors are
// *APIError and match core.ErrUnauthorized (401, 403), core.ErrNotFound (unknown app),
// core.ErrRateLimited (429 after the retries, or a reset too far away) or core.ErrMalformed
// (a body that is not a list of app users, a missing required field, a duplicate user, a next
// link that repeats or leaves the listing).
//
// The listing is a cursor, so its pages come one after the other and the run waits for all of
// them: the time between receiving a page and requesting the next is spent on every page. Each
// page is therefore decoded on a second goroutine while the next one is requested. The error is
// the one reading the pages one at a time would give: that of the first page that fails, and
// for one page its users' before its next link's.
func (c *Client) ListAppUsers(ctx context.Context) ([]core.OktaUser, error) {
	return c.listAppUsers(ctx, nil)
}

// listAppUsers is ListAppUsers; beforeDecode, when set, is called on the decoding goroutine
// before each page is decoded, for tests.
func (c *Client) listAppUsers(ctx context.Context, beforeDecode func(page int)) ([]core.OktaUser, error) {
	path := "/api/v1/apps/" + c.appID + "/users"
	request := "GET " + path
	first := path + query.NewQueryParams(query.WithLimit(int64(c.pageLimit)), query.WithExpand("user")).String()

	// Unbuffered: the decoder takes a page as soon as it is done with the one before, which at
	// page sizes Okta serves is long before the next page arrives. So at most two pages are held,
	// the one being decoded and the one just received.
	pages := make(chan rawPage)
	d := appUserDecoder{c: c, request: request, users: []core.OktaUser{}, byID: make(map[string]struct{})}
	var walkErr, decodeErr error
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		defer close(pages)
		walkErr = c.walk(gctx, opListAppUsers, request, path, first, func(page int, body []byte) error {
			select {
			case pages <- rawPage{page, body}:
				return nil
			case <-gctx.Done():
				return context.Cause(gctx) // the decoder failed: its error is the listing's
			}
		})
		return walkErr
	})
	g.Go(func() error {
		for p := range pages {
			if beforeDecode != nil {
				beforeDecode(p.n)
			}
			if decodeErr = d.decode(p); decodeErr != nil {
				return decodeErr // cancels the request in flight: it is not needed any more
			}
		}
		return nil
	})
	_ = g.Wait()
	// A page's users fail it before its next link does; a failed request can only be for a page
	// after the last one decoded.
	switch {
	case decodeErr != nil:
		return nil, decodeErr
	case walkErr != nil:
		return nil, walkErr
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
}

func (d *appUserDecoder) decode(p rawPage) error {
	err := decodeList(p.body, func(i int, au *appUser, typeErr error) error {
		u, err := d.c.joinAppUser(au, i, typeErr)
		if err != nil {
			return err
		}
		if _, dup := d.byID[u.ID]; dup {
			return fmt.Errorf("app user %s listed twice", clip(u.ID, maxQuote))
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

// appUser is what the adapter reads of an app user with its Okta user (expand=user).
type appUser struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	// The app-user profile: the role attributes, under the keys the configuration names.
	Profile  map[string]json.RawMessage `json:"profile"`
	Embedded struct {
		User oktaUser `json:"user"` // zero when absent or null
	} `json:"_embedded"`
}

// oktaUser is what the adapter reads of an Okta user, embedded in an app user or on its own.
// Values rather than pointers: at 100,000 users each pointer is an allocation.
type oktaUser struct {
	ID      string `json:"id"`
	Status  string `json:"status"`
	Profile struct {
		Login     string `json:"login"`
		Email     string `json:"email"`
		FirstName string `json:"firstName"`
		LastName  string `json:"lastName"`
	} `json:"profile"`
}

// joinAppUser joins an app user, entry i of a page, with its embedded Okta user. Every field
// the entitlement decision rests on is required: a guessed status could grant or revoke access.
func (c *Client) joinAppUser(au *appUser, i int, typeErr error) (core.OktaUser, error) {
	switch {
	case au == nil:
		return core.OktaUser{}, fmt.Errorf("entry %d of the page is null", i+1)
	case typeErr != nil && au.ID != "":
		return core.OktaUser{}, fmt.Errorf("app user %s: %w", clip(au.ID, maxQuote), typeErr)
	case typeErr != nil:
		return core.OktaUser{}, fmt.Errorf("app user at position %d of the page: %w", i+1, typeErr)
	case au.ID == "":
		return core.OktaUser{}, fmt.Errorf("app user at position %d of the page: missing id", i+1)
	}
	u, err := c.appUserFields(au)
	if err != nil {
		return core.OktaUser{}, fmt.Errorf("app user %s: %w", clip(au.ID, maxQuote), err)
	}
	return u, nil
}

func (c *Client) appUserFields(au *appUser) (core.OktaUser, error) {
	if au.Status == "" {
		return core.OktaUser{}, fmt.Errorf("missing status")
	}
	user := &au.Embedded.User
	if *user == (oktaUser{}) {
		return core.OktaUser{}, fmt.Errorf("missing _embedded.user (was expand=user dropped?)")
	}
	if user.ID != au.ID && user.ID != "" {
		return core.OktaUser{}, fmt.Errorf("_embedded.user.id %s differs from the app user id", quote(user.ID))
	}
	out, err := userFields(user, "_embedded.user.")
	if err != nil {
		return core.OktaUser{}, err
	}
	out.AppStatus = known(au.Status)
	keys := [...]string{c.keys.role, c.keys.customRoleName, c.keys.customRoleID}
	for i, dst := range [...]*string{&out.Role, &out.CustomRoleName, &out.CustomRoleID} {
		s, err := roleAttr(au.Profile[keys[i]])
		if err != nil {
			return core.OktaUser{}, fmt.Errorf("profile.%s: %w", keys[i], err)
		}
		*dst = s
	}
	return out, nil
}

// userFields is an Okta user's own part of core.OktaUser; where names the user in messages.
func userFields(u *oktaUser, where string) (core.OktaUser, error) {
	switch {
	case u.ID == "":
		return core.OktaUser{}, fmt.Errorf("missing %sid", where)
	case u.Status == "":
		return core.OktaUser{}, fmt.Errorf("missing %sstatus", where)
	}
	p := &u.Profile
	out := core.OktaUser{ID: u.ID, UserStatus: known(u.Status), Login: p.Login, Email: p.Email, FirstName: p.FirstName, LastName: p.LastName}
	if out.Email == out.Login {
		out.Email = out.Login // one copy of the address, not two
	}
	return out, nil
}
