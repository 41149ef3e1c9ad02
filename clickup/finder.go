package clickup

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// Single reads, for the on-demand and event runs (DESIGN.md §10) and for a create's re-check.
// Every user read is kept for a later PUT, as a listed one is.

var (
	_ core.UserFinder = (*SCIMClient)(nil)
	_ core.TeamReader = (*SCIMClient)(nil)
)

// User reads one user (GET /Users/{id}); ok is false, with no error, when ClickUp answers 404.
func (c *SCIMClient) User(ctx context.Context, id string) (core.ClickUpUser, bool, error) {
	if id == "" {
		return core.ClickUpUser{}, false, errors.New("read user: the id is empty")
	}
	if err := c.ready(); err != nil {
		return core.ClickUpUser{}, false, fmt.Errorf("read user %s: %w", id, err)
	}
	cl := call{method: http.MethodGet, path: "/Users/" + url.PathEscape(id), ok: []int{http.StatusOK}}
	r, err := c.ep.do(ctx, cl)
	if isStatus(err, http.StatusNotFound) {
		return core.ClickUpUser{}, false, nil
	}
	if err == nil {
		var u core.ClickUpUser
		if u, err = c.userAnswer(cl, r, id, "user"); err == nil {
			return u, true, nil
		}
	}
	return core.ClickUpUser{}, false, fmt.Errorf("read user %s: %w", id, err)
}

// FindUsers returns every user, active or not, whose key equals value: externalId
// case-sensitively, userName and emails.value case-insensitively (RFC 7643 §4.1). It asks the
// service to filter (GET /Users?filter=<key> eq "<value>"), and a user in the answer that does
// not match the filter is a malformed answer, not a match.
func (c *SCIMClient) FindUsers(ctx context.Context, key core.UserKey, value string) ([]core.ClickUpUser, error) {
	users, err := c.findUsers(ctx, key, value)
	if err != nil {
		return nil, fmt.Errorf("find users with %s %q: %w", key, value, err)
	}
	return users, nil
}

func (c *SCIMClient) findUsers(ctx context.Context, key core.UserKey, value string) ([]core.ClickUpUser, error) {
	switch {
	case key != core.ByExternalID && key != core.ByUserName && key != core.ByEmail:
		return nil, fmt.Errorf("users cannot be looked up by %q", key)
	case value == "":
		return nil, errors.New("the value is empty")
	}
	if err := c.ready(); err != nil {
		return nil, err
	}
	return c.filterUsers(ctx, userMatch{key: key, value: value})
}

// findOne is a lookup that must find at most one user.
func (c *SCIMClient) findOne(ctx context.Context, key core.UserKey, value string) (core.ClickUpUser, bool, error) {
	users, err := c.findUsers(ctx, key, value)
	switch {
	case err != nil:
		return core.ClickUpUser{}, false, err
	case len(users) == 0:
		return core.ClickUpUser{}, false, nil
	case len(users) > 1:
		return core.ClickUpUser{}, false, fmt.Errorf("%w: %d users have %s %q", core.ErrMalformed, len(users), key, value)
	}
	return users[0], true, nil
}

// userMatch is one lookup: an attribute and the value it must equal.
type userMatch struct {
	key   core.UserKey
	value string
}

// filter is m as a SCIM filter (RFC 7644 §3.4.2.2), query-encoded. The value is a JSON string
// literal, so quotes and backslashes in it cannot end it and smuggle in more of a filter.
func (m userMatch) filter() string {
	lit, _ := json.Marshal(m.value) // a string; invalid UTF-8 was refused by the caller's JSON
	// QueryEscape writes a space as "+"; %20 is what Okta sends and what no server misreads.
	return strings.ReplaceAll(url.QueryEscape(string(m.key)+" eq "+string(lit)), "+", "%20")
}

// matches reports whether a user read satisfies m; kept holds its other emails, besides the
// primary one the user carries.
func (m userMatch) matches(u core.ClickUpUser, kept keptUser) bool {
	switch m.key {
	case core.ByExternalID:
		return u.ExternalID == m.value
	case core.ByUserName:
		return strings.EqualFold(u.UserName, m.value)
	}
	var d struct {
		Emails []emailDoc `json:"emails"`
	}
	if strings.EqualFold(u.Email, m.value) {
		return true
	}
	if kept.rest == "" || decodeValue(jsontext.Value(kept.rest), &d) != nil {
		return false
	}
	for _, e := range d.Emails {
		if strings.EqualFold(e.Value, m.value) {
			return true
		}
	}
	return false
}

// filterUsers is where a lookup reaches the service, so that a service that announces no filter
// support (DESIGN.md §11) can be read through the listing and m.matches here instead.
func (c *SCIMClient) filterUsers(ctx context.Context, m userMatch) ([]core.ClickUpUser, error) {
	if c.svc.noFilter {
		return c.scanUsers(ctx, m)
	}
	f := m.filter()
	l, err := listAll(ctx, c, c.userList(), f)
	var ae *APIError
	if errors.As(err, &ae) && ae.Status == http.StatusNotFound && ae.Path == pagePath("/Users", f, 1, c.pageSize) {
		return nil, nil // Okta reads a 404 to a filter as "no such user" too
	}
	if err != nil {
		return nil, err
	}
	for i, u := range l.items {
		if !m.matches(u, l.kept[i]) {
			return nil, c.ep.malformed(l.first, "the filter %s eq %q answered user %s, which does not match it", m.key, m.value, shown(u.ID))
		}
	}
	c.read.put(l.items, l.kept)
	return l.items, nil
}

// scanUsers is a lookup for a service that announces no filter support: the whole listing, read
// as strictly as ListUsers, searched here. Only the users found are kept for a PUT: the users
// kept from the last full listing stay as they were.
func (c *SCIMClient) scanUsers(ctx context.Context, m userMatch) ([]core.ClickUpUser, error) {
	l, err := listAll(ctx, c, c.userList(), "")
	if err != nil {
		return nil, err
	}
	var found []core.ClickUpUser
	var kept []keptUser
	for i, u := range l.items {
		if m.matches(u, l.kept[i]) {
			found, kept = append(found, u), append(kept, l.kept[i])
		}
	}
	c.read.put(found, kept)
	return found, nil
}

// Team reads one group with its members (GET /Groups/{id}); ok is false, with no error, when
// ClickUp answers 404.
func (c *SCIMClient) Team(ctx context.Context, id string) (core.ClickUpTeam, bool, error) {
	if id == "" {
		return core.ClickUpTeam{}, false, errors.New("read team: the id is empty")
	}
	cl := call{method: http.MethodGet, path: "/Groups/" + url.PathEscape(id), ok: []int{http.StatusOK}}
	r, err := c.ep.do(ctx, cl)
	if isStatus(err, http.StatusNotFound) {
		return core.ClickUpTeam{}, false, nil
	}
	if err == nil {
		var g groupRead
		if g, err = c.groupAnswer(cl, r, id, "group"); err == nil {
			c.keepGroups([]groupRead{g}, false)
			return g.ClickUpTeam, true, nil
		}
	}
	return core.ClickUpTeam{}, false, fmt.Errorf("read team %s: %w", id, err)
}

// isStatus reports a service answer with this status.
func isStatus(err error, status int) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Status == status
}
