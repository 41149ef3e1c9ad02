package config

import (
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

const samplePath = "../deploy/config.sample.yaml"

// The sample in deploy/ is the documentation of every key: it must parse, hold every key the
// program knows (so it cannot fall behind), name each key's environment variable, and show the
// defaults as they are.
func TestSample_CoversEveryKey(t *testing.T) {
	text, err := os.ReadFile(samplePath)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(samplePath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, err := Parse(f)
	if err != nil {
		t.Fatalf("the sample does not parse: %v", err)
	}

	var doc map[string]map[string]yaml.Node
	if err := yaml.Unmarshal(text, &doc); err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for section, m := range doc {
		for k := range m {
			have[section+"."+k] = true
		}
	}
	for _, s := range settings {
		if !have[s.key] {
			t.Errorf("the sample lacks %s", s.key)
		}
		if s.secret() && !have[s.key+"_file"] {
			t.Errorf("the sample lacks %s_file", s.key)
		}
		if !strings.Contains(string(text), "# "+s.env) {
			t.Errorf("the sample does not name %s in a comment", s.env)
		}
		if s.secret() && !strings.Contains(string(text), "# "+s.env+"_FILE") {
			t.Errorf("the sample does not name %s_FILE in a comment", s.env)
		}
	}

	// Values are the defaults, except the ones every deployment must fill in.
	mustFill := []string{"okta.org_url", "okta.app_id", "clickup.scim_base_url"}
	def := Default()
	for _, s := range settings {
		got, want := reflect.ValueOf(s.ptr(&cfg)).Elem(), reflect.ValueOf(s.ptr(&def)).Elem()
		same := reflect.DeepEqual(got.Interface(), want.Interface()) ||
			(got.Kind() == reflect.Slice && got.Len() == 0 && want.Len() == 0)
		if same == slices.Contains(mustFill, s.key) {
			t.Errorf("%s: the sample has %v, the default is %v", s.key, got, want)
		}
	}
}

// As shipped, the sample is refused only for what an operator must fill in: the placeholders and
// the two required secrets.
func TestSample_RefusedOnlyForWhatMustBeFilledIn(t *testing.T) {
	_, _, err := Build(Sources{Path: samplePath, Lookup: func(string) (string, bool) { return "", false }})
	if err == nil {
		t.Fatal("the sample with its placeholders was accepted")
	}
	want := map[string]string{
		"OKTA_ORG_URL": "placeholder", "OKTA_APP_ID": "placeholder", "CLICKUP_SCIM_BASE_URL": "placeholder",
		"OKTA_API_TOKEN": "required", "CLICKUP_SCIM_TOKEN": "required",
	}
	got := map[string]bool{}
	for _, e := range unjoin(err) {
		se, ok := e.(*SettingError)
		if !ok || want[se.Env] == "" || !strings.Contains(se.Problem, want[se.Env]) {
			t.Errorf("unexpected problem: %v", e)
			continue
		}
		got[se.Env] = true
	}
	for env := range want {
		if !got[env] {
			t.Errorf("no %s problem for %s", want[env], env)
		}
	}
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}
