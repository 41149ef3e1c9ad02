package clickup

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/okta-clickup-sync/okta-clickup-sync/internal/httpretry"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// DefaultRESTBaseURL is ClickUp's public REST API v2.
const DefaultRESTBaseURL = "https://api.clickup.com/api/v2"

const serviceREST = "clickup rest"

// RESTOptions configure NewREST.
type RESTOptions struct {
	BaseURL string // default DefaultRESTBaseURL
	// Token is a personal API token (pk_...), sent as the raw Authorization header as ClickUp
	// documents, or an OAuth access token given as "Bearer <token>".
	Token string
	// WorkspaceID is the numeric Workspace ("team") id.
	WorkspaceID       string
	AllowInsecureHTTP bool         // permits an http:// BaseURL, to a loopback host only
	HTTPClient        *http.Client // optional; the default has a DefaultTimeout timeout
	// Retry tunes retries and rate-limit waits; the zero value is httpretry's default policy.
	Retry httpretry.Policy
}

// RESTClient reads the Workspace's custom roles and owner through ClickUp's REST API v2. It
// implements core.Roles and is safe for concurrent use.
type RESTClient struct {
	ep          apiEndpoint
	workspaceID string
}

var _ core.Roles = (*RESTClient)(nil)

// NewREST validates the options and returns a client. It makes no request.
func NewREST(o RESTOptions) (*RESTClient, error) {
	raw := o.BaseURL
	if raw == "" {
		raw = DefaultRESTBaseURL
	}
	ep, err := newEndpoint(serviceREST, raw, o.Token, o.AllowInsecureHTTP, o.HTTPClient)
	if err != nil {
		return nil, err
	}
	if o.WorkspaceID == "" || strings.Trim(o.WorkspaceID, "0123456789") != "" {
		return nil, fmt.Errorf("%s: workspace id %q must be the numeric Workspace id", serviceREST, o.WorkspaceID)
	}
	ep.auth, ep.accept, ep.contentType = o.Token, "application/json", "application/json"
	ep.pace = httpretry.NewPacer(serviceREST, httpretry.ClickUpHeaders, o.Retry)
	return &RESTClient{ep: ep, workspaceID: o.WorkspaceID}, nil
}

// inheritedRoles maps the REST role numbers a custom role can inherit (owner, 1, cannot be).
var inheritedRoles = map[int64]core.BaseRole{2: core.RoleAdmin, 3: core.RoleMember, 4: core.RoleGuest}

// ListCustomRoles returns the Workspace's custom roles in the order ClickUp lists them.
func (c *RESTClient) ListCustomRoles(ctx context.Context) ([]core.CustomRole, error) {
	roles, err := c.listCustomRoles(ctx)
	if err != nil {
		return nil, fmt.Errorf("list custom roles: %w", err)
	}
	return roles, nil
}

func (c *RESTClient) listCustomRoles(ctx context.Context) ([]core.CustomRole, error) {
	cl := call{method: http.MethodGet, path: "/team/" + c.workspaceID + "/customroles", ok: []int{http.StatusOK}}
	r, err := c.ep.do(ctx, cl)
	if err != nil {
		return nil, err
	}
	var doc struct {
		CustomRoles *[]struct {
			ID            jsontext.Value `json:"id"`
			Name          *string        `json:"name"`
			InheritedRole jsontext.Value `json:"inherited_role"`
		} `json:"custom_roles"`
	}
	if err := decodeObject(r.body, &doc); err != nil {
		return nil, c.ep.malformed(cl, "decode: %v", err)
	}
	if doc.CustomRoles == nil {
		return nil, c.ep.malformed(cl, "custom_roles is missing")
	}
	roles := make([]core.CustomRole, 0, len(*doc.CustomRoles))
	seen := map[string]bool{}
	for i, cr := range *doc.CustomRoles {
		id, err := jsonInt(cr.ID)
		if err != nil {
			return nil, c.ep.malformed(cl, "custom role %d: id is %v", i, err)
		}
		if cr.Name == nil || *cr.Name == "" {
			return nil, c.ep.malformed(cl, "custom role %d has no name", id)
		}
		n, err := jsonInt(cr.InheritedRole)
		if err != nil {
			return nil, c.ep.malformed(cl, "custom role %d: inherited_role is %v", id, err)
		}
		base, ok := inheritedRoles[n]
		if !ok {
			return nil, c.ep.malformed(cl, "custom role %d: inherited_role %d is not 2 (admin), 3 (member) or 4 (guest)", id, n)
		}
		cr := core.CustomRole{ID: strconv.FormatInt(id, 10), Name: *cr.Name, InheritedRole: base}
		if seen[cr.ID] {
			return nil, c.ep.malformed(cl, "custom role %s is listed twice", cr.ID)
		}
		seen[cr.ID] = true
		roles = append(roles, cr)
	}
	return roles, nil
}

// WorkspaceOwner returns the ClickUp user id of the Workspace owner: the member with role 1 in
// GET /team, which lists every Workspace the token can see.
func (c *RESTClient) WorkspaceOwner(ctx context.Context) (string, error) {
	id, err := c.workspaceOwner(ctx)
	if err != nil {
		return "", fmt.Errorf("find the owner of workspace %s: %w", c.workspaceID, err)
	}
	return id, nil
}

const roleOwner = 1

func (c *RESTClient) workspaceOwner(ctx context.Context) (string, error) {
	// GET /team lists every member of every Workspace the token sees: 17 MiB at 100,000
	// members. It is decoded as it arrives, keeping only the owners of the configured one.
	var tr teamRead
	cl := call{method: http.MethodGet, path: "/team", ok: []int{http.StatusOK}}
	cl.stream = func(body io.Reader) error {
		tr = teamRead{workspaceID: c.workspaceID}
		if err := tr.decode(body); err != nil {
			return c.ep.malformed(cl, "decode: %v", err)
		}
		return nil
	}
	if _, err := c.ep.do(ctx, cl); err != nil {
		return "", err
	}
	if !tr.found {
		return "", fmt.Errorf("%s %s %s: %w: workspace %s is not among the %d Workspaces the API token can access; check CLICKUP_WORKSPACE_ID and the token's user",
			c.ep.service, cl.method, cl.path, core.ErrNotFound, c.workspaceID, tr.teams)
	}
	switch len(tr.owners) {
	case 1:
		return tr.owners[0], nil
	case 0:
		return "", c.ep.malformed(cl, "workspace %s lists no member with role 1 (owner)", c.workspaceID)
	default:
		return "", c.ep.malformed(cl, "workspace %s lists %d owners (%v)", c.workspaceID, len(tr.owners), tr.owners)
	}
}
