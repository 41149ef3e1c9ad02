package okta

import (
	"context"
	"fmt"
	"sort"
)

// SchemaAttribute is one attribute of the app-user profile schema.
type SchemaAttribute struct {
	Name   string // the profile key, e.g. "role"
	Title  string // what admins see in the assignment dialog
	Type   string // string, boolean, array, ...
	Custom bool   // under definitions.custom (added by the app or an admin) rather than base
	// Values are the allowed values, from enum or from oneOf's const entries (Okta uses either,
	// and ClickUp's custom roles are added as options); nil when the attribute takes free text.
	Values []string
}

// AppUserSchema is the app-user profile schema of the configured app.
type AppUserSchema struct {
	Attributes map[string]SchemaAttribute // by Name
}

// Names returns the attribute names, sorted.
func (s AppUserSchema) Names() []string {
	names := make([]string, 0, len(s.Attributes))
	for n := range s.Attributes {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// AppUserSchema reads the app's app-user profile schema (GET
// /api/v1/meta/schemas/apps/{appId}/default), which tells the role attributes' real names and the
// values Okta lets admins assign. With OAuth it needs the okta.schemas.read scope. Errors are
// *APIError, matching core.ErrUnauthorized or core.ErrNotFound.
func (c *Client) AppUserSchema(ctx context.Context) (AppUserSchema, error) {
	const op = "get app user schema"
	path := "/api/v1/meta/schemas/apps/" + c.appID + "/default"
	request := "GET " + path
	p, status, err := c.get(ctx, path, false)
	if err != nil {
		return AppUserSchema{}, c.callError(op, request, 0, status, err)
	}
	var us schemaJSON
	if err := decodeObject(p.body, &us); err != nil {
		return AppUserSchema{}, c.malformed(op, request, 0, "%w", err)
	}
	if us.Definitions == nil {
		return AppUserSchema{}, c.malformed(op, request, 0, "no definitions in the schema")
	}
	out := AppUserSchema{Attributes: map[string]SchemaAttribute{}}
	add := func(part *schemaPart, custom bool) error {
		if part == nil {
			return nil
		}
		for name, a := range part.Properties {
			if a == nil {
				continue
			}
			if _, dup := out.Attributes[name]; dup {
				return fmt.Errorf("attribute %s is defined in both base and custom", quote(name))
			}
			out.Attributes[name] = SchemaAttribute{Name: name, Title: a.Title, Type: a.Type, Custom: custom, Values: a.values()}
		}
		return nil
	}
	if err := add(us.Definitions.Base, false); err != nil {
		return AppUserSchema{}, c.malformed(op, request, 0, "%w", err)
	}
	if err := add(us.Definitions.Custom, true); err != nil {
		return AppUserSchema{}, c.malformed(op, request, 0, "%w", err)
	}
	return out, nil
}

// schemaJSON is what the adapter reads of an app-user schema.
type schemaJSON struct {
	Definitions *struct {
		Base   *schemaPart `json:"base"`
		Custom *schemaPart `json:"custom"`
	} `json:"definitions"`
}

type schemaPart struct {
	Properties map[string]*schemaAttr `json:"properties"`
}

type schemaAttr struct {
	Title string `json:"title"`
	Type  string `json:"type"`
	schemaValues
	Items *schemaValues `json:"items"` // an array attribute's values
}

// schemaValues are the values an attribute allows: Okta writes them as enum or as oneOf's const
// entries (ClickUp's custom roles are added as options).
type schemaValues struct {
	Enum  []any `json:"enum"`
	OneOf []*struct {
		Const any `json:"const"`
	} `json:"oneOf"`
}

// values merges enum and oneOf, keeping the first spelling of each value; array attributes keep
// theirs under items.
func (a *schemaAttr) values() []string {
	var out []string
	seen := map[string]bool{}
	add := func(v any) {
		s, ok := v.(string)
		if !ok {
			if v == nil {
				return
			}
			s = fmt.Sprint(v)
		}
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, vs := range []*schemaValues{&a.schemaValues, a.Items} {
		if vs == nil {
			continue
		}
		for _, v := range vs.Enum {
			add(v)
		}
		for _, o := range vs.OneOf {
			if o != nil {
				add(o.Const)
			}
		}
	}
	return out
}
