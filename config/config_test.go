package config_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/okta-clickup-sync/okta-clickup-sync/config"
)

func TestDefault(t *testing.T) {
	c := config.Default()
	checks := []struct {
		name      string
		got, want any
	}{
		{"role attribute", c.Okta.RoleAttribute, "role"},
		{"custom role name attribute", c.Okta.CustomRoleNameAttribute, "customRoleName"},
		{"custom role id attribute", c.Okta.CustomRoleIDAttribute, "customRoleId"},
		{"scim role schema", c.ClickUp.SCIMRoleSchema, "auto"},
		{"scim role attribute", c.ClickUp.SCIMRoleAttribute, "role"},
		{"scim custom role name attribute", c.ClickUp.SCIMCustomRoleNameAttribute, "customRoleName"},
		{"scim custom role id attribute", c.ClickUp.SCIMCustomRoleIDAttribute, "customRoleId"},
		{"api base url", c.ClickUp.APIBaseURL, "https://api.clickup.com/api/v2"},
		{"schedule", c.Sync.Schedule, "@every 15m"},
		{"state path", c.Sync.StatePath, "okta-clickup-sync.db"},
		{"max deactivations", c.Sync.MaxDeactivations, 10},
		{"max deactivation percent", c.Sync.MaxDeactivationPercent, 10.0},
		{"listen addr", c.Sync.ListenAddr, ":8080"},
		{"retention", c.Sync.Retention, 90 * 24 * time.Hour},
		{"run timeout", c.Sync.RunTimeout, 10 * time.Minute},
		{"rate limit max wait", c.Sync.RateLimitMaxWait, 2 * time.Minute},
		{"events", c.Sync.Events, "off"},
		{"events interval", c.Sync.EventsInterval, 15 * time.Second},
		{"cap window", c.Sync.CapWindow, time.Hour},
		{"state url", c.Sync.StateURL, config.Secret("")},
		{"secrets dir", c.Sync.SecretsDir, ""},
		{"ui token", c.Sync.UIToken, config.Secret("")},
		{"event hook secret", c.Sync.EventHookSecret, config.Secret("")},
		{"concurrency", c.Sync.Concurrency, 32},
		{"log level", c.Log.Level, "info"},
		{"log format", c.Log.Format, "auto"},
		{"scopes", len(c.Okta.Scopes), 0},
		{"allow insecure http", c.Sync.AllowInsecureHTTP, false},
		{"allow empty source", c.Sync.AllowEmptySource, false},
	}
	for _, ck := range checks {
		if ck.got != ck.want {
			t.Errorf("%s: got %v, want %v", ck.name, ck.got, ck.want)
		}
	}
	if config.ConfigPathEnv != "OKTA_CLICKUP_SYNC_CONFIG" {
		t.Errorf("ConfigPathEnv = %q", config.ConfigPathEnv)
	}
}

func TestLoad_NothingSetGivesDefaults(t *testing.T) {
	got, err := config.Load("", env{}.lookup)
	if err != nil {
		t.Fatal(err)
	}
	if want := config.Default(); !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

const fullYAML = `# every key
okta:
  org_url: https://acme.okta.com
  app_id: 0oa1clickup
  client_id: 0oaclient
  private_key_id: kid-1
  scopes: [okta.apps.read, okta.users.read, okta.groups.read]
  role_attribute: clickupRole
  custom_role_name_attribute: crName
  custom_role_id_attribute: crId
clickup:
  scim_base_url: https://api.clickup.com/scim/v2/9012345
  scim_token: yaml-scim-token
  scim_role_schema: urn:example:role
  scim_role_attribute: clickupRole
  scim_custom_role_name_attribute: customRole
  scim_custom_role_id_attribute: customRoleID
  api_token: pk_1_yaml
  api_base_url: https://api.clickup.com/api/v2
  workspace_id: 9012345
sync:
  schedule: "*/30 * * * *"
  state_path: ""
  state_url: postgres://sync:yaml-pg-password@db.example:5432/sync
  secrets_dir: testdata/secrets
  max_deactivations: 25
  max_deactivation_percent: 12.5
  protected_users: [owner@example.com, "81234567"]
  push_groups:
    - Engineering
    - 00g1design
  delete_unpushed_teams: true
  listen_addr: 127.0.0.1:9090
  trigger_token: yaml-trigger
  ui_token: yaml-ui-token
  allow_insecure_http: false
  allow_empty_source: true
  retention: 30d
  run_timeout: 5m
  rate_limit_max_wait: 90s
  concurrency: 8
  events: systemlog
  events_interval: 30s
  cap_window: 2h
  event_hook_secret: yaml-hook-secret
log:
  level: debug
  format: console
`

func fullYAMLWant() config.Config {
	w := config.Default()
	w.Okta.OrgURL = "https://acme.okta.com"
	w.Okta.AppID = "0oa1clickup"
	w.Okta.ClientID = "0oaclient"
	w.Okta.PrivateKeyID = "kid-1"
	w.Okta.Scopes = []string{"okta.apps.read", "okta.users.read", "okta.groups.read"}
	w.Okta.RoleAttribute = "clickupRole"
	w.Okta.CustomRoleNameAttribute = "crName"
	w.Okta.CustomRoleIDAttribute = "crId"
	w.ClickUp.SCIMBaseURL = "https://api.clickup.com/scim/v2/9012345"
	w.ClickUp.SCIMToken = "yaml-scim-token"
	w.ClickUp.SCIMRoleSchema = "urn:example:role"
	w.ClickUp.SCIMRoleAttribute = "clickupRole"
	w.ClickUp.SCIMCustomRoleNameAttribute = "customRole"
	w.ClickUp.SCIMCustomRoleIDAttribute = "customRoleID"
	w.ClickUp.APIToken = "pk_1_yaml"
	w.ClickUp.APIBaseURL = "https://api.clickup.com/api/v2"
	w.ClickUp.WorkspaceID = "9012345"
	w.Sync.Schedule = "*/30 * * * *"
	w.Sync.StatePath = ""
	w.Sync.StateURL = "postgres://sync:yaml-pg-password@db.example:5432/sync"
	w.Sync.SecretsDir = "testdata/secrets"
	w.Okta.PrivateKey = "private-key-from-the-secrets-dir" // the one secret the file leaves to the directory
	w.Sync.MaxDeactivations = 25
	w.Sync.MaxDeactivationPercent = 12.5
	w.Sync.ProtectedUsers = []string{"owner@example.com", "81234567"}
	w.Sync.PushGroups = []string{"Engineering", "00g1design"}
	w.Sync.DeleteUnpushedTeams = true
	w.Sync.ListenAddr = "127.0.0.1:9090"
	w.Sync.TriggerToken = "yaml-trigger"
	w.Sync.UIToken = "yaml-ui-token"
	w.Sync.AllowEmptySource = true
	w.Sync.Retention = 30 * 24 * time.Hour
	w.Sync.RunTimeout = 5 * time.Minute
	w.Sync.RateLimitMaxWait = 90 * time.Second
	w.Sync.Concurrency = 8
	w.Sync.Events = "systemlog"
	w.Sync.EventsInterval = 30 * time.Second
	w.Sync.CapWindow = 2 * time.Hour
	w.Sync.EventHookSecret = "yaml-hook-secret"
	w.Log.Level = "debug"
	w.Log.Format = "console"
	return w
}

func TestParse_EveryKey(t *testing.T) {
	got, err := config.Parse(strings.NewReader(fullYAML))
	if err != nil {
		t.Fatal(err)
	}
	if want := fullYAMLWant(); !reflect.DeepEqual(got, want) {
		t.Errorf("got  %#v\nwant %#v", got, want)
	}
}

func TestLoad_YAMLFile(t *testing.T) {
	path := MustWriteFile(t, "config.yaml", fullYAML)
	got, err := config.Load(path, env{}.lookup)
	if err != nil {
		t.Fatal(err)
	}
	if want := fullYAMLWant(); !reflect.DeepEqual(got, want) {
		t.Errorf("got  %#v\nwant %#v", got, want)
	}
}

func TestLoad_MissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "absent.yaml")
	_, err := config.Load(path, env{}.lookup)
	assertErrContains(t, err, path)
}

// everyEnv sets every plain (non-_FILE) environment name; TestFixtures_CoverEverySetting keeps it
// complete.
var everyEnv = env{
	"OKTA_ORG_URL": "https://acme.okta.com", "OKTA_APP_ID": "0oa1", "OKTA_API_TOKEN": "tok",
	"OKTA_ROLE_ATTRIBUTE": "r", "OKTA_CUSTOM_ROLE_NAME_ATTRIBUTE": "n", "OKTA_CUSTOM_ROLE_ID_ATTRIBUTE": "i",
	"CLICKUP_SCIM_BASE_URL": "https://scim.example", "CLICKUP_SCIM_TOKEN": "st", "CLICKUP_SCIM_ROLE_SCHEMA": "urn:x",
	"CLICKUP_API_TOKEN": "pk", "CLICKUP_API_BASE_URL": "https://api.example/v2", "CLICKUP_WORKSPACE_ID": "42",
	"SYNC_SCHEDULE": "@hourly", "SYNC_STATE_PATH": "/tmp/s.db", "SYNC_MAX_DEACTIVATIONS": "3",
	"SYNC_MAX_DEACTIVATION_PERCENT": "2.5", "SYNC_PROTECTED_USERS": "a@example.com, 123",
	"SYNC_PUSH_GROUPS": "Eng,Ops", "SYNC_DELETE_UNPUSHED_TEAMS": "true", "SYNC_LISTEN_ADDR": ":9999",
	"SYNC_TRIGGER_TOKEN": "tt", "SYNC_ALLOW_INSECURE_HTTP": "1", "SYNC_ALLOW_EMPTY_SOURCE": "TRUE",
	"SYNC_RETENTION": "36h", "SYNC_RUN_TIMEOUT": "90s", "SYNC_CONCURRENCY": "16",
	"LOG_LEVEL": "WARN", "LOG_FORMAT": "console",
	"CLICKUP_SCIM_ROLE_ATTRIBUTE": "ra", "CLICKUP_SCIM_CUSTOM_ROLE_NAME_ATTRIBUTE": "rn",
	"CLICKUP_SCIM_CUSTOM_ROLE_ID_ATTRIBUTE": "ri", "SYNC_STATE_URL": "postgres://db.example/s",
	"SYNC_SECRETS_DIR": "testdata/secrets", "SYNC_UI_TOKEN": "ui", "SYNC_RATE_LIMIT_MAX_WAIT": "45s",
	"SYNC_EVENTS": "SystemLog", "SYNC_EVENTS_INTERVAL": "5s", "SYNC_CAP_WINDOW": "30m",
	"SYNC_EVENT_HOOK_SECRET": "hs", "OKTA_CLIENT_ID": "0oac", "OKTA_PRIVATE_KEY": "pem", "OKTA_PRIVATE_KEY_ID": "kid",
	"OKTA_SCOPES": "okta.apps.read okta.users.read",
}

// Each case starts from Default(), applies yaml (when set) and env, and expects Default() changed by
// want.
func TestLoad_Layers(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		env  env
		want func(c *config.Config)
	}{
		{
			name: "every plain environment name",
			env:  everyEnv,
			want: func(c *config.Config) {
				c.Okta.OrgURL, c.Okta.AppID, c.Okta.APIToken = "https://acme.okta.com", "0oa1", "tok"
				c.Okta.RoleAttribute, c.Okta.CustomRoleNameAttribute, c.Okta.CustomRoleIDAttribute = "r", "n", "i"
				c.ClickUp.SCIMBaseURL, c.ClickUp.SCIMToken, c.ClickUp.SCIMRoleSchema = "https://scim.example", "st", "urn:x"
				c.ClickUp.APIToken, c.ClickUp.APIBaseURL, c.ClickUp.WorkspaceID = "pk", "https://api.example/v2", "42"
				c.Sync.Schedule, c.Sync.StatePath, c.Sync.MaxDeactivations = "@hourly", "/tmp/s.db", 3
				c.Sync.MaxDeactivationPercent = 2.5
				c.Sync.ProtectedUsers = []string{"a@example.com", "123"}
				c.Sync.PushGroups = []string{"Eng", "Ops"}
				c.Sync.DeleteUnpushedTeams, c.Sync.ListenAddr, c.Sync.TriggerToken = true, ":9999", "tt"
				c.Sync.AllowInsecureHTTP, c.Sync.AllowEmptySource = true, true
				c.Sync.Retention, c.Sync.RunTimeout, c.Sync.Concurrency = 36*time.Hour, 90*time.Second, 16
				c.Log.Level, c.Log.Format = "warn", "console"
				c.ClickUp.SCIMRoleAttribute, c.ClickUp.SCIMCustomRoleNameAttribute, c.ClickUp.SCIMCustomRoleIDAttribute = "ra", "rn", "ri"
				c.Sync.StateURL, c.Sync.SecretsDir, c.Sync.UIToken = "postgres://db.example/s", "testdata/secrets", "ui"
				c.Sync.RateLimitMaxWait, c.Sync.Events = 45*time.Second, "systemlog"
				c.Sync.EventsInterval, c.Sync.CapWindow, c.Sync.EventHookSecret = 5*time.Second, 30*time.Minute, "hs"
				// OKTA_PRIVATE_KEY beats the file of the same secret in SYNC_SECRETS_DIR.
				c.Okta.ClientID, c.Okta.PrivateKey, c.Okta.PrivateKeyID = "0oac", "pem", "kid"
				c.Okta.Scopes = []string{"okta.apps.read", "okta.users.read"}
			},
		},
		{
			name: "environment overrides the file",
			yaml: "okta:\n  app_id: from-file\n  org_url: https://file.okta.com\nsync:\n  concurrency: 2\n  push_groups: [A, B]\n",
			env:  env{"OKTA_APP_ID": "from-env", "SYNC_CONCURRENCY": "7", "SYNC_PUSH_GROUPS": "C"},
			want: func(c *config.Config) {
				c.Okta.AppID, c.Okta.OrgURL = "from-env", "https://file.okta.com"
				c.Sync.Concurrency = 7
				c.Sync.PushGroups = []string{"C"}
			},
		},
		{
			name: "empty environment variable leaves the file's value",
			yaml: "okta:\n  app_id: from-file\nsync:\n  schedule: '@daily'\n",
			env:  env{"OKTA_APP_ID": "", "SYNC_SCHEDULE": "  "},
			want: func(c *config.Config) { c.Okta.AppID, c.Sync.Schedule = "from-file", "@daily" },
		},
		{
			name: "SYNC_STATE_PATH empty disables the store",
			env:  env{"SYNC_STATE_PATH": ""},
			want: func(c *config.Config) { c.Sync.StatePath = "" },
		},
		{
			name: "SYNC_STATE_PATH empty beats the file",
			yaml: "sync:\n  state_path: /data/x.db\n",
			env:  env{"SYNC_STATE_PATH": ""},
			want: func(c *config.Config) { c.Sync.StatePath = "" },
		},
		{
			name: "state_path empty in the file disables the store",
			yaml: "sync:\n  state_path: \"\"\n",
			want: func(c *config.Config) { c.Sync.StatePath = "" },
		},
		{
			name: "CLICKUP_SCIM_ROLE_SCHEMA empty means top level",
			env:  env{"CLICKUP_SCIM_ROLE_SCHEMA": ""},
			want: func(c *config.Config) { c.ClickUp.SCIMRoleSchema = "" },
		},
		{
			name: "scim_role_schema empty in the file means top level",
			yaml: "clickup:\n  scim_role_schema: ''\n",
			want: func(c *config.Config) { c.ClickUp.SCIMRoleSchema = "" },
		},
		{
			name: "retention in days",
			env:  env{"SYNC_RETENTION": "90d"},
			want: func(c *config.Config) { c.Sync.Retention = 90 * 24 * time.Hour },
		},
		{
			name: "retention in days in the file",
			yaml: "sync:\n  retention: 7d\n",
			want: func(c *config.Config) { c.Sync.Retention = 7 * 24 * time.Hour },
		},
		{
			name: "scopes comma- and space-separated",
			env:  env{"OKTA_SCOPES": "okta.apps.read okta.users.read,okta.groups.read"},
			want: func(c *config.Config) {
				c.Okta.Scopes = []string{"okta.apps.read", "okta.users.read", "okta.groups.read"}
			},
		},
		{
			name: "scopes as one string in the file",
			yaml: "okta:\n  scopes: okta.apps.read okta.users.read\n",
			want: func(c *config.Config) { c.Okta.Scopes = []string{"okta.apps.read", "okta.users.read"} },
		},
		{
			name: "OAuth without scopes gets the read scopes",
			env:  env{"OKTA_CLIENT_ID": "0oac"},
			want: func(c *config.Config) {
				c.Okta.ClientID = "0oac"
				c.Okta.Scopes = []string{"okta.apps.read", "okta.users.read"}
			},
		},
		{
			name: "OAuth with pushed groups adds okta.groups.read",
			env:  env{"OKTA_CLIENT_ID": "0oac", "SYNC_PUSH_GROUPS": "Eng"},
			want: func(c *config.Config) {
				c.Okta.ClientID = "0oac"
				c.Okta.Scopes = []string{"okta.apps.read", "okta.users.read", "okta.groups.read"}
				c.Sync.PushGroups = []string{"Eng"}
			},
		},
		{
			name: "API token mode gets no scopes",
			env:  env{"OKTA_API_TOKEN": "tok", "SYNC_PUSH_GROUPS": "Eng"},
			want: func(c *config.Config) {
				c.Okta.APIToken = "tok"
				c.Sync.PushGroups = []string{"Eng"}
			},
		},
		{
			name: "list entries trimmed, empty ones dropped",
			env:  env{"SYNC_PROTECTED_USERS": " a@example.com ,, b@example.com,"},
			want: func(c *config.Config) { c.Sync.ProtectedUsers = []string{"a@example.com", "b@example.com"} },
		},
		{
			name: "null section and null value keep defaults",
			yaml: "log:\nsync:\n  schedule:\n",
			want: func(c *config.Config) {},
		},
		{
			name: "aliases resolve",
			yaml: "okta:\n  app_id: &id shared\n  client_id: *id\n",
			want: func(c *config.Config) {
				c.Okta.AppID, c.Okta.ClientID = "shared", "shared"
				c.Okta.Scopes = config.DefaultScopes(false, false)
			},
		},
		{
			name: "empty file",
			yaml: "# nothing yet\n",
			want: func(c *config.Config) {},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := ""
			if tt.yaml != "" {
				path = MustWriteFile(t, "config.yaml", tt.yaml)
			}
			got, err := config.Load(path, tt.env.lookup)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			want := config.Default()
			tt.want(&want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %#v\nwant %#v", got, want)
			}
		})
	}
}

func TestLoad_SecretFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	lf := write("lf", "tok-lf\n")
	crlf := write("crlf", "tok-crlf\r\n")
	two := write("two", "tok-two\n\n")
	bare := write("bare", "tok-bare")
	pg := write("pg", "postgres://u:pw-in-file@db/s\n")
	missing := filepath.Join(dir, "missing")

	tests := []struct {
		name    string
		yaml    string
		env     env
		want    func(c *config.Config)
		wantErr []string
	}{
		{
			name: "every secret as NAME_FILE, one line ending trimmed",
			env: env{
				"OKTA_API_TOKEN_FILE": lf, "OKTA_PRIVATE_KEY_FILE": bare, "CLICKUP_SCIM_TOKEN_FILE": crlf,
				"CLICKUP_API_TOKEN_FILE": two, "SYNC_TRIGGER_TOKEN_FILE": bare, "SYNC_UI_TOKEN_FILE": lf,
				"SYNC_EVENT_HOOK_SECRET_FILE": crlf, "SYNC_STATE_URL_FILE": pg,
			},
			want: func(c *config.Config) {
				c.Okta.APIToken, c.Okta.PrivateKey, c.ClickUp.SCIMToken = "tok-lf", "tok-bare", "tok-crlf"
				c.ClickUp.APIToken, c.Sync.TriggerToken = "tok-two\n", "tok-bare"
				c.Sync.UIToken, c.Sync.EventHookSecret = "tok-lf", "tok-crlf"
				c.Sync.StateURL, c.Sync.StatePath = "postgres://u:pw-in-file@db/s", ""
				c.Okta.Scopes = config.DefaultScopes(false, false) // a private key selects OAuth
			},
		},
		{
			name: "every secret as a *_file key",
			yaml: "okta:\n  api_token_file: " + lf + "\n  private_key_file: " + bare + "\nclickup:\n  scim_token_file: " + crlf +
				"\n  api_token_file: " + bare + "\nsync:\n  trigger_token_file: " + lf + "\n  ui_token_file: " + bare +
				"\n  event_hook_secret_file: " + lf + "\n  state_url_file: " + pg + "\n",
			want: func(c *config.Config) {
				c.Okta.APIToken, c.Okta.PrivateKey, c.ClickUp.SCIMToken = "tok-lf", "tok-bare", "tok-crlf"
				c.ClickUp.APIToken, c.Sync.TriggerToken = "tok-bare", "tok-lf"
				c.Sync.UIToken, c.Sync.EventHookSecret = "tok-bare", "tok-lf"
				c.Sync.StateURL, c.Sync.StatePath = "postgres://u:pw-in-file@db/s", ""
				c.Okta.Scopes = config.DefaultScopes(false, false)
			},
		},
		{
			name: "NAME beats a *_file key, whose file is then not needed",
			yaml: "okta:\n  api_token_file: " + missing + "\n",
			env:  env{"OKTA_API_TOKEN": "from-env"},
			want: func(c *config.Config) { c.Okta.APIToken = "from-env" },
		},
		{
			name: "NAME_FILE beats an inline value in the file",
			yaml: "clickup:\n  scim_token: from-yaml\n",
			env:  env{"CLICKUP_SCIM_TOKEN_FILE": lf},
			want: func(c *config.Config) { c.ClickUp.SCIMToken = "tok-lf" },
		},
		{
			name: "empty NAME does not conflict with NAME_FILE",
			env:  env{"OKTA_API_TOKEN": "", "OKTA_API_TOKEN_FILE": lf},
			want: func(c *config.Config) { c.Okta.APIToken = "tok-lf" },
		},
		{
			name:    "NAME and NAME_FILE both set",
			env:     env{"OKTA_API_TOKEN": secretValue, "OKTA_API_TOKEN_FILE": lf},
			wantErr: []string{"OKTA_API_TOKEN", "OKTA_API_TOKEN_FILE", "okta.api_token"},
		},
		{
			name:    "inline and *_file both in the file",
			yaml:    "sync:\n  trigger_token: " + secretValue + "\n  trigger_token_file: " + lf + "\n",
			wantErr: []string{"sync.trigger_token", "sync.trigger_token_file", "line 2", "line 3"},
		},
		{
			name:    "missing file names the variable and the path",
			env:     env{"CLICKUP_SCIM_TOKEN_FILE": missing},
			wantErr: []string{"CLICKUP_SCIM_TOKEN_FILE", "clickup.scim_token_file", missing, "no such file"},
		},
		{
			name:    "missing file named in the YAML file names the key, the line and the path",
			yaml:    "okta:\n  app_id: x\n  private_key_file: " + missing + "\n",
			wantErr: []string{"okta.private_key_file", "OKTA_PRIVATE_KEY_FILE", ":3", missing},
		},
		{
			name:    "a directory is not a secret file",
			env:     env{"SYNC_TRIGGER_TOKEN_FILE": dir},
			wantErr: []string{"SYNC_TRIGGER_TOKEN_FILE", dir, "not a regular file"},
		},
		{
			name:    "an empty file is refused",
			env:     env{"CLICKUP_API_TOKEN_FILE": write("empty", "\n")},
			wantErr: []string{"CLICKUP_API_TOKEN_FILE", "is empty"},
		},
		{
			name:    "a huge file is refused without its content",
			env:     env{"OKTA_API_TOKEN_FILE": write("huge", secretValue+strings.Repeat("x", 70<<10))},
			wantErr: []string{"OKTA_API_TOKEN_FILE", "larger than"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := ""
			if tt.yaml != "" {
				path = MustWriteFile(t, "config.yaml", tt.yaml)
			}
			got, err := config.Load(path, tt.env.lookup)
			if tt.wantErr != nil {
				assertErrContains(t, err, tt.wantErr...)
				assertNoLeak(t, err.Error(), "tok-lf")
				return
			}
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			want := config.Default()
			tt.want(&want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %#v\nwant %#v", got.Secrets(), want.Secrets())
			}
		})
	}
}

func TestLoad_MalformedValues(t *testing.T) {
	tests := []struct {
		name string
		env  env
		want []string
	}{
		{"integer", env{"SYNC_MAX_DEACTIVATIONS": "ten"}, []string{"SYNC_MAX_DEACTIVATIONS", "sync.max_deactivations", `"ten"`}},
		{"float", env{"SYNC_MAX_DEACTIVATION_PERCENT": "5%"}, []string{"SYNC_MAX_DEACTIVATION_PERCENT", `"5%"`}},
		{"NaN", env{"SYNC_MAX_DEACTIVATION_PERCENT": "NaN"}, []string{"SYNC_MAX_DEACTIVATION_PERCENT", `"NaN"`}},
		{"bool", env{"SYNC_ALLOW_EMPTY_SOURCE": "yes please"}, []string{"SYNC_ALLOW_EMPTY_SOURCE", `"yes please"`}},
		{"duration", env{"SYNC_RUN_TIMEOUT": "10 minutes"}, []string{"SYNC_RUN_TIMEOUT", `"10 minutes"`}},
		{"fractional days", env{"SYNC_RETENTION": "1.5d"}, []string{"SYNC_RETENTION", `"1.5d"`}},
		{"days overflow", env{"SYNC_RETENTION": "999999999999d"}, []string{"SYNC_RETENTION"}},
		{
			"every problem at once",
			env{"SYNC_CONCURRENCY": "many", "SYNC_DELETE_UNPUSHED_TEAMS": "maybe", "SYNC_RETENTION": "forever"},
			[]string{"SYNC_CONCURRENCY", `"many"`, "SYNC_DELETE_UNPUSHED_TEAMS", `"maybe"`, "SYNC_RETENTION", `"forever"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Load("", tt.env.lookup)
			assertErrContains(t, err, tt.want...)
		})
	}
}

func TestParse_Errors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{"unknown key in a section", "okta:\n  org_url: https://a.okta.com\n  org_ur: x\n", []string{"line 3", "okta.org_ur", "unknown key", "did you mean okta.org_url"}},
		{"unknown section", "slack:\n  token: x\n", []string{"line 1", "slack", "unknown key"}},
		{"setting outside its section", "org_url: https://a.okta.com\n", []string{"line 1", "org_url", "okta.org_url"}},
		{"setting in the wrong section", "sync:\n  api_token_file: /x\n", []string{"line 2", "sync.api_token_file", "okta.api_token_file or clickup.api_token_file"}},
		{"environment name in the file", "sync:\n  SYNC_SCHEDULE: '@daily'\n", []string{"line 2", "sync.schedule"}},
		{"every unknown key at once", "okta:\n  foo: 1\nclickup:\n  bar: 2\n", []string{"line 2", "okta.foo", "line 4", "clickup.bar"}},
		{"bad integer names key, env and value", "sync:\n  max_deactivations: ten\n", []string{"line 2", "sync.max_deactivations", "SYNC_MAX_DEACTIVATIONS", `"ten"`}},
		{"bad bool", "sync:\n  allow_insecure_http: yes\n", []string{"sync.allow_insecure_http", `"yes"`}},
		{"bad duration", "sync:\n  run_timeout: soon\n", []string{"sync.run_timeout", `"soon"`}},
		{"list given one value", "sync:\n  push_groups: Engineering\n", []string{"sync.push_groups", "must be a list"}},
		{"mapping for a value", "okta:\n  app_id: {a: b}\n", []string{"okta.app_id", "single value"}},
		{"section not a mapping", "okta: [a, b]\n", []string{"okta", "mapping"}},
		{"top level not a mapping", "- okta\n", []string{"mapping"}},
		{"key set twice", "log:\n  level: info\n  level: debug\n", []string{"line 3", "log.level", "twice", "line 2"}},
		{"section set twice", "log: {}\nlog: {}\n", []string{"line 2", "log", "twice"}},
		{"null state_path is ambiguous", "sync:\n  state_path:\n", []string{"sync.state_path", `""`}},
		{"null scim_role_schema is ambiguous", "clickup:\n  scim_role_schema: ~\n", []string{"clickup.scim_role_schema"}},
		{"second document", "log: {}\n---\nlog: {}\n", []string{"second document"}},
		{"syntax error", "okta:\n  org_url: [\n", []string{"yaml"}},
		{"list entry not a value", "sync:\n  protected_users:\n    - {a: b}\n", []string{"sync.protected_users", "line 3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Parse(strings.NewReader(tt.yaml))
			assertErrContains(t, err, tt.want...)
		})
	}
}

func TestLoad_FileErrorsNameThePath(t *testing.T) {
	path := MustWriteFile(t, "ocs.yaml", "sync:\n  concurrency: lots\n")
	_, err := config.Load(path, env{}.lookup)
	assertErrContains(t, err, path+":2", "sync.concurrency", "SYNC_CONCURRENCY", `"lots"`)
	ses := settingErrors(err)
	if len(ses) != 1 || ses[0].Env != "SYNC_CONCURRENCY" || ses[0].Key != "sync.concurrency" {
		t.Errorf("setting errors = %+v", ses)
	}
}

func TestLoad_ParseAndEnvErrorsTogether(t *testing.T) {
	path := MustWriteFile(t, "ocs.yaml", "sync:\n  bogus: 1\n")
	_, err := config.Load(path, env{"LOG_FORMAT": "", "SYNC_CONCURRENCY": "x", "OKTA_API_TOKEN_FILE": "/nonexistent/tok"}.lookup)
	assertErrContains(t, err, "sync.bogus", "SYNC_CONCURRENCY", "OKTA_API_TOKEN_FILE", "/nonexistent/tok")
}
