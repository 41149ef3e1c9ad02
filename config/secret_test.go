package config_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/okta-clickup-sync/okta-clickup-sync/config"
)

func TestSecret_Redacts(t *testing.T) {
	s := config.Secret(secretValue)
	if s.Reveal() != secretValue {
		t.Fatalf("Reveal() = %q", s.Reveal())
	}
	c := validConfig()
	c.Okta.APIToken = s
	c.ClickUp.SCIMToken = s
	c.ClickUp.APIToken = s
	c.Sync.TriggerToken = s
	c.Okta.PrivateKey = s
	ptr := &s

	renderings := map[string]func() (string, error){
		"%v":        func() (string, error) { return fmt.Sprintf("%v", s), nil },
		"%s":        func() (string, error) { return fmt.Sprintf("%s", s), nil },
		"%+v":       func() (string, error) { return fmt.Sprintf("%+v", s), nil },
		"%#v":       func() (string, error) { return fmt.Sprintf("%#v", s), nil },
		"%q":        func() (string, error) { return fmt.Sprintf("%q", s), nil },
		"%x":        func() (string, error) { return fmt.Sprintf("%x", s), nil },
		"%X":        func() (string, error) { return fmt.Sprintf("%X", s), nil },
		"%d":        func() (string, error) { return fmt.Sprintf("%d", s), nil },
		"%10.3s":    func() (string, error) { return fmt.Sprintf("%10.3s", s), nil },
		"String":    func() (string, error) { return s.String(), nil },
		"GoString":  func() (string, error) { return s.GoString(), nil },
		"pointer":   func() (string, error) { return fmt.Sprintf("%v %s", ptr, ptr), nil },
		"slice":     func() (string, error) { return fmt.Sprintf("%v %#v", []config.Secret{s}, []config.Secret{s}), nil },
		"config %v": func() (string, error) { return fmt.Sprintf("%v", c), nil },
		"config %+v": func() (string, error) {
			return fmt.Sprintf("%+v", c), nil
		},
		"config %#v": func() (string, error) { return fmt.Sprintf("%#v", c), nil },
		"json.Marshal secret": func() (string, error) {
			b, err := json.Marshal(s)
			return string(b), err
		},
		"json.Marshal config": func() (string, error) {
			b, err := json.Marshal(c)
			return string(b), err
		},
		"yaml.Marshal secret": func() (string, error) {
			b, err := yaml.Marshal(s)
			return string(b), err
		},
		"yaml.Marshal config": func() (string, error) {
			b, err := yaml.Marshal(c)
			return string(b), err
		},
		"MarshalText": func() (string, error) {
			b, err := s.MarshalText()
			return string(b), err
		},
		"slog text": func() (string, error) {
			var b strings.Builder
			slog.New(slog.NewTextHandler(&b, nil)).Info("m", "token", s, "config", c)
			return b.String(), nil
		},
		"slog json": func() (string, error) {
			var b strings.Builder
			slog.New(slog.NewJSONHandler(&b, nil)).Info("m", "token", s, "config", c)
			return b.String(), nil
		},
	}
	for name, render := range renderings {
		t.Run(name, func(t *testing.T) {
			out, err := render()
			if err != nil {
				t.Fatal(err)
			}
			assertNoLeak(t, out)
			if !strings.Contains(out, "[redacted]") {
				t.Errorf("%s rendered %q, want it to show [redacted]", name, out)
			}
		})
	}
}

func TestSecret_EmptyRendersEmpty(t *testing.T) {
	var s config.Secret
	for name, got := range map[string]string{
		"%v":  fmt.Sprintf("%v", s),
		"%s":  fmt.Sprintf("%s", s),
		"%#v": fmt.Sprintf("%#v", s),
	} {
		if got != "" {
			t.Errorf("%s = %q, want empty", name, got)
		}
	}
	if b, _ := json.Marshal(s); string(b) != `""` {
		t.Errorf("json = %s", b)
	}
	if b, _ := yaml.Marshal(s); strings.TrimSpace(string(b)) != `""` {
		t.Errorf("yaml = %s", b)
	}
}

func TestConfig_Secrets(t *testing.T) {
	c := validConfig()
	c.Sync.TriggerToken = "trigger-tok"
	got := c.Secrets()
	want := []string{"00okta-api-token", "scim-token-123", "trigger-tok"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Secrets() = %q, want %q", got, want)
	}
	if n := len(config.Default().Secrets()); n != 0 {
		t.Errorf("Default().Secrets() has %d values", n)
	}
}
