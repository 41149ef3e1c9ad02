package clickup

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/go-json-experiment/json"

	"github.com/okta-clickup-sync/okta-clickup-sync/internal/httpretry"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// DefaultRoleSchema is the URN of the SCIM extension object that holds the role attributes by
// default. ClickUp publishes no SCIM reference, so it is configurable (DESIGN.md §4).
const DefaultRoleSchema = "urn:ietf:params:scim:schemas:extension:clickup:2.0:User"

// RoleSchemaAuto, as SCIMOptions.RoleSchema, has Discover take the role schema from what the
// service announces (DESIGN.md §11).
const RoleSchemaAuto = "auto"

// Default names of the role attributes.
const (
	DefaultRoleAttribute           = "role"
	DefaultCustomRoleNameAttribute = "customRoleName"
	DefaultCustomRoleIDAttribute   = "customRoleId"
)

// Defaults of SCIMOptions.
const (
	DefaultPageSize = 100 // Okta's page size too, and the fake's cap
	// DefaultConcurrency is the listing pages in flight: 100,000 users are 1,000 pages, which at
	// 50 ms each take 12.5 s four at a time and about 3 s at sixteen, well within ClickUp's
	// 10,000 requests a minute and below the Okta side's sequential listing.
	DefaultConcurrency = 16
)

const (
	schemaUser         = "urn:ietf:params:scim:schemas:core:2.0:User"
	schemaPatchOp      = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	mediaTypeSCIM      = "application/scim+json"
	acceptSCIM         = "application/scim+json, application/json"
	serviceSCIM        = "clickup scim"
	maxPlausibleTotals = 1_000_000
)

// SCIMOptions configure NewSCIM.
type SCIMOptions struct {
	// BaseURL is the SCIM Base URL from ClickUp's SSO settings. It is opaque: /Users is appended.
	BaseURL string
	// Token is the SCIM API token, sent as "Authorization: Bearer <token>" and nowhere else.
	Token string
	// RoleSchema is the URN of the extension object holding the role attributes; "" means the top
	// level of the user; RoleSchemaAuto means the one Discover finds. Callers pass
	// DefaultRoleSchema explicitly.
	RoleSchema string
	// Names of the role attributes; empty means the defaults role, customRoleName, customRoleId.
	RoleAttribute, CustomRoleNameAttribute, CustomRoleIDAttribute string
	// AllowInsecureHTTP permits an http:// BaseURL, to a loopback host only (tests, demo).
	AllowInsecureHTTP bool
	// HTTPClient is optional; the default has a DefaultTimeout timeout.
	HTTPClient *http.Client
	// PageSize is the count asked per listing page (default 100).
	PageSize int
	// Concurrency bounds the page reads in flight after the first page (default 16).
	Concurrency int
	// Retry tunes retries and rate-limit waits; the zero value is httpretry's default policy.
	Retry httpretry.Policy
}

// SCIMClient reads and writes the Workspace's users through ClickUp's SCIM 2.0 API. It implements
// core.Workspace and is safe for concurrent use, once Discover, when it is called, has returned.
type SCIMClient struct {
	ep          apiEndpoint
	conf        configured // the options, for Discover to start from
	roleSchema  string
	roleAttr    string
	nameAttr    string
	idAttr      string
	pageSize    int
	concurrency int
	svc         service // what the service supports; Discover sets it
	read        *readUsers
	groups      *readGroups
	schemasJSON []byte // schemas(), encoded
}

// configured is what SCIMOptions asked for, before the service had a say.
type configured struct {
	auto       bool // RoleSchemaAuto
	roleSchema string
	attrs      [3]string // role, custom role id, custom role name, as roleReader orders them
	pageSize   int       // 0: not set
}

var _ core.Workspace = (*SCIMClient)(nil)

// NewSCIM validates the options and returns a client. It makes no request.
func NewSCIM(o SCIMOptions) (*SCIMClient, error) {
	ep, err := newEndpoint(serviceSCIM, o.BaseURL, o.Token, o.AllowInsecureHTTP, o.HTTPClient)
	if err != nil {
		return nil, err
	}
	ep.auth, ep.accept, ep.contentType = "Bearer "+o.Token, acceptSCIM, mediaTypeSCIM
	ep.pace = httpretry.NewPacer(serviceSCIM, httpretry.ClickUpHeaders, o.Retry)
	c := &SCIMClient{
		ep:          ep,
		roleSchema:  strings.TrimSpace(o.RoleSchema),
		roleAttr:    orDefault(o.RoleAttribute, DefaultRoleAttribute),
		nameAttr:    orDefault(o.CustomRoleNameAttribute, DefaultCustomRoleNameAttribute),
		idAttr:      orDefault(o.CustomRoleIDAttribute, DefaultCustomRoleIDAttribute),
		pageSize:    o.PageSize,
		concurrency: o.Concurrency,
		read:        newReadUsers(),
		groups:      newReadGroups(),
	}
	if strings.EqualFold(c.roleSchema, RoleSchemaAuto) {
		// Until Discover has found the schema, the users are neither read nor written: roles read
		// from the wrong place would all look like member, and be "corrected" (DESIGN.md §11).
		c.conf.auto, c.roleSchema, c.svc.undiscovered = true, DefaultRoleSchema, true
	}
	c.conf.roleSchema, c.conf.attrs, c.conf.pageSize = c.roleSchema, [3]string{c.roleAttr, c.idAttr, c.nameAttr}, o.PageSize
	switch {
	case c.pageSize < 0:
		return nil, fmt.Errorf("%s: page size %d must be positive", serviceSCIM, c.pageSize)
	case c.pageSize == 0:
		c.pageSize = DefaultPageSize
	}
	switch {
	case c.concurrency < 0:
		return nil, fmt.Errorf("%s: concurrency %d must be positive", serviceSCIM, c.concurrency)
	case c.concurrency == 0:
		c.concurrency = DefaultConcurrency
	}
	if err := c.checkRoleAttributes(); err != nil {
		return nil, err
	}
	if err := c.encodeSchemas(); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *SCIMClient) encodeSchemas() error {
	b, err := json.Marshal(c.schemas())
	if err != nil {
		return fmt.Errorf("%s: role schema %q: %w", serviceSCIM, c.roleSchema, err)
	}
	c.schemasJSON = b
	return nil
}

// coreUserAttributes are the RFC 7643 User attributes. A role attribute at the top level must not
// take one of these names: ReplaceUser would then overwrite the user's own data with a role.
var coreUserAttributes = []string{
	"schemas", "id", "externalId", "meta", "userName", "name", "displayName", "nickName",
	"profileUrl", "title", "userType", "preferredLanguage", "locale", "timezone", "active",
	"password", "emails", "phoneNumbers", "ims", "photos", "addresses", "groups", "entitlements",
	"roles", "x509Certificates",
}

func (c *SCIMClient) checkRoleAttributes() error {
	if strings.ContainsAny(c.roleSchema, " \t\r\n\"") {
		return fmt.Errorf("%s: role schema %q is not a URN", serviceSCIM, c.roleSchema)
	}
	names := []string{c.roleAttr, c.nameAttr, c.idAttr}
	for i, n := range names {
		if strings.ContainsAny(n, " \t\r\n\".:[]") {
			return fmt.Errorf("%s: role attribute name %q is not a plain attribute name", serviceSCIM, n)
		}
		for _, m := range names[:i] {
			if strings.EqualFold(n, m) {
				return fmt.Errorf("%s: role attribute name %q is used twice", serviceSCIM, n)
			}
		}
		if c.roleSchema != "" {
			continue
		}
		for _, a := range coreUserAttributes {
			if strings.EqualFold(n, a) {
				return fmt.Errorf("%s: role attribute %q at the top level would overwrite the SCIM User attribute %s; choose another name or a role schema", serviceSCIM, n, a)
			}
		}
	}
	return nil
}

// errUndiscovered is what reading or writing users answers while the role schema is to be
// discovered and Discover has not found it.
var errUndiscovered = errors.New("the role schema is to be discovered (CLICKUP_SCIM_ROLE_SCHEMA=auto) and the SCIM service has not been discovered yet")

// ready fails while users cannot be read or written right.
func (c *SCIMClient) ready() error {
	if c.svc.undiscovered {
		return errUndiscovered
	}
	return nil
}

func orDefault(s, def string) string {
	if s = strings.TrimSpace(s); s != "" {
		return s
	}
	return def
}
