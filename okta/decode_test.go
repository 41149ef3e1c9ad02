package okta

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestRoleAttr(t *testing.T) {
	for _, tc := range []struct {
		name    string
		v       any
		want    string
		wantErr string
	}{
		{"Missing", nil, "", ""},
		{"String", "admin", "admin", ""},
		{"Trimmed", "  Auditor \t", "Auditor", ""},
		{"Integral", float64(998877), "998877", ""},
		{"LargeIntegral", float64(1e15), "1000000000000000", ""},
		{"Negative", float64(-3), "-3", ""},
		{"Fraction", 1.5, "1.5", ""},
		{"JSONNumber", json.Number("42"), "42", ""},
		{"BeyondExact", float64(1 << 54), "", "too large"},
		{"Array", []any{"admin"}, "", "array"},
		{"Object", map[string]any{}, "", "object"},
		{"Boolean", false, "", "boolean"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := map[string]any{}
			if tc.v != nil {
				p["k"] = tc.v
			}
			got, err := roleAttr(p, "k")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("roleAttr(%#v) = %q, %v; want an error about %s", tc.v, got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("roleAttr(%#v) = %q, %v; want %q", tc.v, got, err, tc.want)
			}
		})
	}
	if got, err := roleAttr(map[string]any{"k": nil}, "k"); got != "" || err != nil {
		t.Errorf("explicit null = %q, %v; want empty", got, err)
	}
}
