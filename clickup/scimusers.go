package clickup

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// FindUserByUserName looks a user up with the filter userName eq "<userName>", the way Okta checks
// for an existing user before a create. It reports false when no user has that userName.
func (c *SCIMClient) FindUserByUserName(ctx context.Context, userName string) (core.ClickUpUser, bool, error) {
	u, ok, err := c.findUserByUserName(ctx, userName)
	if err != nil {
		return core.ClickUpUser{}, false, fmt.Errorf("find user %s: %w", userName, err)
	}
	return u, ok, nil
}

func (c *SCIMClient) findUserByUserName(ctx context.Context, userName string) (core.ClickUpUser, bool, error) {
	if userName == "" {
		return core.ClickUpUser{}, false, errors.New("userName is empty")
	}
	// A SCIM filter value is a JSON string literal (RFC 7644 §3.4.2.2): quotes and backslashes in
	// it are escaped so the value cannot end the literal and smuggle in more of a filter.
	filter := "userName eq " + string(mustMarshal(userName))
	// QueryEscape writes a space as "+"; %20 is what Okta sends and what no server misreads.
	enc := strings.ReplaceAll(url.QueryEscape(filter), "+", "%20")
	p, cl, err := c.readPage(ctx, enc, 1, c.pageSize)
	var ae *APIError
	if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
		return core.ClickUpUser{}, false, nil // Okta reads a 404 to a filter as "no such user" too
	}
	if err != nil {
		return core.ClickUpUser{}, false, err
	}
	for _, u := range p.users {
		if !strings.EqualFold(u.UserName, userName) {
			return core.ClickUpUser{}, false, c.ep.malformed(cl, "the filter answered user %s with userName %q", u.ID, u.UserName)
		}
	}
	switch {
	case p.total == 0 && len(p.users) == 0:
		return core.ClickUpUser{}, false, nil
	case p.total == 1 && len(p.users) == 1:
		return p.users[0], true, nil
	default:
		return core.ClickUpUser{}, false, c.ep.malformed(cl, "%d users have userName %q (%d on the page)", p.total, userName, len(p.users))
	}
}

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
	if strings.TrimSpace(u.UserName) == "" {
		return core.ClickUpUser{}, errors.New("userName is empty")
	}
	o := &object{}
	o.set("schemas", c.schemas())
	o.set("userName", u.UserName)
	if n := (scimName{GivenName: u.GivenName, FamilyName: u.FamilyName}); n != (scimName{}) {
		o.set("name", n)
	}
	email := u.Email
	if email == "" {
		email = u.UserName // ClickUp invites by email; the login is the address Okta would use
	}
	o.set("emails", []scimEmail{{Primary: true, Value: email, Type: "work"}})
	if dn := displayName(u.GivenName, u.FamilyName); dn != "" {
		o.set("displayName", dn)
	}
	if u.ExternalID != "" {
		o.set("externalId", u.ExternalID)
	}
	o.set("active", true)
	if err := c.putRole(o, u.Role); err != nil {
		return core.ClickUpUser{}, err
	}
	body, err := o.MarshalJSON()
	if err != nil {
		return core.ClickUpUser{}, err
	}
	// 201 is what RFC 7644 and Okta expect; 200 is tolerated because the body is checked anyway.
	cl := call{method: http.MethodPost, path: "/Users", body: body, ok: []int{http.StatusCreated, http.StatusOK}}
	return c.postUser(ctx, cl, u)
}

// ReplaceUser sends the user back whole (PUT /Users/{id}) with only active and the role
// attributes set from u. It starts from u.Raw, the resource as listed, so attributes this client
// does not model survive; without Raw it sends what ClickUpUser holds.
func (c *SCIMClient) ReplaceUser(ctx context.Context, u core.ClickUpUser) (core.ClickUpUser, error) {
	got, err := c.replaceUser(ctx, u)
	if err != nil {
		return core.ClickUpUser{}, fmt.Errorf("replace user %s: %w", u.ID, err)
	}
	return got, nil
}

func (c *SCIMClient) replaceUser(ctx context.Context, u core.ClickUpUser) (core.ClickUpUser, error) {
	if u.ID == "" {
		return core.ClickUpUser{}, errors.New("user has no id")
	}
	var o *object
	if len(u.Raw) > 0 {
		raw, err := c.packer.unpack(u.Raw)
		if err != nil {
			return core.ClickUpUser{}, fmt.Errorf("listed resource: %w", err)
		}
		if o, err = parseObject(raw); err != nil {
			return core.ClickUpUser{}, fmt.Errorf("listed resource: %w", err)
		}
		if raw, ok := o.get("id"); ok {
			var id string
			if err := json.Unmarshal(raw, &id); err != nil || id != u.ID {
				return core.ClickUpUser{}, fmt.Errorf("listed resource has id %s, not %s", raw, u.ID)
			}
		}
	} else {
		o = c.resourceOf(u)
	}
	o.set("active", u.Active)
	if err := c.putRole(o, u.Role); err != nil {
		return core.ClickUpUser{}, err
	}
	body, err := o.MarshalJSON()
	if err != nil {
		return core.ClickUpUser{}, err
	}
	cl := call{method: http.MethodPut, path: "/Users/" + url.PathEscape(u.ID), body: body, ok: []int{http.StatusOK}}
	r, err := c.ep.do(ctx, cl)
	if err != nil {
		return core.ClickUpUser{}, err
	}
	got, err := c.decodeUser(r.body)
	if err != nil {
		return core.ClickUpUser{}, c.ep.malformed(cl, "replaced user: %v", err)
	}
	if got.ID != u.ID {
		return core.ClickUpUser{}, c.ep.malformed(cl, "answered with user %s", got.ID)
	}
	return got, nil
}

func (c *SCIMClient) resourceOf(u core.ClickUpUser) *object {
	o := &object{}
	o.set("schemas", c.schemas())
	o.set("id", u.ID)
	if u.ExternalID != "" {
		o.set("externalId", u.ExternalID)
	}
	o.set("userName", u.UserName)
	if n := (scimName{GivenName: u.GivenName, FamilyName: u.FamilyName}); n != (scimName{}) {
		o.set("name", n)
	}
	if dn := displayName(u.GivenName, u.FamilyName); dn != "" {
		o.set("displayName", dn)
	}
	if u.Email != "" {
		o.set("emails", []scimEmail{{Primary: true, Value: u.Email, Type: "work"}})
	}
	return o
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
	type activeValue struct {
		Active bool `json:"active"`
	}
	body := mustMarshal(patchRequest{
		Schemas:    []string{schemaPatchOp},
		Operations: []patchItem{{Op: "replace", Value: activeValue{active}}},
	})
	cl := call{method: http.MethodPatch, path: "/Users/" + url.PathEscape(id), body: body, ok: []int{http.StatusOK, http.StatusNoContent}}
	r, err := c.ep.do(ctx, cl)
	if err != nil {
		return err
	}
	if r.status == http.StatusNoContent || len(bytes.TrimSpace(r.body)) == 0 {
		return nil
	}
	// A 200 carries the resource: check that the change took rather than trust the status alone.
	got, err := c.decodeUser(r.body)
	switch {
	case err != nil:
		return c.ep.malformed(cl, "patched user: %v", err)
	case got.ID != id:
		return c.ep.malformed(cl, "answered with user %s", got.ID)
	case got.Active != active:
		return c.ep.malformed(cl, "answered with active %t after asking for %t", got.Active, active)
	}
	return nil
}

// putRole writes r into the configured place: every role attribute is set or removed, so a
// custom role listed before cannot linger next to the role that replaces it.
func (c *SCIMClient) putRole(o *object, r core.Role) error {
	var base string
	switch r.Base {
	case core.RoleOwner:
		return errors.New("the owner role is never written: ownership cannot be granted or changed through provisioning")
	case "":
		if !r.IsCustom() {
			base = string(core.RoleMember)
		} // else the custom role's inherited role decides
	default:
		b, err := core.ParseBaseRole(string(r.Base))
		if err != nil {
			return err
		}
		base = string(b)
	}
	target := o
	if c.roleSchema != "" {
		target = &object{}
		if raw, ok := o.get(c.roleSchema); ok && !isNull(raw) {
			ext, err := parseObject(raw)
			if err != nil {
				return fmt.Errorf("extension %s: %w", c.roleSchema, err)
			}
			target = ext
		}
	}
	for _, a := range []struct{ name, value string }{
		{c.roleAttr, base},
		{c.idAttr, r.CustomRoleID},
		{c.nameAttr, r.CustomRoleName},
	} {
		if a.value == "" {
			target.del(a.name)
		} else {
			target.set(a.name, a.value)
		}
	}
	if c.roleSchema == "" {
		return nil
	}
	o.set(c.roleSchema, target)
	return c.listSchema(o)
}

// listSchema makes sure schemas names the role extension, as RFC 7643 §3 requires of a resource
// that carries it.
func (c *SCIMClient) listSchema(o *object) error {
	raw, ok := o.get("schemas")
	if !ok || isNull(raw) {
		o.set("schemas", c.schemas())
		return nil
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err != nil {
		return fmt.Errorf("schemas: %w", err)
	}
	for _, s := range list {
		if strings.EqualFold(s, c.roleSchema) {
			return nil
		}
	}
	o.set("schemas", append(list, c.roleSchema))
	return nil
}

func (c *SCIMClient) schemas() []string {
	if c.roleSchema == "" {
		return []string{schemaUser}
	}
	return []string{schemaUser, c.roleSchema}
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

// userDoc holds the attributes read from a SCIM user. Pointers tell absent from empty, and the
// types are exact: an id that is a number or an active that is "True" fails the decode.
type userDoc struct {
	ID         *string `json:"id"`
	ExternalID *string `json:"externalId"`
	UserName   *string `json:"userName"`
	Name       *struct {
		GivenName  *string `json:"givenName"`
		FamilyName *string `json:"familyName"`
	} `json:"name"`
	Emails []struct {
		Value   *string `json:"value"`
		Primary *bool   `json:"primary"`
	} `json:"emails"`
	Active *bool `json:"active"`
}

// decodeUser reads one SCIM user resource and keeps its exact bytes, packed, in Raw.
func (c *SCIMClient) decodeUser(raw json.RawMessage) (core.ClickUpUser, error) {
	var d userDoc
	if err := json.Unmarshal(raw, &d); err != nil {
		return core.ClickUpUser{}, err
	}
	switch {
	case d.ID == nil || *d.ID == "":
		return core.ClickUpUser{}, errors.New("user has no id")
	case d.UserName == nil || *d.UserName == "":
		return core.ClickUpUser{}, fmt.Errorf("user %s has no userName", *d.ID)
	case d.Active == nil:
		return core.ClickUpUser{}, fmt.Errorf("user %s has no active attribute", *d.ID)
	}
	u := core.ClickUpUser{ID: *d.ID, UserName: *d.UserName, Active: *d.Active, Raw: c.packer.pack(raw)}
	u.ExternalID = deref(d.ExternalID)
	if d.Name != nil {
		u.GivenName, u.FamilyName = deref(d.Name.GivenName), deref(d.Name.FamilyName)
	}
	for i, e := range d.Emails {
		if i == 0 || (e.Primary != nil && *e.Primary) {
			u.Email = deref(e.Value)
		}
		if e.Primary != nil && *e.Primary {
			break
		}
	}
	if u.Email == u.UserName {
		u.Email = u.UserName // one copy of the address, not two: 100,000 users keep them all
	}
	o, err := parseObject(raw)
	if err != nil {
		return core.ClickUpUser{}, fmt.Errorf("user %s: %w", u.ID, err)
	}
	if u.Role, err = c.decodeRole(o); err != nil {
		return core.ClickUpUser{}, fmt.Errorf("user %s: %w", u.ID, err)
	}
	return u, nil
}

// decodeRole reads the role attributes. The owner's role reads as core.RoleOwner: reading it is
// how the core knows never to write that user.
func (c *SCIMClient) decodeRole(o *object) (core.Role, error) {
	attrs := o
	if c.roleSchema != "" {
		raw, ok := o.get(c.roleSchema)
		if !ok || isNull(raw) {
			return core.Role{Base: core.RoleMember}, nil
		}
		var err error
		if attrs, err = parseObject(raw); err != nil {
			return core.Role{}, fmt.Errorf("extension %s: %w", c.roleSchema, err)
		}
	}
	var r core.Role
	raw, _ := attrs.get(c.roleAttr)
	base, err := optString(raw)
	if err != nil {
		return core.Role{}, fmt.Errorf("%s: %w", c.roleAttr, err)
	}
	// The named constants, not the decoded copies, when the value is one of them: every user
	// has a role, and 100,000 copies of "member" are live through planning.
	switch b := core.BaseRole(strings.ToLower(strings.TrimSpace(base))); b {
	case "", core.RoleMember:
		r.Base = core.RoleMember
	case core.RoleAdmin:
		r.Base = core.RoleAdmin
	case core.RoleGuest:
		r.Base = core.RoleGuest
	case core.RoleOwner:
		r.Base = core.RoleOwner
	default:
		r.Base = b
	}
	raw, _ = attrs.get(c.idAttr)
	if r.CustomRoleID, err = roleID(raw); err != nil {
		return core.Role{}, fmt.Errorf("%s: %w", c.idAttr, err)
	}
	raw, _ = attrs.get(c.nameAttr)
	if r.CustomRoleName, err = optString(raw); err != nil {
		return core.Role{}, fmt.Errorf("%s: %w", c.nameAttr, err)
	}
	return r, nil
}

// roleID accepts a custom role id as a string or as a JSON integer, the REST API's type.
func roleID(raw json.RawMessage) (string, error) {
	if isNull(raw) {
		return "", nil
	}
	if bytes.HasPrefix(bytes.TrimSpace(raw), []byte(`"`)) {
		s, err := optString(raw)
		return strings.TrimSpace(s), err
	}
	n, err := jsonInt(raw)
	if err != nil {
		return "", fmt.Errorf("is %v", err)
	}
	return strconv.FormatInt(n, 10), nil
}

func optString(raw json.RawMessage) (string, error) {
	if isNull(raw) {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", fmt.Errorf("is %s, want a string", truncate(string(raw), 40))
	}
	return s, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
