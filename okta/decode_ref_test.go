package okta

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	sdk "github.com/okta/okta-sdk-golang/v2/okta"

	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// This is the decoding the adapter did before it decoded pages itself (decode.go): the SDK's
// json.Decoder into []*sdk.AppUser, each embedded user encoded and decoded again into an
// sdk.User. FuzzDecodeAppUsers holds the new decoding to it. Two differences are intended and
// made here too: the fields the adapter never reads are not decoded (a malformed "created" or
// "credentials" failed the page), and a JSON number beyond float64's range no longer fails the
// page wherever it is (refDecodePage reports it apart, as errRefRange).

// refAppUser is sdk.AppUser without the fields the adapter does not read.
type refAppUser struct {
	Embedded any    `json:"_embedded,omitempty"`
	Id       string `json:"id,omitempty"`
	Profile  any    `json:"profile,omitempty"`
	Status   string `json:"status,omitempty"`
}

// refUser is sdk.User without the fields the adapter does not read.
type refUser struct {
	Id      string           `json:"id,omitempty"`
	Profile *sdk.UserProfile `json:"profile,omitempty"`
	Status  string           `json:"status,omitempty"`
}

var errRefRange = errors.New("a number beyond float64's range")

// refDecodePage returns the users of body in order up to the first error, and that error.
func (c *Client) refDecodePage(body []byte) ([]core.OktaUser, error) {
	var aus []*refAppUser
	if len(body) > 0 {
		var v any = &aus
		err := json.NewDecoder(bytes.NewReader(body)).Decode(&v)
		if err != nil && err != io.EOF {
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) && strings.HasPrefix(te.Value, "number ") && te.Type.String() == "float64" {
				return nil, errRefRange
			}
			return nil, err
		}
	}
	var users []core.OktaUser
	for i, au := range aus {
		u, err := c.refDecodeAppUser(au, i)
		if err != nil {
			return users, err
		}
		users = append(users, u)
	}
	return users, nil
}

func (c *Client) refDecodeAppUser(au *refAppUser, i int) (core.OktaUser, error) {
	if au == nil {
		return core.OktaUser{}, fmt.Errorf("entry %d of the page is null", i+1)
	}
	if au.Id == "" {
		return core.OktaUser{}, fmt.Errorf("app user at position %d of the page: missing id", i+1)
	}
	u, err := c.refDecodeFields(au)
	if err != nil {
		return core.OktaUser{}, fmt.Errorf("app user %s: %w", au.Id, err)
	}
	return u, nil
}

func (c *Client) refDecodeFields(au *refAppUser) (core.OktaUser, error) {
	if au.Status == "" {
		return core.OktaUser{}, errors.New("missing status")
	}
	user, err := refEmbeddedUser(au.Embedded)
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
		s, err := refStringAttr(userProfile, f.key)
		if err != nil {
			return core.OktaUser{}, fmt.Errorf("_embedded.user.profile.%s: %w", f.key, err)
		}
		*f.dst = s
	}

	var appProfile map[string]any
	switch p := au.Profile.(type) {
	case nil:
	case map[string]any:
		appProfile = p
	default:
		return core.OktaUser{}, fmt.Errorf("profile is %s, want an object", refJSONKind(p))
	}
	for _, f := range []struct {
		key string
		dst *string
	}{
		{c.keys.role, &out.Role},
		{c.keys.customRoleName, &out.CustomRoleName},
		{c.keys.customRoleID, &out.CustomRoleID},
	} {
		s, err := refRoleAttr(appProfile, f.key)
		if err != nil {
			return core.OktaUser{}, fmt.Errorf("profile.%s: %w", f.key, err)
		}
		*f.dst = known(s)
	}
	return out, nil
}

func refEmbeddedUser(embedded any) (refUser, error) {
	var u refUser
	var raw any
	switch e := embedded.(type) {
	case nil:
	case map[string]any:
		raw = e["user"]
	default:
		return u, fmt.Errorf("_embedded is %s, want an object", refJSONKind(e))
	}
	if raw == nil {
		return u, errors.New("missing _embedded.user (was expand=user dropped?)")
	}
	if _, ok := raw.(map[string]any); !ok {
		return u, fmt.Errorf("_embedded.user is %s, want an object", refJSONKind(raw))
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

func refStringAttr(p map[string]any, key string) (string, error) {
	switch v := p[key].(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	default:
		return "", fmt.Errorf("is %s, want a string", refJSONKind(v))
	}
}

func refRoleAttr(p map[string]any, key string) (string, error) {
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
	default:
		return "", fmt.Errorf("is %s, want a string or a number", refJSONKind(v))
	}
}

func refJSONKind(v any) string {
	switch v.(type) {
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	case bool:
		return "a boolean"
	case float64:
		return "a number"
	case string:
		return "a string"
	default:
		return fmt.Sprintf("a %T", v)
	}
}
