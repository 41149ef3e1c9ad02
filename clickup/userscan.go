package clickup

import (
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// decodeUser's fast pass over a listed user. Every listed user is read here, and
// encoding/json plus parseObject cost 40 to 70 µs and over 200 allocations a user; this pass
// costs a few µs. jsonScan checks JSON as encoding/json's scanner does (RFC 8259; bytes of
// 0x80 and above are accepted in strings unchecked, as encoding/json accepts them), but it
// only has to be right when it accepts: anything it refuses goes to decodeUserSlow, which gives
// the error. FuzzDecodeUserFast holds the two to the same results.

// maxScanDepth bounds the fast pass's recursion; deeper resources take the slow path, which
// has encoding/json's own limit.
const maxScanDepth = 200

type jsonScan struct {
	b []byte
	i int
}

func (s *jsonScan) skipSpace() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// at reports whether the next byte is c.
func (s *jsonScan) at(c byte) bool { return s.i < len(s.b) && s.b[s.i] == c }

// str scans the string starting at s.i and returns it, quotes included.
func (s *jsonScan) str() (q []byte, esc, high, ok bool) {
	start := s.i
	if !s.at('"') {
		return nil, false, false, false
	}
	for i := start + 1; i < len(s.b); {
		if plainByte[s.b[i]] {
			i++
			continue
		}
		switch c := s.b[i]; {
		case c == '"':
			s.i = i + 1
			return s.b[start:s.i], esc, high, true
		case c == '\\':
			esc = true
			if i+1 >= len(s.b) {
				return nil, false, false, false
			}
			switch s.b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+5 >= len(s.b) || !isHex(s.b[i+2]) || !isHex(s.b[i+3]) || !isHex(s.b[i+4]) || !isHex(s.b[i+5]) {
					return nil, false, false, false
				}
				i += 6
			default:
				return nil, false, false, false
			}
		case c < 0x20:
			return nil, false, false, false
		case c >= 0x80:
			high = true
			i++
		default:
			i++
		}
	}
	return nil, false, false, false
}

// plainByte is true for the bytes that stand for themselves in a JSON string: ASCII from the
// space on, but for the quote and the backslash.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// stringValue reads a string or null at s.i; ok is false for any other value.
func (s *jsonScan) stringValue() (jsonString, bool) {
	if s.lit("null") {
		return jsonString{}, true
	}
	q, esc, high, ok := s.str()
	if !ok {
		return jsonString{}, false
	}
	return jsonString{q: q, plain: !esc && (!high || utf8.Valid(q[1:len(q)-1]))}, true
}

// boolValue reads true, false or null (set false) at s.i; ok is false for any other value.
func (s *jsonScan) boolValue() (v, set, ok bool) {
	switch {
	case s.lit("true"):
		return true, true, true
	case s.lit("false"):
		return false, true, true
	case s.lit("null"):
		return false, false, true
	}
	return false, false, false
}

// lit consumes the literal word if it is next.
func (s *jsonScan) lit(word string) bool {
	if len(s.b)-s.i >= len(word) && string(s.b[s.i:s.i+len(word)]) == word {
		s.i += len(word)
		return true
	}
	return false
}

func (s *jsonScan) digits() bool {
	start := s.i
	for s.i < len(s.b) && '0' <= s.b[s.i] && s.b[s.i] <= '9' {
		s.i++
	}
	return s.i > start
}

func (s *jsonScan) number() bool {
	if s.at('-') {
		s.i++
	}
	switch {
	case s.at('0'):
		s.i++
	case s.i < len(s.b) && '1' <= s.b[s.i] && s.b[s.i] <= '9':
		s.digits()
	default:
		return false
	}
	if s.at('.') {
		s.i++
		if !s.digits() {
			return false
		}
	}
	if s.at('e') || s.at('E') {
		s.i++
		if s.at('+') || s.at('-') {
			s.i++
		}
		if !s.digits() {
			return false
		}
	}
	return true
}

// value scans any value at s.i; depth is that of the value's container.
func (s *jsonScan) value(depth int) bool {
	if s.i >= len(s.b) {
		return false
	}
	switch c := s.b[s.i]; {
	case c == '"':
		_, _, _, ok := s.str()
		return ok
	case c == '{':
		if depth >= maxScanDepth {
			return false
		}
		s.i++
		for first := true; ; first = false {
			_, _, _, done, ok := s.member(first)
			if !ok || done {
				return ok
			}
			if !s.value(depth + 1) {
				return false
			}
		}
	case c == '[':
		if depth >= maxScanDepth {
			return false
		}
		s.i++
		for first := true; ; first = false {
			done, ok := s.element(first)
			if !ok || done {
				return ok
			}
			if !s.value(depth + 1) {
				return false
			}
		}
	case c == 't':
		return s.lit("true")
	case c == 'f':
		return s.lit("false")
	case c == 'n':
		return s.lit("null")
	}
	return s.number()
}

// member moves to the next member of an object whose '{' was consumed: it returns the key,
// quotes included, and leaves s.i at the value; done reports the '}' instead. first is true
// right after the '{'.
func (s *jsonScan) member(first bool) (key []byte, esc, high, done, ok bool) {
	s.skipSpace()
	switch {
	case s.at('}'):
		s.i++
		return nil, false, false, true, true
	case !first:
		if !s.at(',') {
			return nil, false, false, false, false
		}
		s.i++
		s.skipSpace()
	}
	if key, esc, high, ok = s.str(); !ok {
		return nil, false, false, false, false
	}
	s.skipSpace()
	if !s.at(':') {
		return nil, false, false, false, false
	}
	s.i++
	s.skipSpace()
	return key, esc, high, false, true
}

// element moves to the next element of an array whose '[' was consumed, leaving s.i at it;
// done reports the ']' instead.
func (s *jsonScan) element(first bool) (done, ok bool) {
	s.skipSpace()
	switch {
	case s.at(']'):
		s.i++
		return true, true
	case !first:
		if !s.at(',') {
			return false, false
		}
		s.i++
		s.skipSpace()
	}
	return false, true
}

// keyIs reports whether a key (quotes included) names the attribute name, case-insensitively
// as parseObject's get and encoding/json match them.
func keyIs(key []byte, esc, high bool, name string) bool {
	if esc || high {
		var k string
		if json.Unmarshal(key, &k) != nil {
			return false
		}
		return strings.EqualFold(k, name)
	}
	k := key[1 : len(key)-1]
	if len(k) != len(name) {
		// An ASCII key can still equal a longer name that holds the Kelvin sign or the long s,
		// at most 4 bytes to a character.
		return len(name) > len(k) && len(name) <= 4*len(k) && !isASCII(name) && strings.EqualFold(string(k), name)
	}
	for i, a := range k {
		b := name[i]
		if b >= utf8.RuneSelf {
			return strings.EqualFold(string(k), name)
		}
		if a != b && lowerASCII(a) != lowerASCII(b) {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// Modeled attributes, for telling a repeated one.
const (
	seenID = 1 << iota
	seenExternalID
	seenUserName
	seenName
	seenEmails
	seenActive
)

// modeledAttr tells which of userDoc's attributes a top-level key names, 0 for none.
func modeledAttr(key []byte, esc, high bool) int {
	n := len(key) - 2
	if esc || high {
		n = -1 // decoded by keyIs; any length may match
	}
	switch {
	case (n == 2 || n < 0) && keyIs(key, esc, high, "id"):
		return seenID
	case (n == 4 || n < 0) && keyIs(key, esc, high, "name"):
		return seenName
	case (n == 6 || n < 0) && keyIs(key, esc, high, "active"):
		return seenActive
	case (n == 6 || n < 0) && keyIs(key, esc, high, "emails"):
		return seenEmails
	case (n == 8 || n < 0) && keyIs(key, esc, high, "userName"):
		return seenUserName
	case (n == 10 || n < 0) && keyIs(key, esc, high, "externalId"):
		return seenExternalID
	}
	return 0
}

// scanUser is the fast pass: it fills f and reports true when raw is a JSON object that
// encoding/json would decode into userDoc without error and as scanUser read it.
func (c *SCIMClient) scanUser(raw []byte, f *userFields) bool {
	s := jsonScan{b: raw}
	s.skipSpace()
	if !s.at('{') {
		return false
	}
	s.i++
	seen := 0
	for first := true; ; first = false {
		key, esc, high, done, ok := s.member(first)
		if !ok {
			return false
		}
		if done {
			break
		}
		start := s.i
		attr := modeledAttr(key, esc, high)
		switch attr {
		case seenID:
			f.id, ok = s.stringValue()
		case seenExternalID:
			f.externalID, ok = s.stringValue()
		case seenUserName:
			f.userName, ok = s.stringValue()
		case seenActive:
			f.active, f.hasActive, ok = s.boolValue()
		case seenName:
			ok = s.scanName(f)
		case seenEmails:
			ok = s.scanEmails(f)
		default:
			ok = s.value(1)
		}
		if !ok || seen&attr != 0 {
			return false // the wrong type, or twice: encoding/json decides
		}
		seen |= attr
		v := raw[start:s.i]
		// Role attributes are looked up as parseObject's get does: the last one of a name wins.
		if c.roleSchema != "" {
			if keyIs(key, esc, high, c.roleSchema) {
				f.ext = v
			}
			continue
		}
		switch {
		case keyIs(key, esc, high, c.roleAttr):
			f.base = v
		case keyIs(key, esc, high, c.idAttr):
			f.crID = v
		case keyIs(key, esc, high, c.nameAttr):
			f.crName = v
		}
	}
	s.skipSpace()
	return s.i == len(raw)
}

// scanName reads name: null, or an object whose givenName and familyName are strings or null.
func (s *jsonScan) scanName(f *userFields) bool {
	if s.lit("null") {
		return true
	}
	if !s.at('{') {
		return false
	}
	s.i++
	for first := true; ; first = false {
		key, esc, high, done, ok := s.member(first)
		if !ok || done {
			return ok
		}
		switch {
		case keyIs(key, esc, high, "givenName"):
			f.givenName, ok = s.stringValue()
		case keyIs(key, esc, high, "familyName"):
			f.familyName, ok = s.stringValue()
		default:
			ok = s.value(2)
		}
		if !ok {
			return false
		}
	}
}

// scanEmails reads emails: null, or an array of objects (or nulls) whose value is a string or
// null and whose primary is a boolean or null. It picks the email as decodeUserSlow does: the
// first primary one, else the first one.
func (s *jsonScan) scanEmails(f *userFields) bool {
	if s.lit("null") {
		return true
	}
	if !s.at('[') {
		return false
	}
	s.i++
	picked := false
	for i := 0; ; i++ {
		done, ok := s.element(i == 0)
		if !ok || done {
			return ok
		}
		var value jsonString
		primary := false
		switch {
		case s.lit("null"):
		case s.at('{'):
			s.i++
			for first := true; ; first = false {
				key, esc, high, done, ok := s.member(first)
				if !ok {
					return false
				}
				if done {
					break
				}
				switch {
				case keyIs(key, esc, high, "value"):
					value, ok = s.stringValue()
				case keyIs(key, esc, high, "primary"):
					primary, _, ok = s.boolValue()
				default:
					ok = s.value(3)
				}
				if !ok {
					return false
				}
			}
		default:
			return false
		}
		if !picked && (i == 0 || primary) {
			f.email = value
		}
		picked = picked || primary
	}
}

// scanRoleAttrs finds the role attributes in the role extension object ext, which scanUser has
// checked; the last of a name wins, as with parseObject's get.
func (c *SCIMClient) scanRoleAttrs(ext []byte) (base, crID, crName json.RawMessage, ok bool) {
	s := jsonScan{b: ext, i: 1}
	for first := true; ; first = false {
		key, esc, high, done, ok := s.member(first)
		if !ok || done {
			return base, crID, crName, ok && s.i == len(ext)
		}
		start := s.i
		if !s.value(2) {
			return nil, nil, nil, false
		}
		v := ext[start:s.i]
		switch {
		case keyIs(key, esc, high, c.roleAttr):
			base = v
		case keyIs(key, esc, high, c.idAttr):
			crID = v
		case keyIs(key, esc, high, c.nameAttr):
			crName = v
		}
	}
}
