package clickuptest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/mail"
	"strconv"
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
	var f *filter
	if q := r.URL.Query(); q.Has("filter") {
		if s.opt.NoFilter {
			writeSCIMError(w, noFilter())
			return
		}
		parsed, e := parseFilter(q.Get("filter"))
		if e != nil {
			writeSCIMError(w, e)
			return
		}
		f = &parsed
	}

	s.mu.Lock()
	if f == nil {
		s.listingDrift(start)
	}
	matched := s.st.sortedUsers()
	if f != nil {
		matched = nil
		for _, u := range s.st.sortedUsers() {
			if f.match(u) {
				matched = append(matched, u)
			}
		}
	}
	lo, hi, start := pageOf(len(matched), start, count, s.opt.MaxCount)
	resources := make([]userResource, 0, hi-lo)
	for _, u := range matched[lo:hi] {
		resources = append(resources, s.resource(u))
	}
	s.mu.Unlock()
	writeSCIM(w, http.StatusOK, listOf(len(matched), start, resources))
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

// resource renders u as reference §2.3 shows it; the caller holds s.mu.
func (s *Server) resource(u *user) userResource {
	o := s.opt
	res := userResource{
		Schemas: []string{schemaUser}, ID: strconv.Itoa(u.id), ExternalID: u.externalID, UserName: u.userName,
		Name: nameResource{u.givenName, u.familyName}, DisplayName: u.displayName, Active: u.active, Groups: []string{},
		Meta:  metaResource{"User", u.created.Format(time.RFC3339), u.modified.Format(time.RFC3339), s.location(u.id)},
		roles: map[string]any{o.RoleAttribute: s.spelledRole(u.role)}, roleSchema: o.RoleSchema,
	}
	if o.RoleSchema != "" {
		res.Schemas = append(res.Schemas, o.RoleSchema)
	}
	if u.email != "" {
		res.Emails = []emailResource{{u.email, true, "work"}}
	}
	if u.customRoleID != 0 {
		switch {
		case o.NoCustomRoleID:
		case o.CustomRoleIDInteger:
			res.roles[o.CustomRoleIDAttribute] = u.customRoleID
		default:
			res.roles[o.CustomRoleIDAttribute] = strconv.Itoa(u.customRoleID)
		}
		if cr := s.st.roles[u.customRoleID]; cr != nil && !o.NoCustomRoleName {
			res.roles[o.CustomRoleNameAttribute] = cr.name
		}
	}
	return res
}

// userResource is a User. Its role attributes have the names the configuration gives them, in
// the extension it names or at the top level, so MarshalJSON adds them to the fixed members.
type userResource struct {
	Schemas     []string        `json:"schemas"`
	ID          string          `json:"id"`
	ExternalID  string          `json:"externalId,omitempty"`
	UserName    string          `json:"userName"`
	Name        nameResource    `json:"name"`
	DisplayName string          `json:"displayName,omitempty"`
	Emails      []emailResource `json:"emails,omitempty"`
	Active      bool            `json:"active"`
	Groups      []string        `json:"groups"`
	Meta        metaResource    `json:"meta"`

	roles      map[string]any
	roleSchema string
}

func (u userResource) MarshalJSON() ([]byte, error) {
	type fixed userResource // the same members, without this method
	var b bytes.Buffer
	if err := encode(&b, fixed(u)); err != nil {
		return nil, err
	}
	var roles any = u.roles
	if u.roleSchema != "" {
		roles = map[string]map[string]any{u.roleSchema: u.roles}
	}
	var r bytes.Buffer
	if err := encode(&r, roles); err != nil {
		return nil, err
	}
	// Both are objects with members: one object with the members of both.
	b.Truncate(b.Len() - 1)
	b.WriteByte(',')
	b.Write(r.Bytes()[1:])
	return b.Bytes(), nil
}

type nameResource struct {
	GivenName  string `json:"givenName"`
	FamilyName string `json:"familyName"`
}

type emailResource struct {
	Value   string `json:"value"`
	Primary bool   `json:"primary"`
	Type    string `json:"type"`
}

type metaResource struct {
	ResourceType string `json:"resourceType"`
	Created      string `json:"created"`
	LastModified string `json:"lastModified"`
	Location     string `json:"location"`
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
