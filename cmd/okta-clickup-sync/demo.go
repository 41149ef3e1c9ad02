package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/okta-clickup-sync/okta-clickup-sync/clickup/clickuptest"
	"github.com/okta-clickup-sync/okta-clickup-sync/config"
	"github.com/okta-clickup-sync/okta-clickup-sync/okta/oktatest"
	"github.com/okta-clickup-sync/okta-clickup-sync/store"
)

const demoAppID = "0oademoclickup01"

// runDemo runs the product against a built-in fake Okta and fake ClickUp on loopback: the same
// adapters, HTTP and planner as production, with no credentials and no network.
func runDemo(ctx context.Context, args []string, lookup env, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	out := output("text")
	fs.Var(&out, "output", "plan format on stdout: text or json")
	if done, code := parseFlags(fs, args, stderr); done {
		return code
	}

	oktaSrv := oktatest.NewServer(oktatest.Options{})
	defer oktaSrv.Close()
	cuSrv := clickuptest.NewServer(clickuptest.Options{})
	defer cuSrv.Close()
	seedDemo(oktaSrv, cuSrv)

	cfg := demoConfig(oktaSrv, cuSrv)
	level, format := "warn", "console" // the tables are the demo; LOG_LEVEL=info adds the drift log
	if v, ok := lookup("LOG_LEVEL"); ok && v != "" {
		level = v
	}
	if v, ok := lookup("LOG_FORMAT"); ok && v != "" {
		format = v
	}
	log := newLogger(stderr, level, format)
	run, err := buildRunner(ctx, cfg, log, adapterClients{})
	if err != nil {
		log.Error().Err(err).Msg("start-up failed")
		return exitError
	}
	defer run.close()

	fmt.Fprintln(stdout, "okta-clickup-sync demo: a sample Okta org and ClickUp Workspace, served on loopback.")
	fmt.Fprintln(stdout)
	steps := []struct {
		title  string
		dryRun bool
	}{
		{"1. Plan (dry run): what a reconcile would change", true},
		{"2. Reconcile: apply the plan", false},
		{"3. Reconcile again: nothing left to change", false},
	}
	var last runResult
	for _, s := range steps {
		fmt.Fprintf(stdout, "== %s\n", s.title)
		last = run.once(ctx, runSpec{trigger: store.TriggerDemo, dryRun: s.dryRun})
		if last.err != nil {
			fmt.Fprintf(stderr, "demo: %v\n", last.err)
			return exitError
		}
		if err := printPlan(stdout, last.plan, out); err != nil {
			return exitError
		}
		fmt.Fprintln(stdout)
	}
	fmt.Fprintln(stdout, "== ClickUp Workspace after the run")
	printWorkspace(stdout, cuSrv)

	if s := last.plan.Summarize(); s.Writes > 0 || s.Failures > 0 {
		fmt.Fprintln(stderr, "demo: the second reconcile still planned changes; ClickUp did not converge")
		return exitError
	}
	return exitOK
}

func demoConfig(o *oktatest.Server, c *clickuptest.Server) config.Config {
	cfg := config.Default()
	cfg.Okta.OrgURL = o.URL()
	cfg.Okta.AppID = demoAppID
	cfg.Okta.APIToken = config.Secret(o.Token())
	cfg.ClickUp.SCIMBaseURL = c.SCIMBaseURL()
	cfg.ClickUp.SCIMToken = config.Secret(c.SCIMToken())
	cfg.ClickUp.APIBaseURL = c.APIBaseURL()
	cfg.ClickUp.APIToken = config.Secret(c.APIToken())
	cfg.ClickUp.WorkspaceID = c.WorkspaceID()
	cfg.Sync.AllowInsecureHTTP = true
	cfg.Sync.StatePath = ""
	// Two of seven is over the default 10%: a sample org is small for a percent cap.
	cfg.Sync.MaxDeactivationPercent = 50
	return cfg
}

// seedDemo builds an org that exercises every rule of DESIGN.md §6.
func seedDemo(o *oktatest.Server, c *clickuptest.Server) {
	o.AddApp(demoAppID, "ClickUp")
	c.AddCustomRole(4547089, "guest custom", 4)
	c.AddCustomRole(6715664, "member custom", 3)
	c.AddCustomRole(2957195, "admin custom", 2)
	c.AddUser(clickuptest.User{UserName: "pat.owner@example.com", Email: "pat.owner@example.com", GivenName: "Pat", FamilyName: "Owner", Active: true, Role: "owner", Owner: true})

	type person struct {
		first, last, login string
		status             string         // Okta user status
		profile            map[string]any // app-user profile; nil: not assigned
		inClickUp          bool
		clickUpEmail       string // when it differs from the Okta login
		clickUpActive      bool
		clickUpRole        string
	}
	people := []person{
		{"Nina", "New", "nina.new@example.com", "ACTIVE", map[string]any{"role": "member"}, false, "", false, ""},
		{"Ravi", "Role", "ravi.role@example.com", "ACTIVE", map[string]any{"role": "admin"}, true, "", true, "member"},
		{"Ida", "Byid", "ida.byid@example.com", "ACTIVE", map[string]any{"role": "member", "customRoleId": "2957195"}, true, "", true, "member"},
		{"Noel", "Byname", "noel.byname@example.com", "ACTIVE", map[string]any{"customRoleName": "Guest Custom"}, true, "", true, "member"},
		{"Sam", "Suspended", "sam.suspended@example.com", "SUSPENDED", map[string]any{"role": "member"}, true, "", true, "member"},
		{"Uma", "Unassigned", "uma.unassigned@example.com", "ACTIVE", nil, true, "", true, "member"},
		{"Eve", "Moved", "eve.moved@example.com", "ACTIVE", map[string]any{"role": "member"}, true, "eve.old@example.com", true, "member"},
		{"Rita", "Returns", "rita.returns@example.com", "ACTIVE", map[string]any{"role": "guest"}, true, "", false, "guest"},
		{"Stan", "Steady", "stan.steady@example.com", "ACTIVE", map[string]any{"role": "member"}, true, "", true, "member"},
	}
	for _, p := range people {
		u := o.AddUser(oktatest.User{Status: p.status, Login: p.login, Email: p.login, FirstName: p.first, LastName: p.last})
		if p.profile != nil {
			o.Assign(demoAppID, u.ID, "PROVISIONED", p.profile)
		}
		if p.inClickUp {
			email := p.login
			if p.clickUpEmail != "" {
				email = p.clickUpEmail
			}
			c.AddUser(clickuptest.User{ExternalID: u.ID, UserName: email, Email: email, GivenName: p.first, FamilyName: p.last, Active: p.clickUpActive, Role: p.clickUpRole})
		}
	}
	// Invited by hand in ClickUp, never assigned in Okta: reported, not touched.
	c.AddUser(clickuptest.User{UserName: "hank.hand@example.com", Email: "hank.hand@example.com", GivenName: "Hank", FamilyName: "Hand", Active: true, Role: "member"})
}

func printWorkspace(w io.Writer, c *clickuptest.Server) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tUSERNAME\tACTIVE\tROLE\tCUSTOM ROLE\tEXTERNAL ID")
	for _, u := range c.Users() {
		custom := u.CustomRoleID
		if custom == "" {
			custom = "-"
		}
		ext := u.ExternalID
		if ext == "" {
			ext = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%t\t%s\t%s\t%s\n", u.ID, u.UserName, u.Active, u.Role, custom, ext)
	}
	_ = tw.Flush()
}
