package config

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
)

// redacted is what every rendering of a non-empty Secret shows.
const redacted = "[redacted]"

// Secret holds a credential. Every way Go renders a value (fmt verbs, JSON, YAML, text marshalling)
// shows "[redacted]" instead of the content, so a Config can be logged, dumped or wrapped in an error
// without leaking. Only Reveal returns the content, which makes each deliberate use easy to find.
//
// An empty Secret renders as "", so output still shows whether a secret is set.
//
// One rendering is out of reach: encoding/json writes a map key of a string type as is, so never
// key a map by a Secret.
type Secret string

// Reveal returns the secret's content. Call it only where the value is handed to the service it
// authenticates against.
func (s Secret) Reveal() string { return string(s) }

// String returns "[redacted]", or "" when the secret is empty.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString keeps %#v, which otherwise prints the underlying string, from showing the content.
func (s Secret) GoString() string { return s.String() }

// Format covers every verb, not only %v and %s: without it, %x or %q on a string type would encode
// the content itself.
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		_, _ = io.WriteString(f, strconv.Quote(s.String()))
		return
	}
	_, _ = io.WriteString(f, s.String())
}

// MarshalJSON renders the redacted form, so JSON output of a Config (zerolog's Interface, a config
// dump) never carries the content.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// MarshalText renders the redacted form for encoders that use encoding.TextMarshaler (log/slog,
// map keys, TOML and others).
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// MarshalYAML renders the redacted form for gopkg.in/yaml.v3.
func (s Secret) MarshalYAML() (any, error) { return s.String(), nil }
