package clickuptest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// PUT and PATCH of a user: what Okta sends to change a role and to (de)activate (reference §3.2).

// scimReplaceUser is Okta's profile push: the whole resource comes back from a prior GET. ClickUp
// keeps the profile after creation, so userName, emails, name and displayName are ignored and the
// stored values returned; the role attributes, active and externalId are replaced.
func (s *Server) scimReplaceUser(w http.ResponseWriter, r *http.Request) {
	a, e := readBody(r)
	if e == nil {
		e = s.requireUserSchemas(a)
	}
	var (
		userName, externalID string
		active, hasActive    bool
		ok                   bool
		in                   roleInput
	)
	if e == nil {
		userName, ok, e = optString(a, "userName")
		if e == nil && (!ok || userName == "") {
			e = badRequest("invalidValue", "userName is required: PUT replaces the whole resource")
		}
	}
	if e == nil {
		active, hasActive, e = optBool(a, "active")
	}
	if e == nil {
		externalID, _, e = optString(a, "externalId")
	}
	if e == nil {
		in, e = s.readRoleAttrs(a)
	}
	if e != nil {
		writeSCIMError(w, e)
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	u, e := s.lookup(r)
	if e != nil {
		writeSCIMError(w, e)
		return
	}
	if raw, has := a.get("id"); has {
		var id string
		if json.Unmarshal(raw, &id) != nil || id != r.PathValue("id") {
			writeSCIMError(w, badRequest("mutability", "id %s does not match the resource %s", raw, r.PathValue("id")))
			return
		}
	}
	next := *u
	next.externalID = externalID
	if hasActive {
		next.active = active
	}
	if e := s.setRole(&next, in); e != nil {
		writeSCIMError(w, e)
		return
	}
	next.modified = s.now()
	*u = next
	if !u.active {
		s.st.leaveGroups(u.id)
	}
	writeSCIM(w, http.StatusOK, s.resource(u))
}

// setRole applies the role attributes to u, refusing any change to the Workspace owner; the
// caller holds s.mu.
func (s *Server) setRole(u *user, in roleInput) *scimError {
	if u.owner {
		switch {
		case !u.active:
			return &scimError{status: http.StatusBadRequest, scimType: "mutability", detail: "The Workspace owner cannot be deactivated"}
		case in.id != "" || in.name != "" || !strings.EqualFold(strings.TrimSpace(in.role), roleOwner):
			return &scimError{status: http.StatusBadRequest, scimType: "mutability", detail: "The Workspace owner's role cannot be changed"}
		}
		return nil
	}
	role, crID, e := s.resolveRole(in)
	if e != nil {
		return e
	}
	u.role, u.customRoleID = role, crID
	return nil
}

// scimPatchUser accepts Okta's path-less replace of active, the path forms, Entra's "True" and
// "False" strings, and the role attribute paths.
func (s *Server) scimPatchUser(w http.ResponseWriter, r *http.Request) {
	ops, e := readPatchOps(r)
	if e != nil {
		writeSCIMError(w, e)
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	u, e := s.lookup(r)
	if e != nil {
		writeSCIMError(w, e)
		return
	}
	p := patch{active: u.active, externalID: u.externalID, role: s.roleOf(u)}
	for i, op := range ops {
		if e := s.applyOp(&p, op); e != nil {
			e.detail = "Operations[" + strconv.Itoa(i) + "]: " + e.detail
			writeSCIMError(w, e)
			return
		}
	}
	next := *u
	next.active, next.externalID = p.active, p.externalID
	if p.roleSet || p.idSet || p.nameSet {
		in := p.role
		switch {
		case !p.idSet && !p.nameSet:
			in.id, in.name = "", "" // a role without a custom role is a built-in role
		case p.nameSet && !p.idSet:
			in.id = "" // the name now decides
		}
		if e := s.setRole(&next, in); e != nil {
			writeSCIMError(w, e)
			return
		}
	} else if u.owner && !next.active {
		writeSCIMError(w, &scimError{status: http.StatusBadRequest, scimType: "mutability", detail: "The Workspace owner cannot be deactivated"})
		return
	}
	next.modified = s.now()
	*u = next
	if !u.active {
		s.st.leaveGroups(u.id)
	}
	writeSCIM(w, http.StatusOK, s.resource(u))
}

type patchOp struct {
	Op    string          `json:"op"`
	Path  *string         `json:"path"`
	Value json.RawMessage `json:"value"`
}

// patch is a user's attributes while a PATCH's operations apply, before they are committed.
type patch struct {
	active                  bool
	externalID              string
	role                    roleInput
	roleSet, idSet, nameSet bool
}

// profileAttrs are the attributes ClickUp keeps from creation on: a change to them is accepted
// and ignored, as on PUT.
var profileAttrs = []string{"userName", "name", "displayName", "emails", "nickName", "title",
	"locale", "preferredLanguage", "timezone", "phoneNumbers", "addresses", "photos", "userType", "profileUrl"}

func isProfileAttr(path string) bool {
	root := path
	if i := strings.IndexAny(root, ".["); i >= 0 {
		root = root[:i]
	}
	for _, p := range profileAttrs {
		if strings.EqualFold(root, p) {
			return true
		}
	}
	return false
}

// opKind checks a PATCH operation's op and, for a path-less one, returns its object value (nil
// when the operation has a path).
func opKind(op patchOp) (kind string, value attrs, e *scimError) {
	kind = strings.ToLower(op.Op)
	if kind != "add" && kind != "replace" && kind != "remove" {
		return "", nil, badRequest("invalidSyntax", "op %q is not add, replace or remove", op.Op)
	}
	if op.Path != nil && strings.TrimSpace(*op.Path) != "" {
		return kind, nil, nil
	}
	if kind == "remove" {
		return "", nil, badRequest("noTarget", "remove needs a path")
	}
	value, err := parseAttrs(op.Value)
	if err != nil || value == nil {
		return "", nil, badRequest("invalidValue", "a path-less %s needs an object value", kind)
	}
	return kind, value, nil
}

func (s *Server) applyOp(p *patch, op patchOp) *scimError {
	kind, value, e := opKind(op)
	if e != nil {
		return e
	}
	if value != nil {
		for k, v := range value {
			if e := s.applyAttr(p, k, v, false); e != nil {
				return e
			}
		}
		return nil
	}
	path := strings.TrimSpace(*op.Path)
	if len(path) > len(schemaUser)+1 && strings.EqualFold(path[:len(schemaUser)+1], schemaUser+":") {
		path = path[len(schemaUser)+1:]
	}
	if kind != "remove" && op.Value == nil {
		return badRequest("invalidValue", "%s of %s needs a value", kind, path)
	}
	return s.applyAttr(p, path, op.Value, kind == "remove")
}

// applyAttr applies one attribute of a PATCH, by path or as a key of a path-less value.
func (s *Server) applyAttr(p *patch, path string, v json.RawMessage, remove bool) *scimError {
	o := s.opt
	switch {
	case strings.EqualFold(path, "active"):
		if remove {
			return badRequest("invalidValue", "active cannot be removed")
		}
		b, e := patchBool(v)
		if e != nil {
			return e
		}
		p.active = b
	case strings.EqualFold(path, "externalId"):
		p.externalID = ""
		if !remove && !isNull(v) {
			if json.Unmarshal(v, &p.externalID) != nil {
				return badRequest("invalidValue", "externalId must be a string")
			}
		}
	case o.RoleSchema != "" && strings.EqualFold(path, o.RoleSchema):
		if remove || isNull(v) {
			p.role, p.roleSet, p.idSet, p.nameSet = roleInput{}, true, true, true
			return nil
		}
		ext, e := parseAttrs(v)
		if e != nil {
			return badRequest("invalidValue", "%s must be an object", o.RoleSchema)
		}
		for k, v := range ext {
			if e := s.applyRoleAttr(p, k, v, false); e != nil {
				return e
			}
		}
	case strings.EqualFold(path, "id") || strings.EqualFold(path, "schemas") || strings.EqualFold(path, "meta"):
		// read-only; Okta sends id in path-less values and it carries nothing to change
	case isProfileAttr(path):
		// kept from creation on, as on PUT
	default:
		attr := path
		if o.RoleSchema != "" {
			prefix := o.RoleSchema + ":"
			if len(path) <= len(prefix) || !strings.EqualFold(path[:len(prefix)], prefix) {
				return badRequest("invalidPath", "attribute %q is not supported", path)
			}
			attr = path[len(prefix):]
		}
		return s.applyRoleAttr(p, attr, v, remove)
	}
	return nil
}

func (s *Server) applyRoleAttr(p *patch, attr string, v json.RawMessage, remove bool) *scimError {
	if remove {
		v = nil
	}
	kind, ok := s.roleAttrKind(attr)
	if !ok {
		return badRequest("invalidPath", "attribute %q is not supported", attr)
	}
	if e := s.setRoleAttr(&p.role, kind, attr, v); e != nil {
		return e
	}
	switch kind {
	case kindRole:
		p.roleSet = true
	case kindID:
		p.idSet = true
	case kindName:
		p.nameSet = true
	}
	return nil
}

// patchBool reads active as a boolean or, as Microsoft Entra sends it, "True" or "False".
func patchBool(v json.RawMessage) (bool, *scimError) {
	var b bool
	if json.Unmarshal(v, &b) == nil {
		return b, nil
	}
	var s string
	if json.Unmarshal(v, &s) == nil {
		switch strings.ToLower(s) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
	}
	return false, badRequest("invalidValue", "active must be a boolean")
}
