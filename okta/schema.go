package okta

import (
	"context"
	"fmt"
	"sort"

	sdk "github.com/okta/okta-sdk-golang/v2/okta"
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
	request := "GET /api/v1/meta/schemas/apps/" + c.appID + "/default"
	us, resp, err := c.sdk.UserSchema.GetApplicationUserSchema(ctx, c.appID)
	if err != nil {
		return AppUserSchema{}, c.callError(op, request, 0, resp, err)
	}
	if us == nil || us.Definitions == nil {
		return AppUserSchema{}, c.malformed(op, request, 0, "no definitions in the schema")
	}
	out := AppUserSchema{Attributes: map[string]SchemaAttribute{}}
	add := func(props map[string]*sdk.UserSchemaAttribute, custom bool) error {
		for name, a := range props {
			if a == nil {
				continue
			}
			if _, dup := out.Attributes[name]; dup {
				return fmt.Errorf("attribute %s is defined in both base and custom", name)
			}
			out.Attributes[name] = SchemaAttribute{Name: name, Title: a.Title, Type: a.Type, Custom: custom, Values: schemaValues(a)}
		}
		return nil
	}
	if b := us.Definitions.Base; b != nil {
		if err := add(b.Properties, false); err != nil {
			return AppUserSchema{}, c.malformed(op, request, 0, "%w", err)
		}
	}
	if cu := us.Definitions.Custom; cu != nil {
		if err := add(cu.Properties, true); err != nil {
			return AppUserSchema{}, c.malformed(op, request, 0, "%w", err)
		}
	}
	return out, nil
}

// schemaValues merges enum and oneOf, keeping the first spelling of each value; array attributes
// keep theirs under items.
func schemaValues(a *sdk.UserSchemaAttribute) []string {
	var out []string
	seen := map[string]bool{}
	addValue := func(v any) {
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
	for _, v := range a.Enum {
		addValue(v)
	}
	for _, o := range a.OneOf {
		if o != nil {
			addValue(o.Const)
		}
	}
	if a.Items != nil {
		for _, v := range a.Items.Enum {
			addValue(v)
		}
		for _, o := range a.Items.OneOf {
			if o != nil {
				addValue(o.Const)
			}
		}
	}
	return out
}
