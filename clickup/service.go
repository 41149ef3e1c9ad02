package clickup

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// service is what this client does differently for the service it talks to (DESIGN.md §11). The
// zero value is the defaults of §4: PATCH and filters supported, every role attribute carried,
// as a string, in the spelling the core uses.
type service struct {
	// undiscovered is set while the role schema is RoleSchemaAuto and Discover has not found it.
	undiscovered bool
	noPatch      bool
	noFilter     bool
	// missing marks the role attributes the announced schema lacks, indexed like
	// configured.attrs: they are never sent.
	missing [3]bool
	// idNumber sends the custom role id as a JSON integer: the schema types it so.
	idNumber bool
	// canonical are the role attribute's canonicalValues: a role is sent in their spelling.
	canonical []string
}

// Indexes of the role attributes in configured.attrs, service.missing and roleReader.values.
const (
	attrRole = iota
	attrID
	attrName
)

// Source says where a setting in use came from.
type Source string

const (
	SourceConfigured Source = "configured" // the configuration named it
	SourceDiscovered Source = "discovered" // the service announced it (RFC 7644 §4)
	SourceDefault    Source = "default"    // neither: DESIGN.md §4's default
)

// ServiceInfo is what Discover found out about the SCIM service and what the client does with
// it: the "SCIM service" section of check (DESIGN.md §11).
type ServiceInfo struct {
	// Endpoints are the three discovery endpoints in the order they were read.
	Endpoints []DiscoveryEndpoint
	Patch     Capability
	// Filter is filter.supported; MaxResults is filter.maxResults, 0 when not announced.
	Filter     Capability
	MaxResults int
	// PageSize is the count asked for per listing page.
	PageSize       int
	PageSizeSource Source
	// Groups is whether the service has SCIM Groups (ClickUp's Teams).
	Groups Capability
	// RoleSchema is the URN holding the role attributes, "" for the top level of the User.
	RoleSchema       string
	RoleSchemaSource Source
	// The role attributes in use.
	Role, CustomRoleName, CustomRoleID RoleAttribute

	groupsErr error // why Groups is unknown, when the probe of /Groups failed
	roleWhy   string
	readErr   error // why what the service announces could not be read
	roleErr   error // why the role schema or attributes cannot be used
}

// DiscoveryEndpoint is one discovery endpoint and how it answered.
type DiscoveryEndpoint struct {
	Path     string // "/ServiceProviderConfig"
	Answered bool
	Status   int // the HTTP status: 200, or the one that said it is not served
}

// Capability is a feature of the service, and where the client's view of it came from.
type Capability struct {
	Supported bool
	Source    Source
	Detail    string // how it was found out, when that needs saying
}

// RoleAttribute is one role attribute as the client uses it.
type RoleAttribute struct {
	Setting string // the configuration that names it, CLICKUP_SCIM_ROLE_ATTRIBUTE
	Name    string // as sent: the service's spelling when it announced the attribute
	Source  Source
	// Carried is false when the announced schema lacks the attribute: it is never sent.
	Carried bool
	// Values are the canonicalValues the schema lists for it, the spellings sent.
	Values []string
}

// attributeSettings name the configuration of each role attribute, indexed like
// configured.attrs.
var attributeSettings = [3]string{
	"CLICKUP_SCIM_ROLE_ATTRIBUTE", "CLICKUP_SCIM_CUSTOM_ROLE_ID_ATTRIBUTE", "CLICKUP_SCIM_CUSTOM_ROLE_NAME_ATTRIBUTE",
}

var attributeDefaults = [3]string{DefaultRoleAttribute, DefaultCustomRoleIDAttribute, DefaultCustomRoleNameAttribute}

// GroupsError is nil when the service has SCIM Groups, and otherwise says why Teams cannot be
// pushed to it; the caller names the setting that asked for them.
func (s ServiceInfo) GroupsError() error {
	switch {
	case s.Groups.Supported:
		return nil
	case s.groupsErr != nil:
		return fmt.Errorf("whether the SCIM service has Groups (Teams) is unknown: %w", s.groupsErr)
	}
	return fmt.Errorf("the SCIM service has no Groups, so Teams cannot be pushed (%s)", s.Groups.Detail)
}

// CheckService discovers the service, as Discover does, and returns the "SCIM service" rows of
// check, a failure to discover among them.
func (c *SCIMClient) CheckService(ctx context.Context, groupsPushed bool) []CheckRow {
	info, _ := c.Discover(ctx)
	return info.CheckRows(groupsPushed)
}

// Result values of a CheckRow, as check prints them.
const (
	CheckOK   = "ok"
	CheckFail = "FAIL"
	CheckSkip = "skip"
)

// CheckRow is one line of check's table.
type CheckRow struct{ Name, Result, Detail string }

// CheckRows are the "SCIM service" section of check (DESIGN.md §11): what answered, the
// capabilities and the role schema and attributes in use, each with where it came from.
// groupsPushed says whether SYNC_PUSH_GROUPS is set, which makes Groups a requirement.
func (s ServiceInfo) CheckRows(groupsPushed bool) []CheckRow {
	rows := []CheckRow{s.discoveryRow()}
	if s.readErr != nil {
		for _, n := range []string{"scim patch", "scim filter", "scim page size", "scim groups", "scim role schema"} {
			rows = append(rows, CheckRow{n, CheckSkip, "needs what the SCIM service announces"})
		}
		return rows
	}
	rows = append(rows,
		CheckRow{"scim patch", CheckOK, s.patchDetail()},
		CheckRow{"scim filter", CheckOK, s.filterDetail()},
		CheckRow{"scim page size", CheckOK, s.pageDetail()},
		s.groupsRow(groupsPushed),
	)
	if s.roleErr != nil {
		return append(rows, CheckRow{"scim role schema", CheckFail, s.roleErr.Error()})
	}
	rows = append(rows, CheckRow{"scim role schema", CheckOK, s.roleSchemaDetail()})
	return append(rows, s.attributeRows()...)
}

func (s ServiceInfo) discoveryRow() CheckRow {
	var answered, absent []string
	for _, e := range s.Endpoints {
		if e.Answered {
			answered = append(answered, e.Path)
		} else {
			absent = append(absent, e.Path+" "+strconv.Itoa(e.Status))
		}
	}
	switch {
	case s.readErr != nil:
		return CheckRow{"scim discovery", CheckFail, s.readErr.Error()}
	case len(absent) == 0:
		return CheckRow{"scim discovery", CheckOK, strings.Join(answered, ", ") + " answered"}
	case len(answered) == 0:
		return CheckRow{"scim discovery", CheckOK, "not announced (" + strings.Join(absent, ", ") + "), using defaults"}
	}
	return CheckRow{"scim discovery", CheckOK, strings.Join(answered, ", ") + " answered; " + strings.Join(absent, ", ") + ": not announced, using defaults for what they would say"}
}

func (s ServiceInfo) patchDetail() string {
	if s.Patch.Supported {
		return "supported (" + string(s.Patch.Source) + ")"
	}
	return "not supported (" + string(s.Patch.Source) + "): activation, deactivation and Team changes are sent as a PUT of the resource as read"
}

func (s ServiceInfo) filterDetail() string {
	if !s.Filter.Supported {
		return "not supported (" + string(s.Filter.Source) + "): lookups read the whole listing"
	}
	d := "supported"
	if s.MaxResults > 0 {
		d += ", maxResults " + strconv.Itoa(s.MaxResults)
	}
	return d + " (" + string(s.Filter.Source) + ")"
}

func (s ServiceInfo) pageDetail() string {
	d := strconv.Itoa(s.PageSize) + " (" + string(s.PageSizeSource)
	if s.PageSizeSource == SourceDiscovered {
		d += ": filter.maxResults"
	}
	return d + "); a page shorter than asked is followed from its own startIndex and itemsPerPage"
}

func (s ServiceInfo) groupsRow(pushed bool) CheckRow {
	const name = "scim groups"
	switch {
	case s.Groups.Supported:
		return CheckRow{name, CheckOK, "supported (" + string(s.Groups.Source) + ": " + s.Groups.Detail + ")"}
	case !pushed && s.groupsErr != nil:
		return CheckRow{name, CheckSkip, "SYNC_PUSH_GROUPS is not set; whether the service has Groups is unknown: " + s.groupsErr.Error()}
	case !pushed:
		return CheckRow{name, CheckOK, "not supported (" + string(s.Groups.Source) + ": " + s.Groups.Detail + "); SYNC_PUSH_GROUPS is not set"}
	}
	return CheckRow{name, CheckFail, "SYNC_PUSH_GROUPS is set but " + s.GroupsError().Error() + "; unset SYNC_PUSH_GROUPS"}
}

func (s ServiceInfo) roleSchemaDetail() string {
	where := s.RoleSchema
	if where == "" {
		where = "the top level of the User"
	}
	d := where + " (" + string(s.RoleSchemaSource)
	if s.roleWhy != "" {
		d += ": " + s.roleWhy
	}
	return d + ")"
}

func (s ServiceInfo) attributeRows() []CheckRow {
	var rows []CheckRow
	for _, a := range []RoleAttribute{s.Role, s.CustomRoleName, s.CustomRoleID} {
		name := "scim role attribute"
		switch a.Setting {
		case attributeSettings[attrID]:
			name = "scim custom role id attribute"
		case attributeSettings[attrName]:
			name = "scim custom role name attribute"
		}
		d := a.Name + " (" + string(a.Source) + ")"
		if len(a.Values) > 0 {
			d += ", values " + strings.Join(a.Values, ", ") + " (canonicalValues, sent as spelled)"
		}
		if a.Carried {
			rows = append(rows, CheckRow{name, CheckOK, d})
			continue
		}
		d += " is not in the announced schema: never sent, and an Okta user who needs it gets invalid_role"
		// A name someone chose on purpose must exist; the default one may simply be unused.
		res := CheckSkip
		if a.Source == SourceConfigured {
			res, d = CheckFail, d+"; set "+a.Setting+" to the service's name for it"
		}
		rows = append(rows, CheckRow{name, res, d})
	}
	return rows
}

// Fields are the service's settings as structured log fields, for a line at start.
func (s ServiceInfo) Fields() map[string]any {
	var answered []string
	for _, e := range s.Endpoints {
		if e.Answered {
			answered = append(answered, e.Path)
		}
	}
	f := map[string]any{
		"discovery_answered": answered,
		"patch":              s.Patch.Supported,
		"filter":             s.Filter.Supported,
		"page_size":          s.PageSize,
		"groups":             s.Groups.Supported,
		"role_schema":        s.RoleSchema,
		"role_schema_source": string(s.RoleSchemaSource),
	}
	for k, a := range map[string]RoleAttribute{
		"role_attribute": s.Role, "custom_role_name_attribute": s.CustomRoleName, "custom_role_id_attribute": s.CustomRoleID,
	} {
		v := a.Name
		if !a.Carried {
			v += " (not carried)"
		}
		f[k] = v
	}
	return f
}
