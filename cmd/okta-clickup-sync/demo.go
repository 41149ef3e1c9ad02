package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/okta-clickup-sync/okta-clickup-sync/clickup/clickuptest"
	"github.com/okta-clickup-sync/okta-clickup-sync/config"
	"github.com/okta-clickup-sync/okta-clickup-sync/engine"
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
	org := seedDemo(oktaSrv, cuSrv)

	// A state file for the run: the demo's second pass shows a group rename, which only a
	// stored group link can follow.
	dir, err := os.MkdirTemp("", "okta-clickup-sync-demo-")
	if err != nil {
		fmt.Fprintln(stderr, "demo:", err)
		return exitError
	}
	defer os.RemoveAll(dir)
	cfg := demoConfig(oktaSrv, cuSrv)
	cfg.Sync.StatePath = filepath.Join(dir, "demo.db")
	cfg.Sync.PushGroups = []string{"Engineering", "Design"}
	level, format := "warn", "console" // the tables are the demo; LOG_LEVEL=info adds the drift log
	if v, ok := lookup("LOG_LEVEL"); ok && v != "" {
		level = v
	}
	if v, ok := lookup("LOG_FORMAT"); ok && v != "" {
		format = v
	}
	log := newLogger(stderr, level, format)
	a, err := buildApp(ctx, cfg, log, adapterClients{})
	if err != nil {
		log.Error().Err(err).Msg("start-up failed")
		return exitError
	}
	defer a.close()

	fmt.Fprintln(stdout, "okta-clickup-sync demo: a sample Okta org and ClickUp Workspace, served on loopback.")
	fmt.Fprintln(stdout)
	steps := []struct {
		title  string
		dryRun bool
		before func()
	}{
		{"1. Plan (dry run): what a reconcile would change", true, nil},
		{"2. Reconcile: apply the plan", false, nil},
		{"3. Meanwhile in Okta, Design is renamed Product Design and Stan joins Engineering: reconcile", false, func() {
			oktaSrv.RenameGroup(org.design, "Product Design")
			oktaSrv.AddGroupMember(org.engineering, org.users["stan.steady@example.com"])
		}},
		{"4. Reconcile again: nothing left to change", false, nil},
	}
	var last engine.Result
	for _, s := range steps {
		if s.before != nil {
			s.before()
		}
		fmt.Fprintf(stdout, "== %s\n", s.title)
		last = a.engine.Run(ctx, engine.Spec{Kind: engine.KindFull, Trigger: store.TriggerDemo, DryRun: s.dryRun})
		if last.Err != nil {
			fmt.Fprintf(stderr, "demo: %v\n", last.Err)
			return exitError
		}
		if err := printPlan(stdout, last.Plan, out); err != nil {
			return exitError
		}
		fmt.Fprintln(stdout)
	}
	fmt.Fprintln(stdout, "== ClickUp Workspace after the run")
	printWorkspace(stdout, cuSrv)
	fmt.Fprintln(stdout)
	printTeams(stdout, cuSrv)

	if s := last.Plan.Summarize(); s.Writes > 0 || s.Failures > 0 {
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

// demoOrg names what the demo changes between its passes.
type demoOrg struct {
	engineering, design string            // Okta group ids
	users               map[string]string // login -> Okta id
}

// seedDemo builds an org that exercises every rule of DESIGN.md §6.
func seedDemo(o *oktatest.Server, c *clickuptest.Server) demoOrg {
	org := demoOrg{users: map[string]string{}}
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
		org.users[p.login] = u.ID
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
	hank := c.AddUser(clickuptest.User{UserName: "hank.hand@example.com", Email: "hank.hand@example.com", GivenName: "Hank", FamilyName: "Hand", Active: true, Role: "member"})

	// Two pushed groups: Engineering has no Team yet; Design's Team has a member added by hand.
	org.engineering = o.AddGroup(oktatest.Group{Name: "Engineering"}).ID
	org.design = o.AddGroup(oktatest.Group{Name: "Design"}).ID
	for _, login := range []string{"nina.new@example.com", "ravi.role@example.com", "ida.byid@example.com", "sam.suspended@example.com"} {
		o.AddGroupMember(org.engineering, org.users[login])
	}
	for _, login := range []string{"noel.byname@example.com", "rita.returns@example.com", "eve.moved@example.com"} {
		o.AddGroupMember(org.design, org.users[login])
	}
	var noel string
	for _, u := range c.Users() {
		if u.UserName == "noel.byname@example.com" {
			noel = u.ID
		}
	}
	c.AddGroup(clickuptest.Group{DisplayName: "Design", Members: []string{noel, hank.ID}})
	return org
}

func printTeams(w io.Writer, c *clickuptest.Server) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TEAM\tMEMBERS")
	names := map[string]string{}
	for _, u := range c.Users() {
		names[u.ID] = u.UserName
	}
	for _, g := range c.Groups() {
		var ms []string
		for _, m := range g.Members {
			ms = append(ms, names[m])
		}
		fmt.Fprintf(tw, "%s\t%s\n", g.DisplayName, strings.Join(ms, ", "))
	}
	_ = tw.Flush()
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
