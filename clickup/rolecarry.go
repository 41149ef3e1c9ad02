package clickup

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// What a role becomes on the wire once the service has announced its schema (DESIGN.md §11): an
// attribute the schema lacks is never sent, a role is spelled as its canonicalValues spell it,
// and a custom role id the schema types as an integer goes as a JSON number.

// CarriedRole returns r as the Workspace will hold it once written, for the planner to compare
// with what it reads back, or an error, meant for an invalid_role entry, when the service's
// schema cannot hold r: a custom role whose id and name attributes it both lacks (or lacks the
// one r has), or a role its canonicalValues do not list. A custom role id the schema cannot hold
// is dropped when the name can carry the role, so the role is compared by name.
func (c *SCIMClient) CarriedRole(r core.Role) (core.Role, error) {
	if _, err := c.roleValues(r); err != nil {
		return core.Role{}, err
	}
	if c.svc.missing[attrID] {
		r.CustomRoleID = ""
	}
	return r, nil
}

type attrValue struct {
	name  string
	value jsontext.Value // nil: not sent
}

// roleValues are the role attributes that say r, in the order a create sends them. The owner
// role is refused: ownership cannot be granted or changed through SCIM.
func (c *SCIMClient) roleValues(r core.Role) ([3]attrValue, error) {
	var none [3]attrValue
	var base string
	switch r.Base {
	case core.RoleOwner:
		return none, errors.New("the owner role is never written: ownership cannot be granted or changed through provisioning")
	case "":
		if !r.IsCustom() {
			base = string(core.RoleMember)
		} // else the custom role's inherited role decides
	default:
		b, err := core.ParseBaseRole(string(r.Base))
		if err != nil {
			return none, err
		}
		base = string(b)
	}
	if r.IsCustom() {
		if err := c.customCarried(r); err != nil {
			return none, err
		}
	}
	if base != "" {
		spelled, err := c.spellRole(base)
		if err != nil {
			return none, err
		}
		base = spelled
	}
	out := [3]attrValue{{name: c.roleAttr}, {name: c.idAttr}, {name: c.nameAttr}}
	for i, v := range [3]string{base, r.CustomRoleID, r.CustomRoleName} {
		if v == "" || c.svc.missing[i] {
			continue
		}
		raw, err := c.encodeRoleValue(i, v)
		if err != nil {
			return none, err
		}
		out[i].value = raw
	}
	return out, nil
}

// customCarried fails when none of the attributes the service can hold says which custom role r
// is. The hint names the ways out an admin has.
func (c *SCIMClient) customCarried(r core.Role) error {
	idOK := r.CustomRoleID != "" && !c.svc.missing[attrID]
	nameOK := r.CustomRoleName != "" && !c.svc.missing[attrName]
	if idOK || nameOK {
		return nil
	}
	where := "the top level of the User"
	if c.roleSchema != "" {
		where = "the schema " + c.roleSchema
	}
	switch {
	case r.CustomRoleID != "" && r.CustomRoleName != "":
		return fmt.Errorf("custom role %s cannot be sent: %s has neither %s nor %s; set %s or %s to the service's names for them",
			r, where, c.idAttr, c.nameAttr, attributeSettings[attrID], attributeSettings[attrName])
	case r.CustomRoleID != "":
		return fmt.Errorf("custom role id %s cannot be sent: %s has no attribute %s; map the custom role by name in Okta, or set %s to the service's name for it",
			r.CustomRoleID, where, c.idAttr, attributeSettings[attrID])
	}
	return fmt.Errorf("custom role %q cannot be sent by name: %s has no attribute %s; set CLICKUP_API_TOKEN so the name resolves to an id, map customRoleId in Okta instead, or set %s to the service's name for it",
		r.CustomRoleName, where, c.nameAttr, attributeSettings[attrName])
}

// spellRole returns base as the role attribute's canonicalValues spell it, or base itself when the
// schema lists none.
func (c *SCIMClient) spellRole(base string) (string, error) {
	if len(c.svc.canonical) == 0 {
		return base, nil
	}
	for _, v := range c.svc.canonical {
		if strings.EqualFold(strings.TrimSpace(v), base) {
			return v, nil
		}
	}
	return "", fmt.Errorf("role %s cannot be sent: the SCIM service's %s takes only %s (its canonicalValues)",
		base, c.roleAttr, truncate(strings.Join(c.svc.canonical, ", "), maxQuoted))
}

// encodeRoleValue is the JSON of attribute i's value v.
func (c *SCIMClient) encodeRoleValue(i int, v string) (jsontext.Value, error) {
	if i == attrID && c.svc.idNumber {
		n, err := strconv.ParseUint(v, 10, 63)
		if err != nil {
			return nil, fmt.Errorf("custom role id %q cannot be sent: the SCIM service types %s as an integer", v, c.idAttr)
		}
		return jsontext.Value(strconv.FormatUint(n, 10)), nil
	}
	return json.Marshal(v)
}
