package okta

import (
	"context"
	"net/url"
	"sort"

	sdk "github.com/okta/okta-sdk-golang/v2/okta"
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
func (c *Client) ListAppUsers(ctx context.Context) ([]core.OktaUser, error) {
	path := "/api/v1/apps/" + c.appID + "/users"
	request := "GET " + path
	// The users themselves go straight into one slice, and each SDK page is dropped before
	// the next is read: at 100,000 users a map of them and the pages cost tens of MB.
	users := []core.OktaUser{}
	byID := make(map[string]struct{})
	// Okta cursors are opaque, so a loop can only be recognised by a link seen before. The SDK
	// turns a folded Link header into a next link equal to the current page, for one.
	seen := make(map[string]bool)

	page := 1
	aus, resp, err := c.sdk.Application.ListApplicationUsers(ctx, c.appID,
		query.NewQueryParams(query.WithLimit(int64(c.pageLimit)), query.WithExpand("user")))
	for {
		if err != nil {
			return nil, c.callError(opListAppUsers, request, page, resp, err)
		}
		if resp == nil {
			return nil, c.malformed(opListAppUsers, request, page, "no response")
		}
		for i, au := range aus {
			u, err := c.decodeAppUser(au, i)
			if err != nil {
				return nil, c.malformed(opListAppUsers, request, page, "%w", err)
			}
			if _, dup := byID[u.ID]; dup {
				return nil, c.malformed(opListAppUsers, request, page, "app user %s listed twice", u.ID)
			}
			byID[u.ID] = struct{}{}
			users = append(users, u)
		}
		if !resp.HasNextPage() {
			break
		}
		next := resp.NextPage
		if seen[next] {
			return nil, c.malformed(opListAppUsers, request, page, "next link %s repeats an earlier one", next)
		}
		seen[next] = true
		// The SDK follows whatever path the link names, under the org URL; a listing must not
		// wander into another resource's pages.
		if nu, perr := url.Parse(next); perr != nil || nu.Path != path {
			return nil, c.malformed(opListAppUsers, request, page, "next link %s is not a page of %s", next, path)
		}
		page++
		aus = nil
		var more []*sdk.AppUser
		resp, err = resp.Next(ctx, &more)
		aus = more
	}
	sort.Slice(users, func(i, j int) bool { return users[i].ID < users[j].ID })
	return users, nil
}
