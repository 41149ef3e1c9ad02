package config_test

import (
	"bytes"
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
	})
}
