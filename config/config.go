// Package config builds the daemon's configuration from defaults, a YAML file, the environment and
// secret files (NAME_FILE, *_file keys and the SYNC_SECRETS_DIR directory), and validates it.
// Build does it all in one call: every problem is reported at once, each naming the setting by
// both its environment name and its YAML key, no error ever carries a secret, and names that look
// meant for this program but are not read come back as warnings.
package config

import "time"

// ConfigPathEnv names the environment variable holding the path of the YAML file. The caller reads
// it (a --config flag wins over it) and passes the path to Load.
const ConfigPathEnv = "OKTA_CLICKUP_SYNC_CONFIG"

// Defaults. They are exported so that documentation, programmatic configurations and tests agree
// with what Load fills in.
const (
	DefaultRoleAttribute           = "role"
	DefaultCustomRoleNameAttribute = "customRoleName"
	DefaultCustomRoleIDAttribute   = "customRoleId"
	// SCIMRoleSchemaAuto asks for the role schema to be discovered from the SCIM service at start
	// (DESIGN.md §11); it is the default.
	SCIMRoleSchemaAuto = "auto"
	// DefaultSCIMRoleSchemaURN is the extension that holds the role attributes when the service
	// announces nothing (DESIGN.md §4).
	DefaultSCIMRoleSchemaURN      = "urn:ietf:params:scim:schemas:extension:clickup:2.0:User"
	DefaultAPIBaseURL             = "https://api.clickup.com/api/v2"
	DefaultSchedule               = "@every 15m"
	DefaultStatePath              = "okta-clickup-sync.db"
	DefaultMaxDeactivations       = 10
	DefaultMaxDeactivationPercent = 10.0
	DefaultListenAddr             = ":8080"
	DefaultRetention              = 90 * 24 * time.Hour
	DefaultRunTimeout             = 10 * time.Minute
	DefaultRateLimitMaxWait       = 2 * time.Minute
	DefaultEventsInterval         = 15 * time.Second
	DefaultCapWindow              = time.Hour
	// DefaultConcurrency is the writes in flight. ClickUp allows 10,000 requests a minute (167 a
	// second); at 50-100 ms a write, 4 in flight reach only 40-80 a second, while 32 reach the
	// limit with room for slower answers. The rate limiter, fed by ClickUp's headers, keeps the
	// burst within the budget.
	DefaultConcurrency = 32
	DefaultLogLevel    = "info"
	DefaultLogFormat   = LogFormatAuto
)

// SYNC_EVENTS values.
const (
	EventsOff       = "off"
	EventsSystemLog = "systemlog"
)

// LOG_FORMAT values. Auto is resolved by the caller, which knows whether stderr is a terminal
// (ResolveLogFormat).
const (
	LogFormatAuto    = "auto"
	LogFormatJSON    = "json"
	LogFormatConsole = "console"
)

// MinTokenLength is the shortest token accepted for the tokens this product defines itself
// (SYNC_TRIGGER_TOKEN, SYNC_UI_TOKEN, SYNC_EVENT_HOOK_SECRET): 16 random characters are beyond
// guessing over HTTP, and anything shorter is a word someone typed.
const MinTokenLength = 16

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
	// SCIMRoleSchema is the URN of the SCIM extension holding the role attributes; "auto" (the
	// default) discovers it from the service (DESIGN.md §11); empty means the attributes sit at
	// the top level of the user.
	SCIMRoleSchema string `yaml:"scim_role_schema" json:"scim_role_schema"`
	// SCIM attribute names of the ClickUp Role, a custom role's name and its id.
	SCIMRoleAttribute           string `yaml:"scim_role_attribute" json:"scim_role_attribute"`
	SCIMCustomRoleNameAttribute string `yaml:"scim_custom_role_name_attribute" json:"scim_custom_role_name_attribute"`
	SCIMCustomRoleIDAttribute   string `yaml:"scim_custom_role_id_attribute" json:"scim_custom_role_id_attribute"`

	APIToken    Secret `yaml:"api_token" json:"api_token"`
	APIBaseURL  string `yaml:"api_base_url" json:"api_base_url"`
	WorkspaceID string `yaml:"workspace_id" json:"workspace_id"`
}

// SyncConfig governs the reconcile runs and their safety rails.
type SyncConfig struct {
	Schedule string `yaml:"schedule" json:"schedule"` // cron spec or descriptor (@every 15m, @hourly)
	// StatePath is the SQLite file; empty disables the store (no stored links, no held plans),
	// unless StateURL puts the store on PostgreSQL.
	StatePath string `yaml:"state_path" json:"state_path"`
	// StateURL is a postgres:// URL: the store on PostgreSQL with leader election (DESIGN.md §14).
	// It replaces StatePath. A secret, since the URL may carry a password.
	StateURL Secret `yaml:"state_url" json:"state_url"`
	// SecretsDir is a directory of secret files named after their settings (okta-api-token,
	// clickup-scim-token, ...): a file that is there is read, one that is absent leaves its setting
	// unset. It lets a Kubernetes Secret or systemd credentials carry optional secrets.
	SecretsDir             string   `yaml:"secrets_dir" json:"secrets_dir"`
	MaxDeactivations       int      `yaml:"max_deactivations" json:"max_deactivations"`
	MaxDeactivationPercent float64  `yaml:"max_deactivation_percent" json:"max_deactivation_percent"`
	ProtectedUsers         []string `yaml:"protected_users" json:"protected_users"` // emails or ClickUp user ids
	PushGroups             []string `yaml:"push_groups" json:"push_groups"`         // Okta group ids or exact names
	DeleteUnpushedTeams    bool     `yaml:"delete_unpushed_teams" json:"delete_unpushed_teams"`
	ListenAddr             string   `yaml:"listen_addr" json:"listen_addr"`
	TriggerToken           Secret   `yaml:"trigger_token" json:"trigger_token"`
	// UIToken turns on the drift console at /ui/ (DESIGN.md §13).
	UIToken Secret `yaml:"ui_token" json:"ui_token"`
	// AllowInsecureHTTP permits http:// base URLs, and only to loopback hosts (tests, the demo).
	AllowInsecureHTTP bool          `yaml:"allow_insecure_http" json:"allow_insecure_http"`
	AllowEmptySource  bool          `yaml:"allow_empty_source" json:"allow_empty_source"`
	Retention         time.Duration `yaml:"retention" json:"retention"`
	RunTimeout        time.Duration `yaml:"run_timeout" json:"run_timeout"`
	// RateLimitMaxWait is the longest wait for an announced rate-limit reset (DESIGN.md §7).
	RateLimitMaxWait time.Duration `yaml:"rate_limit_max_wait" json:"rate_limit_max_wait"`
	Concurrency      int           `yaml:"concurrency" json:"concurrency"` // writes in flight at once

	// Near-real-time changes (DESIGN.md §10): Events is "off" or "systemlog".
	Events         string        `yaml:"events" json:"events"`
	EventsInterval time.Duration `yaml:"events_interval" json:"events_interval"`
	// CapWindow is the rolling window over which deactivations of user and event runs count
	// against the caps.
	CapWindow time.Duration `yaml:"cap_window" json:"cap_window"`
	// EventHookSecret turns on Okta's event hook at /hooks/okta: the Authorization header Okta
	// sends must equal it.
	EventHookSecret Secret `yaml:"event_hook_secret" json:"event_hook_secret"`
}

// LogConfig selects the zerolog level and output format.
type LogConfig struct {
	Level  string `yaml:"level" json:"level"`   // trace, debug, info, warn or error
	Format string `yaml:"format" json:"format"` // auto, json or console
}

// Default returns the configuration before any file or environment is read. It is not valid on
// its own: the Okta and ClickUp endpoints and credentials have no defaults.
func Default() Config {
	var c Config
	c.Okta.RoleAttribute = DefaultRoleAttribute
	c.Okta.CustomRoleNameAttribute = DefaultCustomRoleNameAttribute
	c.Okta.CustomRoleIDAttribute = DefaultCustomRoleIDAttribute
	c.ClickUp.SCIMRoleSchema = SCIMRoleSchemaAuto
	c.ClickUp.SCIMRoleAttribute = DefaultRoleAttribute
	c.ClickUp.SCIMCustomRoleNameAttribute = DefaultCustomRoleNameAttribute
	c.ClickUp.SCIMCustomRoleIDAttribute = DefaultCustomRoleIDAttribute
	c.ClickUp.APIBaseURL = DefaultAPIBaseURL
	c.Sync.Schedule = DefaultSchedule
	c.Sync.StatePath = DefaultStatePath
	c.Sync.MaxDeactivations = DefaultMaxDeactivations
	c.Sync.MaxDeactivationPercent = DefaultMaxDeactivationPercent
	c.Sync.ListenAddr = DefaultListenAddr
	c.Sync.Retention = DefaultRetention
	c.Sync.RunTimeout = DefaultRunTimeout
	c.Sync.RateLimitMaxWait = DefaultRateLimitMaxWait
	c.Sync.Events = EventsOff
	c.Sync.EventsInterval = DefaultEventsInterval
	c.Sync.CapWindow = DefaultCapWindow
	c.Sync.Concurrency = DefaultConcurrency
	c.Log.Level = DefaultLogLevel
	c.Log.Format = DefaultLogFormat
	return c
}

// DefaultScopes returns the OAuth scopes the enabled features need: reading the app's users and
// their profiles, the pushed groups' members when groups are pushed, and the System Log when
// events are on.
func DefaultScopes(pushGroups, events bool) []string {
	s := []string{"okta.apps.read", "okta.users.read"}
	if pushGroups {
		s = append(s, "okta.groups.read")
	}
	if events {
		s = append(s, "okta.logs.read")
	}
	return s
}

// ResolveLogFormat turns LOG_FORMAT=auto into console lines on a terminal and JSON elsewhere; the
// caller says whether stderr is a terminal. Other values come back unchanged.
func ResolveLogFormat(format string, isTerminal bool) string {
	if format != LogFormatAuto {
		return format
	}
	if isTerminal {
		return LogFormatConsole
	}
	return LogFormatJSON
}
