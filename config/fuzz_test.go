package config_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/okta-clickup-sync/okta-clickup-sync/config"
)

// FuzzParse checks that no input makes the YAML parser or Validate panic: operator input either
// parses or is refused with an error.
func FuzzParse(f *testing.F) {
	seeds := []string{
		fullYAML,
		"",
		"---\n",
		"okta:\n  org_url: https://acme.okta.com\n",
		"sync:\n  state_path: \"\"\n  retention: 90d\n",
		"sync:\n  state_path:\n",
		"okta: [\n",
		"- a\n- b\n",
		"a: &a [*a]\n",
		"okta: &o {app_id: x}\nclickup: *o\n",
		"okta:\n  <<: {app_id: x}\n",
		"sync:\n  schedule: CRON_TZ=UTC\n",
		"sync:\n  push_groups: [a, [b], {c: d}]\n",
		"log: {level: info}\n---\nlog: {}\n",
		"okta:\n  api_token: x\n  api_token_file: /dev/null\n",
		"sync:\n  max_deactivation_percent: .nan\n  concurrency: 0x10\n",
		"? [a]\n: b\n",
		"sync:\n  state_url: postgres://u:p@h/d\n  state_path: \"\"\n  events: SYSTEMLOG\n  event_hook_secret: x\n",
		"sync:\n  secrets_dir: /nonexistent\n  ui_token: REPLACEME\n",
		"clickup:\n  scim_role_schema: AUTO\n  scim_role_attribute: urn:x:role\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := config.Parse(bytes.NewReader(data))
		if err != nil {
			_ = err.Error()
			return
		}
		if err := c.Validate(); err != nil {
			_ = err.Error()
		}
		// Build adds the merging of loading and validation problems.
		path := filepath.Join(t.TempDir(), "c.yaml")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, _, err := config.Build(config.Sources{Path: path, Lookup: func(string) (string, bool) { return "", false }}); err != nil {
			_ = err.Error()
		}
	})
}
