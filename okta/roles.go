package okta

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// maxExactFloat is the largest integer a JSON number survives as float64 without rounding; a
// custom role id beyond it would arrive silently altered, so it is refused.
const maxExactFloat = 1 << 53

// roleAttr reads a role attribute of the app-user profile, v as sent (nil when absent). Okta
// keeps unset attributes as null, and an attribute typed as a number in the app's profile schema
// (a custom role id) arrives as a JSON number; both are legitimate. A list or an object cannot
// name one role.
func roleAttr(v json.RawMessage) (string, error) {
	switch k := kindOf(v); k {
	case kindNone, kindNull:
		return "", nil
	case kindString:
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return "", err
		}
		return known(strings.TrimSpace(s)), nil
	case kindNumber:
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil { // only a number beyond float64's range is valid JSON and fails here
			return "", fmt.Errorf("number %s is too large to be exact; store it as a string", clip(string(v), 64))
		}
		if f != math.Trunc(f) {
			return strconv.FormatFloat(f, 'f', -1, 64), nil
		}
		if math.Abs(f) > maxExactFloat {
			return "", fmt.Errorf("number %s is too large to be exact; store it as a string", strconv.FormatFloat(f, 'f', -1, 64))
		}
		return strconv.FormatFloat(f, 'f', 0, 64), nil
	default:
		return "", fmt.Errorf("is %s, want a string or a number", k)
	}
}

// known returns the statuses and base roles that every user repeats as one shared string, and
// any other value as it is: at 100,000 users each copy of "ACTIVE" or "member" is 8 to 16 bytes
// of live heap through planning (BENCHMARKS.md, memory).
func known(s string) string {
	if w, ok := knownWords[s]; ok {
		return w
	}
	return s
}

var knownWords = func() map[string]string {
	m := map[string]string{}
	for _, w := range []string{
		"ACTIVE", "PROVISIONED", "STAGED", "PENDING", "IMPLICIT", "SUSPENDED", "DEPROVISIONED",
		"PASSWORD_EXPIRED", "LOCKED_OUT", "RECOVERY", "INACTIVE", "member", "admin", "guest", "owner",
	} {
		m[w] = w
	}
	return m
}()
