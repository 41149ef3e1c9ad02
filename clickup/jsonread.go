package clickup

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"
)

// Every answer is decoded with github.com/go-json-experiment/json: it refuses duplicate member
// names and invalid UTF-8, reads integers strictly (2.0, 1e0 and "2" are not 2), and its
// jsontext.Value keeps the attributes this client does not model, exactly, for a later PUT.

const (
	// maxValueBytes bounds one string or number in an answer (DESIGN.md §7).
	maxValueBytes = 64 << 10
	// maxQuoted bounds what one error quotes of an answer (DESIGN.md §7); shownBytes is one
	// value's share, so that an error may quote several.
	maxQuoted  = 256
	shownBytes = 64
)

// readOptions match member names case-insensitively, as SCIM attribute names are (RFC 7643
// §2.1) and as encoding/json did, but never ignoring '-' or '_': user_name is not userName.
var readOptions = json.JoinOptions(json.MatchCaseInsensitiveNames(true), jsonv1.MatchCaseSensitiveDelimiter(true))

// decodeObject unmarshals a body or a value that must be one JSON object into v, after checkJSON.
func decodeObject(b []byte, v any) error {
	if err := checkJSON(b, '{'); err != nil {
		return err
	}
	return decodeValue(b, v)
}

// decodeValue unmarshals a value checkJSON has seen (a part of a checked body) into v.
func decodeValue(b []byte, v any) error {
	if err := json.Unmarshal(b, v, readOptions); err != nil {
		return jsonError(err)
	}
	return nil
}

// jsonError shortens a decoder's message: it names the place in the document, and names are
// values the service chose.
func jsonError(err error) error { return errors.New(truncate(err.Error(), 200)) }

// checkJSON reads b once, token by token, and refuses what must not be decoded at all: no body,
// a body that is not one JSON value of the kind wanted (null, an array where an object belongs,
// a string; 0 wants any), invalid JSON, and a string or number longer than maxValueBytes, object
// member names included.
func checkJSON(b []byte, want jsontext.Kind) error {
	dec := jsontext.NewDecoder(bytes.NewReader(b))
	switch k := dec.PeekKind(); {
	case k == want || (want == 0 && k != 0):
	case k == 0 && len(bytes.TrimSpace(b)) == 0:
		return errors.New("the body is empty")
	case k == 0:
		_, err := dec.ReadToken()
		return jsonError(err)
	default:
		return fmt.Errorf("the body is %s, want %s", kindName(k), kindName(want))
	}
	for {
		switch dec.PeekKind() {
		case '"', '0':
			v, err := dec.ReadValue()
			if err != nil {
				return jsonError(err)
			}
			n := len(v)
			if v[0] == '"' {
				n -= 2 // the quotes
			}
			if n > maxValueBytes {
				return fmt.Errorf("a value of %d bytes at %s is over the limit of %d KiB", n, truncate(string(dec.StackPointer()), shownBytes), maxValueBytes>>10)
			}
		default:
			if _, err := dec.ReadToken(); err != nil {
				return jsonError(err)
			}
		}
		if dec.StackDepth() == 0 {
			break
		}
	}
	if _, err := dec.ReadToken(); err != io.EOF {
		return errors.New("data after the JSON value")
	}
	return nil
}

// kindName names a JSON kind for errors.
func kindName(k jsontext.Kind) string {
	switch k {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case '0':
		return "a number"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "not JSON"
}

// isNull reports whether a member is absent or JSON null, which SCIM treats alike.
func isNull(v jsontext.Value) bool { return v.Kind() == 0 || v.Kind() == 'n' }

// jsonInt reads a value that must be a JSON integer: 1.0, 1e0 and "1" are refused, because a
// server that sends them is not the one this client was written against.
func jsonInt(v jsontext.Value) (int64, error) {
	switch v.Kind() {
	case 0:
		return 0, errors.New("missing")
	case '0':
	default:
		return 0, fmt.Errorf("%s, want a JSON integer", kindName(v.Kind()))
	}
	n, err := strconv.ParseInt(string(bytes.TrimSpace(v)), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s, want a JSON integer", truncate(string(v), shownBytes))
	}
	return n, nil
}

// truncate cuts s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// shown is a value read from the service as an error message may quote it: cut to its share of
// maxQuoted. Format it with %q where it is free text.
func shown(s string) string { return truncate(s, shownBytes) }

// eachMember reads the object that comes next from dec, calling f with each member's name; f
// must read the member's value.
func eachMember(dec *jsontext.Decoder, f func(name string) error) error {
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	if tok.Kind() != '{' {
		return fmt.Errorf("is %s, want an object", kindName(tok.Kind()))
	}
	for dec.PeekKind() != '}' {
		if tok, err = dec.ReadToken(); err != nil {
			return err
		}
		if err := f(tok.String()); err != nil {
			return err
		}
	}
	_, err = dec.ReadToken()
	return err
}

// keepMember reads a member's value from dec into o.
func keepMember(dec *jsontext.Decoder, name string, o *object) error {
	v, err := dec.ReadValue()
	if err != nil {
		return err
	}
	return o.add(name, v)
}

// object is a JSON object being assembled from members in order: its opening brace and members
// so far, closed by close. Names are quoted by the library and values are ones it has read or
// written, so the whole is valid JSON.
type object []byte

func (o *object) add(name string, v jsontext.Value) error {
	if len(*o) == 0 {
		*o = append(*o, '{')
	} else {
		*o = append(*o, ',')
	}
	b, err := jsontext.AppendQuote(*o, name)
	if err != nil {
		return err
	}
	*o = append(append(b, ':'), v...)
	return nil
}

// close returns the object, or nil when it has no members.
func (o object) close() jsontext.Value {
	if len(o) == 0 {
		return nil
	}
	return jsontext.Value(append(o, '}'))
}
