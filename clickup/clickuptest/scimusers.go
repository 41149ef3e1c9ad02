package clickuptest

import (
	"bytes"
	"encoding/json"
	"github.com/okta-clickup-sync/okta-clickup-sync/internal/jsontext"
	"net/http"
	"net/mail"
	"strconv"
	"strings"
	"time"
)

func (s *Server) scimListUsers(w http.ResponseWriter, r *http.Request) {
	start, e := queryInt(r, "startIndex", 1)
	if e != nil {
		writeSCIMError(w, e)
		return
	}
	count, e := queryInt(r, "count", DefaultMaxCount)
	if e != nil {
		writeSCIMError(w, e)
		return
	}
	start = max(start, 1)                      // RFC 7644 §3.4.2.4: below 1 is read as 1
	count = min(max(count, 0), s.opt.MaxCount) // negative is 0; above the cap is the cap
	var f *filter
	if q := r.URL.Query(); q.Has("filter") {
		parsed, e := parseFilter(q.Get("filter"))
		if e != nil {
			writeSCIMError(w, e)
			return
		}
		f = &parsed
	}

	s.mu.Lock()
	matched := s.st.sortedUsers()
	if f != nil {
		matched = nil
		for _, u := range s.st.sortedUsers() {
			if f.match(u) {
				matched = append(matched, u)
			}
		}
	}
	lo := min(start-1, len(matched))
	page := matched[lo:min(lo+count, len(matched))]
	p := startList(len(matched), start, len(page))
	for _, u := range page {
		p.b = s.appendResource(p.next(), u)
	}
	s.mu.Unlock()
	p.send(w)
}

func (s *Server) scimGetUser(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, e := s.lookup(r)
	if e != nil {
		writeSCIMError(w, e)
		return
	}
	writeSCIM(w, http.StatusOK, s.resource(u))
}

// lookup finds the user named by the path; the caller holds s.mu.
func (s *Server) lookup(r *http.Request) (*user, *scimError) {
	id := r.PathValue("id")
	n, err := strconv.Atoi(id)
	if u := s.st.users[n]; err == nil && u != nil {
		return u, nil
	}
	return nil, &scimError{status: http.StatusNotFound, detail: "Resource " + id + " not found"}
}

// scimCreateUser is Okta's "Push New Users": the user becomes a pending invite with the role from
// the role attributes. A userName or email held by any user, inactive ones included, is a 409:
// clients must find and reactivate such a user instead (reference §2.3).
func (s *Server) scimCreateUser(w http.ResponseWriter, r *http.Request) {
	a, e := readBody(r)
	if e == nil {
		e = s.requireUserSchemas(a)
	}
	if e != nil {
		writeSCIMError(w, e)
		return
	}
	in, e := s.readUser(a)
	if e != nil {
		writeSCIMError(w, e)
		return
	}

	s.mu.Lock()
	role, crID, e := s.resolveRole(in.role)
	if e == nil {
		if other := s.st.taken(in.userName, in.email); other != nil {
			e = &scimError{status: http.StatusConflict, scimType: "uniqueness",
				detail: "User already exists: userName or email " + in.userName + " is held by user " + strconv.Itoa(other.id)}
		}
	}
	if e != nil {
		s.mu.Unlock()
		writeSCIMError(w, e)
		return
	}
	now := s.now()
	u := &user{
		id: s.st.newID(), externalID: in.externalID, userName: in.userName, email: in.email,
		givenName: in.givenName, familyName: in.familyName, displayName: in.displayName,
		active: in.active, role: role, customRoleID: crID, created: now, modified: now,
	}
	s.st.insert(u)
	res := s.resource(u)
	s.mu.Unlock()

	w.Header().Set("Location", s.location(u.id))
	writeSCIM(w, http.StatusCreated, res)
}

// newUser is a create body, validated.
type newUser struct {
	userName, email, givenName, familyName, displayName, externalID string
	active                                                          bool
	role                                                            roleInput
}

func (s *Server) readUser(a attrs) (newUser, *scimError) {
	var u newUser
	var e *scimError
	var ok bool
	if u.userName, ok, e = optString(a, "userName"); e != nil {
		return u, e
	}
	if !ok || u.userName == "" {
		return u, badRequest("invalidValue", "userName is required")
	}
	if !isEmail(u.userName) {
		return u, badRequest("invalidValue", "userName %q must be an email address", u.userName)
	}
	if u.email, e = primaryEmail(a); e != nil {
		return u, e
	}
	if u.email == "" {
		u.email = u.userName
	}
	if !isEmail(u.email) {
		return u, badRequest("invalidValue", "email %q is not an email address", u.email)
	}
	if raw, ok := a.get("name"); ok && !isNull(raw) {
		name, e := parseAttrs(raw)
		if e != nil {
			return u, badRequest("invalidValue", "name must be an object")
		}
		if u.givenName, _, e = optString(name, "givenName"); e != nil {
			return u, e
		}
		if u.familyName, _, e = optString(name, "familyName"); e != nil {
			return u, e
		}
	}
	if u.displayName, ok, e = optString(a, "displayName"); e != nil {
		return u, e
	}
	if !ok || u.displayName == "" {
		u.displayName = joinName(u.givenName, u.familyName)
	}
	if u.externalID, _, e = optString(a, "externalId"); e != nil {
		return u, e
	}
	active, ok, e := optBool(a, "active")
	if e != nil {
		return u, e
	}
	u.active = !ok || active
	u.role, e = s.readRoleAttrs(a)
	return u, e
}

func primaryEmail(a attrs) (string, *scimError) {
	raw, ok := a.get("emails")
	if !ok || isNull(raw) {
		return "", nil
	}
	var emails []struct {
		Value   *string `json:"value"`
		Primary *bool   `json:"primary"`
	}
	if err := json.Unmarshal(raw, &emails); err != nil {
		return "", badRequest("invalidValue", "emails must be an array of {value, type, primary}: %v", err)
	}
	email := ""
	for i, e := range emails {
		if e.Value == nil {
			return "", badRequest("invalidValue", "emails[%d] has no value", i)
		}
		if i == 0 || (e.Primary != nil && *e.Primary) {
			email = *e.Value
		}
		if e.Primary != nil && *e.Primary {
			break
		}
	}
	return email, nil
}

func isEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Name == "" && a.Address == s
}

// taken returns a user holding userName or email as its userName or email; the caller holds s.mu.
func (st *state) taken(userName, email string) *user {
	var first *user
	for _, want := range []string{userName, email} {
		if want == "" {
			continue
		}
		for _, u := range st.byName[foldKey(want)] {
			if first == nil || u.id < first.id {
				first = u
			}
		}
	}
	return first
}

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
	o := s.opt
	var e *scimError
	switch {
	case strings.EqualFold(attr, o.RoleAttribute):
		p.role.role, e = roleValue(attr, v, false)
		p.roleSet = true
	case strings.EqualFold(attr, o.CustomRoleIDAttribute):
		p.role.id, e = roleValue(attr, v, true)
		p.idSet = true
	case strings.EqualFold(attr, o.CustomRoleNameAttribute):
		p.role.name, e = roleValue(attr, v, false)
		p.nameSet = true
	default:
		e = badRequest("invalidPath", "attribute %q is not supported", attr)
	}
	return e
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

// resource renders u as reference §2.3 shows it; the caller holds s.mu.
func (s *Server) resource(u *user) obj {
	o := s.opt
	schemas := []string{schemaUser}
	if o.RoleSchema != "" {
		schemas = append(schemas, o.RoleSchema)
	}
	res := obj{{"schemas", schemas}, {"id", strconv.Itoa(u.id)}}
	if u.externalID != "" {
		res = append(res, kv{"externalId", u.externalID})
	}
	res = append(res,
		kv{"userName", u.userName},
		kv{"name", obj{{"givenName", u.givenName}, {"familyName", u.familyName}}},
	)
	if u.displayName != "" {
		res = append(res, kv{"displayName", u.displayName})
	}
	if u.email != "" {
		res = append(res, kv{"emails", []obj{{{"value", u.email}, {"primary", true}, {"type", "work"}}}})
	}
	res = append(res, kv{"active", u.active}, kv{"groups", []any{}})
	roles := obj{{o.RoleAttribute, u.role}}
	if u.customRoleID != 0 {
		roles = append(roles, kv{o.CustomRoleIDAttribute, strconv.Itoa(u.customRoleID)})
		if cr := s.st.roles[u.customRoleID]; cr != nil {
			roles = append(roles, kv{o.CustomRoleNameAttribute, cr.name})
		}
	}
	if o.RoleSchema == "" {
		res = append(res, roles...)
	} else {
		res = append(res, kv{o.RoleSchema, roles})
	}
	return append(res, kv{"meta", obj{
		{"resourceType", "User"},
		{"created", u.created.Format(time.RFC3339)},
		{"lastModified", u.modified.Format(time.RFC3339)},
		{"location", s.location(u.id)},
	}})
}

// appendResource appends u as resource renders it, without building it first; the caller
// holds s.mu.
func (s *Server) appendResource(dst []byte, u *user) []byte {
	o := s.opt
	dst = append(dst, s.enc.userHead...)
	dst = strconv.AppendInt(dst, int64(u.id), 10)
	dst = append(dst, '"')
	if u.externalID != "" {
		dst = jsontext.AppendString(append(dst, `,"externalId":`...), u.externalID, false)
	}
	dst = jsontext.AppendString(append(dst, `,"userName":`...), u.userName, false)
	dst = jsontext.AppendString(append(dst, `,"name":{"givenName":`...), u.givenName, false)
	dst = jsontext.AppendString(append(dst, `,"familyName":`...), u.familyName, false)
	dst = append(dst, '}')
	if u.displayName != "" {
		dst = jsontext.AppendString(append(dst, `,"displayName":`...), u.displayName, false)
	}
	if u.email != "" {
		dst = jsontext.AppendString(append(dst, `,"emails":[{"value":`...), u.email, false)
		dst = append(dst, `,"primary":true,"type":"work"}]`...)
	}
	dst = append(dst, `,"active":`...)
	dst = strconv.AppendBool(dst, u.active)
	dst = append(dst, `,"groups":[],`...)
	if o.RoleSchema != "" {
		dst = append(appendKey(dst, o.RoleSchema), '{')
	}
	dst = jsontext.AppendString(appendKey(dst, o.RoleAttribute), u.role, false)
	if u.customRoleID != 0 {
		dst = append(appendKey(append(dst, ','), o.CustomRoleIDAttribute), '"')
		dst = append(strconv.AppendInt(dst, int64(u.customRoleID), 10), '"')
		if cr := s.st.roles[u.customRoleID]; cr != nil {
			dst = jsontext.AppendString(appendKey(append(dst, ','), o.CustomRoleNameAttribute), cr.name, false)
		}
	}
	if o.RoleSchema != "" {
		dst = append(dst, '}')
	}
	dst = append(dst, `,"meta":{"resourceType":"User","created":`...)
	dst = appendTime(dst, u.created)
	dst = append(dst, `,"lastModified":`...)
	dst = appendTime(dst, u.modified)
	dst = append(dst, `,"location":`...)
	dst = append(dst, s.enc.userLocation...)
	dst = strconv.AppendInt(dst, int64(u.id), 10)
	return append(dst, `"}}`...)
}

func (s *Server) location(id int) string { return s.scimURL + "/Users/" + strconv.Itoa(id) }

func (s *Server) now() time.Time { return s.opt.Now().UTC().Truncate(time.Second) }

func (s *Server) requireUserSchemas(a attrs) *scimError {
	want := []string{schemaUser}
	if _, ok := a.get(s.opt.RoleSchema); ok && s.opt.RoleSchema != "" {
		want = append(want, s.opt.RoleSchema) // RFC 7643 §3: a resource lists its extensions
	}
	return requireSchemas(a, want...)
}

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
	var in roleInput
	var e *scimError
	raw, _ := place.get(o.RoleAttribute)
	if in.role, e = roleValue(o.RoleAttribute, raw, false); e != nil {
		return in, e
	}
	raw, _ = place.get(o.CustomRoleIDAttribute)
	if in.id, e = roleValue(o.CustomRoleIDAttribute, raw, true); e != nil {
		return in, e
	}
	raw, _ = place.get(o.CustomRoleNameAttribute)
	in.name, e = roleValue(o.CustomRoleNameAttribute, raw, false)
	return in, e
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
