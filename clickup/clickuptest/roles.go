package clickuptest

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
)

// roleInput is the role attributes as a request gave them; "" is absent or empty.
type roleInput struct{ role, id, name string }

// roleOf is u's role as attributes, the start of a PATCH; the caller holds s.mu.
func (s *Server) roleOf(u *user) roleInput {
	in := roleInput{role: u.role}
	if u.customRoleID != 0 {
		in.id = strconv.Itoa(u.customRoleID)
	}
	return in
}

// readRoleAttrs reads the role attributes from the configured place only. Found anywhere else,
// they are refused rather than ignored: a client configured with another place would otherwise
// see every user silently become a member.
func (s *Server) readRoleAttrs(a attrs) (roleInput, *scimError) {
	o := s.opt
	names := []string{o.RoleAttribute, o.CustomRoleIDAttribute, o.CustomRoleNameAttribute}
	misplaced := func(where string, in attrs) *scimError {
		for _, n := range names {
			if _, ok := in.get(n); ok {
				want := "at the top level of the user"
				if o.RoleSchema != "" {
					want = "in the extension " + o.RoleSchema
				}
				return badRequest("invalidSyntax", "role attribute %s found %s; this Workspace expects it %s", n, where, want)
			}
		}
		return nil
	}
	place := a
	if o.RoleSchema != "" {
		if e := misplaced("at the top level", a); e != nil {
			return roleInput{}, e
		}
		place = nil
		if raw, ok := a.get(o.RoleSchema); ok && !isNull(raw) {
			ext, e := parseAttrs(raw)
			if e != nil {
				return roleInput{}, badRequest("invalidValue", "%s must be an object", o.RoleSchema)
			}
			place = ext
		}
	}
	for k, v := range a {
		if !strings.HasPrefix(strings.ToLower(k), "urn:") || strings.EqualFold(k, o.RoleSchema) {
			continue
		}
		if ext, e := parseAttrs(v); e == nil {
			if e := misplaced("in "+k, ext); e != nil {
				return roleInput{}, e
			}
		}
	}
	if o.RoleSchema != "" {
		// The extension holds what its schema defines, nothing else (RFC 7643 §8.7.1 has a
		// service refuse what its schema lacks).
		for k := range place {
			if _, ok := s.roleAttrKind(k); !ok {
				return roleInput{}, badRequest("invalidSyntax", "attribute %q is not in the schema %s", k, o.RoleSchema)
			}
		}
	}
	var in roleInput
	for _, n := range names {
		raw, ok := place.get(n)
		if !ok {
			continue
		}
		kind, known := s.roleAttrKind(n)
		if !known {
			return roleInput{}, badRequest("invalidSyntax", "attribute %q is not in the schema", n)
		}
		if e := s.setRoleAttr(&in, kind, n, raw); e != nil {
			return roleInput{}, e
		}
	}
	return in, nil
}

// Kinds of role attribute.
const (
	kindRole = iota
	kindID
	kindName
)

// roleAttrKind says which role attribute name is, when the schema defines it.
func (s *Server) roleAttrKind(name string) (int, bool) {
	o := s.opt
	switch {
	case strings.EqualFold(name, o.RoleAttribute):
		return kindRole, true
	case strings.EqualFold(name, o.CustomRoleIDAttribute):
		return kindID, !o.NoCustomRoleID
	case strings.EqualFold(name, o.CustomRoleNameAttribute):
		return kindName, !o.NoCustomRoleName
	}
	return 0, false
}

// setRoleAttr reads one role attribute's value into in, as strictly as the schema types it.
func (s *Server) setRoleAttr(in *roleInput, kind int, name string, raw json.RawMessage) *scimError {
	var e *scimError
	switch kind {
	case kindRole:
		if in.role, e = roleValue(name, raw, false); e == nil && in.role != "" && len(s.opt.RoleValues) > 0 && !slices.Contains(s.opt.RoleValues, in.role) {
			e = badRequest("invalidValue", "%s %q is not one of its canonical values %s", name, in.role, strings.Join(s.opt.RoleValues, ", "))
		}
	case kindID:
		if s.opt.CustomRoleIDInteger && !isNull(raw) && bytes.HasPrefix(bytes.TrimSpace(raw), []byte(`"`)) {
			return badRequest("invalidValue", "%s is an integer, not a string", name)
		}
		in.id, e = roleValue(name, raw, true)
	case kindName:
		in.name, e = roleValue(name, raw, false)
	}
	return e
}

// spelledRole is a stored role as the schema's canonicalValues spell it.
func (s *Server) spelledRole(role string) string {
	for _, v := range s.opt.RoleValues {
		if strings.EqualFold(v, role) {
			return v
		}
	}
	return role
}

// roleValue reads a role attribute: a string, or for a custom role id also a JSON integer.
func roleValue(name string, raw json.RawMessage, id bool) (string, *scimError) {
	if isNull(raw) {
		return "", nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s), nil
	}
	if id {
		t := string(bytes.TrimSpace(raw))
		if n, err := strconv.ParseUint(t, 10, 63); err == nil {
			return strconv.FormatUint(n, 10), nil
		}
		return "", badRequest("invalidValue", "%s must be a string or an integer", name)
	}
	return "", badRequest("invalidValue", "%s must be a string", name)
}

// resolveRole applies reference §2.3: a custom role id that exists wins, then a custom role name
// (case-insensitively), else the role (admin, member, guest; empty is member; owner is refused).
// The caller holds s.mu.
func (s *Server) resolveRole(in roleInput) (string, int, *scimError) {
	role := strings.ToLower(in.role)
	switch role {
	case "":
		role = roleMember
	case roleAdmin, roleMember, roleGuest:
	case roleOwner:
		return "", 0, badRequest("invalidValue", "role owner cannot be assigned: the Workspace owner is set in ClickUp only")
	default:
		return "", 0, badRequest("invalidValue", "role %q is not admin, member or guest", in.role)
	}
	if in.id != "" {
		n, err := strconv.Atoi(in.id)
		cr := s.st.roles[n]
		if err != nil || cr == nil {
			return "", 0, badRequest("invalidValue", "custom role %s not found", in.id)
		}
		return roleName(cr.inheritedRole), cr.id, nil
	}
	if in.name != "" {
		var found []*customRole
		for _, id := range s.st.roleOrder {
			if cr := s.st.roles[id]; strings.EqualFold(cr.name, in.name) {
				found = append(found, cr)
			}
		}
		switch len(found) {
		case 0:
			return "", 0, badRequest("invalidValue", "custom role %q not found", in.name)
		case 1:
			return roleName(found[0].inheritedRole), found[0].id, nil
		default:
			return "", 0, badRequest("invalidValue", "custom role name %q is ambiguous; use the id", in.name)
		}
	}
	return role, 0, nil
}
