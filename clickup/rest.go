package clickup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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

// teamRead is what workspaceOwner keeps of GET /team: the owners of one Workspace.
type teamRead struct {
	workspaceID string
	teams       int      // Workspaces listed
	found       bool     // the configured Workspace is among them
	owners      []string // its members with role 1
}

// decode reads {"teams":[{"id":"…","members":[{"user":{"id":…,"role":…}},…]},…]} one member
// at a time. A team's members may come before its id, so each team's owners and first bad
// member are kept until its id tells whether they matter.
func (tr *teamRead) decode(r io.Reader) error {
	dec := json.NewDecoder(r)
	if err := expectDelim(dec, '{'); err != nil {
		return err
	}
	sawTeams := false
	for dec.More() {
		key, err := objectKey(dec)
		if err != nil {
			return err
		}
		if key != "teams" {
			if err := skipValue(dec); err != nil {
				return err
			}
			continue
		}
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		if tok == nil {
			sawTeams = false
			continue
		}
		if tok != json.Delim('[') {
			return fmt.Errorf("teams is %v, want an array", tok)
		}
		sawTeams = true
		tr.teams, tr.found, tr.owners = 0, false, nil
		for i := 0; dec.More(); i++ {
			if err := tr.decodeTeam(dec, i); err != nil {
				return err
			}
			tr.teams++
		}
		if _, err := dec.Token(); err != nil { // ]
			return err
		}
	}
	if _, err := dec.Token(); err != nil { // }
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the answer")
	}
	if !sawTeams {
		return errors.New("teams is missing")
	}
	return nil
}

func (tr *teamRead) decodeTeam(dec *json.Decoder, i int) error {
	if err := expectDelim(dec, '{'); err != nil {
		return fmt.Errorf("team %d: %w", i, err)
	}
	var (
		id      string
		haveID  bool
		owners  []string
		bad     error // the first member that does not read
		members int
	)
	for dec.More() {
		key, err := objectKey(dec)
		if err != nil {
			return err
		}
		switch key {
		case "id":
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return err
			}
			if err := json.Unmarshal(raw, &id); err != nil {
				return fmt.Errorf("team %d: id is %s, want a string", i, truncate(string(raw), 40))
			}
			haveID = true
		case "members":
			tok, err := dec.Token()
			if err != nil {
				return err
			}
			if tok == nil {
				continue
			}
			if tok != json.Delim('[') {
				return fmt.Errorf("team %d: members is %v, want an array", i, tok)
			}
			for ; dec.More(); members++ {
				var m struct {
					User *struct {
						ID   json.RawMessage `json:"id"`
						Role json.RawMessage `json:"role"`
					} `json:"user"`
				}
				if err := dec.Decode(&m); err != nil {
					return err
				}
				if bad != nil {
					continue
				}
				if m.User == nil {
					bad = fmt.Errorf("member %d has no user", members)
					continue
				}
				role, err := jsonInt(m.User.Role)
				if err != nil {
					bad = fmt.Errorf("member %d: role is %v", members, err)
					continue
				}
				if role != roleOwner {
					continue
				}
				uid, err := jsonInt(m.User.ID)
				if err != nil {
					bad = fmt.Errorf("owner's id is %v", err)
					continue
				}
				owners = append(owners, strconv.FormatInt(uid, 10))
			}
			if _, err := dec.Token(); err != nil { // ]
				return err
			}
		default:
			if err := skipValue(dec); err != nil {
				return err
			}
		}
	}
	if _, err := dec.Token(); err != nil { // }
		return err
	}
	if !haveID {
		return fmt.Errorf("team %d: id is missing, want a string", i)
	}
	if id != tr.workspaceID || tr.found {
		return nil
	}
	if bad != nil {
		return fmt.Errorf("team %s: %w", id, bad)
	}
	tr.found, tr.owners = true, owners
	return nil
}

func expectDelim(dec *json.Decoder, d json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != d {
		return fmt.Errorf("found %v, want %v", tok, d)
	}
	return nil
}

func objectKey(dec *json.Decoder) (string, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", err
	}
	key, ok := tok.(string)
	if !ok {
		return "", fmt.Errorf("found %v, want an object key", tok)
	}
	return key, nil
}

// skipValue reads past one value of any size without keeping it.
func skipValue(dec *json.Decoder) error {
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}
