package okta

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"unicode"
	"unicode/utf8"

	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// The pages are decoded here rather than by the SDK, which decoded each app user into an
// sdk.AppUser with its profiles and _embedded as map[string]interface{}, and each embedded user
// a second time, encoded and decoded again, into an sdk.User: over 150 allocations a user, for
// the few fields below. What that accepted and refused is kept, with the same messages
// (FuzzDecodeAppUsers compares the two): encoding/json still decodes the entries of a page,
// matching the field names of sdk.AppUser without regard to case; the objects the SDK left as
// maps (the profiles, _embedded) are read by exact key, the last of equal keys winning
// (lookupMembers); and _embedded.user is read as the round trip read it (readUser). Three
// things changed: fields the adapter does not read are no longer type-checked, a number beyond
// float64's range fails only where it is read, and a field of _embedded.user of the wrong type
// is reported in the adapter's words rather than encoding/json's.

// maxExactFloat is the largest integer a JSON number survives as float64 without rounding; the
// SDK decoded profiles into interface{}, so a larger id would have arrived silently altered, and
// numbers are still read as float64 so that every value converts as it did.
const maxExactFloat = 1 << 53

// appUser is what the adapter reads of an entry of GET /api/v1/apps/{appId}/users?expand=user.
type appUser struct {
	ID       string          `json:"id"`
	Status   string          `json:"status"`
	Profile  json.RawMessage `json:"profile"`   // the app user profile: the role attributes
	Embedded json.RawMessage `json:"_embedded"` // the Okta user, under "user"
}

// decodeAppUserPage decodes one page of the app users listing and hands each user, in order, to
// each. The first error ends it: the body's (not an array of objects), then a user's (as
// decodeAppUser) or each's.
func (c *Client) decodeAppUserPage(body []byte, each func(core.OktaUser) error) error {
	var aus []*appUser
	if err := decodePage(body, &aus); err != nil {
		return err
	}
	for i, au := range aus {
		u, err := c.decodeAppUser(au, i)
		if err != nil {
			return err
		}
		if err := each(u); err != nil {
			return err
		}
		aus[i] = nil // done with its raw profile and user
	}
	return nil
}

// decodePage decodes a page body into v as the SDK did, with a json.Decoder: the first JSON
// value, so that an empty body, only white space or null is an empty page and what follows the
// value is not read. A body that is one JSON value, as every answer is, decodes the same with
// json.Unmarshal, which reads it in place rather than copying it into a growing buffer; and on a
// syntax error Unmarshal leaves v untouched.
func decodePage(body []byte, v any) error {
	err := json.Unmarshal(body, v)
	var syntax *json.SyntaxError
	if !errors.As(err, &syntax) {
		return err
	}
	err = json.NewDecoder(bytes.NewReader(body)).Decode(v)
	if err == io.EOF {
		return nil
	}
	return err
}

// groupMember is what the adapter reads of an entry of GET /api/v1/groups/{groupId}/users.
type groupMember struct {
	ID string `json:"id"`
}

// decodeMemberPage decodes one page of a group's members; a null entry stays nil.
func decodeMemberPage(body []byte) ([]*groupMember, error) {
	var ms []*groupMember
	if err := decodePage(body, &ms); err != nil {
		return nil, err
	}
	return ms, nil
}

// decodeAppUser joins an app user with its embedded Okta user (expand=user). Every field the
// entitlement decision rests on is required: a guessed status could grant or revoke access.
func (c *Client) decodeAppUser(au *appUser, i int) (core.OktaUser, error) {
	if au == nil {
		return core.OktaUser{}, fmt.Errorf("entry %d of the page is null", i+1)
	}
	if au.ID == "" {
		return core.OktaUser{}, fmt.Errorf("app user at position %d of the page: missing id", i+1)
	}
	u, err := c.decodeFields(au)
	if err != nil {
		return core.OktaUser{}, fmt.Errorf("app user %s: %w", au.ID, err)
	}
	return u, nil
}

// Keys of the embedded user's profile, in the order they are checked.
var userProfileKeys = [...]string{"login", "email", "firstName", "lastName"}

func (c *Client) decodeFields(au *appUser) (core.OktaUser, error) {
	if au.Status == "" {
		return core.OktaUser{}, errors.New("missing status")
	}
	user, err := embeddedUser(au.Embedded)
	if err != nil {
		return core.OktaUser{}, err
	}
	id, status := jsonText(user.id), jsonText(user.status)
	switch {
	case len(id) == 0:
		return core.OktaUser{}, errors.New("missing _embedded.user.id")
	case string(id) != au.ID:
		return core.OktaUser{}, fmt.Errorf("_embedded.user.id %q differs from the app user id", id)
	case len(status) == 0:
		return core.OktaUser{}, errors.New("missing _embedded.user.status")
	}
	out := core.OktaUser{ID: au.ID, AppStatus: known(au.Status), UserStatus: knownText(status)}

	var attrs [len(userProfileKeys)][]byte
	for _, p := range user.earlierProfiles {
		lookupMembers(p, userProfileKeys[:], attrs[:])
	}
	lookupMembers(user.profile, userProfileKeys[:], attrs[:])
	for i, dst := range [...]*string{&out.Login, &out.Email, &out.FirstName, &out.LastName} {
		if i == 1 && bytes.Equal(attrs[1], attrs[0]) {
			out.Email = out.Login // one copy of the address, not two
			continue
		}
		s, err := stringAttr(attrs[i])
		if err != nil {
			return core.OktaUser{}, fmt.Errorf("_embedded.user.profile.%s: %w", userProfileKeys[i], err)
		}
		*dst = s
	}
	if out.Email == out.Login {
		out.Email = out.Login
	}

	switch k := kindOf(au.Profile); k {
	case kindNone, kindNull, kindObject:
	default:
		return core.OktaUser{}, fmt.Errorf("profile is %s, want an object", k)
	}
	keys := [...]string{c.keys.role, c.keys.customRoleName, c.keys.customRoleID}
	var roles [len(keys)][]byte
	lookupMembers(au.Profile, keys[:], roles[:])
	for i, dst := range [...]*string{&out.Role, &out.CustomRoleName, &out.CustomRoleID} {
		s, err := roleAttr(roles[i])
		if err != nil {
			return core.OktaUser{}, fmt.Errorf("profile.%s: %w", keys[i], err)
		}
		*dst = s
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

// knownText is known for text not yet a string: a known word costs no allocation.
func knownText(b []byte) string {
	if w, ok := knownWords[string(b)]; ok {
		return w
	}
	return string(b)
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

// userFields are the members of _embedded.user the adapter reads, raw.
type userFields struct {
	id, status []byte // JSON strings, or nil
	profile    []byte // a JSON object, or nil
	// earlierProfiles come before profile when the object has several profile members, their
	// names differing in case only: a key of a later one overrides the same key of an earlier.
	earlierProfiles [][]byte
}

var embeddedKeys = [...]string{"user"}

// embeddedUser finds _embedded.user, which the SDK left in a map, and reads it (readUser).
func embeddedUser(embedded []byte) (userFields, error) {
	var raw [1][]byte
	switch k := kindOf(embedded); k {
	case kindNone, kindNull:
	case kindObject:
		lookupMembers(embedded, embeddedKeys[:], raw[:])
	default:
		return userFields{}, fmt.Errorf("_embedded is %s, want an object", k)
	}
	switch k := kindOf(raw[0]); k {
	case kindNone, kindNull:
		return userFields{}, errors.New("missing _embedded.user (was expand=user dropped?)")
	case kindObject:
	default:
		return userFields{}, fmt.Errorf("_embedded.user is %s, want an object", k)
	}
	return readUser(raw[0])
}

// The members of _embedded.user that sdk.User had fields for and the adapter reads, with the
// names encoding/json matched them by (equalFold).
var userFieldNames = [...]struct{ name, folded string }{{"id", "ID"}, {"profile", "PROFILE"}, {"status", "STATUS"}}

// readUser reads the object _embedded.user as the SDK's round trip did: decoded into a map (the
// last of equal keys wins), encoded again with its keys in order and decoded into an sdk.User,
// whose fields take any key equal to their name without regard to case (equalFold). There a null
// leaves a string field as it is and drops the profile, a second profile adds its keys to the
// first, and the first value of the wrong type fails the user.
func readUser(obj []byte) (userFields, error) {
	type member struct {
		key   []byte
		field int // index in userFieldNames
		value []byte
	}
	var buf [len(userFieldNames)]member
	ms := buf[:0]
	eachMember(obj, func(key, value []byte) {
		field := -1
		for i, f := range userFieldNames {
			if string(key) == f.name || equalFold(key, f.folded) {
				field = i
				break
			}
		}
		if field < 0 {
			return
		}
		for i := range ms {
			if bytes.Equal(ms[i].key, key) {
				ms[i].value = value
				return
			}
		}
		ms = append(ms, member{key, field, value})
	})
	// Usually one member each, in document order; json.Marshal wrote them sorted.
	for i := 1; i < len(ms); i++ {
		for j := i; j > 0 && bytes.Compare(ms[j].key, ms[j-1].key) < 0; j-- {
			ms[j], ms[j-1] = ms[j-1], ms[j]
		}
	}
	var u userFields
	for _, m := range ms {
		name := userFieldNames[m.field].name
		k := kindOf(m.value)
		if name == "profile" {
			switch k {
			case kindNull:
				u.profile, u.earlierProfiles = nil, nil
			case kindObject:
				if u.profile != nil {
					u.earlierProfiles = append(u.earlierProfiles, u.profile)
				}
				u.profile = m.value
			default:
				return userFields{}, fmt.Errorf("_embedded.user.profile is %s, want an object", k)
			}
			continue
		}
		switch k {
		case kindNull:
		case kindString:
			if name == "id" {
				u.id = m.value
			} else {
				u.status = m.value
			}
		default:
			return userFields{}, fmt.Errorf("_embedded.user.%s is %s, want a string", name, k)
		}
	}
	return u, nil
}

// stringAttr reads an Okta user profile attribute; those are strings or unset.
func stringAttr(v []byte) (string, error) {
	switch k := kindOf(v); k {
	case kindNone, kindNull:
		return "", nil
	case kindString:
		return string(jsonText(v)), nil
	default:
		return "", fmt.Errorf("is %s, want a string", k)
	}
}

// roleAttr reads a role attribute of the app-user profile. Okta keeps unset attributes as null,
// and an attribute typed as a number in the app's profile schema (a custom role id) arrives as a
// JSON number; both are legitimate. A list or an object cannot name one role.
func roleAttr(v []byte) (string, error) {
	switch k := kindOf(v); k {
	case kindNone, kindNull:
		return "", nil
	case kindString:
		return knownText(bytes.TrimSpace(jsonText(v))), nil
	case kindNumber:
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil { // only a number beyond float64's range is valid JSON and fails here
			return "", fmt.Errorf("number %s is too large to be exact; store it as a string", v)
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

// jsonKind is the kind of a JSON value, told by its first byte; it reads as the value's
// description in messages ("is a number").
type jsonKind string

const (
	kindNone    jsonKind = "absent"
	kindNull    jsonKind = "null"
	kindString  jsonKind = "a string"
	kindNumber  jsonKind = "a number"
	kindBoolean jsonKind = "a boolean"
	kindArray   jsonKind = "an array"
	kindObject  jsonKind = "an object"
)

// kindOf tells the kind of v, a JSON value that encoding/json has already checked, or nothing.
func kindOf(v []byte) jsonKind {
	i := skipSpace(v, 0)
	if i == len(v) {
		return kindNone
	}
	switch v[i] {
	case 'n':
		return kindNull
	case '"':
		return kindString
	case 't', 'f':
		return kindBoolean
	case '[':
		return kindArray
	case '{':
		return kindObject
	}
	return kindNumber
}

// jsonText is the text of s, a JSON string: its bytes when it has neither escapes nor invalid
// UTF-8 (most of them), else what encoding/json decodes it to.
func jsonText(s []byte) []byte {
	if len(s) < 2 {
		return nil
	}
	if in := s[1 : len(s)-1]; bytes.IndexByte(in, '\\') < 0 && utf8.Valid(in) {
		return in
	}
	var t string
	if err := json.Unmarshal(s, &t); err != nil {
		return nil // not a JSON string; kindOf said it is one
	}
	return []byte(t)
}

// lookupMembers sets values[i] to the raw value of the member of obj named keys[i], as a map
// decoded from obj would hold it: names compared exactly once unescaped, the last of equal
// names winning. values[i] is left alone when obj has no such member. obj is a JSON object
// that encoding/json has already checked; anything else has no members.
func lookupMembers(obj []byte, keys []string, values [][]byte) {
	eachMember(obj, func(key, value []byte) {
		for i, k := range keys {
			if string(key) == k {
				values[i] = value
			}
		}
	})
}

// eachMember calls f with the name, unescaped, and the raw value of each member of obj in order.
// obj is a JSON object that encoding/json has already checked: the scan relies on it, though it
// stops without harm on anything else.
func eachMember(obj []byte, f func(key, value []byte)) {
	i := skipSpace(obj, 0)
	if i >= len(obj) || obj[i] != '{' {
		return
	}
	i++
	for {
		i = skipSpace(obj, i)
		if i >= len(obj) || obj[i] != '"' {
			return // '}'
		}
		end := skipString(obj, i)
		if end-1 <= i {
			return
		}
		key := jsonText(obj[i:end])
		i = skipSpace(obj, end)
		if i >= len(obj) || obj[i] != ':' {
			return
		}
		i = skipSpace(obj, i+1)
		end = skipValue(obj, i)
		if end <= i {
			return
		}
		f(key, obj[i:end])
		i = skipSpace(obj, end)
		if i >= len(obj) || obj[i] != ',' {
			return
		}
		i++
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string starting at b[i], a quote.
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b)
}

// skipValue returns the index after the value starting at b[i].
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				i = skipString(b, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return len(b)
	}
	for i < len(b) {
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i
		}
		i++
	}
	return i
}

// equalFold reports whether key matches a struct field whose name encoding/json folds to folded
// (upper case ASCII): it folds ASCII letters to upper case and any other rune to the smallest
// rune of its case-folding orbit, so "ſ" matches "S" and the Kelvin sign "K".
func equalFold(key []byte, folded string) bool {
	j := 0
	for i := 0; i < len(key); j++ {
		var r rune
		if c := key[i]; c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			r = rune(c)
			i++
		} else {
			var n int
			r, n = utf8.DecodeRune(key[i:])
			r = foldRune(r)
			i += n
		}
		if j >= len(folded) || r != rune(folded[j]) {
			return false
		}
	}
	return j == len(folded)
}

// foldRune is encoding/json's: the smallest rune of r's case-folding orbit.
func foldRune(r rune) rune {
	for {
		r2 := unicode.SimpleFold(r)
		if r2 <= r {
			return r2
		}
		r = r2
	}
}
