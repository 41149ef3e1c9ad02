package config_test

import (
	"crypto/rand"
	"crypto/rsa"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/okta-clickup-sync/okta-clickup-sync/config"
)

func TestValidate_ReportsEveryMissingRequiredSetting(t *testing.T) {
	err := config.Default().Validate()
	want := []string{"OKTA_ORG_URL", "OKTA_APP_ID", "CLICKUP_SCIM_BASE_URL", "CLICKUP_SCIM_TOKEN", "OKTA_API_TOKEN"}
	assertErrContains(t, err, want...)
	assertErrContains(t, err, "okta.org_url", "okta.app_id", "clickup.scim_base_url", "clickup.scim_token")
	if n := len(settingErrors(err)); n != len(want) {
		t.Errorf("got %d setting errors, want %d:\n%v", n, len(want), err)
	}
}

func TestValidate(t *testing.T) {
	pkcs8 := MustRSAKeyPEM(t, true)
	pkcs1 := MustRSAKeyPEM(t, false)
	oauth := func(key string) func(c *config.Config) {
		return func(c *config.Config) {
			c.Okta.APIToken = ""
			c.Okta.ClientID = "0oaclient"
			c.Okta.PrivateKey = config.Secret(key)
			c.Okta.PrivateKeyID = "kid"
			c.Okta.Scopes = config.DefaultScopes(false, false)
		}
	}
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name   string
		mutate func(c *config.Config)
		want   []string // nil: valid
	}{
		{"valid", func(c *config.Config) {}, nil},
		{"http URL refused", func(c *config.Config) { c.Okta.OrgURL = "http://acme.okta.com" }, []string{"OKTA_ORG_URL", "https", "SYNC_ALLOW_INSECURE_HTTP"}},
		{"http loopback refused without the flag", func(c *config.Config) { c.ClickUp.SCIMBaseURL = "http://127.0.0.1:8081/scim" }, []string{"CLICKUP_SCIM_BASE_URL", "https"}},
		{"http 127.0.0.1 allowed with the flag", func(c *config.Config) {
			c.Sync.AllowInsecureHTTP = true
			c.Okta.OrgURL = "http://127.0.0.1:8080"
		}, nil},
		{"http [::1] and localhost allowed with the flag", func(c *config.Config) {
			c.Sync.AllowInsecureHTTP = true
			c.ClickUp.SCIMBaseURL = "http://[::1]:9000/scim/v2"
			c.ClickUp.APIBaseURL = "http://localhost:9001/api/v2"
		}, nil},
		{"http non-loopback refused even with the flag", func(c *config.Config) {
			c.Sync.AllowInsecureHTTP = true
			c.ClickUp.APIBaseURL = "http://api.clickup.com/api/v2"
		}, []string{"CLICKUP_API_BASE_URL", "loopback", `"api.clickup.com"`}},
		{"http to a name that merely starts with 127 refused", func(c *config.Config) {
			c.Sync.AllowInsecureHTTP = true
			c.ClickUp.SCIMBaseURL = "http://127.0.0.1.example.com/scim"
		}, []string{"CLICKUP_SCIM_BASE_URL", "loopback"}},
		{"other scheme refused", func(c *config.Config) { c.ClickUp.SCIMBaseURL = "ftp://scim.example" }, []string{"CLICKUP_SCIM_BASE_URL", `"ftp"`}},
		{"relative URL refused", func(c *config.Config) { c.Okta.OrgURL = "acme.okta.com" }, []string{"OKTA_ORG_URL", "absolute", `"acme.okta.com"`}},
		{"unparseable URL refused", func(c *config.Config) { c.Okta.OrgURL = "https://acme okta.com" }, []string{"OKTA_ORG_URL", "not a valid URL"}},
		{"URL with userinfo refused", func(c *config.Config) {
			c.ClickUp.SCIMBaseURL = "https://admin:" + secretValue + "@scim.example/v2"
		}, []string{"CLICKUP_SCIM_BASE_URL", "credentials"}},
		{"URL with a user name only refused", func(c *config.Config) {
			c.Okta.OrgURL = "https://" + secretValue + "@acme.okta.com"
		}, []string{"OKTA_ORG_URL", "credentials"}},
		{"URL with a query refused", func(c *config.Config) {
			c.ClickUp.APIBaseURL = "https://api.clickup.com/api/v2?token=" + secretValue
		}, []string{"CLICKUP_API_BASE_URL", "query"}},
		{"admin org URL refused", func(c *config.Config) { c.Okta.OrgURL = "https://acme-admin.okta.com" }, []string{"OKTA_ORG_URL", "Admin", "https://acme.okta.com"}},
		{"org URL with a path refused", func(c *config.Config) { c.Okta.OrgURL = "https://acme.okta.com/api/v1" }, []string{"OKTA_ORG_URL", "path"}},
		{"org URL with a trailing slash accepted", func(c *config.Config) { c.Okta.OrgURL = "https://acme.okta.com/" }, nil},
		{"API token requires a workspace id", func(c *config.Config) { c.ClickUp.APIToken = "pk_1" }, []string{"CLICKUP_WORKSPACE_ID", "CLICKUP_API_TOKEN"}},
		{"API token with workspace id", func(c *config.Config) { c.ClickUp.APIToken, c.ClickUp.WorkspaceID = "pk_1", "9012345" }, nil},
		{"OAuth with a PKCS#8 key", oauth(pkcs8), nil},
		{"OAuth with a PKCS#1 key", oauth(pkcs1), nil},
		{"garbage key refused", oauth(secretValue), []string{"OKTA_PRIVATE_KEY", "PEM"}},
		{"key with escaped line breaks gets a hint", oauth(strings.ReplaceAll(pkcs8, "\n", `\n`)), []string{"OKTA_PRIVATE_KEY", `\n`, "OKTA_PRIVATE_KEY_FILE"}},
		{"EC key refused", oauth(MustECKeyPEM(t)), []string{"OKTA_PRIVATE_KEY", "ECDSA", "RSA"}},
		{"1024-bit key refused", oauth(encodeKey(t, small, true)), []string{"OKTA_PRIVATE_KEY", "1024", "2048"}},
		{"public key refused", oauth("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"), []string{"OKTA_PRIVATE_KEY", "public key"}},
		{"damaged key refused", oauth("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n"), []string{"OKTA_PRIVATE_KEY", "PKCS#1"}},
		{"encrypted key refused", oauth("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n"), []string{"OKTA_PRIVATE_KEY", "encrypted"}},
		{"token and OAuth both set", func(c *config.Config) {
			oauth(pkcs8)(c)
			c.Okta.APIToken = "okta-token-123"
		}, []string{"OKTA_API_TOKEN", "OKTA_CLIENT_ID", "one way"}},
		{"partial OAuth names the missing pieces", func(c *config.Config) {
			c.Okta.APIToken = ""
			c.Okta.ClientID = "0oaclient"
			c.Okta.Scopes = config.DefaultScopes(false, false)
		}, []string{"OKTA_PRIVATE_KEY (okta.private_key): required", "OKTA_PRIVATE_KEY_ID (okta.private_key_id): required"}},
		{"OAuth without scopes", func(c *config.Config) {
			oauth(pkcs8)(c)
			c.Okta.Scopes = nil
		}, []string{"OKTA_SCOPES", "required"}},
		{"blank scope", func(c *config.Config) {
			oauth(pkcs8)(c)
			c.Okta.Scopes = []string{"okta.apps.read", " "}
		}, []string{"OKTA_SCOPES", "entry 2"}},
		{"no Okta credentials", func(c *config.Config) { c.Okta.APIToken = "" }, []string{"OKTA_API_TOKEN", "OKTA_CLIENT_ID"}},
		{"bad schedule names the value", func(c *config.Config) { c.Sync.Schedule = "every quarter hour" }, []string{"SYNC_SCHEDULE", `"every quarter hour"`}},
		{"six-field schedule refused", func(c *config.Config) { c.Sync.Schedule = "0 */15 * * * *" }, []string{"SYNC_SCHEDULE", `"0 */15 * * * *"`}},
		{"time zone without schedule refused, not a panic", func(c *config.Config) { c.Sync.Schedule = "CRON_TZ=UTC" }, []string{"SYNC_SCHEDULE", "CRON_TZ=UTC"}},
		{"sub-second @every refused", func(c *config.Config) { c.Sync.Schedule = "@every 100ms" }, []string{"SYNC_SCHEDULE", "1s"}},
		{"cron spec with time zone", func(c *config.Config) { c.Sync.Schedule = "CRON_TZ=UTC 0 3 * * *" }, nil},
		{"descriptor", func(c *config.Config) { c.Sync.Schedule = "@hourly" }, nil},
		{"negative max deactivations", func(c *config.Config) { c.Sync.MaxDeactivations = -1 }, []string{"SYNC_MAX_DEACTIVATIONS", "-1"}},
		{"zero max deactivations", func(c *config.Config) { c.Sync.MaxDeactivations = 0 }, nil},
		{"percent above 100", func(c *config.Config) { c.Sync.MaxDeactivationPercent = 100.5 }, []string{"SYNC_MAX_DEACTIVATION_PERCENT", "100.5"}},
		{"percent below 0", func(c *config.Config) { c.Sync.MaxDeactivationPercent = -1 }, []string{"SYNC_MAX_DEACTIVATION_PERCENT"}},
		{"percent NaN", func(c *config.Config) { c.Sync.MaxDeactivationPercent = math.NaN() }, []string{"SYNC_MAX_DEACTIVATION_PERCENT"}},
		{"percent bounds included", func(c *config.Config) { c.Sync.MaxDeactivationPercent = 100 }, nil},
		{"concurrency 0", func(c *config.Config) { c.Sync.Concurrency = 0 }, []string{"SYNC_CONCURRENCY", "1 and 64"}},
		{"concurrency 65", func(c *config.Config) { c.Sync.Concurrency = 65 }, []string{"SYNC_CONCURRENCY"}},
		{"concurrency 64", func(c *config.Config) { c.Sync.Concurrency = 64 }, nil},
		{"zero retention", func(c *config.Config) { c.Sync.Retention = 0 }, []string{"SYNC_RETENTION"}},
		{"negative run timeout", func(c *config.Config) { c.Sync.RunTimeout = -1 }, []string{"SYNC_RUN_TIMEOUT"}},
		{"log level", func(c *config.Config) { c.Log.Level = "verbose" }, []string{"LOG_LEVEL", `"verbose"`}},
		{"log format", func(c *config.Config) { c.Log.Format = "text" }, []string{"LOG_FORMAT", `"text"`}},
		{"every log level", func(c *config.Config) { c.Log.Level = "trace" }, nil},
		{"blank protected user", func(c *config.Config) { c.Sync.ProtectedUsers = []string{"a@example.com", "  "} }, []string{"SYNC_PROTECTED_USERS", "entry 2"}},
		{"blank push group", func(c *config.Config) { c.Sync.PushGroups = []string{""} }, []string{"SYNC_PUSH_GROUPS", "entry 1"}},
		{"push group listed twice", func(c *config.Config) { c.Sync.PushGroups = []string{"Eng", "Eng"} }, []string{"SYNC_PUSH_GROUPS", `"Eng"`, "twice"}},
		{"listen address without port", func(c *config.Config) { c.Sync.ListenAddr = "8080" }, []string{"SYNC_LISTEN_ADDR", `"8080"`}},
		{"token in double quotes", func(c *config.Config) { c.ClickUp.SCIMToken = config.Secret(`"` + secretValue + `"`) }, []string{"CLICKUP_SCIM_TOKEN", "quotes"}},
		{"token in single quotes", func(c *config.Config) { c.Okta.APIToken = config.Secret("'" + secretValue + "'") }, []string{"OKTA_API_TOKEN", "quotes"}},
		{"token with a trailing newline", func(c *config.Config) { c.ClickUp.SCIMToken = secretValue + "\n" }, []string{"CLICKUP_SCIM_TOKEN", "whitespace"}},
		{"empty role attribute", func(c *config.Config) { c.Okta.RoleAttribute = "" }, []string{"OKTA_ROLE_ATTRIBUTE"}},
		{"top-level role attributes are valid", func(c *config.Config) { c.ClickUp.SCIMRoleSchema = "" }, nil},
		{"store disabled is valid", func(c *config.Config) { c.Sync.StatePath = "" }, nil},
		{"rate-limit wait zero", func(c *config.Config) { c.Sync.RateLimitMaxWait = 0 }, []string{"SYNC_RATE_LIMIT_MAX_WAIT (sync.rate_limit_max_wait)", "more than zero"}},
		{"rate-limit wait negative", func(c *config.Config) { c.Sync.RateLimitMaxWait = -time.Second }, []string{"SYNC_RATE_LIMIT_MAX_WAIT"}},
		{"role schema auto", func(c *config.Config) { c.ClickUp.SCIMRoleSchema = "auto" }, nil},
		{"role schema URN in any case", func(c *config.Config) { c.ClickUp.SCIMRoleSchema = "URN:example:Role" }, nil},
		{"role schema not a URN", func(c *config.Config) { c.ClickUp.SCIMRoleSchema = "clickup" }, []string{"CLICKUP_SCIM_ROLE_SCHEMA (clickup.scim_role_schema)", `"clickup"`, "auto", "urn:"}},
		{"role schema with a space", func(c *config.Config) { c.ClickUp.SCIMRoleSchema = "urn:a b" }, []string{"CLICKUP_SCIM_ROLE_SCHEMA"}},
		{"role schema bare prefix", func(c *config.Config) { c.ClickUp.SCIMRoleSchema = "urn:" }, []string{"CLICKUP_SCIM_ROLE_SCHEMA"}},
		{"SCIM attribute names with - and _", func(c *config.Config) {
			c.ClickUp.SCIMRoleAttribute, c.ClickUp.SCIMCustomRoleIDAttribute = "clickup_role", "custom-role-id2"
		}, nil},
		{"SCIM attribute starting with a digit", func(c *config.Config) { c.ClickUp.SCIMRoleAttribute = "1role" }, []string{"CLICKUP_SCIM_ROLE_ATTRIBUTE (clickup.scim_role_attribute)", `"1role"`}},
		{"SCIM attribute with its URN", func(c *config.Config) {
			c.ClickUp.SCIMCustomRoleNameAttribute = "urn:ietf:params:scim:schemas:extension:clickup:2.0:User:customRoleName"
		}, []string{"CLICKUP_SCIM_CUSTOM_ROLE_NAME_ATTRIBUTE", "bare", "CLICKUP_SCIM_ROLE_SCHEMA"}},
		{"SCIM attribute with a dot", func(c *config.Config) { c.ClickUp.SCIMCustomRoleIDAttribute = "role.id" }, []string{"CLICKUP_SCIM_CUSTOM_ROLE_ID_ATTRIBUTE", "bare"}},
		{"SCIM attribute empty", func(c *config.Config) { c.ClickUp.SCIMCustomRoleIDAttribute = "" }, []string{"CLICKUP_SCIM_CUSTOM_ROLE_ID_ATTRIBUTE", "required"}},
		{"SCIM attribute non-ASCII", func(c *config.Config) { c.ClickUp.SCIMRoleAttribute = "rôle" }, []string{"CLICKUP_SCIM_ROLE_ATTRIBUTE"}},
		{"two SCIM attributes the same but for case", func(c *config.Config) {
			c.ClickUp.SCIMRoleAttribute, c.ClickUp.SCIMCustomRoleNameAttribute = "role", "Role"
		}, []string{"CLICKUP_SCIM_CUSTOM_ROLE_NAME_ATTRIBUTE", "CLICKUP_SCIM_ROLE_ATTRIBUTE", "same attribute"}},
		{"two Okta attributes the same", func(c *config.Config) {
			c.Okta.CustomRoleNameAttribute, c.Okta.CustomRoleIDAttribute = "cr", "cr"
		}, []string{"OKTA_CUSTOM_ROLE_ID_ATTRIBUTE", "OKTA_CUSTOM_ROLE_NAME_ATTRIBUTE", "same attribute"}},
		{"events systemlog with the store", func(c *config.Config) { c.Sync.Events = "systemlog" }, nil},
		{"events unknown", func(c *config.Config) { c.Sync.Events = "webhook" }, []string{"SYNC_EVENTS (sync.events)", "off or systemlog", `"webhook"`}},
		{"events without a store", func(c *config.Config) {
			c.Sync.Events, c.Sync.StatePath = "systemlog", ""
		}, []string{"SYNC_EVENTS", "store", "SYNC_STATE_PATH", "SYNC_STATE_URL"}},
		{"events with the PostgreSQL store", func(c *config.Config) {
			c.Sync.Events, c.Sync.StatePath, c.Sync.StateURL = "systemlog", "", "postgres://db/s"
		}, nil},
		{"events interval below a second", func(c *config.Config) { c.Sync.EventsInterval = 500 * time.Millisecond }, []string{"SYNC_EVENTS_INTERVAL (sync.events_interval)", "1s"}},
		{"events interval of a second", func(c *config.Config) { c.Sync.EventsInterval = time.Second }, nil},
		{"cap window zero", func(c *config.Config) { c.Sync.CapWindow = 0 }, []string{"SYNC_CAP_WINDOW (sync.cap_window)"}},
		{"hook secret with events", func(c *config.Config) {
			c.Sync.Events, c.Sync.EventHookSecret = "systemlog", "hook-secret-0123456789"
		}, nil},
		{"hook secret without events", func(c *config.Config) { c.Sync.EventHookSecret = "hook-secret-0123456789" }, []string{"SYNC_EVENT_HOOK_SECRET (sync.event_hook_secret)", "SYNC_EVENTS=systemlog"}},
		{"hook secret short", func(c *config.Config) {
			c.Sync.Events, c.Sync.EventHookSecret = "systemlog", "short-hook"
		}, []string{"SYNC_EVENT_HOOK_SECRET", "10 characters", "at least 16"}},
		{"UI token of 16 characters", func(c *config.Config) { c.Sync.UIToken = "0123456789abcdef" }, nil},
		{"UI token of 15 characters", func(c *config.Config) { c.Sync.UIToken = "0123456789abcde" }, []string{"SYNC_UI_TOKEN (sync.ui_token)", "15 characters", "openssl rand"}},
		{"trigger token short", func(c *config.Config) { c.Sync.TriggerToken = "short-tok" }, []string{"SYNC_TRIGGER_TOKEN (sync.trigger_token)", "at least 16"}},
		{"trigger token with a newline", func(c *config.Config) { c.Sync.TriggerToken = "trigger-token-0123456789\n" }, []string{"SYNC_TRIGGER_TOKEN", "whitespace"}},
		{"UI and trigger tokens the same", func(c *config.Config) {
			c.Sync.UIToken, c.Sync.TriggerToken = "shared-token-0123456789", "shared-token-0123456789"
		}, []string{"SYNC_UI_TOKEN", "same value as SYNC_TRIGGER_TOKEN"}},
		{"state URL", func(c *config.Config) { c.Sync.StatePath, c.Sync.StateURL = "", "postgresql://sync:pw@db:5432/sync" }, nil},
		{"state URL to a Unix socket", func(c *config.Config) {
			c.Sync.StatePath, c.Sync.StateURL = "", "postgres:///sync?host=/run/postgresql"
		}, nil},
		{"state URL beside a state path", func(c *config.Config) { c.Sync.StateURL = "postgres://db/s" }, []string{"SYNC_STATE_URL", "SYNC_STATE_PATH (sync.state_path)"}},
		{"log format auto", func(c *config.Config) { c.Log.Format = "auto" }, nil},
		{"OAuth scopes lacking the groups scope", func(c *config.Config) {
			oauth(pkcs8)(c)
			c.Sync.PushGroups = []string{"Eng"}
		}, []string{"OKTA_SCOPES", "okta.groups.read", "SYNC_PUSH_GROUPS"}},
		{"OAuth scopes lacking the logs scope", func(c *config.Config) {
			oauth(pkcs8)(c)
			c.Sync.Events = "systemlog"
		}, []string{"OKTA_SCOPES", "okta.logs.read", "SYNC_EVENTS"}},
		{"OAuth scopes for groups and events", func(c *config.Config) {
			oauth(pkcs8)(c)
			c.Sync.Events, c.Sync.PushGroups = "systemlog", []string{"Eng"}
			c.Okta.Scopes = config.DefaultScopes(true, true)
		}, nil},
		{"sample app id", func(c *config.Config) { c.Okta.AppID = "0oaREPLACEME" }, []string{"OKTA_APP_ID", "placeholder", `"0oaREPLACEME"`}},
		{"sample SCIM base URL", func(c *config.Config) {
			c.ClickUp.SCIMBaseURL = "https://api.clickup.com/scim/v2/REPLACEME"
		}, []string{"CLICKUP_SCIM_BASE_URL", "placeholder"}},
		{"sample protected user", func(c *config.Config) { c.Sync.ProtectedUsers = []string{"a@example.com", "changeme@example.com"} }, []string{"SYNC_PROTECTED_USERS", "entry 2", "placeholder"}},
		{
			"all problems at once",
			func(c *config.Config) {
				c.Okta.OrgURL = "http://acme.okta.com"
				c.Sync.Concurrency = 0
				c.Log.Level = "loud"
				c.Sync.Schedule = "nope"
			},
			[]string{"OKTA_ORG_URL", "SYNC_CONCURRENCY", "LOG_LEVEL", "SYNC_SCHEDULE"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validConfig()
			tt.mutate(&c)
			err := c.Validate()
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			assertErrContains(t, err, tt.want...)
			assertNoLeak(t, err.Error(), c.Secrets()...)
			if ses := settingErrors(err); len(ses) == 0 {
				t.Errorf("want *SettingError values, got %T", err)
			}
		})
	}
}

// A secret must not reach an error wherever it is put, including into the wrong setting.
func TestErrors_NeverContainSecrets(t *testing.T) {
	t.Run("Load", func(t *testing.T) {
		tests := []struct {
			name string
			yaml string
			env  env
		}{
			{"NAME and NAME_FILE", "", env{"CLICKUP_API_TOKEN": secretValue, "CLICKUP_API_TOKEN_FILE": "/x"}},
			{"secret as a mapping in the file", "okta:\n  api_token: {value: " + secretValue + "}\n", nil},
			{"secret as a list in the file", "clickup:\n  scim_token: [" + secretValue + "]\n", nil},
			{"secret pasted into a number", "", env{"OKTA_API_TOKEN": secretValue, "SYNC_CONCURRENCY": secretValue}},
			{"secret pasted into a number in the file", "sync:\n  trigger_token: " + secretValue + "\n  max_deactivations: " + secretValue + "\n", nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				path := ""
				if tt.yaml != "" {
					path = MustWriteFile(t, "c.yaml", tt.yaml)
				}
				_, err := config.Load(path, tt.env.lookup)
				if err == nil {
					t.Fatal("want an error")
				}
				assertNoLeak(t, err.Error())
			})
		}
	})
	t.Run("Validate", func(t *testing.T) {
		tests := []struct {
			name   string
			mutate func(c *config.Config)
		}{
			{"garbage private key", func(c *config.Config) {
				c.Okta.APIToken = ""
				c.Okta.ClientID, c.Okta.PrivateKeyID = "0oa", "kid"
				c.Okta.PrivateKey = secretValue
			}},
			{"password in a URL", func(c *config.Config) { c.Okta.OrgURL = "https://user:" + secretValue + "@acme.okta.com" }},
			{"password in a URL without scheme", func(c *config.Config) { c.Okta.OrgURL = "user:" + secretValue + "@acme.okta.com" }},
			{"password in a broken URL", func(c *config.Config) { c.Okta.OrgURL = "https://user:" + secretValue + "@acme okta.com" }},
			{"token in a query", func(c *config.Config) { c.ClickUp.SCIMBaseURL = "http://10.0.0.1/scim?t=" + secretValue }},
			{"token pasted as the schedule", func(c *config.Config) {
				c.Sync.TriggerToken = secretValue
				c.Sync.Schedule = secretValue
			}},
			{"token pasted as a log level", func(c *config.Config) {
				c.ClickUp.SCIMToken = secretValue
				c.Log.Level = secretValue
			}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				c := validConfig()
				tt.mutate(&c)
				err := c.Validate()
				if err == nil {
					t.Fatal("want an error")
				}
				assertNoLeak(t, err.Error(), c.Secrets()...)
			})
		}
	})
}

// A placeholder in any secret is refused, naming the setting and never repeating the value.
func TestValidate_RefusesPlaceholderSecrets(t *testing.T) {
	placeholders := []string{
		"REPLACEME", "replaceme", " REPLACEME ", `"REPLACEME"`, "'CHANGEME'", "changeme", "Change-Me",
		"xxx", "XXXXXXXXXXXXXXXX", "****", "...", "<token>", "<your SCIM token>", "TODO", "todo",
		"your-token-here", "YOUR_SCIM_TOKEN_HERE", "${CLICKUP_SCIM_TOKEN}", "$CLICKUP_SCIM_TOKEN",
		"$(cat /run/secrets/token)", "{{ .Values.scimToken }}", `""`, "null", "none", "FIXME",
		"REPLACEME-with-the-real-token", "pk_REPLACEME",
	}
	secrets := map[string]func(c *config.Config, v string){
		"OKTA_API_TOKEN":     func(c *config.Config, v string) { c.Okta.APIToken = config.Secret(v) },
		"CLICKUP_SCIM_TOKEN": func(c *config.Config, v string) { c.ClickUp.SCIMToken = config.Secret(v) },
		"CLICKUP_API_TOKEN":  func(c *config.Config, v string) { c.ClickUp.APIToken, c.ClickUp.WorkspaceID = config.Secret(v), "1" },
		"SYNC_TRIGGER_TOKEN": func(c *config.Config, v string) { c.Sync.TriggerToken = config.Secret(v) },
		"SYNC_UI_TOKEN":      func(c *config.Config, v string) { c.Sync.UIToken = config.Secret(v) },
		"SYNC_EVENT_HOOK_SECRET": func(c *config.Config, v string) {
			c.Sync.Events, c.Sync.EventHookSecret = "systemlog", config.Secret(v)
		},
		"SYNC_STATE_URL": func(c *config.Config, v string) {
			c.Sync.StatePath, c.Sync.StateURL = "", config.Secret(v)
		},
	}
	for env, set := range secrets {
		for _, p := range placeholders {
			t.Run(env+"="+p, func(t *testing.T) {
				c := validConfig()
				set(&c, p)
				err := c.Validate()
				assertErrContains(t, err, env, "placeholder")
				if strings.Contains(err.Error(), p) {
					t.Errorf("the error repeats the value %q:\n%v", p, err)
				}
				// The placeholder is the one complaint about the value (not also "too short").
				for _, se := range settingErrors(err) {
					if se.Env == env && !strings.Contains(se.Problem, "placeholder") {
						t.Errorf("second complaint: %v", se)
					}
				}
			})
		}
	}
}

// Real-looking credentials are not placeholders, including ones that contain a short placeholder
// word by chance.
func TestValidate_AcceptsRealSecrets(t *testing.T) {
	for _, v := range []string{
		"00aBcD1234efGH5678ijKL9012mnOP3456qrST7890",  // SSWS shape
		"pk_81234567_TODOXYZ0123456789ABCDEFGHIJKLMN", // contains TODO
		"4f9c2b7e1a6d3c8b5e0f7a2d9c4b1e6a",
		"xoxo-token-not-a-mask-0123",
		"tokenized-value-0123456789",
		"MyOwnPassword-2026-0123456789",
	} {
		c := validConfig()
		c.ClickUp.SCIMToken = config.Secret(v)
		c.Sync.UIToken = config.Secret(v + "-ui")
		if err := c.Validate(); err != nil {
			t.Errorf("%q refused: %v", v, err)
		}
	}
}
