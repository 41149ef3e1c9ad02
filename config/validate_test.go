package config_test

import (
	"crypto/rand"
	"crypto/rsa"
	"math"
	"strings"
	"testing"

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
			c.Okta.Scopes = config.DefaultScopes(false)
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
			c.Okta.Scopes = config.DefaultScopes(false)
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
		{"token with a trailing newline", func(c *config.Config) { c.ClickUp.SCIMToken = secretValue + "\n" }, []string{"CLICKUP_SCIM_TOKEN", "whitespace"}},
		{"empty role attribute", func(c *config.Config) { c.Okta.RoleAttribute = "" }, []string{"OKTA_ROLE_ATTRIBUTE"}},
		{"top-level role attributes are valid", func(c *config.Config) { c.ClickUp.SCIMRoleSchema = "" }, nil},
		{"store disabled is valid", func(c *config.Config) { c.Sync.StatePath = "" }, nil},
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
