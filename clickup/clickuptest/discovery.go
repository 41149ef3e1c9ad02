package clickuptest

import (
	"net/http"
	"strconv"
	"strings"
)

// Discovery (RFC 7644 §4) and the capabilities it announces. ClickUp publishes none of this
// (reference §0 "Main gap"), so every answer here is [P], and Options can make the fake announce
// and behave like any of the services the client must adapt to (DESIGN.md §11).

const (
	schemaSPC          = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
	schemaResourceType = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
	schemaSchema       = "urn:ietf:params:scim:schemas:core:2.0:Schema"
)

// Extension is a User schema extension the fake announces besides the role's, with the names of
// its string attributes. The fake accepts it in a user and ignores it.
type Extension struct {
	URN        string
	Attributes []string
}

type spcResource struct {
	Schemas               []string      `json:"schemas"`
	DocumentationURI      string        `json:"documentationUri,omitempty"`
	Patch                 supported     `json:"patch"`
	Bulk                  bulkSupport   `json:"bulk"`
	Filter                filterSupport `json:"filter"`
	ChangePassword        supported     `json:"changePassword"`
	Sort                  supported     `json:"sort"`
	ETag                  supported     `json:"etag"`
	AuthenticationSchemes []authScheme  `json:"authenticationSchemes"`
	Meta                  discoveryMeta `json:"meta"`
}

type supported struct {
	Supported bool `json:"supported"`
}

type bulkSupport struct {
	Supported      bool `json:"supported"`
	MaxOperations  int  `json:"maxOperations"`
	MaxPayloadSize int  `json:"maxPayloadSize"`
}

type filterSupport struct {
	Supported  bool `json:"supported"`
	MaxResults int  `json:"maxResults"`
}

type authScheme struct {
	Type        string `json:"type"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Primary     bool   `json:"primary"`
}

type discoveryMeta struct {
	ResourceType string `json:"resourceType"`
	Location     string `json:"location"`
}

func (s *Server) scimServiceProviderConfig(w http.ResponseWriter, _ *http.Request) {
	o := s.opt
	writeSCIM(w, http.StatusOK, spcResource{
		Schemas: []string{schemaSPC},
		Patch:   supported{!o.NoPatch},
		Filter:  filterSupport{Supported: !o.NoFilter, MaxResults: o.AnnouncedMaxResults},
		AuthenticationSchemes: []authScheme{{Type: "oauthbearertoken", Name: "OAuth Bearer Token",
			Description: "The SCIM API token from the Workspace's SSO settings", Primary: true}},
		Meta: discoveryMeta{"ServiceProviderConfig", s.scimURL + "/ServiceProviderConfig"},
	})
}

type resourceTypeResource struct {
	Schemas          []string       `json:"schemas"`
	ID               string         `json:"id"`
	Name             string         `json:"name"`
	Endpoint         string         `json:"endpoint"`
	Description      string         `json:"description"`
	Schema           string         `json:"schema"`
	SchemaExtensions []extensionRef `json:"schemaExtensions"`
	Meta             discoveryMeta  `json:"meta"`
}

type extensionRef struct {
	Schema   string `json:"schema"`
	Required bool   `json:"required"`
}

func (s *Server) scimResourceTypes(w http.ResponseWriter, _ *http.Request) {
	o := s.opt
	var exts []extensionRef
	if o.RoleSchema != "" {
		exts = append(exts, extensionRef{Schema: o.RoleSchema})
	}
	for _, e := range o.ExtraExtensions {
		exts = append(exts, extensionRef{Schema: e.URN})
	}
	types := []resourceTypeResource{{
		Schemas: []string{schemaResourceType}, ID: "User", Name: "User", Endpoint: "/Users",
		Description: "Workspace members", Schema: schemaUser, SchemaExtensions: exts,
		Meta: discoveryMeta{"ResourceType", s.scimURL + "/ResourceTypes/User"},
	}}
	if !o.NoGroups {
		types = append(types, resourceTypeResource{
			Schemas: []string{schemaResourceType}, ID: "Group", Name: "Group", Endpoint: "/Groups",
			Description: "Teams (user groups)", Schema: schemaGroup, SchemaExtensions: []extensionRef{},
			Meta: discoveryMeta{"ResourceType", s.scimURL + "/ResourceTypes/Group"},
		})
	}
	writeSCIM(w, http.StatusOK, listOf(len(types), 1, types))
}

type schemaResource struct {
	Schemas     []string            `json:"schemas"`
	ID          string              `json:"id"`
	Name        string              `json:"name"`
	Description string              `json:"description"`
	Attributes  []attributeResource `json:"attributes"`
	Meta        discoveryMeta       `json:"meta"`
}

// attributeResource is an attribute definition (RFC 7643 §7).
type attributeResource struct {
	Name            string              `json:"name"`
	Type            string              `json:"type"`
	MultiValued     bool                `json:"multiValued"`
	Description     string              `json:"description,omitempty"`
	Required        bool                `json:"required"`
	CanonicalValues []string            `json:"canonicalValues,omitempty"`
	CaseExact       bool                `json:"caseExact"`
	Mutability      string              `json:"mutability"`
	Returned        string              `json:"returned"`
	Uniqueness      string              `json:"uniqueness"`
	SubAttributes   []attributeResource `json:"subAttributes,omitempty"`
}

func stringAttr(name string) attributeResource {
	return attributeResource{Name: name, Type: "string", Mutability: "readWrite", Returned: "default", Uniqueness: "none"}
}

// roleAttributes are the role attributes as the schema holding them defines them.
func (s *Server) roleAttributes() []attributeResource {
	o := s.opt
	role := stringAttr(o.RoleAttribute)
	role.Description, role.CanonicalValues, role.CaseExact = "The ClickUp Role", o.RoleValues, len(o.RoleValues) > 0
	out := []attributeResource{role}
	if !o.NoCustomRoleName {
		a := stringAttr(o.CustomRoleNameAttribute)
		a.Description = "The custom role's name"
		out = append(out, a)
	}
	if !o.NoCustomRoleID {
		a := stringAttr(o.CustomRoleIDAttribute)
		a.Description = "The custom role's id"
		if o.CustomRoleIDInteger {
			a.Type = "integer"
		}
		out = append(out, a)
	}
	return out
}

func (s *Server) scimSchemas(w http.ResponseWriter, _ *http.Request) {
	o := s.opt
	meta := func(id string) discoveryMeta { return discoveryMeta{"Schema", s.scimURL + "/Schemas/" + id} }
	userName := stringAttr("userName")
	userName.Required, userName.Uniqueness = true, "server"
	active := attributeResource{Name: "active", Type: "boolean", Mutability: "readWrite", Returned: "default", Uniqueness: "none"}
	emails := attributeResource{Name: "emails", Type: "complex", MultiValued: true, Mutability: "readWrite", Returned: "default", Uniqueness: "none",
		SubAttributes: []attributeResource{stringAttr("value"), stringAttr("type"), {Name: "primary", Type: "boolean", Mutability: "readWrite", Returned: "default", Uniqueness: "none"}}}
	name := attributeResource{Name: "name", Type: "complex", Mutability: "readWrite", Returned: "default", Uniqueness: "none",
		SubAttributes: []attributeResource{stringAttr("givenName"), stringAttr("familyName")}}
	groups := attributeResource{Name: "groups", Type: "complex", MultiValued: true, Mutability: "readOnly", Returned: "default", Uniqueness: "none",
		SubAttributes: []attributeResource{stringAttr("value"), stringAttr("display")}}
	coreAttrs := []attributeResource{userName, name, stringAttr("displayName"), emails, active, stringAttr("externalId"), groups}
	if o.RoleSchema == "" {
		coreAttrs = append(coreAttrs, s.roleAttributes()...)
	}
	schemas := []schemaResource{{Schemas: []string{schemaSchema}, ID: schemaUser, Name: "User", Description: "User Account",
		Attributes: coreAttrs, Meta: meta(schemaUser)}}
	if o.RoleSchema != "" {
		schemas = append(schemas, schemaResource{Schemas: []string{schemaSchema}, ID: o.RoleSchema, Name: "ClickUpUser",
			Description: "The user's ClickUp Role", Attributes: s.roleAttributes(), Meta: meta(o.RoleSchema)})
	}
	for _, e := range o.ExtraExtensions {
		var attrs []attributeResource
		for _, a := range e.Attributes {
			attrs = append(attrs, stringAttr(a))
		}
		schemas = append(schemas, schemaResource{Schemas: []string{schemaSchema}, ID: e.URN, Name: "Extension",
			Attributes: attrs, Meta: meta(e.URN)})
	}
	if !o.NoGroups {
		members := attributeResource{Name: "members", Type: "complex", MultiValued: true, Mutability: "readWrite", Returned: "default", Uniqueness: "none",
			SubAttributes: []attributeResource{stringAttr("value"), stringAttr("display")}}
		dn := stringAttr("displayName")
		dn.Required = true
		schemas = append(schemas, schemaResource{Schemas: []string{schemaSchema}, ID: schemaGroup, Name: "Group", Description: "Team",
			Attributes: []attributeResource{dn, members}, Meta: meta(schemaGroup)})
	}
	writeSCIM(w, http.StatusOK, listOf(len(schemas), 1, schemas))
}

// scimNoPatch is what a service without PATCH answers one: 501 (RFC 7644 §3.12: "Service
// provider does not support the request operation, e.g., PATCH") or, as a router would, 405
// with the methods it has.
func (s *Server) scimNoPatch(w http.ResponseWriter, r *http.Request) {
	status := s.opt.NoPatchStatus
	if status == http.StatusMethodNotAllowed {
		allow := "GET, PUT"
		if strings.Contains(r.URL.Path, "/Groups/") {
			allow += ", DELETE"
		}
		w.Header().Set("Allow", allow)
	}
	writeSCIMError(w, &scimError{status: status, detail: "PATCH is not supported; replace the resource with PUT"})
}

// noFilter is the answer of a service that does not filter to a request with a filter
// (RFC 7644 §3.4.2.2: "decline to filter ... 400 ... invalidFilter").
func noFilter() *scimError {
	return badRequest("invalidFilter", "filtering is not supported by this service (ServiceProviderConfig filter.supported is false)")
}

// ChangeTotalBetweenPages has someone invite a user while each of the next n full listings of
// /Users is read: after its first page, before the next page is answered. A client sees
// totalResults change between pages.
func (s *Server) ChangeTotalBetweenPages(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.drifts, s.st.driftArmed = n, false
}

// listingDrift applies ChangeTotalBetweenPages to a listing page; the caller holds s.mu.
func (s *Server) listingDrift(start int) {
	st := s.st
	switch {
	case st.drifts <= 0:
	case start <= 1:
		st.driftArmed = true
	case st.driftArmed:
		st.driftArmed, st.drifts = false, st.drifts-1
		now := s.now()
		u := &user{id: st.newID(), active: true, role: roleMember, created: now, modified: now}
		u.userName = "invited-during-listing-" + strconv.Itoa(u.id) + "@x.io"
		u.email, u.displayName = u.userName, u.userName
		st.insert(u)
	}
}
