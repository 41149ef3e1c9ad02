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

// CreateUser creates u the way Okta's SCIM client does (POST /Users, no password) and returns the
// created user as ClickUp answered it. A userName that exists already, active or not, fails with
// an error wrapping core.ErrConflict.
func (c *SCIMClient) CreateUser(ctx context.Context, u core.NewUser) (core.ClickUpUser, error) {
	created, err := c.createUser(ctx, u)
	if err != nil {
		return core.ClickUpUser{}, fmt.Errorf("create user %s: %w", u.UserName, err)
	}
	return created, nil
}

func (c *SCIMClient) createUser(ctx context.Context, u core.NewUser) (core.ClickUpUser, error) {
	if err := c.ready(); err != nil {
		return core.ClickUpUser{}, err
	}
	if strings.TrimSpace(u.UserName) == "" {
		return core.ClickUpUser{}, errors.New("userName is empty")
	}
	role, err := c.roleMembers(u.Role)
	if err != nil {
		return core.ClickUpUser{}, err
	}
	email := u.Email
	if email == "" {
		email = u.UserName // ClickUp invites by email; the login is the address Okta would use
	}
	doc := newUserDoc{
		Schemas: c.schemas(), UserName: u.UserName,
		Emails:      []scimEmail{{Primary: true, Value: email, Type: "work"}},
		DisplayName: displayName(u.GivenName, u.FamilyName), ExternalID: u.ExternalID, Active: true, Role: role,
	}
	if n := (scimName{GivenName: u.GivenName, FamilyName: u.FamilyName}); n != (scimName{}) {
		doc.Name = &n
	}
	body, err := json.Marshal(&doc)
	if err != nil {
		return core.ClickUpUser{}, err
	}
	// 201 is what RFC 7644 and Okta expect; 200 is tolerated because the body is checked anyway.
	cl := call{method: http.MethodPost, path: "/Users", body: body, ok: []int{http.StatusCreated, http.StatusOK}}
	return c.postUser(ctx, cl, u)
}

// newUserDoc is a create in Okta's shape (reference/clickup-api.md §3.2 item 2), without the
// password, with the role attributes where the Workspace keeps them.
type newUserDoc struct {
	Schemas     []string       `json:"schemas"`
	UserName    string         `json:"userName"`
	Name        *scimName      `json:"name,omitzero"`
	Emails      []scimEmail    `json:"emails"`
	DisplayName string         `json:"displayName,omitzero"`
	ExternalID  string         `json:"externalId,omitzero"`
	Active      bool           `json:"active"`
	Role        jsontext.Value `json:",inline"`
}

// ReplaceUser sends the user back whole (PUT /Users/{id}) with only active and the role
// attributes set from u. It starts from the resource as this client last read it, so attributes
// this client does not model survive; a user it never read is refused before any request, as a
// PUT of what ClickUpUser holds would wipe them.
func (c *SCIMClient) ReplaceUser(ctx context.Context, u core.ClickUpUser) (core.ClickUpUser, error) {
	got, err := c.replaceUser(ctx, u)
	if err != nil {
		return core.ClickUpUser{}, fmt.Errorf("replace user %s: %w", u.ID, err)
	}
	return got, nil
}

func (c *SCIMClient) replaceUser(ctx context.Context, u core.ClickUpUser) (core.ClickUpUser, error) {
	if err := c.ready(); err != nil {
		return core.ClickUpUser{}, err
	}
	if u.ID == "" {
		return core.ClickUpUser{}, errors.New("user has no id")
	}
	kept, ok := c.read.get(u.ID)
	if !ok {
		return core.ClickUpUser{}, errors.New("this client has not read the user: a PUT must start from the resource as ClickUp gave it, or it would wipe what is not modeled")
	}
	body, err := c.putBody(u, kept, false)
	if err != nil {
		return core.ClickUpUser{}, err
	}
	cl := call{method: http.MethodPut, path: "/Users/" + url.PathEscape(u.ID), body: body, ok: []int{http.StatusOK}}
	r, err := c.ep.do(ctx, cl)
	if err != nil {
		return core.ClickUpUser{}, err
	}
	return c.userAnswer(cl, r, u.ID, "replaced user")
}

// userAnswer reads a write's answer, which must be the user asked about, and keeps it for the
// next PUT: it is the freshest read of that user there is.
func (c *SCIMClient) userAnswer(cl call, r reply, id, what string) (core.ClickUpUser, error) {
	if err := checkJSON(r.body, '{'); err != nil {
		return core.ClickUpUser{}, c.ep.malformed(cl, "%s: %v", what, err)
	}
	got, kept, err := c.decodeUser(r.body)
	switch {
	case err != nil:
		return core.ClickUpUser{}, c.ep.malformed(cl, "%s: %v", what, err)
	case id != "" && got.ID != id:
		return core.ClickUpUser{}, c.ep.malformed(cl, "answered with user %s", shown(got.ID))
	}
	c.read.put([]core.ClickUpUser{got}, []keptUser{kept})
	return got, nil
}

// SetActive deactivates or reactivates a user with Okta's path-less PATCH. The user keeps
// everything else, its role included.
func (c *SCIMClient) SetActive(ctx context.Context, id string, active bool) error {
	if err := c.setActive(ctx, id, active); err != nil {
		verb := "deactivate"
		if active {
			verb = "reactivate"
		}
		return fmt.Errorf("%s user %s: %w", verb, id, err)
	}
	return nil
}

type patchRequest struct {
	Schemas    []string    `json:"schemas"`
	Operations []patchItem `json:"Operations"`
}

type patchItem struct {
	Op    string `json:"op"`
	Path  string `json:"path,omitempty"`
	Value any    `json:"value"`
}

func (c *SCIMClient) setActive(ctx context.Context, id string, active bool) error {
	if id == "" {
		return errors.New("user has no id")
	}
	if err := c.ready(); err != nil {
		return err
	}
	if c.svc.noPatch {
		return c.putActive(ctx, id, active)
	}
	type activeValue struct {
		Active bool `json:"active"`
	}
	body, err := json.Marshal(patchRequest{
		Schemas:    []string{schemaPatchOp},
		Operations: []patchItem{{Op: "replace", Value: activeValue{active}}},
	})
	if err != nil {
		return err
	}
	cl := call{method: http.MethodPatch, path: "/Users/" + url.PathEscape(id), body: body, ok: []int{http.StatusOK, http.StatusNoContent}}
	r, err := c.ep.do(ctx, cl)
	if err != nil || r.status == http.StatusNoContent {
		return err
	}
	// A 200 carries the resource: check that the change took rather than trust the status alone.
	got, err := c.userAnswer(cl, r, id, "patched user")
	switch {
	case err != nil:
		return err
	case got.Active != active:
		return c.ep.malformed(cl, "answered with active %t after asking for %t", got.Active, active)
	}
	return nil
}

type scimName struct {
	GivenName  string `json:"givenName,omitempty"`
	FamilyName string `json:"familyName,omitempty"`
}

type scimEmail struct {
	Primary bool   `json:"primary"`
	Value   string `json:"value"`
	Type    string `json:"type"`
}

func displayName(given, family string) string {
	return strings.TrimSpace(strings.TrimSpace(given) + " " + strings.TrimSpace(family))
}
