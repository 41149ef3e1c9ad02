package okta

import (
	"strings"
	"testing"
	"unsafe"
)

func TestRoleAttr(t *testing.T) {
	for _, tc := range []struct {
		name    string
		v       string // raw JSON; empty for a missing attribute
		want    string
		wantErr string
	}{
		{"Missing", "", "", ""},
		{"Null", "null", "", ""},
		{"String", `"admin"`, "admin", ""},
		{"Trimmed", `"  Auditor \t"`, "Auditor", ""},
		{"Escaped", `"\u0020Auditor\n"`, "Auditor", ""},
		{"Integral", "998877", "998877", ""},
		{"Exponent", "9.98877e5", "998877", ""},
		{"LargeIntegral", "1e15", "1000000000000000", ""},
		{"Negative", "-3", "-3", ""},
		{"Fraction", "1.5", "1.5", ""},
		{"BeyondExact", "18014398509481984", "", "number 18014398509481984 is too large"},
		{"BeyondFloat", "1e400", "", "number 1e400 is too large"},
		{"Array", `["admin"]`, "", "is an array, want a string or a number"},
		{"Object", "{}", "", "is an object, want a string or a number"},
		{"Boolean", "false", "", "is a boolean, want a string or a number"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var v []byte
			if tc.v != "" {
				v = []byte(tc.v)
			}
			got, err := roleAttr(v)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("roleAttr(%s) = %q, %v; want an error about %s", tc.v, got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("roleAttr(%s) = %q, %v; want %q", tc.v, got, err, tc.want)
			}
		})
	}
}

// The role attributes and statuses every user repeats are one shared string.
func TestKnownWordsShared(t *testing.T) {
	a, _ := roleAttr([]byte(`"member"`))
	b, _ := roleAttr([]byte(`" member "`))
	if a != "member" || !same(a, b) || !same(a, knownWords["member"]) {
		t.Errorf("roleAttr gave %q and %q, not the shared %q", a, b, knownWords["member"])
	}
}

func same(a, b string) bool {
	return len(a) == len(b) && (len(a) == 0 || unsafe.StringData(a) == unsafe.StringData(b))
}
