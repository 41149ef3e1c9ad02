package clickup

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// Discovery (RFC 7644 §4, DESIGN.md §11). ClickUp publishes no SCIM reference, so what the service
// announces about itself decides the role schema and attribute names, and how users and Teams
// are written, paged and looked up; what it does not announce keeps the defaults of §4.

const (
	pathServiceProviderConfig = "/ServiceProviderConfig"
	pathResourceTypes         = "/ResourceTypes"
	pathSchemas               = "/Schemas"
)

// notServed reports an answer that says a discovery endpoint (or /Groups) is not there: 404 and
// 501, and 405, which a router gives for a path it serves only for other methods. Any other
// failure (401, 403, a 5xx after the retries, a malformed body) is an error: a service that
// cannot say what it supports must not be guessed at.
func notServed(err error) (int, bool) {
	var ae *APIError
	if errors.As(err, &ae) {
		switch ae.Status {
		case http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusNotImplemented:
			return ae.Status, true
		}
	}
	return 0, false
}

// announced is what the three discovery endpoints said; a nil part was not served.
type announced struct {
	spc     *spcDoc
	types   []resourceTypeDoc
	schemas []schemaDoc
}

// Discover reads GET /ServiceProviderConfig, /ResourceTypes and /Schemas and sets the client up
// for what they announce: the role schema (when RoleSchemaAuto) and the spelling of the role
// attributes and values, whether PATCH and filters are used, and the page size. An endpoint that
// is not served leaves its part at the defaults of DESIGN.md §4. Call it once, before any other
// method, and not while one runs. On error the client keeps its previous settings, and the
// ServiceInfo says as much as was found out.
func (c *SCIMClient) Discover(ctx context.Context) (ServiceInfo, error) {
	info, next, err := c.discover(ctx)
	if err != nil {
		return info, fmt.Errorf("discover the scim service: %w", err)
	}
	*c = next
	return info, nil
}

// discover works on a copy of the client, so that a failure changes nothing. Its error is also
// in the ServiceInfo, as readErr when what the service announces could not be read, else as
// roleErr.
func (c *SCIMClient) discover(ctx context.Context) (info ServiceInfo, next SCIMClient, err error) {
	a, err := c.readAnnounced(ctx, &info)
	if err != nil {
		info.readErr = err
		return info, SCIMClient{}, err
	}
	next = *c
	next.svc = service{}
	next.roleSchema, next.pageSize = c.conf.roleSchema, c.conf.pageSize
	next.roleAttr, next.idAttr, next.nameAttr = c.conf.attrs[attrRole], c.conf.attrs[attrID], c.conf.attrs[attrName]
	next.capabilities(a.spc, &info)
	if err := next.groupsSupport(ctx, a.types, &info); err != nil {
		info.readErr = err
		return info, SCIMClient{}, err
	}
	err = next.chooseRole(a, &info)
	if err == nil {
		err = next.checkRoleAttributes()
	}
	if err == nil {
		err = next.encodeSchemas()
	}
	if err != nil {
		info.roleErr = err
		return info, SCIMClient{}, err
	}
	return info, next, nil
}

// readAnnounced reads the three discovery endpoints, noting in info which answered.
func (c *SCIMClient) readAnnounced(ctx context.Context, info *ServiceInfo) (announced, error) {
	var a announced
	for _, p := range []string{pathServiceProviderConfig, pathResourceTypes, pathSchemas} {
		body, status, err := c.readDiscovery(ctx, p)
		if err != nil {
			return a, err
		}
		info.Endpoints = append(info.Endpoints, DiscoveryEndpoint{Path: p, Answered: body != nil, Status: status})
		if body == nil {
			continue
		}
		cl := call{method: http.MethodGet, path: p}
		switch p {
		case pathServiceProviderConfig:
			a.spc, err = parseSPC(body)
		case pathResourceTypes:
			a.types, err = parseResourceTypes(body)
		case pathSchemas:
			a.schemas, err = parseSchemas(body)
		}
		if err != nil {
			return a, c.ep.malformed(cl, "%v", err)
		}
	}
	return a, nil
}

// readDiscovery reads one discovery endpoint: its body, or nil and the status that says it is
// not served.
func (c *SCIMClient) readDiscovery(ctx context.Context, path string) ([]byte, int, error) {
	cl := call{method: http.MethodGet, path: path, ok: []int{http.StatusOK}}
	r, err := c.ep.do(ctx, cl)
	if status, ok := notServed(err); ok {
		return nil, status, nil
	}
	if err != nil {
		return nil, 0, err
	}
	if err := checkJSON(r.body, 0); err != nil {
		return nil, 0, c.ep.malformed(cl, "%v", err)
	}
	return r.body, r.status, nil
}

// capabilities applies ServiceProviderConfig (RFC 7643 §5). A capability it does not mention
// keeps its default; one it mentions in the wrong type has failed the decode already.
func (c *SCIMClient) capabilities(spc *spcDoc, info *ServiceInfo) {
	info.Patch = Capability{Supported: true, Source: SourceDefault}
	info.Filter = Capability{Supported: true, Source: SourceDefault}
	if spc != nil && spc.Patch != nil && spc.Patch.Supported != nil {
		info.Patch = Capability{Supported: *spc.Patch.Supported, Source: SourceDiscovered}
	}
	if spc != nil && spc.Filter != nil {
		if spc.Filter.Supported != nil {
			info.Filter = Capability{Supported: *spc.Filter.Supported, Source: SourceDiscovered}
		}
		info.MaxResults = spc.Filter.maxResults
	}
	c.svc.noPatch, c.svc.noFilter = !info.Patch.Supported, !info.Filter.Supported

	info.PageSize, info.PageSizeSource = DefaultPageSize, SourceDefault
	if c.pageSize > 0 {
		info.PageSize, info.PageSizeSource = c.pageSize, SourceConfigured
	}
	if info.MaxResults > 0 && info.MaxResults < info.PageSize {
		info.PageSize, info.PageSizeSource = info.MaxResults, SourceDiscovered
	}
	c.pageSize = info.PageSize
}

// groupsSupport decides whether the service has Groups: from ResourceTypes when served, else
// by reading one group. A failure of that read is kept for GroupsError rather than returned:
// it matters only when Teams are pushed.
func (c *SCIMClient) groupsSupport(ctx context.Context, types []resourceTypeDoc, info *ServiceInfo) error {
	if types != nil {
		var names []string
		for _, t := range types {
			if t.isGroup() {
				info.Groups = Capability{Supported: true, Source: SourceDiscovered, Detail: "ResourceTypes lists " + shown(t.Name)}
				return nil
			}
			names = append(names, shown(t.Name))
		}
		info.Groups = Capability{Source: SourceDiscovered, Detail: "ResourceTypes lists no Group resource type, only " + truncate(strings.Join(names, ", "), maxQuoted)}
		return nil
	}
	_, err := readListPage(ctx, c, c.groupList(), "", 1, 1)
	if status, ok := notServed(err); ok {
		info.Groups = Capability{Source: SourceDiscovered, Detail: fmt.Sprintf("ResourceTypes is not served and GET /Groups answered %d", status)}
		return nil
	}
	if err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		info.groupsErr = err
		info.Groups = Capability{Source: SourceDefault, Detail: "GET /Groups failed"}
		return nil
	}
	info.Groups = Capability{Supported: true, Source: SourceDiscovered, Detail: "ResourceTypes is not served, GET /Groups answered"}
	return nil
}

// userType is the User resource type among types, nil when there is none.
func userType(types []resourceTypeDoc) *resourceTypeDoc {
	for i, t := range types {
		if strings.EqualFold(t.Name, "User") || strings.EqualFold(t.Endpoint, "/Users") || strings.EqualFold(t.Schema, schemaUser) {
			return &types[i]
		}
	}
	return nil
}

func (t resourceTypeDoc) isGroup() bool {
	return strings.EqualFold(t.Name, "Group") || strings.EqualFold(t.Endpoint, "/Groups") || strings.EqualFold(t.Schema, schemaGroup)
}

// findSchema is the definition of the schema urn among schemas, nil when there is none.
func findSchema(schemas []schemaDoc, urn string) *schemaDoc {
	for i := range schemas {
		if strings.EqualFold(schemas[i].ID, urn) {
			return &schemas[i]
		}
	}
	return nil
}

// userExtensions are the extensions of the User resource type; without ResourceTypes, every
// announced schema that is not one of RFC 7643's own.
func userExtensions(a announced) ([]string, error) {
	if a.types != nil {
		ut := userType(a.types)
		if ut == nil {
			var names []string
			for _, t := range a.types {
				names = append(names, shown(t.Name))
			}
			return nil, fmt.Errorf("ResourceTypes lists no User resource type (only %s)", truncate(strings.Join(names, ", "), maxQuoted))
		}
		var exts []string
		for _, e := range ut.SchemaExtensions {
			exts = append(exts, e.Schema)
		}
		return exts, nil
	}
	var exts []string
	for _, s := range a.schemas {
		if !strings.HasPrefix(strings.ToLower(s.ID), "urn:ietf:params:scim:schemas:core:") {
			exts = append(exts, s.ID)
		}
	}
	return exts, nil
}

// chooseRole settles the role schema and the role attributes' names, spellings and values.
func (c *SCIMClient) chooseRole(a announced, info *ServiceInfo) error {
	def, err := c.roleSchemaFrom(a, info)
	if err != nil {
		return err
	}
	c.svc.undiscovered = false
	names := [3]*string{&c.roleAttr, &c.idAttr, &c.nameAttr}
	for i, name := range c.conf.attrs {
		ra := RoleAttribute{Setting: attributeSettings[i], Name: name, Source: SourceConfigured, Carried: true}
		if strings.EqualFold(name, attributeDefaults[i]) {
			ra.Source = SourceDefault // the configuration fills in the defaults: the same name is no choice
		}
		if def != nil {
			if err := c.announcedAttribute(def, i, &ra); err != nil {
				return err
			}
		}
		*names[i] = ra.Name
		c.svc.missing[i] = !ra.Carried
		info.setAttribute(i, ra)
	}
	return nil
}

// announcedAttribute checks attribute i against the schema that holds it, and takes the
// service's spelling of its name and values.
func (c *SCIMClient) announcedAttribute(def *schemaDoc, i int, ra *RoleAttribute) error {
	at := def.attr(ra.Name)
	if at == nil {
		if i == attrRole {
			return fmt.Errorf("the schema %s has no attribute %s (it has %s); set %s to the service's name for the ClickUp Role, or CLICKUP_SCIM_ROLE_SCHEMA to the schema that has it",
				shown(def.ID), ra.Name, def.attrList(), ra.Setting)
		}
		ra.Carried = false
		return nil
	}
	ra.Name = at.Name
	switch want := "string"; {
	case at.MultiValued:
		return fmt.Errorf("the schema %s makes %s multi-valued; a role is one value", shown(def.ID), shown(at.Name))
	case strings.EqualFold(at.Mutability, "readOnly"):
		return fmt.Errorf("the schema %s makes %s read-only, so it cannot be provisioned", shown(def.ID), shown(at.Name))
	case i == attrID && strings.EqualFold(at.Type, "integer"):
		c.svc.idNumber = true
	case at.Type != "" && !strings.EqualFold(at.Type, want):
		return fmt.Errorf("the schema %s makes %s of type %s; a role is a string", shown(def.ID), shown(at.Name), shown(at.Type))
	}
	if i != attrRole || len(at.CanonicalValues) == 0 {
		return nil
	}
	for _, v := range at.CanonicalValues {
		s, err := optString(v)
		if err != nil || s == "" {
			return fmt.Errorf("the schema %s lists a canonical value of %s that is not a string", shown(def.ID), shown(at.Name))
		}
		ra.Values = append(ra.Values, shown(s))
	}
	c.svc.canonical = ra.Values
	return nil
}

func (s *ServiceInfo) setAttribute(i int, ra RoleAttribute) {
	switch i {
	case attrRole:
		s.Role = ra
	case attrID:
		s.CustomRoleID = ra
	case attrName:
		s.CustomRoleName = ra
	}
}

// roleSchemaFrom sets c.roleSchema from what was announced and returns the definition of the
// schema that holds the role attributes, nil when it was not announced.
func (c *SCIMClient) roleSchemaFrom(a announced, info *ServiceInfo) (*schemaDoc, error) {
	info.RoleSchema, info.RoleSchemaSource = c.conf.roleSchema, SourceConfigured
	if c.conf.auto {
		info.RoleSchema, info.RoleSchemaSource = DefaultRoleSchema, SourceDefault
	}
	defer func() { c.roleSchema = info.RoleSchema }()
	if a.types == nil && a.schemas == nil {
		if c.conf.auto {
			info.roleWhy = "not announced"
		}
		return nil, nil
	}
	exts, err := userExtensions(a)
	if err != nil {
		return nil, err
	}
	core := findSchema(a.schemas, schemaUser)
	if !c.conf.auto {
		if c.conf.roleSchema == "" {
			return core, nil // nil when /Schemas is not served: nothing to check against
		}
		i := slices.IndexFunc(exts, func(e string) bool { return strings.EqualFold(e, c.conf.roleSchema) })
		if i < 0 {
			return nil, fmt.Errorf("the User resource type has no extension %s, which CLICKUP_SCIM_ROLE_SCHEMA names; it has %s",
				c.conf.roleSchema, describeExtensions(a.schemas, exts))
		}
		info.RoleSchema = exts[i]
		return findSchema(a.schemas, exts[i]), nil
	}

	roleAttr := c.conf.attrs[attrRole]
	if a.schemas == nil {
		// The extensions are known, their attributes are not: the default is taken only when it
		// is one of them.
		if i := slices.IndexFunc(exts, func(e string) bool { return strings.EqualFold(e, DefaultRoleSchema) }); i >= 0 {
			info.RoleSchema, info.roleWhy = exts[i], "Schemas is not served; the User resource type has this extension"
			return nil, nil
		}
		return nil, fmt.Errorf("Schemas is not served, so the extension holding %s is unknown, and the User resource type does not have the default %s; it has %s; set CLICKUP_SCIM_ROLE_SCHEMA",
			roleAttr, DefaultRoleSchema, describeExtensions(nil, exts))
	}
	var found []string
	for _, e := range exts {
		if d := findSchema(a.schemas, e); d != nil && d.attr(roleAttr) != nil {
			found = append(found, d.ID)
		}
	}
	switch {
	case len(found) == 1:
		info.RoleSchema, info.RoleSchemaSource = found[0], SourceDiscovered
		info.roleWhy = "the User extension whose schema defines " + roleAttr
		return findSchema(a.schemas, found[0]), nil
	case len(found) > 1:
		return nil, fmt.Errorf("several User extensions define %s: %s; set CLICKUP_SCIM_ROLE_SCHEMA to the one that holds the ClickUp Role",
			roleAttr, truncate(strings.Join(found, ", "), maxQuoted))
	case core != nil && core.attr(roleAttr) != nil:
		info.RoleSchema, info.RoleSchemaSource = "", SourceDiscovered
		info.roleWhy = "no User extension defines " + roleAttr + ", the core User schema does"
		return core, nil
	}
	return nil, fmt.Errorf("no User extension defines %s, nor does the core User schema; the extensions are %s; set CLICKUP_SCIM_ROLE_ATTRIBUTE to the service's name for the ClickUp Role, or CLICKUP_SCIM_ROLE_SCHEMA",
		roleAttr, describeExtensions(a.schemas, exts))
}

// describeExtensions lists extensions with their attributes, as an error may quote them.
func describeExtensions(schemas []schemaDoc, exts []string) string {
	if len(exts) == 0 {
		return "none"
	}
	parts := make([]string, 0, len(exts))
	for _, e := range exts {
		switch d := findSchema(schemas, e); {
		case d != nil:
			parts = append(parts, shown(e)+" ("+d.attrList()+")")
		case schemas != nil:
			parts = append(parts, shown(e)+" (not defined in Schemas)")
		default:
			parts = append(parts, shown(e))
		}
	}
	return truncate(strings.Join(parts, "; "), maxQuoted)
}
