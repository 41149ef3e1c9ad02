package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"github.com/okta-clickup-sync/okta-clickup-sync/clickup/clickuptest"
	"github.com/okta-clickup-sync/okta-clickup-sync/config"
	"github.com/okta-clickup-sync/okta-clickup-sync/engine"
	"github.com/okta-clickup-sync/okta-clickup-sync/okta/oktatest"
	"github.com/okta-clickup-sync/okta-clickup-sync/store"
)

const demoAppID = "0oademoclickup01"

func (c *cli) demoCommand() *cobra.Command {
	var (
		serve  bool
		listen string
	)
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Try it without a tenant: a sample Okta org and ClickUp Workspace on loopback",
		Long: `Run the product against a built-in fake Okta org and fake ClickUp Workspace on loopback: the same
adapters, HTTP and planner as production, with no credentials and no network. It plans, applies,
follows a group rename and a new Team member, and shows that a last reconcile finds nothing left
to change. LOG_LEVEL=info adds the drift log on stderr.

With --serve the fakes stay up as a sandbox until Ctrl-C: it prints the export lines that point
every other command (reconcile, run, drift, history, approve, check) at them, serves the drift
console, leaves a held run to approve, and takes a few control requests (assign, unassign,
change a role, suspend) so a change can be watched flowing through.`,
		Example: `  okta-clickup-sync demo
  okta-clickup-sync demo -o json | jq '.steps[].run.summary'
  okta-clickup-sync demo --serve                   # then paste the printed exports in another shell`,
		Args: cobra.NoArgs,
	}
	cmd.Flags().BoolVar(&serve, "serve", false, "keep the fakes up as a sandbox until Ctrl-C, and print how to use them")
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:0", "with --serve: the sandbox's address for its console and control requests (loopback)")
	out := addOutputFlag(cmd, "format on stdout")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if serve {
			return codeOf(c.serveSandbox(cmd.Context(), listen, *out))
		}
		return codeOf(c.runDemo(cmd.Context(), *out))
	}
	return cmd
}

// demoLogger is the demo's logger: the tables are the demo, so only warnings by default;
// LOG_LEVEL=info adds the drift log.
func (c *cli) demoLogger() zerolog.Logger {
	level, format := "warn", config.LogFormatAuto
	if v, ok := c.lookup("LOG_LEVEL"); ok && v != "" {
		level = v
	}
	if v, ok := c.lookup("LOG_FORMAT"); ok && v != "" {
		format = v
	}
	return newLogger(c.stderr, verboseLevel(level, c.verbose), config.ResolveLogFormat(format, c.terminal))
}

// demo is the fake Okta org and ClickUp Workspace with an app wired to them.
type demo struct {
	okta *oktatest.Server
	cu   *clickuptest.Server
	org  demoOrg
	dir  string // holds the state file
	cfg  config.Config
	app  *app
}

// newDemo serves and seeds the fakes and builds an app on them; tune adjusts the configuration.
func newDemo(ctx context.Context, log zerolog.Logger, tune func(*config.Config)) (*demo, error) {
	d := &demo{okta: oktatest.NewServer(oktatest.Options{}), cu: clickuptest.NewServer(clickuptest.Options{})}
	d.org = seedDemo(d.okta, d.cu)
	// A state file: the demo's later passes follow a group rename, which only a stored group
	// link can.
	dir, err := os.MkdirTemp("", "okta-clickup-sync-demo-")
	if err != nil {
		d.close()
		return nil, err
	}
	d.dir = dir
	d.cfg = demoConfig(d.okta, d.cu)
	d.cfg.Sync.StatePath = filepath.Join(dir, "demo.db")
	d.cfg.Sync.PushGroups = []string{d.org.engineering, d.org.design}
	if tune != nil {
		tune(&d.cfg)
	}
	if d.app, err = buildApp(ctx, d.cfg, log, adapterClients{}); err != nil {
		d.close()
		return nil, err
	}
	return d, nil
}

func (d *demo) close() {
	if d.app != nil {
		d.app.close()
	}
	d.okta.Close()
	d.cu.Close()
	if d.dir != "" {
		_ = os.RemoveAll(d.dir)
	}
}

// demoStep is one pass of the demo: what happens in Okta first, then a run.
type demoStep struct {
	title  string
	dryRun bool
	before func(*demo)
}

var demoSteps = []demoStep{
	{"1. Plan (dry run): what a reconcile would change", true, nil},
	{"2. Reconcile: apply the plan", false, nil},
	{"3. Meanwhile in Okta, Design is renamed Product Design and Stan joins Engineering: reconcile", false, func(d *demo) {
		d.okta.RenameGroup(d.org.design, "Product Design")
		d.okta.AddGroupMember(d.org.engineering, d.org.users["stan.steady@example.com"])
	}},
	{"4. Reconcile again: nothing left to change", false, nil},
}

// demoStepReport is one step as demo -o json shows it.
type demoStepReport struct {
	Title string    `json:"title"`
	Run   runReport `json:"run"`
}

// demoReport is the whole of demo -o json: one document.
type demoReport struct {
	Steps     []demoStepReport `json:"steps"`
	Workspace []demoUser       `json:"workspace"`
	Teams     []demoTeam       `json:"teams"`
}

// demoUser is a ClickUp user as demo -o json shows it.
type demoUser struct {
	ID           string `json:"id"`
	UserName     string `json:"user_name"`
	Active       bool   `json:"active"`
	Role         string `json:"role"`
	CustomRoleID string `json:"custom_role_id,omitempty"`
	ExternalID   string `json:"external_id,omitempty"`
}

func workspaceOf(c *clickuptest.Server) []demoUser {
	out := []demoUser{}
	for _, u := range c.Users() {
		out = append(out, demoUser{ID: u.ID, UserName: u.UserName, Active: u.Active, Role: u.Role,
			CustomRoleID: u.CustomRoleID, ExternalID: u.ExternalID})
	}
	return out
}

type demoTeam struct {
	Name    string   `json:"name"`
	Members []string `json:"members"`
}

// runSteps runs steps, printing each as text unless out is json, and returns their reports.
func (c *cli) runSteps(ctx context.Context, d *demo, steps []demoStep, out outputFlag) ([]demoStepReport, error) {
	var reports []demoStepReport
	for _, s := range steps {
		if s.before != nil {
			s.before(d)
		}
		res := d.app.engine.Run(ctx, engine.Spec{Kind: engine.KindFull, Trigger: store.TriggerDemo, DryRun: s.dryRun})
		if res.Err != nil {
			return nil, fmt.Errorf("%s: run %s: %w", s.title, res.ID, res.Err)
		}
		approveCmd, hint := c.holdHints(true, res)
		r := newRunReport(res, "", res.ExitCode(false), approveCmd)
		reports = append(reports, demoStepReport{Title: s.title, Run: r})
		if out != "json" {
			fmt.Fprintf(c.stdout, "== %s\n", s.title)
			if err := r.writeText(c.stdout, hint); err != nil {
				return nil, err
			}
			fmt.Fprintln(c.stdout)
		}
	}
	return reports, nil
}

// runDemo runs the product against a built-in fake Okta and fake ClickUp on loopback: the same
// adapters, HTTP and planner as production, with no credentials and no network.
func (c *cli) runDemo(ctx context.Context, out outputFlag) int {
	d, err := newDemo(ctx, c.demoLogger(), nil)
	if err != nil {
		c.errorf("demo: %v", err)
		return exitError
	}
	defer d.close()
	if out != "json" {
		fmt.Fprintln(c.stdout, "okta-clickup-sync demo: a sample Okta org and ClickUp Workspace, served on loopback.")
		fmt.Fprintln(c.stdout)
	}
	steps, err := c.runSteps(ctx, d, demoSteps, out)
	if err != nil {
		c.errorf("demo: %v", err)
		return exitError
	}
	if out == "json" {
		doc := demoReport{Steps: steps, Workspace: workspaceOf(d.cu), Teams: teamsOf(d.cu)}
		enc := json.NewEncoder(c.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(doc); err != nil {
			return exitError
		}
	} else {
		fmt.Fprintln(c.stdout, "== ClickUp Workspace after the run")
		printWorkspace(c.stdout, d.cu)
		fmt.Fprintln(c.stdout)
		printTeams(c.stdout, d.cu)
	}
	if s := steps[len(steps)-1].Run.Summary; s.Writes > 0 || s.Failures > 0 {
		c.errorf("demo: the last reconcile still planned changes; ClickUp did not converge")
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
	engineering, design string                   // Okta group ids
	users               map[string]string        // login -> Okta id
	people              map[string]oktatest.User // login -> the Okta user as added
}

// seedDemo builds an org that exercises every rule of DESIGN.md §6.
func seedDemo(o *oktatest.Server, c *clickuptest.Server) demoOrg {
	org := demoOrg{users: map[string]string{}, people: map[string]oktatest.User{}}
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
		org.people[p.login] = u
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
	// Made by the IdP the Workspace used before Okta, whose ids are GUIDs: Gil is assigned in
	// Okta and is adopted, not created again; Fay is not, and is reported, never deactivated.
	gil := o.AddUser(oktatest.User{Status: "ACTIVE", Login: "gil.guid@example.com", Email: "gil.guid@example.com", FirstName: "Gil", LastName: "Guid"})
	o.Assign(demoAppID, gil.ID, "PROVISIONED", map[string]any{"role": "member"})
	c.AddUser(clickuptest.User{ExternalID: "5f0c2d7e-8a31-4c55-9b2e-1d6f3a9e7c40", UserName: "gil.guid@example.com", Email: "gil.guid@example.com", GivenName: "Gil", FamilyName: "Guid", Active: true, Role: "member"})
	c.AddUser(clickuptest.User{ExternalID: "a83e61c4-2f9b-47d0-b5a8-6c0e9d14f2b7", UserName: "fay.former@example.com", Email: "fay.former@example.com", GivenName: "Fay", FamilyName: "Former", Active: true, Role: "member"})

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

// teamsOf lists the Workspace's Teams with their members' user names.
func teamsOf(c *clickuptest.Server) []demoTeam {
	names := map[string]string{}
	for _, u := range c.Users() {
		names[u.ID] = u.UserName
	}
	out := []demoTeam{}
	for _, g := range c.Groups() {
		t := demoTeam{Name: g.DisplayName, Members: []string{}}
		for _, m := range g.Members {
			t.Members = append(t.Members, names[m])
		}
		out = append(out, t)
	}
	return out
}

func printTeams(w io.Writer, c *clickuptest.Server) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TEAM\tMEMBERS")
	for _, t := range teamsOf(c) {
		fmt.Fprintf(tw, "%s\t%s\n", t.Name, strings.Join(t.Members, ", "))
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
