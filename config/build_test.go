package config_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/okta-clickup-sync/okta-clickup-sync/config"
)

// The fixtures that claim to set every setting must keep doing so as settings are added.
func TestFixtures_CoverEverySetting(t *testing.T) {
	envs, keys, _ := config.SettingNames()
	var doc map[string]map[string]any
	if err := yaml.Unmarshal([]byte(fullYAML), &doc); err != nil {
		t.Fatal(err)
	}
	for i, k := range keys {
		section, leaf, _ := strings.Cut(k, ".")
		// fullYAML authenticates to Okta with OAuth, its private key from the secrets directory;
		// the API token is the other way, which TestLoad_SecretFiles covers.
		if _, ok := doc[section][leaf]; !ok && k != "okta.private_key" && k != "okta.api_token" {
			t.Errorf("fullYAML lacks %s", k)
		}
		if _, ok := everyEnv[envs[i]]; !ok {
			t.Errorf("everyEnv lacks %s", envs[i])
		}
	}
}

// validEnv is an environment Build accepts, to which cases add one problem or feature.
func validEnv() env {
	return env{
		"OKTA_ORG_URL": "https://acme.okta.com", "OKTA_APP_ID": "0oa1clickup", "OKTA_API_TOKEN": "00okta-api-token",
		"CLICKUP_SCIM_BASE_URL": "https://api.clickup.com/scim/v2/9012345", "CLICKUP_SCIM_TOKEN": "scim-token-123",
	}
}

func TestBuild_Valid(t *testing.T) {
	e := validEnv()
	cfg, warnings, err := config.Build(config.Sources{Lookup: e.lookup, Environ: e.environ()})
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 0 {
		t.Errorf("warnings: %v", warnings)
	}
	if cfg.ClickUp.SCIMRoleSchema != config.SCIMRoleSchemaAuto || cfg.Log.Format != config.LogFormatAuto {
		t.Errorf("defaults not applied: %+v", cfg)
	}
}

// One call reports the YAML type error, the unreadable secret file, the bad environment value and
// the validation failure together, each naming both spellings of its setting.
func TestBuild_ReportsEveryProblemAtOnce(t *testing.T) {
	path := MustWriteFile(t, "ocs.yaml", "sync:\n  max_deactivations: lots\n  schedule: every so often\n")
	e := validEnv()
	delete(e, "OKTA_API_TOKEN")
	e["OKTA_API_TOKEN_FILE"] = filepath.Join(t.TempDir(), "absent")
	e["SYNC_CONCURRENCY"] = "many"
	e["LOG_LEVEL"] = "loud"
	_, _, err := config.Build(config.Sources{Path: path, Lookup: e.lookup})
	assertErrContains(t, err,
		path+":2: sync.max_deactivations (SYNC_MAX_DEACTIVATIONS)", `"lots"`, // YAML type error
		"OKTA_API_TOKEN_FILE (okta.api_token_file)", "no such file", // unreadable secret file
		"SYNC_CONCURRENCY (sync.concurrency)", `"many"`, // bad environment value
		"SYNC_SCHEDULE (sync.schedule)", `"every so often"`, // validation
		"LOG_LEVEL (log.level)", `"loud"`, // validation
	)
	// The unreadable token file is the whole story: Validate's "Okta credentials are required"
	// about the token left empty would send the operator looking in the wrong place.
	if strings.Contains(err.Error(), "credentials are required") {
		t.Errorf("a failed setting is reported twice:\n%v", err)
	}
	if n := len(settingErrors(err)); n != 5 {
		t.Errorf("got %d setting errors, want 5:\n%v", n, err)
	}
}

func TestBuild_UnreadableFileSkipsValidation(t *testing.T) {
	for name, yml := range map[string]string{
		"syntax error":          "okta:\n  org_url: [\n",
		"not a mapping":         "- okta\n",
		"two documents":         "log: {}\n---\nlog: {}\n",
		"unreadable (dir)":      "",
		"top level is a string": "okta\n",
	} {
		t.Run(name, func(t *testing.T) {
			path := t.TempDir()
			if yml != "" {
				path = MustWriteFile(t, "c.yaml", yml)
			}
			_, _, err := config.Build(config.Sources{Path: path, Lookup: env{"SYNC_CONCURRENCY": "x"}.lookup})
			assertErrContains(t, err, "SYNC_CONCURRENCY")
			if strings.Contains(err.Error(), "required") {
				t.Errorf("validation ran on a configuration missing its file:\n%v", err)
			}
		})
	}
}

func TestBuild_NeverLeaksSecrets(t *testing.T) {
	e := validEnv()
	e["CLICKUP_SCIM_TOKEN"] = secretValue
	e["SYNC_SCHEDULE"] = secretValue                           // pasted into the wrong setting
	e["SYNC_UI_TOKEN"] = secretValue                           // too short, and equal to the SCIM token
	e["SYNC_STATE_URL"] = "mysql://u:" + secretValue + "@db/x" // wrong scheme
	e["OKTA_API_TOKN"] = secretValue                           // unknown name
	_, warnings, err := config.Build(config.Sources{Lookup: e.lookup, Environ: e.environ()})
	if err == nil {
		t.Fatal("want an error")
	}
	assertNoLeak(t, err.Error())
	for _, w := range warnings {
		assertNoLeak(t, w.String())
	}
}

func TestBuild_EnvironWarnings(t *testing.T) {
	tests := []struct {
		name       string
		variable   string
		value      string
		didYouMean string // "-": no warning at all
		problem    string
	}{
		{"typo", "OKTA_API_TOKN", secretValue, "OKTA_API_TOKEN", "unknown"},
		{"typo in a _FILE name", "CLICKUP_SCIM_TOKEN_FLE", "/x", "CLICKUP_SCIM_TOKEN_FILE", "unknown"},
		{"plural", "SYNC_EVENT", "systemlog", "SYNC_EVENTS", "unknown"},
		{"long name, several edits", "SYNC_MAX_DEACTIVATION_PCT", "5", "SYNC_MAX_DEACTIVATION_PERCENT", "unknown"},
		{"lower case", "sync_schedule", "@hourly", "SYNC_SCHEDULE", "upper case"},
		{"nothing close", "SYNC_FROBNICATE_EVERYTHING", "1", "", "unknown"},
		{"a _FILE form of a plain setting", "OKTA_ORG_URL_FILE", "/etc/org", "OKTA_ORG_URL", "only secrets"},
		{"SDK name with a counterpart", "OKTA_CLIENT_TOKEN", secretValue, "OKTA_API_TOKEN", "Okta SDK"},
		{"SDK org URL", "OKTA_CLIENT_ORGURL", "https://a.okta.com", "OKTA_ORG_URL", "Okta SDK"},
		{"SDK client id", "OKTA_CLIENT_CLIENTID", "0oa", "OKTA_CLIENT_ID", "Okta SDK"},
		{"SDK name without one", "OKTA_CLIENT_CACHE_ENABLED", "true", "", "Okta SDK"},
		{"our OAuth client id is ours", "OKTA_CLIENT_ID", "0oa", "-", ""},
		{"the config path is ours", "OKTA_CLICKUP_SYNC_CONFIG", "/etc/x.yaml", "-", ""},
		{"a _FILE form is ours", "SYNC_UI_TOKEN_FILE", "/x", "-", ""},
		{"another prefix is not ours", "LOGNAME", "root", "-", ""},
		{"Kubernetes service link host", "OKTA_CLICKUP_SYNC_SERVICE_HOST", "10.0.0.7", "-", ""},
		{"Kubernetes service link port", "OKTA_CLICKUP_SYNC_PORT", "tcp://10.0.0.7:8080", "-", ""},
		{"Kubernetes service link proto", "OKTA_CLICKUP_SYNC_PORT_8080_TCP_PROTO", "tcp", "-", ""},
		{"Kubernetes service link named port", "SYNC_SERVICE_PORT_HTTP", "8080", "-", ""},
		{"a _PORT typo is still a typo", "SYNC_LISTEN_PORT", ":8080", "", "unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := validEnv()
			e[tt.variable] = tt.value
			// Only the warnings matter here: some values are not valid, and warnings do not
			// depend on validity.
			_, warnings, _ := config.Build(config.Sources{Lookup: e.lookup, Environ: e.environ()})
			if tt.didYouMean == "-" {
				if len(warnings) != 0 {
					t.Fatalf("want no warning, got %v", warnings)
				}
				return
			}
			if len(warnings) != 1 {
				t.Fatalf("want one warning, got %v", warnings)
			}
			w := warnings[0]
			if w.Name != tt.variable || w.Source != "environment" || w.DidYouMean != tt.didYouMean || !strings.Contains(w.Problem, tt.problem) {
				t.Errorf("got %+v", w)
			}
			if tt.didYouMean != "" && !strings.Contains(w.String(), "did you mean "+tt.didYouMean+"?") {
				t.Errorf("String() = %q", w.String())
			}
			assertNoLeak(t, w.String())
		})
	}
}

// The process environment is used when no lookup is given.
func TestBuild_DefaultsToTheProcessEnvironment(t *testing.T) {
	for k, v := range validEnv() {
		t.Setenv(k, v)
	}
	t.Setenv("SYNC_SCHEDUEL", "@hourly")
	_, warnings, err := config.Build(config.Sources{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(warnings, func(w config.Warning) bool { return w.DidYouMean == "SYNC_SCHEDULE" }) {
		t.Errorf("warnings = %v", warnings)
	}
}

// mustSecretsDir lays out a directory as Kubernetes mounts a Secret: each key a symlink to
// ..data/key, ..data a symlink to a timestamped directory.
func mustSecretsDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	ts := filepath.Join(dir, "..2026_01_02_03_04_05.000000001")
	if err := os.Mkdir(ts, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Base(ts), filepath.Join(dir, "..data")); err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(ts, name), []byte(content), 0o400); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.Join("..data", name), filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestSecretsDir(t *testing.T) {
	base := func() env {
		return env{"OKTA_ORG_URL": "https://acme.okta.com", "OKTA_APP_ID": "0oa1clickup", "CLICKUP_SCIM_BASE_URL": "https://api.clickup.com/scim/v2/1"}
	}
	required := map[string]string{"okta-api-token": "00okta-api-token\n", "clickup-scim-token": "scim-token-123\n"}
	with := func(extra map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range required {
			out[k] = v
		}
		for k, v := range extra {
			if v == "-" {
				delete(out, k)
				continue
			}
			out[k] = v
		}
		return out
	}
	tests := []struct {
		name         string
		files        map[string]string
		env          env
		check        func(t *testing.T, c config.Config)
		wantErr      []string
		wantWarnings []string // "name->did you mean"
	}{
		{
			name:  "required secrets only: optional features stay off",
			files: with(nil),
			check: func(t *testing.T, c config.Config) {
				if c.Okta.APIToken.Reveal() != "00okta-api-token" || c.ClickUp.SCIMToken.Reveal() != "scim-token-123" {
					t.Errorf("secrets not read: %q", c.Secrets())
				}
				if c.Sync.TriggerToken != "" || c.Sync.UIToken != "" || c.ClickUp.APIToken != "" {
					t.Errorf("optional secrets set: %q", c.Secrets())
				}
			},
		},
		{
			name: "every optional secret present",
			files: with(map[string]string{
				"clickup-api-token": "pk_1_rest", "sync-trigger-token": "trigger-0123456789abcdef",
				"sync-ui-token": "ui-0123456789abcdef", "sync-event-hook-secret": "hook-0123456789abcdef",
			}),
			env: env{"CLICKUP_WORKSPACE_ID": "9012345", "SYNC_EVENTS": "systemlog"},
			check: func(t *testing.T, c config.Config) {
				if c.ClickUp.APIToken == "" || c.Sync.TriggerToken == "" || c.Sync.UIToken == "" || c.Sync.EventHookSecret == "" {
					t.Errorf("optional secrets not read: %q", c.Secrets())
				}
			},
		},
		{
			name:  "OAuth key instead of the API token",
			files: with(map[string]string{"okta-api-token": "-", "okta-private-key": "KEY"}),
			env:   env{"OKTA_CLIENT_ID": "0oaclient", "OKTA_PRIVATE_KEY_ID": "kid"},
			check: func(t *testing.T, c config.Config) {
				if c.Okta.APIToken != "" || c.Okta.PrivateKey.Reveal() == "" {
					t.Errorf("got %q", c.Secrets())
				}
			},
			wantErr: []string{"OKTA_PRIVATE_KEY", "PEM"}, // read, then checked like any key
		},
		{
			name:    "a required secret missing names its file",
			files:   with(map[string]string{"clickup-scim-token": "-"}),
			wantErr: []string{"CLICKUP_SCIM_TOKEN (clickup.scim_token): required", "the file clickup-scim-token in SYNC_SECRETS_DIR"},
		},
		{
			name:    "no Okta credential names both files' settings",
			files:   with(map[string]string{"okta-api-token": "-"}),
			wantErr: []string{"OKTA_API_TOKEN", "the file okta-api-token in SYNC_SECRETS_DIR", "OKTA_CLIENT_ID"},
		},
		{
			name:    "an empty file is an error, not an unset secret",
			files:   with(map[string]string{"sync-ui-token": "\n"}),
			wantErr: []string{"SYNC_UI_TOKEN (sync.ui_token)", "is empty", "SYNC_SECRETS_DIR"},
		},
		{
			name:    "a placeholder in the directory is refused",
			files:   with(map[string]string{"clickup-scim-token": "REPLACEME\n"}),
			wantErr: []string{"CLICKUP_SCIM_TOKEN", "placeholder"},
		},
		{
			name:  "set by name wins over the directory, with a warning",
			files: with(nil),
			env:   env{"CLICKUP_SCIM_TOKEN": "from-env-token"},
			check: func(t *testing.T, c config.Config) {
				if c.ClickUp.SCIMToken.Reveal() != "from-env-token" {
					t.Errorf("SCIM token = %q", c.ClickUp.SCIMToken.Reveal())
				}
			},
			wantWarnings: []string{"clickup-scim-token->"},
		},
		{
			name:         "unknown files are warned about, with a hint",
			files:        with(map[string]string{"sync-ui-tokn": "x", "CLICKUP_API_TOKEN": "x", "okta-org-url": "x", "ca.crt": "x"}),
			wantWarnings: []string{"sync-ui-tokn->sync-ui-token", "CLICKUP_API_TOKEN->clickup-api-token", "okta-org-url->OKTA_ORG_URL", "ca.crt->"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := base()
			for k, v := range tt.env {
				e[k] = v
			}
			e["SYNC_SECRETS_DIR"] = mustSecretsDir(t, tt.files)
			c, warnings, err := config.Build(config.Sources{Lookup: e.lookup, Environ: e.environ()})
			if tt.wantErr != nil {
				assertErrContains(t, err, tt.wantErr...)
			} else if err != nil {
				t.Fatal(err)
			}
			if tt.check != nil {
				tt.check(t, c)
			}
			var got []string
			for _, w := range warnings {
				if w.Source != "SYNC_SECRETS_DIR" {
					t.Errorf("unexpected warning %v", w)
				}
				got = append(got, w.Name+"->"+w.DidYouMean)
			}
			slices.Sort(got)
			want := slices.Clone(tt.wantWarnings)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("warnings = %q, want %q", got, want)
			}
		})
	}
}

func TestSecretsDir_Unusable(t *testing.T) {
	file := MustWriteFile(t, "not-a-dir", "x")
	for name, dir := range map[string]string{
		"missing":       filepath.Join(t.TempDir(), "absent"),
		"not directory": file,
	} {
		t.Run(name, func(t *testing.T) {
			e := validEnv()
			delete(e, "CLICKUP_SCIM_TOKEN")
			e["SYNC_SECRETS_DIR"] = dir
			_, _, err := config.Build(config.Sources{Lookup: e.lookup})
			assertErrContains(t, err, "SYNC_SECRETS_DIR (sync.secrets_dir)", dir)
			// The missing SCIM token follows from the unreadable directory; one error says it.
			if n := len(settingErrors(err)); n != 1 {
				t.Errorf("got %d errors, want 1:\n%v", n, err)
			}
		})
	}
}

func TestBuild_StateURL(t *testing.T) {
	const pw = "pg-" + secretValue
	url := "postgres://sync:" + pw + "@db.example:5432/sync?sslmode=require"
	t.Run("replaces the default state path", func(t *testing.T) {
		e := validEnv()
		e["SYNC_STATE_URL"] = url
		c, _, err := config.Build(config.Sources{Lookup: e.lookup})
		if err != nil {
			t.Fatal(err)
		}
		if c.Sync.StatePath != "" || c.Sync.StateURL.Reveal() != url {
			t.Errorf("path %q, url set %v", c.Sync.StatePath, c.Sync.StateURL != "")
		}
		if !slices.Contains(c.Secrets(), pw) {
			t.Errorf("Secrets() lacks the URL's password")
		}
	})
	t.Run("an explicitly empty state path is no conflict", func(t *testing.T) {
		e := validEnv()
		e["SYNC_STATE_URL"], e["SYNC_STATE_PATH"] = url, ""
		if _, _, err := config.Build(config.Sources{Lookup: e.lookup}); err != nil {
			t.Fatal(err)
		}
	})
	for name, set := range map[string]func(e env) string{
		"both in the environment": func(e env) string { e["SYNC_STATE_PATH"] = "/data/s.db"; return "" },
		"path in the file, URL in the environment": func(e env) string {
			return MustWriteFile(t, "c.yaml", "sync:\n  state_path: /data/s.db\n")
		},
		"path equal to the default, set by name": func(e env) string { e["SYNC_STATE_PATH"] = config.DefaultStatePath; return "" },
	} {
		t.Run(name, func(t *testing.T) {
			e := validEnv()
			e["SYNC_STATE_URL"] = url
			path := set(e)
			_, _, err := config.Build(config.Sources{Path: path, Lookup: e.lookup})
			assertErrContains(t, err, "SYNC_STATE_URL (sync.state_url)", "SYNC_STATE_PATH")
			assertNoLeak(t, err.Error(), pw, url)
		})
	}
	for _, bad := range []string{
		"mysql://sync:" + pw + "@db/x",
		"host=db password=" + pw,
		"postgres:sync:" + pw,
		"postgres://sync:" + pw + "@db/x\n",
		"::" + pw,
	} {
		t.Run("refused without echo: "+strings.Fields(bad)[0][:5], func(t *testing.T) {
			e := validEnv()
			e["SYNC_STATE_URL"] = bad
			_, _, err := config.Build(config.Sources{Lookup: e.lookup})
			assertErrContains(t, err, "SYNC_STATE_URL")
			assertNoLeak(t, err.Error(), pw, bad)
		})
	}
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://sync:hunter22@db:5432/s?sslmode=require":                              "postgres://sync@db:5432/s?sslmode=require",
		"postgresql://db/s?user=sync&password=hunter22&sslpassword=k&sslmode=verify-full": "postgresql://db/s?sslmode=verify-full&user=sync",
		"postgres:///s?host=/run/postgresql":                                              "postgres:///s?host=/run/postgresql",
		"postgres://sync:hunter 22@db:bad/s":                                              "[redacted]",
	} {
		if got := config.RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestResolveLogFormat(t *testing.T) {
	for _, tt := range []struct {
		in   string
		tty  bool
		want string
	}{
		{"auto", true, "console"}, {"auto", false, "json"},
		{"json", true, "json"}, {"console", false, "console"},
	} {
		if got := config.ResolveLogFormat(tt.in, tt.tty); got != tt.want {
			t.Errorf("ResolveLogFormat(%q, %v) = %q, want %q", tt.in, tt.tty, got, tt.want)
		}
	}
}

func TestRoleSchema_UnsetEmptyAndAuto(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		env  env
		want string
	}{
		{"unset means auto", "", env{}, "auto"},
		{"empty variable means the top level", "", env{"CLICKUP_SCIM_ROLE_SCHEMA": ""}, ""},
		{"empty YAML string means the top level", "clickup:\n  scim_role_schema: \"\"\n", env{}, ""},
		{"AUTO is auto", "", env{"CLICKUP_SCIM_ROLE_SCHEMA": "AUTO"}, "auto"},
		{"a URN as given", "", env{"CLICKUP_SCIM_ROLE_SCHEMA": "urn:example:Role"}, "urn:example:Role"},
		{"the environment's empty beats the file's URN", "clickup:\n  scim_role_schema: urn:x:y\n", env{"CLICKUP_SCIM_ROLE_SCHEMA": ""}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := ""
			if tt.yaml != "" {
				path = MustWriteFile(t, "c.yaml", tt.yaml)
			}
			e := validEnv()
			for k, v := range tt.env {
				e[k] = v
			}
			c, _, err := config.Build(config.Sources{Path: path, Lookup: e.lookup})
			if err != nil {
				t.Fatal(err)
			}
			if c.ClickUp.SCIMRoleSchema != tt.want {
				t.Errorf("got %q, want %q", c.ClickUp.SCIMRoleSchema, tt.want)
			}
		})
	}
}

func TestDefaultScopes(t *testing.T) {
	for _, tt := range []struct {
		groups, events bool
		want           string
	}{
		{false, false, "okta.apps.read okta.users.read"},
		{true, false, "okta.apps.read okta.users.read okta.groups.read"},
		{false, true, "okta.apps.read okta.users.read okta.logs.read"},
		{true, true, "okta.apps.read okta.users.read okta.groups.read okta.logs.read"},
	} {
		if got := strings.Join(config.DefaultScopes(tt.groups, tt.events), " "); got != tt.want {
			t.Errorf("DefaultScopes(%v, %v) = %q, want %q", tt.groups, tt.events, got, tt.want)
		}
	}
	// OAuth with events on and no scopes set gets okta.logs.read.
	e := env{"OKTA_CLIENT_ID": "0oac", "SYNC_EVENTS": "systemlog"}
	c, err := config.Load("", e.lookup)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(c.Okta.Scopes, "okta.logs.read") {
		t.Errorf("scopes = %q", c.Okta.Scopes)
	}
}
