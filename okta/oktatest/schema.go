package oktatest

import (
	"net/http"
	"strings"
)

// routeAppUserSchema is outside route.go's iota range so that new kinds there cannot collide.
const routeAppUserSchema routeKind = 100

// SchemaProperty is one attribute of an app-user profile schema.
type SchemaProperty struct {
	Name   string // the profile key
	Title  string // defaults to Name
	Type   string // defaults to "string"
	Values []string
	// Base puts the attribute under definitions.base (the app's own attributes) rather than
	// definitions.custom.
	Base bool
}

// DefaultAppUserSchema is the schema every app serves until SetAppUserSchema replaces it: the
// SCIM base attributes, and the ClickUp role attributes under custom.
func DefaultAppUserSchema() []SchemaProperty {
	return []SchemaProperty{
		{Name: "userName", Title: "Username", Base: true},
		{Name: "givenName", Title: "Given name", Base: true},
		{Name: "familyName", Title: "Family name", Base: true},
		{Name: "email", Title: "Primary email", Base: true},
		{Name: "role", Title: "ClickUp Role", Values: []string{"admin", "member", "guest"}},
		{Name: "customRoleName", Title: "Custom Role Name"},
		{Name: "customRoleId", Title: "Custom Role ID"},
	}
}

// SetAppUserSchema replaces the app-user profile schema of the app.
func (s *Server) SetAppUserSchema(appID string, props []SchemaProperty) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.app("SetAppUserSchema", appID)
	if s.schemas == nil {
		s.schemas = map[string][]SchemaProperty{}
	}
	s.schemas[appID] = append([]SchemaProperty(nil), props...)
}

// parseSchemaRoute recognises GET /api/v1/meta/schemas/apps/{appId}/default; other paths keep rt.
func parseSchemaRoute(path string, rt route) route {
	rest, ok := strings.CutPrefix(path, "/api/v1/meta/schemas/apps/")
	if !ok {
		return rt
	}
	id, ok := strings.CutSuffix(rest, "/default")
	if !ok || id == "" || strings.Contains(id, "/") {
		return rt
	}
	return route{kind: routeAppUserSchema, appID: id, bucket: "/api/v1/meta/schemas"}
}

type schemaJSON struct {
	ID          string         `json:"id"`
	Schema      string         `json:"$schema"`
	Name        string         `json:"name"`
	Title       string         `json:"title"`
	LastUpdated string         `json:"lastUpdated"`
	Created     string         `json:"created"`
	Definitions schemaDefsJSON `json:"definitions"`
	Type        string         `json:"type"`
	Properties  map[string]any `json:"properties"`
}

type schemaDefsJSON struct {
	Base   schemaDefJSON `json:"base"`
	Custom schemaDefJSON `json:"custom"`
}

type schemaDefJSON struct {
	ID         string                  `json:"id"`
	Type       string                  `json:"type"`
	Properties map[string]propertyJSON `json:"properties"`
	Required   []string                `json:"required"`
}

type propertyJSON struct {
	Title       string         `json:"title"`
	Type        string         `json:"type"`
	Scope       string         `json:"scope"`
	Mutability  string         `json:"mutability,omitempty"`
	Master      map[string]any `json:"master"`
	Enum        []string       `json:"enum,omitempty"`
	OneOf       []oneOfJSON    `json:"oneOf,omitempty"`
	Permissions []any          `json:"permissions,omitempty"`
}

type oneOfJSON struct {
	Const string `json:"const"`
	Title string `json:"title"`
}

func (s *Server) getAppUserSchema(w http.ResponseWriter, appID string) {
	s.mu.Lock()
	a, ok := s.org.apps[appID]
	props, custom := s.schemas[appID]
	var created string
	if ok {
		created = a.created
	}
	s.mu.Unlock()
	if !ok {
		s.appNotFound(w, appID)
		return
	}
	if !custom {
		props = DefaultAppUserSchema()
	}
	doc := schemaJSON{
		ID:          s.URL() + "/meta/schemas/apps/" + appID + "/default",
		Schema:      "http://json-schema.org/draft-04/schema#",
		Name:        "clickup",
		Title:       "ClickUp User",
		LastUpdated: created,
		Created:     created,
		Definitions: schemaDefsJSON{
			Base:   schemaDefJSON{ID: "#base", Type: "object", Properties: map[string]propertyJSON{}, Required: []string{}},
			Custom: schemaDefJSON{ID: "#custom", Type: "object", Properties: map[string]propertyJSON{}, Required: []string{}},
		},
		Type: "object",
		Properties: map[string]any{"profile": map[string]any{"allOf": []map[string]string{
			{"$ref": "#/definitions/custom"}, {"$ref": "#/definitions/base"},
		}}},
	}
	for _, p := range props {
		pj := propertyJSON{Title: p.Title, Type: p.Type, Scope: "NONE", Master: map[string]any{"type": "PROFILE_MASTER"}}
		if pj.Title == "" {
			pj.Title = p.Name
		}
		if pj.Type == "" {
			pj.Type = "string"
		}
		if len(p.Values) > 0 {
			pj.Enum = append([]string(nil), p.Values...)
			for _, v := range p.Values {
				pj.OneOf = append(pj.OneOf, oneOfJSON{Const: v, Title: v})
			}
		}
		if p.Base {
			if p.Name == "userName" {
				doc.Definitions.Base.Required = append(doc.Definitions.Base.Required, p.Name)
			}
			doc.Definitions.Base.Properties[p.Name] = pj
		} else {
			doc.Definitions.Custom.Properties[p.Name] = pj
		}
	}
	s.writeJSON(w, http.StatusOK, doc)
}
