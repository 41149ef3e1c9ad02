package clickup

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

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
	ep          endpoint
	workspaceID string
}

var _ core.Roles = (*RESTClient)(nil)

// NewREST validates the options and returns a client. It makes no request.
func NewREST(o RESTOptions) (*RESTClient, error) {
	raw := o.BaseURL
	if raw == "" {
		raw = DefaultRESTBaseURL
	}
	base, err := parseBaseURL(serviceREST, raw, o.AllowInsecureHTTP)
	if err != nil {
		return nil, err
	}
	if err := checkToken(serviceREST, o.Token); err != nil {
		return nil, err
	}
	if o.WorkspaceID == "" || !isIntLiteral(o.WorkspaceID) || o.WorkspaceID[0] == '-' {
		return nil, fmt.Errorf("%s: workspace id %q must be the numeric Workspace id", serviceREST, o.WorkspaceID)
	}
	return &RESTClient{
		ep: endpoint{
			service: serviceREST, base: base, auth: o.Token, token: o.Token,
			accept: "application/json", contentType: "application/json", hc: httpClient(o.HTTPClient),
			pace: httpretry.NewPacer(serviceREST, httpretry.ClickUpHeaders, o.Retry),
		},
		workspaceID: o.WorkspaceID,
	}, nil
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
			ID            json.RawMessage `json:"id"`
			Name          *string         `json:"name"`
			InheritedRole json.RawMessage `json:"inherited_role"`
		} `json:"custom_roles"`
	}
	if err := json.Unmarshal(r.body, &doc); err != nil {
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
	cl := call{method: http.MethodGet, path: "/team", ok: []int{http.StatusOK}}
	r, err := c.ep.do(ctx, cl)
	if err != nil {
		return "", err
	}
	var doc struct {
		Teams *[]struct {
			ID      json.RawMessage `json:"id"`
			Members []struct {
				User *struct {
					ID   json.RawMessage `json:"id"`
					Role json.RawMessage `json:"role"`
				} `json:"user"`
			} `json:"members"`
		} `json:"teams"`
	}
	if err := json.Unmarshal(r.body, &doc); err != nil {
		return "", c.ep.malformed(cl, "decode: %v", err)
	}
	if doc.Teams == nil {
		return "", c.ep.malformed(cl, "teams is missing")
	}
	for i, t := range *doc.Teams {
		var id string
		if err := json.Unmarshal(t.ID, &id); err != nil {
			return "", c.ep.malformed(cl, "team %d: id is %s, want a string", i, truncate(string(t.ID), 40))
		}
		if id != c.workspaceID {
			continue
		}
		var owners []string
		for j, m := range t.Members {
			if m.User == nil {
				return "", c.ep.malformed(cl, "team %s: member %d has no user", id, j)
			}
			role, err := jsonInt(m.User.Role)
			if err != nil {
				return "", c.ep.malformed(cl, "team %s: member %d: role is %v", id, j, err)
			}
			if role != roleOwner {
				continue
			}
			uid, err := jsonInt(m.User.ID)
			if err != nil {
				return "", c.ep.malformed(cl, "team %s: owner's id is %v", id, err)
			}
			owners = append(owners, strconv.FormatInt(uid, 10))
		}
		switch len(owners) {
		case 1:
			return owners[0], nil
		case 0:
			return "", c.ep.malformed(cl, "workspace %s lists no member with role 1 (owner)", id)
		default:
			return "", c.ep.malformed(cl, "workspace %s lists %d owners (%v)", id, len(owners), owners)
		}
	}
	return "", fmt.Errorf("%s %s %s: %w: workspace %s is not among the %d Workspaces the API token can access; check CLICKUP_WORKSPACE_ID and the token's user",
		c.ep.service, cl.method, cl.path, core.ErrNotFound, c.workspaceID, len(*doc.Teams))
}
