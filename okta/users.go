package okta

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	sdk "github.com/okta/okta-sdk-golang/v2/okta"
	"github.com/okta/okta-sdk-golang/v2/okta/query"

	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// The single-user reads: a deactivation's confirmation (DESIGN.md §7) and the on-demand and
// event runs (§10). Each costs one request, but for a user looked up by an email that is no
// login, which costs a search more.

var (
	_ core.UserReader      = (*Client)(nil)
	_ core.UserGroupReader = (*Client)(nil)
)

const (
	opGetAppUser     = "get app user"
	opGetUser        = "get user"
	opFindUser       = "find user by email"
	opListUserGroups = "list user groups"

	usersPath = "/api/v1/users"
	// userSearchLimit is the page size of user searches, Okta's default and maximum.
	userSearchLimit = 200
	// errNotFoundCode is Okta's errorCode of a 404 about a resource.
	errNotFoundCode = "E0000007"
)

// AppUser returns the user's assignment of the app joined with its Okta user, decoded as the
// listing decodes it (GET /api/v1/apps/{appId}/users/{userId}?expand=user). ok is false, with no
// error, when Okta answers that the user is not assigned (404, E0000007). A 404 that names the
// app, or that is not Okta's, is an error matching core.ErrNotFound: read as "not assigned", it
// would confirm every deactivation.
func (c *Client) AppUser(ctx context.Context, oktaUserID string) (core.OktaUser, bool, error) {
	if !isID(oktaUserID) {
		return core.OktaUser{}, false, fmt.Errorf("okta: %s: %s is not an Okta user id", opGetAppUser, quote(oktaUserID))
	}
	path := "/api/v1/apps/" + c.appID + "/users/" + oktaUserID
	request := "GET " + path
	p, status, err := c.get(ctx, path+query.NewQueryParams(query.WithExpand("user")).String(), false)
	switch {
	case err != nil && c.notFound(status, err, c.appID):
		return core.OktaUser{}, false, nil
	case err != nil:
		return core.OktaUser{}, false, c.callError(opGetAppUser, request, 0, status, err)
	}
	var au appUser
	if err := decodeObject(p.body, &au); err != nil {
		return core.OktaUser{}, false, c.malformed(opGetAppUser, request, 0, "%w", err)
	}
	if au.ID != oktaUserID {
		return core.OktaUser{}, false, c.malformed(opGetAppUser, request, 0, "the answer describes app user %s", quote(au.ID))
	}
	u, err := c.appUserFields(&au)
	if err != nil {
		return core.OktaUser{}, false, c.malformed(opGetAppUser, request, 0, "%w", err)
	}
	return u, true, nil
}

// notFound reports Okta's own answer that a resource does not exist (404, E0000007), about
// anything but notAbout ("Not found: Resource not found: 0oa1 (AppInstance)" names the app).
func (c *Client) notFound(status int, err error, notAbout string) bool {
	var oe *sdk.Error
	if status != http.StatusNotFound || !errors.As(err, &oe) || oe.ErrorCode != errNotFoundCode {
		return false
	}
	return notAbout == "" || !strings.Contains(oe.ErrorSummary, notAbout) && !strings.Contains(oe.ErrorSummary, "(AppInstance)")
}

// User returns the Okta user whose id or login is key (GET /api/v1/users/{key}), or, when no
// user has that login and key is an email, the one user whose primary email it is (GET
// /api/v1/users?search=profile.email eq "key"). Only the user's own fields are set. ok is false,
// with no error, when no user has that key; an email shared by several users is an error.
func (c *Client) User(ctx context.Context, key string) (core.OktaUser, bool, error) {
	if key == "" || key == "." || key == ".." || strings.ContainsFunc(key, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return core.OktaUser{}, false, fmt.Errorf("okta: %s: %s is neither an Okta user id nor a login", opGetUser, quote(key))
	}
	path := usersPath + "/" + url.PathEscape(key)
	request := "GET " + usersPath + "/" + clip(key, maxQuote)
	p, status, err := c.get(ctx, path, false)
	switch {
	case err != nil && c.notFound(status, err, "") && strings.Contains(key, "@"):
		return c.userByEmail(ctx, key)
	case err != nil && c.notFound(status, err, ""):
		return core.OktaUser{}, false, nil
	case err != nil:
		return core.OktaUser{}, false, c.callError(opGetUser, request, 0, status, err)
	}
	var ou oktaUser
	if err := decodeObject(p.body, &ou); err != nil {
		return core.OktaUser{}, false, c.malformed(opGetUser, request, 0, "%w", err)
	}
	u, err := userFields(&ou, "")
	if err != nil {
		return core.OktaUser{}, false, c.malformed(opGetUser, request, 0, "%w", err)
	}
	// A login may be given short ("alice" for alice@acme.com), so only an id must come back as
	// it was asked for.
	if isOktaUserID(key) && u.ID != key {
		return core.OktaUser{}, false, c.malformed(opGetUser, request, 0, "the answer describes user %s", quote(u.ID))
	}
	return u, true, nil
}

// userByEmail finds the one user whose primary email is email.
func (c *Client) userByEmail(ctx context.Context, email string) (core.OktaUser, bool, error) {
	search := `profile.email eq "` + quoteSearch(email) + `"`
	request := "GET " + usersPath + "?search=" + clip(search, maxQuote)
	first := usersPath + query.NewQueryParams(query.WithSearch(search), query.WithLimit(userSearchLimit)).String()
	var found []core.OktaUser
	err := c.walk(ctx, opFindUser, request, usersPath, first, func(page int, body []byte) error {
		err := decodeList(body, func(i int, ou *oktaUser, typeErr error) error {
			switch {
			case ou == nil:
				return fmt.Errorf("entry %d of the page is null", i+1)
			case typeErr != nil:
				return fmt.Errorf("user at position %d of the page: %w", i+1, typeErr)
			}
			u, err := userFields(ou, "")
			switch {
			case err != nil:
				return fmt.Errorf("user at position %d of the page: %w", i+1, err)
			// Okta's eq ignores case, and so do mail systems; anything else is not an answer
			// to the search.
			case !strings.EqualFold(u.Email, email):
				return fmt.Errorf("user %s has the email %s, not the one searched for", clip(u.ID, maxQuote), quote(u.Email))
			case slices.ContainsFunc(found, func(f core.OktaUser) bool { return f.ID == u.ID }):
				return fmt.Errorf("user %s listed twice", clip(u.ID, maxQuote))
			}
			found = append(found, u)
			return nil
		})
		if err != nil {
			return c.malformed(opFindUser, request, page, "%w", err)
		}
		return nil
	})
	switch {
	case err != nil:
		return core.OktaUser{}, false, err
	case len(found) == 0:
		return core.OktaUser{}, false, nil
	case len(found) > 1:
		return core.OktaUser{}, false, fmt.Errorf("okta: %s: %d Okta users have the primary email %s; give a login or an Okta user id",
			opFindUser, len(found), quote(email))
	}
	return found[0], true, nil
}

// UserGroups returns the ids of the groups the user is a member of, sorted (GET
// /api/v1/users/{id}/groups, every page). An unknown user is an error matching
// core.ErrNotFound.
func (c *Client) UserGroups(ctx context.Context, oktaUserID string) ([]string, error) {
	if !isID(oktaUserID) {
		return nil, fmt.Errorf("okta: %s: %s is not an Okta user id", opListUserGroups, quote(oktaUserID))
	}
	path := usersPath + "/" + oktaUserID + "/groups"
	request := "GET " + path
	ids := []string{}
	seen := map[string]bool{}
	err := c.walk(ctx, opListUserGroups, request, path, path, func(page int, body []byte) error {
		err := decodeGroups(body, func(g *group) error {
			if seen[g.ID] {
				return fmt.Errorf("group %s listed twice", clip(g.ID, maxQuote))
			}
			seen[g.ID] = true
			ids = append(ids, g.ID)
			return nil
		})
		if err != nil {
			return c.malformed(opListUserGroups, request, page, "%w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(ids)
	return ids, nil
}

// isOktaUserID reports the shape of an Okta user id: 00u and 17 letters or digits.
func isOktaUserID(s string) bool {
	return len(s) == 20 && strings.HasPrefix(s, "00u") && isID(s) && !strings.ContainsAny(s, "-_")
}
