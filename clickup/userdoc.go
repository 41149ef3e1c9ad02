package clickup

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// userDoc is a SCIM User as this client reads it and sends it back. The attributes it models
// have fields of exact types: an id that is a number or an active that is "True" fails the
// decode. SCIM reads an empty or null value as absent (RFC 7643 §2.5), and so do they, except
// active, which must be there. Rest keeps every other member exactly, and so do the Rest of name
// and of each email, so that a PUT wipes nothing this build does not model
// (reference/clickup-api.md §3.2 item 4).
type userDoc struct {
	Schemas    jsontext.Value `json:"schemas,omitzero"`
	ID         string         `json:"id,omitzero"`
	ExternalID string         `json:"externalId,omitzero"`
	UserName   string         `json:"userName,omitzero"`
	Name       *nameDoc       `json:"name,omitzero"`
	Emails     []emailDoc     `json:"emails,omitzero"`
	Active     *bool          `json:"active,omitzero"`
	Meta       jsontext.Value `json:"meta,omitzero"`
	Rest       jsontext.Value `json:",unknown"`
}

type nameDoc struct {
	GivenName  string         `json:"givenName,omitzero"`
	FamilyName string         `json:"familyName,omitzero"`
	Rest       jsontext.Value `json:",unknown"`
}

type emailDoc struct {
	Value   string         `json:"value,omitzero"`
	Primary bool           `json:"primary,omitzero"`
	Rest    jsontext.Value `json:",unknown"`
}

// decodeUser reads one SCIM user resource. Besides the user it returns the remainder a later
// PUT of this user must send back (see keptUser).
func (c *SCIMClient) decodeUser(raw jsontext.Value) (core.ClickUpUser, keptUser, error) {
	var d userDoc
	if err := decodeValue(raw, &d); err != nil {
		return core.ClickUpUser{}, keptUser{}, err
	}
	id := d.ID
	switch {
	case id == "":
		return core.ClickUpUser{}, keptUser{}, errors.New("user has no id")
	case d.UserName == "":
		return core.ClickUpUser{}, keptUser{}, fmt.Errorf("user %s has no userName", shown(id))
	case d.Active == nil:
		return core.ClickUpUser{}, keptUser{}, fmt.Errorf("user %s has no active attribute", shown(id))
	}
	u := core.ClickUpUser{ID: id, ExternalID: d.ExternalID, UserName: d.UserName, Active: *d.Active}
	if d.Name != nil {
		u.GivenName, u.FamilyName = d.Name.GivenName, d.Name.FamilyName
	}
	if e := primaryEmail(d.Emails); e != nil {
		if u.Email = e.Value; u.Email == u.UserName {
			u.Email = u.UserName // one copy of the address, not two: a listing holds 100,000 of them
		}
	}
	rr := roleReader{c: c}
	if len(d.Rest) > 0 {
		if err := json.Unmarshal(d.Rest, &rr); err != nil {
			return core.ClickUpUser{}, keptUser{}, fmt.Errorf("user %s: %w", shown(id), jsonError(err))
		}
	}
	var err error
	if u.Role, err = c.roleFrom(rr.values[0], rr.values[1], rr.values[2]); err != nil {
		return core.ClickUpUser{}, keptUser{}, fmt.Errorf("user %s: %w", shown(id), err)
	}
	d.Rest = rr.rest.close()
	kept, err := c.keep(&d, u)
	if err != nil {
		return core.ClickUpUser{}, keptUser{}, fmt.Errorf("user %s: %w", shown(id), err)
	}
	return u, kept, nil
}

// primaryEmail is the first email marked primary, else the first one; nil when there is none.
func primaryEmail(emails []emailDoc) *emailDoc {
	for i := range emails {
		if emails[i].Primary {
			return &emails[i]
		}
	}
	if len(emails) > 0 {
		return &emails[0]
	}
	return nil
}

// keep is d without what the user u carries (externalId, userName, the names, the primary
// email's value), without what a PUT sets itself (id, active, the role attributes, which
// roleReader took out) and without meta, which is read-only (RFC 7643 §3.1) and the largest
// part of a listed user; schemas only when they are not the ones this client sends anyway.
// What is left is usually a displayName and an email's type: a few dozen bytes a user.
func (c *SCIMClient) keep(d *userDoc, u core.ClickUpUser) (keptUser, error) {
	d.ID, d.Active, d.Meta, d.ExternalID, d.UserName = "", nil, nil, "", ""
	if isNull(d.Schemas) || c.defaultSchemas(d.Schemas) {
		d.Schemas = nil
	}
	if d.Name != nil {
		d.Name.GivenName, d.Name.FamilyName = "", "" // "name":{} stays, as it was
	}
	if e := primaryEmail(d.Emails); e != nil {
		e.Value = ""
	}
	b, err := json.Marshal(d)
	if err != nil {
		return keptUser{}, err
	}
	k := keptUser{sum: c.read.sum(u)}
	if string(b) != "{}" {
		k.rest = string(b)
	}
	if c.svc.noPatch {
		k.user = &u
	}
	return k, nil
}

// putBody is the PUT of u: what was kept of it, with u's modeled attributes (which must be as
// read: keptUser.sum) and active and, unless asRead, the role as given; asRead sends the role
// attributes as the service gave them, which only a client without PATCH keeps.
func (c *SCIMClient) putBody(u core.ClickUpUser, kept keptUser, asRead bool) ([]byte, error) {
	if c.read.sum(u) != kept.sum {
		return nil, errors.New("the user differs from the one read in more than its role and active, the only attributes a PUT changes")
	}
	var d userDoc
	if kept.rest != "" {
		if err := decodeValue(jsontext.Value(kept.rest), &d); err != nil {
			return nil, fmt.Errorf("user as read: %w", err)
		}
	}
	d.ID, d.ExternalID, d.UserName, d.Active = u.ID, u.ExternalID, u.UserName, &u.Active
	if u.GivenName != "" || u.FamilyName != "" {
		if d.Name == nil {
			d.Name = &nameDoc{}
		}
		d.Name.GivenName, d.Name.FamilyName = u.GivenName, u.FamilyName
	}
	if u.Email != "" {
		if len(d.Emails) == 0 {
			d.Emails = make([]emailDoc, 1) // cannot happen: the email came from one
		}
		primaryEmail(d.Emails).Value = u.Email
	}
	schemas := c.schemas()
	if d.Schemas != nil {
		schemas = nil
		if err := decodeValue(d.Schemas, &schemas); err != nil {
			return nil, fmt.Errorf("schemas as read: %w", err)
		}
	}
	if c.roleSchema != "" && !slices.ContainsFunc(schemas, func(s string) bool { return strings.EqualFold(s, c.roleSchema) }) {
		schemas = append(schemas, c.roleSchema) // RFC 7643 §3: a resource lists its extensions
	}
	var err error
	if d.Schemas, err = json.Marshal(schemas); err != nil {
		return nil, err
	}
	if !asRead {
		if d.Rest, err = c.putRole(d.Rest, u.Role); err != nil {
			return nil, err
		}
	}
	return json.Marshal(&d, json.Deterministic(true))
}

// roleReader reads the role attributes out of the members of a user that userDoc's fields do
// not take, and keeps the others in rest. It runs inside json.Unmarshal, on the decoder the
// library lends it. Role attributes, and the role extension, are matched case-insensitively, as
// SCIM names are; one given twice is an error, as which one the service meant is anyone's guess.
type roleReader struct {
	c      *SCIMClient
	values [3]jsontext.Value // role, custom role id, custom role name; nil when absent
	found  [3]bool
	sawExt bool
	rest   object
}

func (r *roleReader) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	c := r.c
	return eachMember(dec, func(name string) error {
		if c.roleSchema == "" {
			return r.takeOrKeep(dec, name, &r.rest)
		}
		if !strings.EqualFold(name, c.roleSchema) {
			return keepMember(dec, name, &r.rest)
		}
		if r.sawExt {
			return fmt.Errorf("extension %s is given twice", c.roleSchema)
		}
		r.sawExt = true
		switch k := dec.PeekKind(); k {
		case 'n':
			_, err := dec.ReadToken()
			return err
		case '{':
		default:
			return fmt.Errorf("extension %s is %s, want an object", c.roleSchema, kindName(k))
		}
		var ext object
		err := eachMember(dec, func(attr string) error { return r.takeOrKeep(dec, attr, &ext) })
		if err != nil {
			return fmt.Errorf("extension %s: %w", c.roleSchema, err)
		}
		if len(ext) > 0 {
			return r.rest.add(name, ext.close()) // what else the extension holds
		}
		return nil
	})
}

// takeOrKeep takes the value of a role attribute, or keeps any other member in o.
func (r *roleReader) takeOrKeep(dec *jsontext.Decoder, name string, o *object) error {
	for i, attr := range [...]string{r.c.roleAttr, r.c.idAttr, r.c.nameAttr} {
		if !strings.EqualFold(name, attr) {
			continue
		}
		if r.found[i] {
			return fmt.Errorf("%s is given twice", attr)
		}
		v, err := dec.ReadValue()
		if err != nil {
			return err
		}
		r.values[i], r.found[i] = v.Clone(), true
		if r.c.svc.noPatch {
			return o.add(name, v) // an activation sends the role back as read (nopatch.go)
		}
		return nil
	}
	return keepMember(dec, name, o)
}

// roleFrom reads the role from the role attributes' values; nil is absent. The owner's role
// reads as core.RoleOwner: reading it is how the core knows never to write that user.
func (c *SCIMClient) roleFrom(baseRaw, crID, crName jsontext.Value) (core.Role, error) {
	base, err := optString(baseRaw)
	if err != nil {
		return core.Role{}, fmt.Errorf("%s: %w", c.roleAttr, err)
	}
	var r core.Role
	// The named constants, not the decoded copies: every user has a role, and 100,000 copies of
	// "member" would be live through planning.
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
	if r.CustomRoleID, err = roleID(crID); err != nil {
		return core.Role{}, fmt.Errorf("%s: %w", c.idAttr, err)
	}
	if r.CustomRoleName, err = optString(crName); err != nil {
		return core.Role{}, fmt.Errorf("%s: %w", c.nameAttr, err)
	}
	return r, nil
}

// roleID accepts a custom role id as a string or as a JSON integer, the REST API's type.
func roleID(v jsontext.Value) (string, error) {
	if v.Kind() != '0' {
		s, err := optString(v)
		return strings.TrimSpace(s), err
	}
	n, err := jsonInt(v)
	if err != nil {
		return "", fmt.Errorf("is %v", err)
	}
	return strconv.FormatInt(n, 10), nil
}

func optString(v jsontext.Value) (string, error) {
	if isNull(v) {
		return "", nil
	}
	var s string
	if v.Kind() != '"' || decodeValue(v, &s) != nil {
		return "", fmt.Errorf("is %s, want a string", kindName(v.Kind()))
	}
	return s, nil
}

// putRole returns rest (an object, or nil) with r written into the configured place: every role
// attribute set or removed, so a custom role read before cannot linger next to the role that
// replaces it. A PUT is rare, so this decodes into maps rather than keep members in order.
func (c *SCIMClient) putRole(rest jsontext.Value, r core.Role) (jsontext.Value, error) {
	values, err := c.roleValues(r)
	if err != nil {
		return nil, err
	}
	top := map[string]jsontext.Value{}
	if len(rest) > 0 {
		if err := decodeValue(rest, &top); err != nil {
			return nil, err
		}
	}
	attrs := top
	if c.roleSchema != "" {
		attrs = map[string]jsontext.Value{}
		for k, ext := range top {
			if strings.EqualFold(k, c.roleSchema) {
				delete(top, k)
				if !isNull(ext) {
					if err := decodeValue(ext, &attrs); err != nil {
						return nil, fmt.Errorf("extension %s: %w", c.roleSchema, err)
					}
				}
			}
		}
	}
	for _, a := range values {
		for k := range attrs {
			if strings.EqualFold(k, a.name) {
				delete(attrs, k)
			}
		}
		if a.value != nil {
			attrs[a.name] = a.value
		}
	}
	if c.roleSchema != "" {
		if top[c.roleSchema], err = json.Marshal(attrs, json.Deterministic(true)); err != nil {
			return nil, err
		}
	}
	return json.Marshal(top, json.Deterministic(true))
}

// roleMembers is the role attributes of r in a create's order, as the members to add to the
// user: the extension object, or the attributes themselves at the top level.
func (c *SCIMClient) roleMembers(r core.Role) (jsontext.Value, error) {
	values, err := c.roleValues(r)
	if err != nil {
		return nil, err
	}
	var attrs object
	for _, a := range values {
		if a.value == nil {
			continue
		}
		if err := attrs.add(a.name, a.value); err != nil {
			return nil, err
		}
	}
	if c.roleSchema == "" {
		return attrs.close(), nil
	}
	var top object
	err = top.add(c.roleSchema, attrs.close())
	return top.close(), err
}

// defaultSchemas reports whether v lists exactly the schemas this client sends.
func (c *SCIMClient) defaultSchemas(v jsontext.Value) bool {
	if string(v) == string(c.schemasJSON) {
		return true
	}
	var list []string
	return decodeValue(v, &list) == nil && slices.Equal(list, c.schemas())
}

func (c *SCIMClient) schemas() []string {
	if c.roleSchema == "" {
		return []string{schemaUser}
	}
	return []string{schemaUser, c.roleSchema}
}
