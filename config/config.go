// Package config builds the daemon's configuration from defaults, a YAML file, the environment and
// secret files (NAME_FILE), and validates it. Every problem is reported at once, each naming the
// setting by both its environment name and its YAML key, and no error ever carries a secret.
package config

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// ConfigPathEnv names the environment variable holding the path of the YAML file. The caller reads
// it (a --config flag wins over it) and passes the path to Load.
const ConfigPathEnv = "OKTA_CLICKUP_SYNC_CONFIG"

// Defaults. They are exported so that documentation, programmatic configurations and tests agree
// with what Load fills in.
const (
	DefaultRoleAttribute           = "role"
	DefaultCustomRoleNameAttribute = "customRoleName"
	DefaultCustomRoleIDAttribute   = "customRoleId"
	DefaultSCIMRoleSchema          = "urn:ietf:params:scim:schemas:extension:clickup:2.0:User"
	DefaultAPIBaseURL              = "https://api.clickup.com/api/v2"
	DefaultSchedule                = "@every 15m"
	DefaultStatePath               = "okta-clickup-sync.db"
	DefaultMaxDeactivations        = 10
	DefaultMaxDeactivationPercent  = 10.0
	DefaultListenAddr              = ":8080"
	DefaultRetention               = 90 * 24 * time.Hour
	DefaultRunTimeout              = 10 * time.Minute
	// DefaultConcurrency is the writes in flight. ClickUp allows 10,000 requests a minute (167 a
	// second); at 50-100 ms a write, 4 in flight reach only 40-80 a second, while 32 reach the
	// limit with room for slower answers. The rate limiter, fed by ClickUp's headers, keeps the
	// burst within the budget.
	DefaultConcurrency = 32
	DefaultLogLevel    = "info"
	DefaultLogFormat   = "json"
)

// Config is the whole configuration. The yaml and json tags mirror the file layout so that a dump
// of the effective configuration reads like the file; secrets render as "[redacted]" there.
type Config struct {
	Okta    OktaConfig    `yaml:"okta" json:"okta"`
	ClickUp ClickUpConfig `yaml:"clickup" json:"clickup"`
	Sync    SyncConfig    `yaml:"sync" json:"sync"`
	Log     LogConfig     `yaml:"log" json:"log"`
}

// OktaConfig is where the desired state comes from: the Okta org and the ClickUp app in it.
// Authentication is either APIToken (SSWS) or the OAuth 2.0 service-app set ClientID, PrivateKey,
// PrivateKeyID and Scopes.
type OktaConfig struct {
	OrgURL   string `yaml:"org_url" json:"org_url"`
	AppID    string `yaml:"app_id" json:"app_id"`
	APIToken Secret `yaml:"api_token" json:"api_token"`

	ClientID     string   `yaml:"client_id" json:"client_id"`
	PrivateKey   Secret   `yaml:"private_key" json:"private_key"` // PEM, PKCS#1 or PKCS#8, RSA
	PrivateKeyID string   `yaml:"private_key_id" json:"private_key_id"`
	Scopes       []string `yaml:"scopes" json:"scopes"`

	// App-user profile keys holding the ClickUp Role, a custom role's name and its id.
	RoleAttribute           string `yaml:"role_attribute" json:"role_attribute"`
	CustomRoleNameAttribute string `yaml:"custom_role_name_attribute" json:"custom_role_name_attribute"`
	CustomRoleIDAttribute   string `yaml:"custom_role_id_attribute" json:"custom_role_id_attribute"`
}

// ClickUpConfig is the Workspace to keep in step: SCIM for users and Teams, and the optional REST
// API for custom roles and the Workspace owner.
type ClickUpConfig struct {
	SCIMBaseURL string `yaml:"scim_base_url" json:"scim_base_url"`
	SCIMToken   Secret `yaml:"scim_token" json:"scim_token"`
	// SCIMRoleSchema is the URN of the SCIM extension holding the role attributes; empty means the
	// attributes sit at the top level of the user.
	SCIMRoleSchema string `yaml:"scim_role_schema" json:"scim_role_schema"`

	APIToken    Secret `yaml:"api_token" json:"api_token"`
	APIBaseURL  string `yaml:"api_base_url" json:"api_base_url"`
	WorkspaceID string `yaml:"workspace_id" json:"workspace_id"`
}

// SyncConfig governs the reconcile runs and their safety rails.
type SyncConfig struct {
	Schedule string `yaml:"schedule" json:"schedule"` // cron spec or descriptor (@every 15m, @hourly)
	// StatePath is the SQLite file; empty disables the store (no stored links, no held plans).
	StatePath              string   `yaml:"state_path" json:"state_path"`
	MaxDeactivations       int      `yaml:"max_deactivations" json:"max_deactivations"`
	MaxDeactivationPercent float64  `yaml:"max_deactivation_percent" json:"max_deactivation_percent"`
	ProtectedUsers         []string `yaml:"protected_users" json:"protected_users"` // emails or ClickUp user ids
	PushGroups             []string `yaml:"push_groups" json:"push_groups"`         // Okta group ids or exact names
	DeleteUnpushedTeams    bool     `yaml:"delete_unpushed_teams" json:"delete_unpushed_teams"`
	ListenAddr             string   `yaml:"listen_addr" json:"listen_addr"`
	TriggerToken           Secret   `yaml:"trigger_token" json:"trigger_token"`
	// AllowInsecureHTTP permits http:// base URLs, and only to loopback hosts (tests, the demo).
	AllowInsecureHTTP bool          `yaml:"allow_insecure_http" json:"allow_insecure_http"`
	AllowEmptySource  bool          `yaml:"allow_empty_source" json:"allow_empty_source"`
	Retention         time.Duration `yaml:"retention" json:"retention"`
	RunTimeout        time.Duration `yaml:"run_timeout" json:"run_timeout"`
	Concurrency       int           `yaml:"concurrency" json:"concurrency"` // writes in flight at once
}

// LogConfig selects the zerolog level and output format.
type LogConfig struct {
	Level  string `yaml:"level" json:"level"`   // trace, debug, info, warn or error
	Format string `yaml:"format" json:"format"` // json or console
}

// Default returns the configuration before any file or environment is read. It is not valid on
// its own: the Okta and ClickUp endpoints and credentials have no defaults.
func Default() Config {
	var c Config
	c.Okta.RoleAttribute = DefaultRoleAttribute
	c.Okta.CustomRoleNameAttribute = DefaultCustomRoleNameAttribute
	c.Okta.CustomRoleIDAttribute = DefaultCustomRoleIDAttribute
	c.ClickUp.SCIMRoleSchema = DefaultSCIMRoleSchema
	c.ClickUp.APIBaseURL = DefaultAPIBaseURL
	c.Sync.Schedule = DefaultSchedule
	c.Sync.StatePath = DefaultStatePath
	c.Sync.MaxDeactivations = DefaultMaxDeactivations
	c.Sync.MaxDeactivationPercent = DefaultMaxDeactivationPercent
	c.Sync.ListenAddr = DefaultListenAddr
	c.Sync.Retention = DefaultRetention
	c.Sync.RunTimeout = DefaultRunTimeout
	c.Sync.Concurrency = DefaultConcurrency
	c.Log.Level = DefaultLogLevel
	c.Log.Format = DefaultLogFormat
	return c
}

// DefaultScopes returns the OAuth scopes the enabled features need: reading the app's users and
// their profiles, and the pushed groups' members when groups are pushed.
func DefaultScopes(pushGroups bool) []string {
	s := []string{"okta.apps.read", "okta.users.read"}
	if pushGroups {
		s = append(s, "okta.groups.read")
	}
	return s
}

// Load builds the configuration: defaults, then the YAML file at path (when path is not empty),
// then the environment, then the secret files named by NAME_FILE variables or *_file keys. A nil
// lookup means os.LookupEnv. Every problem found is returned at once (errors.Join of
// *SettingError and file errors); the Config is returned too, with whatever could be read, so a
// caller may show it. Load does not call Validate.
func Load(path string, lookup func(string) (string, bool)) (Config, error) {
	if lookup == nil {
		lookup = os.LookupEnv
	}
	st := newState()
	var errs []error
	if path != "" {
		if err := st.readFile(path); err != nil {
			errs = append(errs, err)
		}
	}
	st.applyEnv(lookup)
	st.readSecretFiles()
	st.fillDerived()
	errs = append(errs, st.errs...)
	return st.cfg, redactErrors(errs, st.cfg.Secrets())
}

// Parse reads a YAML configuration over Default(), without the environment. Unknown keys are
// errors naming the key and its line. Secret *_file keys are read, relative paths from the working
// directory.
func Parse(r io.Reader) (Config, error) {
	st := newState()
	st.parseYAML(r, "")
	st.readSecretFiles()
	st.fillDerived()
	return st.cfg, redactErrors(st.errs, st.cfg.Secrets())
}

// Secrets returns every non-empty secret value, so that tests can search output for leaks.
func (c Config) Secrets() []string {
	var out []string
	for _, s := range []Secret{c.Okta.APIToken, c.Okta.PrivateKey, c.ClickUp.SCIMToken, c.ClickUp.APIToken, c.Sync.TriggerToken} {
		if s != "" {
			out = append(out, s.Reveal())
		}
	}
	return out
}

// oauthConfigured reports whether any piece of the OAuth service-app set is present, which selects
// OAuth over the API token (and makes a partial set an error rather than silently ignored).
func (o OktaConfig) oauthConfigured() bool {
	return o.ClientID != "" || o.PrivateKey != "" || o.PrivateKeyID != ""
}

// state is a configuration being built: the values so far, the secret files still to read and the
// problems found.
type state struct {
	cfg   Config
	files map[*setting]fileRef // secret setting -> the file that will provide it
	errs  []error
}

// fileRef is a secret file named by NAME_FILE or a *_file key, remembered until the last layer has
// been applied so that a later layer's value wins without the file ever being opened.
type fileRef struct {
	path  string
	label *SettingError // names the setting that gave the path, for errors
}

func newState() *state {
	return &state{cfg: Default(), files: map[*setting]fileRef{}}
}

func (st *state) readFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("config file: %w", err)
	}
	defer f.Close()
	st.parseYAML(f, path)
	return nil
}

// fillDerived sets defaults that depend on other settings.
func (st *state) fillDerived() {
	o := &st.cfg.Okta
	if len(o.Scopes) == 0 && o.oauthConfigured() {
		o.Scopes = DefaultScopes(len(st.cfg.Sync.PushGroups) > 0)
	}
}

func (st *state) fail(err error) { st.errs = append(st.errs, err) }

// redactErrors is the last guard against a secret reaching an error: messages are built not to show
// secret values, but a secret pasted into the wrong setting (a token as a schedule) would be shown
// as that setting's value.
func redactErrors(errs []error, secrets []string) error {
	out := make([]error, 0, len(errs))
	for _, err := range errs {
		if err == nil {
			continue
		}
		if se, ok := err.(*SettingError); ok {
			c := *se
			c.Problem = redactText(c.Problem, secrets)
			out = append(out, &c)
			continue
		}
		msg := err.Error()
		if r := redactText(msg, secrets); r != msg {
			err = errors.New(r)
		}
		out = append(out, err)
	}
	return errors.Join(out...)
}
