package clickup

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// object is a JSON object that keeps its members' order and their values' exact bytes, so a
// resource read from ClickUp can be sent back with only the attributes this client owns changed.
// Keys match case-insensitively, as SCIM attribute names do (RFC 7643 §2.1).
type object struct {
	members []member
}

type member struct {
	key   string
	value json.RawMessage
}

func parseObject(b []byte) (*object, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errors.New("not a JSON object")
	}
	o := &object{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		o.setRaw(key, v)
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the JSON object")
	}
	return o, nil
}

func (o *object) index(key string) int {
	for i, m := range o.members {
		if strings.EqualFold(m.key, key) {
			return i
		}
	}
	return -1
}

func (o *object) get(key string) (json.RawMessage, bool) {
	if i := o.index(key); i >= 0 {
		return o.members[i].value, true
	}
	return nil, false
}

// setRaw replaces the value in place, keeping the member's position, and drops any other member
// whose key differs only in case.
func (o *object) setRaw(key string, v json.RawMessage) {
	i := o.index(key)
	if i < 0 {
		o.members = append(o.members, member{key, v})
		return
	}
	o.members[i] = member{key, v}
	for j := len(o.members) - 1; j > i; j-- {
		if strings.EqualFold(o.members[j].key, key) {
			o.members = append(o.members[:j], o.members[j+1:]...)
		}
	}
}

func (o *object) set(key string, v any) {
	o.setRaw(key, mustMarshal(v))
}

func (o *object) del(key string) {
	for i := o.index(key); i >= 0; i = o.index(key) {
		o.members = append(o.members[:i], o.members[i+1:]...)
	}
}

func (o *object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o.members {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(mustMarshal(m.key))
		b.WriteByte(':')
		b.Write(m.value)
	}
	b.WriteByte('}')
	var out bytes.Buffer
	if err := json.Compact(&out, b.Bytes()); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// mustMarshal encodes values this package builds itself (strings, bools, its own structs and
// objects), which cannot fail. HTML escaping is off so names like "R&D" travel as written.
func mustMarshal(v any) json.RawMessage {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("clickup: encode %T: %v", v, err))
	}
	return bytes.TrimRight(b.Bytes(), "\n")
}

// jsonInt reads a value that must be a JSON integer: 1.0, 1e0 and "1" are refused, because a
// server that sends them is not the one this client was written against.
func jsonInt(raw json.RawMessage) (int64, error) {
	s := string(bytes.TrimSpace(raw))
	switch {
	case s == "":
		return 0, errors.New("missing")
	case s == "null":
		return 0, errors.New("null, want a JSON integer")
	}
	if !isIntLiteral(s) {
		return 0, fmt.Errorf("%s, want a JSON integer", truncate(s, 40))
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", truncate(s, 40), err)
	}
	return n, nil
}

func isIntLiteral(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// isNull reports whether an attribute is absent or JSON null, which SCIM treats alike.
func isNull(raw json.RawMessage) bool {
	s := bytes.TrimSpace(raw)
	return len(s) == 0 || string(s) == "null"
}
