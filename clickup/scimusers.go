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
	"unicode/utf8"

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
//
// Every listed user passes through here, so it reads the resource in one pass of its own
// (scanUser) that checks the JSON and picks out the modeled attributes and the role attributes
// at once. Whatever that pass is not sure to read exactly as encoding/json would (a syntax
// error, a value of the wrong type, an attribute given twice, a key with escapes), it leaves to
// decodeUserSlow, the reference implementation, so results and errors are the same either way.
func (c *SCIMClient) decodeUser(raw json.RawMessage) (core.ClickUpUser, error) {
	var f userFields
	if !c.scanUser(raw, &f) {
		return c.decodeUserSlow(raw)
	}
	u, err := c.userOf(raw, &f)
	if err != nil {
		return core.ClickUpUser{}, err
	}
	var base, crID, crName json.RawMessage
	switch {
	case c.roleSchema == "":
		base, crID, crName = f.base, f.crID, f.crName
	case isNull(f.ext):
		u.Role = core.Role{Base: core.RoleMember}
		return u, nil
	case f.ext[0] != '{':
		return core.ClickUpUser{}, fmt.Errorf("user %s: extension %s: %w", u.ID, c.roleSchema, errNotObject)
	default:
		var ok bool
		if base, crID, crName, ok = c.scanRoleAttrs(f.ext); !ok {
			return c.decodeUserSlow(raw) // cannot happen: scanUser checked the extension
		}
	}
	if u.Role, err = c.roleFrom(base, crID, crName); err != nil {
		return core.ClickUpUser{}, fmt.Errorf("user %s: %w", u.ID, err)
	}
	return u, nil
}

// errNotObject is parseObject's complaint about a value that is not an object.
var errNotObject = errors.New("not a JSON object")

// decodeUserSlow is decodeUser with encoding/json and parseObject: the reference the fast pass
// must agree with, and the path for resources it leaves alone.
func (c *SCIMClient) decodeUserSlow(raw json.RawMessage) (core.ClickUpUser, error) {
	var d userDoc
	if err := json.Unmarshal(raw, &d); err != nil {
		return core.ClickUpUser{}, err
	}
	f := userFields{id: decoded(d.ID), externalID: decoded(d.ExternalID), userName: decoded(d.UserName),
		hasActive: d.Active != nil}
	if d.Active != nil {
		f.active = *d.Active
	}
	if d.Name != nil {
		f.givenName, f.familyName = decoded(d.Name.GivenName), decoded(d.Name.FamilyName)
	}
	for i, e := range d.Emails {
		if i == 0 || (e.Primary != nil && *e.Primary) {
			f.email = decoded(e.Value)
		}
		if e.Primary != nil && *e.Primary {
			break
		}
	}
	u, err := c.userOf(raw, &f)
	if err != nil {
		return core.ClickUpUser{}, err
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

// jsonString is a string attribute: as the fast pass found it, or as encoding/json decoded it.
type jsonString struct {
	q     []byte // the JSON string, quotes included; nil when absent or null
	plain bool   // q's text is the bytes between its quotes: no escapes, valid UTF-8
	s     string // the decoded value, when dec
	dec   bool
}

func decoded(s *string) jsonString {
	if s == nil {
		return jsonString{}
	}
	return jsonString{s: *s, dec: true}
}

// empty reports an absent, null or empty string.
func (j jsonString) empty() bool {
	if j.dec {
		return j.s == ""
	}
	return len(j.q) <= len(`""`)
}

func (j jsonString) text() []byte { return j.q[1 : len(j.q)-1] }

func (j jsonString) String() string {
	switch {
	case j.dec:
		return j.s
	case j.q == nil:
		return ""
	case j.plain:
		return string(j.text())
	}
	var s string
	_ = json.Unmarshal(j.q, &s) // a string the fast pass checked
	return s
}

// userFields are what decodeUser reads of a user: the modeled attributes and, found by the fast
// pass, the raw values of the role extension (ext) or of the top-level role attributes.
type userFields struct {
	id, externalID, userName, givenName, familyName, email jsonString
	hasActive, active                                      bool
	ext, base, crID, crName                                json.RawMessage
}

// userOf checks the modeled attributes and builds the user from them, without its role.
func (c *SCIMClient) userOf(raw json.RawMessage, f *userFields) (core.ClickUpUser, error) {
	switch {
	case f.id.empty():
		return core.ClickUpUser{}, errors.New("user has no id")
	case f.userName.empty():
		return core.ClickUpUser{}, fmt.Errorf("user %s has no userName", f.id)
	case !f.hasActive:
		return core.ClickUpUser{}, fmt.Errorf("user %s has no active attribute", f.id)
	}
	// The plain strings share one allocation: a user's five or six short strings cost less
	// together than each rounded up to its own size class, and a listing makes 100,000 users.
	parts := [...]*jsonString{&f.id, &f.externalID, &f.userName, &f.givenName, &f.familyName, &f.email}
	sameEmail := f.email.plain && f.userName.plain && bytes.Equal(f.email.text(), f.userName.text())
	n := 0
	for i, p := range parts {
		if p.plain && !(i == 5 && sameEmail) {
			n += len(p.q) - 2
		}
	}
	var text [6]string
	if n > 0 {
		var b strings.Builder
		b.Grow(n)
		var ends [6]int
		for i, p := range parts {
			if p.plain && !(i == 5 && sameEmail) {
				b.Write(p.text())
			}
			ends[i] = b.Len()
		}
		all := b.String()
		for i, p := range parts {
			if p.plain && !(i == 5 && sameEmail) {
				text[i] = all[ends[i]-(len(p.q)-2) : ends[i]]
			}
		}
	}
	for i, p := range parts {
		if !p.plain {
			text[i] = p.String()
		}
	}
	u := core.ClickUpUser{ID: text[0], ExternalID: text[1], UserName: text[2], GivenName: text[3], FamilyName: text[4],
		Email: text[5], Active: f.active, Raw: c.packer.pack(raw)}
	if sameEmail || u.Email == u.UserName {
		u.Email = u.UserName // one copy of the address, not two: 100,000 users keep them all
	}
	return u, nil
}

// decodeRole reads the role attributes of a parsed user. The owner's role reads as
// core.RoleOwner: reading it is how the core knows never to write that user.
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
	base, _ := attrs.get(c.roleAttr)
	crID, _ := attrs.get(c.idAttr)
	crName, _ := attrs.get(c.nameAttr)
	return c.roleFrom(base, crID, crName)
}

// roleFrom reads the role from the role attributes' values; nil is absent.
func (c *SCIMClient) roleFrom(baseRaw, crID, crName json.RawMessage) (core.Role, error) {
	var r core.Role
	// The named constants, not the decoded copies, when the value is one of them: every user
	// has a role, and 100,000 copies of "member" are live through planning.
	switch string(baseRaw) {
	case `"member"`:
		r.Base = core.RoleMember
	case `"admin"`:
		r.Base = core.RoleAdmin
	case `"guest"`:
		r.Base = core.RoleGuest
	case `"owner"`:
		r.Base = core.RoleOwner
	default:
		base, err := optString(baseRaw)
		if err != nil {
			return core.Role{}, fmt.Errorf("%s: %w", c.roleAttr, err)
		}
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
	}
	var err error
	if r.CustomRoleID, err = roleID(crID); err != nil {
		return core.Role{}, fmt.Errorf("%s: %w", c.idAttr, err)
	}
	if r.CustomRoleName, err = optString(crName); err != nil {
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
	if s, ok := plainString(raw); ok {
		return s, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", fmt.Errorf("is %s, want a string", truncate(string(raw), 40))
	}
	return s, nil
}

// plainString reads a JSON string that has no escapes and is valid UTF-8 without
// encoding/json, which would give the same.
func plainString(raw []byte) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", false
	}
	text := raw[1 : len(raw)-1]
	for _, c := range text {
		if c < 0x20 || c == '"' || c == '\\' {
			return "", false
		}
	}
	if !utf8.Valid(text) {
		return "", false
	}
	return string(text), true
}
