package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/okta-clickup-sync/okta-clickup-sync/config"
	"github.com/okta-clickup-sync/okta-clickup-sync/internal/httpretry"
	"github.com/okta-clickup-sync/okta-clickup-sync/okta"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// checkTimeout bounds the whole check; each call also has its adapter's own timeout.
const checkTimeout = 2 * time.Minute

// The results of one check, as the RESULT column shows them.
const (
	resultOK   = "ok"
	resultFail = "FAIL"
	resultSkip = "skip"
)

type checkRow struct{ name, result, detail string }

// checkReport collects the rows in the order the checks ran.
type checkReport struct{ rows []checkRow }

func (r *checkReport) add(name, result, detail string) {
	r.rows = append(r.rows, checkRow{name, result, detail})
}

func (r *checkReport) failed() bool {
	return slices.ContainsFunc(r.rows, func(c checkRow) bool { return c.result == resultFail })
}

func (r *checkReport) write(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CHECK\tRESULT\tDETAIL")
	for _, c := range r.rows {
		// One line per check, whatever an error message holds.
		detail := strings.Join(strings.Fields(c.detail), " ")
		fmt.Fprintf(tw, "%s\t%s\t%s\n", c.name, c.result, detail)
	}
	return tw.Flush()
}

func (c *cli) checkCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "check",
		Short: "Test the credentials, the app's schema, the role mapping and the SCIM service",
		Long: `Okta's "Test API Credentials" and more: every credential, the app-user schema and the custom
role mapping, each checked with one cheap read, one line per check. It writes nothing anywhere
and exits 1 when a check fails.`,
		Example: `  okta-clickup-sync check
  okta-clickup-sync check --config /etc/okta-clickup-sync/config.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, _, err := c.setup(scopeAll)
			if err != nil {
				return err
			}
			return codeOf(runCheck(cmd.Context(), cfg, c.stdout, c.stderr))
		},
	}
}

// runCheck is Okta's "Test API Credentials" and more: every credential, the app-user schema and
// the custom role mapping, each checked with one cheap read. It writes nothing anywhere.
func runCheck(ctx context.Context, cfg config.Config, stdout, stderr io.Writer) int {
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()

	var r checkReport
	c := checker{cfg: cfg, report: &r}
	c.okta(ctx)
	c.clickup(ctx)
	c.roleMapping()
	if err := r.write(stdout); err != nil {
		fmt.Fprintf(stderr, "check: write report: %v\n", err)
		return exitError
	}
	if r.failed() {
		return exitError
	}
	return exitOK
}

// checker runs the checks; later checks use what earlier ones read, and are skipped, saying
// why, when that is missing.
type checker struct {
	cfg    config.Config
	report *checkReport

	schema      *okta.AppUserSchema // nil when it could not be read
	schemaWhy   string              // why schema is nil
	customRoles []core.CustomRole   // nil when not read
	rolesWhy    string              // why customRoles is nil
}

func (c *checker) okta(ctx context.Context) {
	const schemaScope = "okta.schemas.read"
	cfg := c.cfg
	c.schemaWhy = "needs the Okta app"
	client, err := newOktaClient(ctx, cfg, nil, httpretry.Policy{})
	if err != nil {
		c.report.add("okta credentials", resultFail, err.Error())
		c.report.add("okta app", resultSkip, "needs Okta credentials")
		c.skipSchema()
		return
	}
	auth := "SSWS API token"
	if cfg.Okta.APIToken == "" {
		auth = fmt.Sprintf("OAuth service app %s, scopes %s", cfg.Okta.ClientID, strings.Join(cfg.Okta.Scopes, " "))
	}
	app, err := client.App(ctx)
	switch {
	case err == nil:
		c.report.add("okta credentials", resultOK, cfg.Okta.OrgURL+" accepted the "+auth)
		c.report.add("okta app", resultOK, fmt.Sprintf("%s %q (%s, %s)", app.ID, app.Label, app.Name, app.Status))
	case errors.Is(err, core.ErrNotFound):
		c.report.add("okta credentials", resultOK, cfg.Okta.OrgURL+" accepted the "+auth)
		c.report.add("okta app", resultFail, fmt.Sprintf("no app %s in the org: check OKTA_APP_ID (the id in the app's admin URL, 0oa...)", cfg.Okta.AppID))
		c.skipSchema()
		return
	case errors.Is(err, core.ErrUnauthorized):
		c.report.add("okta credentials", resultFail, err.Error()+"; "+oktaAuthHint(cfg))
		c.report.add("okta app", resultSkip, "needs Okta credentials")
		c.skipSchema()
		return
	default:
		c.report.add("okta credentials", resultFail, err.Error())
		c.report.add("okta app", resultSkip, "needs Okta credentials")
		c.skipSchema()
		return
	}

	// With OAuth, reading the schema needs a scope the sync itself does not; asking for a token
	// with it would fail the whole token request.
	if cfg.Okta.APIToken == "" && !slices.Contains(cfg.Okta.Scopes, schemaScope) {
		c.schemaWhy = "add the " + schemaScope + " scope (OKTA_SCOPES and the service app's grants) to check the schema"
		c.skipSchema()
		return
	}
	s, err := client.AppUserSchema(ctx)
	if err != nil {
		c.schemaWhy = "the app user schema could not be read"
		c.report.add("okta app user schema", resultFail, err.Error())
		c.skipAttributes()
		return
	}
	c.schema = &s
	c.report.add("okta app user schema", resultOK, strconv.Itoa(len(s.Attributes))+" attributes")
	c.attributes()
}

func oktaAuthHint(cfg config.Config) string {
	if cfg.Okta.APIToken != "" {
		return "check OKTA_API_TOKEN (a token of a Read-only Administrator or higher, not expired or revoked)"
	}
	return "check OKTA_CLIENT_ID, OKTA_PRIVATE_KEY and OKTA_PRIVATE_KEY_ID against the service app's public key, its granted scopes (okta.apps.read, okta.users.read) and its admin role (Read-only Administrator)"
}

func (c *checker) skipSchema() {
	c.report.add("okta app user schema", resultSkip, c.schemaWhy)
	c.skipAttributes()
}

func (c *checker) skipAttributes() {
	for _, a := range c.roleAttributes() {
		c.report.add("okta attribute "+a.name, resultSkip, "needs the app user schema")
	}
}

type roleAttribute struct {
	name, env, dflt string
	required        bool // the ClickUp Role is; custom roles are optional
}

func (c *checker) roleAttributes() []roleAttribute {
	o := c.cfg.Okta
	return []roleAttribute{
		{o.RoleAttribute, "OKTA_ROLE_ATTRIBUTE", config.DefaultRoleAttribute, true},
		{o.CustomRoleNameAttribute, "OKTA_CUSTOM_ROLE_NAME_ATTRIBUTE", config.DefaultCustomRoleNameAttribute, false},
		{o.CustomRoleIDAttribute, "OKTA_CUSTOM_ROLE_ID_ATTRIBUTE", config.DefaultCustomRoleIDAttribute, false},
	}
}

func (c *checker) attributes() {
	for _, ra := range c.roleAttributes() {
		name := "okta attribute " + ra.name
		a, ok := c.schema.Attributes[ra.name]
		if !ok {
			detail := fmt.Sprintf("not in the app user schema (attributes: %s); set %s to the right variable name", strings.Join(c.schema.Names(), ", "), ra.env)
			// Orgs without custom roles may well lack their attributes; only a name someone
			// configured on purpose must exist.
			if !ra.required && ra.name == ra.dflt {
				c.report.add(name, resultSkip, "not in the app user schema; custom roles by this attribute are not used")
				continue
			}
			c.report.add(name, resultFail, detail)
			continue
		}
		values := "free text"
		if len(a.Values) > 0 {
			values = "values " + strings.Join(a.Values, ", ")
		}
		detail := fmt.Sprintf("%q, %s", a.Title, values)
		if ra.required {
			var unusable []string
			for _, v := range a.Values {
				if _, err := core.ParseBaseRole(v); err != nil {
					unusable = append(unusable, v)
				}
			}
			if len(unusable) > 0 {
				c.report.add(name, resultFail, detail+"; not a ClickUp Role the sync can assign: "+strings.Join(unusable, ", ")+" (custom roles go in "+c.cfg.Okta.CustomRoleNameAttribute+" or "+c.cfg.Okta.CustomRoleIDAttribute+")")
				continue
			}
		}
		c.report.add(name, resultOK, detail)
	}
}

func (c *checker) clickup(ctx context.Context) {
	cfg := c.cfg
	if scim, err := newSCIMClient(cfg, nil, httpretry.Policy{}); err != nil {
		c.report.add("clickup scim", resultFail, err.Error())
	} else if n, err := scim.CountUsers(ctx); err != nil {
		c.report.add("clickup scim", resultFail, err.Error()+scimHint(err))
	} else {
		c.report.add("clickup scim", resultOK, fmt.Sprintf("%s answered: %d users, active and inactive", cfg.ClickUp.SCIMBaseURL, n))
		for _, r := range scim.CheckService(ctx, len(cfg.Sync.PushGroups) > 0) {
			c.report.add(r.Name, r.Result, r.Detail)
		}
	}

	if cfg.ClickUp.APIToken == "" {
		c.rolesWhy = "needs CLICKUP_API_TOKEN"
		c.report.add("clickup custom roles", resultSkip, "CLICKUP_API_TOKEN is not set: custom role names are passed to ClickUp unchecked")
		c.report.add("clickup workspace owner", resultSkip, "CLICKUP_API_TOKEN is not set: the owner is known only from SCIM")
		return
	}
	rest, err := newRESTClient(cfg, nil, httpretry.Policy{})
	if err != nil {
		c.rolesWhy = "needs the ClickUp REST API"
		c.report.add("clickup custom roles", resultFail, err.Error())
		c.report.add("clickup workspace owner", resultSkip, "needs the ClickUp REST API")
		return
	}
	roles, err := rest.ListCustomRoles(ctx)
	if err != nil {
		c.rolesWhy = "the custom roles could not be read"
		c.report.add("clickup custom roles", resultFail, err.Error())
	} else {
		c.customRoles = roles
		names := make([]string, 0, len(roles))
		for _, r := range roles {
			names = append(names, fmt.Sprintf("%s (#%s)", r.Name, r.ID))
		}
		detail := strconv.Itoa(len(roles)) + " in workspace " + cfg.ClickUp.WorkspaceID
		if len(names) > 0 {
			detail += ": " + strings.Join(names, ", ")
		}
		c.report.add("clickup custom roles", resultOK, detail)
	}
	if owner, err := rest.WorkspaceOwner(ctx); err != nil {
		c.report.add("clickup workspace owner", resultFail, err.Error())
	} else {
		c.report.add("clickup workspace owner", resultOK, "user "+owner+" (never written)")
	}
}

func scimHint(err error) string {
	if errors.Is(err, core.ErrUnauthorized) {
		return "; check CLICKUP_SCIM_TOKEN (ClickUp's SSO settings show it once; regenerating it invalidates the old one)"
	}
	if errors.Is(err, core.ErrNotFound) {
		return "; check CLICKUP_SCIM_BASE_URL"
	}
	return ""
}

// roleMapping checks that every custom role name Okta offers resolves to a ClickUp custom role,
// as the planner resolves them: by name, ignoring case and surrounding space.
func (c *checker) roleMapping() {
	const name = "custom role mapping"
	attr := c.cfg.Okta.CustomRoleNameAttribute
	switch {
	case c.schema == nil:
		c.report.add(name, resultSkip, c.schemaWhy)
		return
	case c.customRoles == nil:
		c.report.add(name, resultSkip, c.rolesWhy)
		return
	}
	a, ok := c.schema.Attributes[attr]
	switch {
	case !ok:
		c.report.add(name, resultSkip, "no "+attr+" attribute in the app user schema")
		return
	case len(a.Values) == 0:
		c.report.add(name, resultSkip, attr+" takes free text: each value is resolved when a run plans")
		return
	}
	var mapped, missing []string
	for _, v := range a.Values {
		r, err := core.FindCustomRole(c.customRoles, v)
		if err != nil {
			if errors.Is(err, core.ErrAmbiguousCustomRole) {
				missing = append(missing, strconv.Quote(v)+" (several roles have it)")
			} else {
				missing = append(missing, strconv.Quote(v))
			}
			continue
		}
		mapped = append(mapped, fmt.Sprintf("%s -> #%s", v, r.ID))
	}
	if len(missing) > 0 {
		c.report.add(name, resultFail, fmt.Sprintf("no ClickUp custom role named %s (renamed or deleted in ClickUp? rename the option in Okta, or assign %s instead)",
			strings.Join(missing, ", "), c.cfg.Okta.CustomRoleIDAttribute))
		return
	}
	c.report.add(name, resultOK, strings.Join(mapped, ", "))
}
