package okta

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	sdk "github.com/okta/okta-sdk-golang/v2/okta"

	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// maxExactFloat is the largest integer a JSON number survives as float64 without rounding; the
// SDK decodes profiles into interface{}, so a larger id would arrive silently altered.
const maxExactFloat = 1 << 53

// decodeAppUser joins an app user with its embedded Okta user (expand=user). Every field the
// entitlement decision rests on is required: a guessed status could grant or revoke access.
func (c *Client) decodeAppUser(au *sdk.AppUser, i int) (core.OktaUser, error) {
	if au == nil {
		return core.OktaUser{}, fmt.Errorf("entry %d of the page is null", i+1)
	}
	if au.Id == "" {
		return core.OktaUser{}, fmt.Errorf("app user at position %d of the page: missing id", i+1)
	}
	u, err := c.decodeFields(au)
	if err != nil {
		return core.OktaUser{}, fmt.Errorf("app user %s: %w", au.Id, err)
	}
	return u, nil
}

func (c *Client) decodeFields(au *sdk.AppUser) (core.OktaUser, error) {
	if au.Status == "" {
		return core.OktaUser{}, errors.New("missing status")
	}
	user, err := embeddedUser(au.Embedded)
	if err != nil {
		return core.OktaUser{}, err
	}
	switch {
	case user.Id == "":
		return core.OktaUser{}, errors.New("missing _embedded.user.id")
	case user.Id != au.Id:
		return core.OktaUser{}, fmt.Errorf("_embedded.user.id %q differs from the app user id", user.Id)
	case user.Status == "":
		return core.OktaUser{}, errors.New("missing _embedded.user.status")
	}
	out := core.OktaUser{ID: au.Id, AppStatus: known(au.Status), UserStatus: known(user.Status)}

	var userProfile map[string]any
	if user.Profile != nil {
		userProfile = *user.Profile
	}
	for _, f := range []struct {
		key string
		dst *string
	}{
		{"login", &out.Login},
		{"email", &out.Email},
		{"firstName", &out.FirstName},
		{"lastName", &out.LastName},
	} {
		s, err := stringAttr(userProfile, f.key)
		if err != nil {
			return core.OktaUser{}, fmt.Errorf("_embedded.user.profile.%s: %w", f.key, err)
		}
		*f.dst = s
	}

	if out.Email == out.Login {
		out.Email = out.Login // one copy of the address, not two
	}

	var appProfile map[string]any
	switch p := au.Profile.(type) {
	case nil:
	case map[string]any:
		appProfile = p
	default:
		return core.OktaUser{}, fmt.Errorf("profile is %s, want an object", jsonKind(p))
	}
	for _, f := range []struct {
		key string
		dst *string
	}{
		{c.keys.role, &out.Role},
		{c.keys.customRoleName, &out.CustomRoleName},
		{c.keys.customRoleID, &out.CustomRoleID},
	} {
		s, err := roleAttr(appProfile, f.key)
		if err != nil {
			return core.OktaUser{}, fmt.Errorf("profile.%s: %w", f.key, err)
		}
		*f.dst = known(s)
	}
	return out, nil
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

// embeddedUser decodes _embedded.user, which the SDK leaves as a raw JSON map.
func embeddedUser(embedded any) (sdk.User, error) {
	var u sdk.User
	var raw any
	switch e := embedded.(type) {
	case nil:
	case map[string]any:
		raw = e["user"]
	default:
		return u, fmt.Errorf("_embedded is %s, want an object", jsonKind(e))
	}
	if raw == nil {
		return u, errors.New("missing _embedded.user (was expand=user dropped?)")
	}
	if _, ok := raw.(map[string]any); !ok {
		return u, fmt.Errorf("_embedded.user is %s, want an object", jsonKind(raw))
	}
	b, err := json.Marshal(raw)
	if err != nil {
		return u, fmt.Errorf("_embedded.user: %w", err)
	}
	if err := json.Unmarshal(b, &u); err != nil {
		return u, fmt.Errorf("_embedded.user: %w", err)
	}
	return u, nil
}

// stringAttr reads an Okta user profile attribute; those are strings or unset.
func stringAttr(p map[string]any, key string) (string, error) {
	switch v := p[key].(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	default:
		return "", fmt.Errorf("is %s, want a string", jsonKind(v))
	}
}

// roleAttr reads a role attribute of the app-user profile. Okta keeps unset attributes as null,
// and an attribute typed as a number in the app's profile schema (a custom role id) arrives as a
// JSON number; both are legitimate. A list or an object cannot name one role.
func roleAttr(p map[string]any, key string) (string, error) {
	switch v := p[key].(type) {
	case nil:
		return "", nil
	case string:
		return strings.TrimSpace(v), nil
	case float64:
		if v != math.Trunc(v) {
			return strconv.FormatFloat(v, 'f', -1, 64), nil
		}
		if math.Abs(v) > maxExactFloat {
			return "", fmt.Errorf("number %s is too large to be exact; store it as a string", strconv.FormatFloat(v, 'f', -1, 64))
		}
		return strconv.FormatFloat(v, 'f', 0, 64), nil
	case json.Number:
		return v.String(), nil
	default:
		return "", fmt.Errorf("is %s, want a string or a number", jsonKind(v))
	}
}

func jsonKind(v any) string {
	switch v.(type) {
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	case bool:
		return "a boolean"
	case float64, json.Number:
		return "a number"
	case string:
		return "a string"
	default:
		return fmt.Sprintf("a %T", v)
	}
}
