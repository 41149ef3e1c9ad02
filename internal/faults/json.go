package faults

import (
	"bytes"
	"encoding/json"
)

// Transforms for Rewrite rules. Each returns its input unchanged when it is not the JSON it
// expects, so a rule that also hits error answers does not turn them into something else.

// HalfBody keeps the first half of a body: an answer cut short but delivered whole.
func HalfBody(b []byte) []byte { return b[:len(b)/2] }

// BadJSON replaces the body with JSON that never ends.
func BadJSON([]byte) []byte { return []byte(`{"bad json`) }

// EditJSON decodes the body (numbers kept exact), lets edit change it and encodes it again.
func EditJSON(edit func(v any) any) func([]byte) []byte {
	return func(b []byte) []byte {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			return b
		}
		out, err := json.Marshal(edit(v))
		if err != nil {
			return b
		}
		return out
	}
}

// DropKey removes key from every object in the body, however deep: a required field missing.
func DropKey(key string) func([]byte) []byte {
	var walk func(v any) any
	walk = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			delete(x, key)
			for k, e := range x {
				x[k] = walk(e)
			}
		case []any:
			for i, e := range x {
				x[i] = walk(e)
			}
		}
		return v
	}
	return EditJSON(walk)
}

// EditObject applies edit to the body when it is a JSON object.
func EditObject(edit func(map[string]any)) func([]byte) []byte {
	return EditJSON(func(v any) any {
		if m, ok := v.(map[string]any); ok {
			edit(m)
		}
		return v
	})
}

// DropLast removes the last element when the body is a JSON array.
func DropLast(b []byte) []byte {
	return EditJSON(func(v any) any {
		if a, ok := v.([]any); ok && len(a) > 0 {
			return a[:len(a)-1]
		}
		return v
	})(b)
}
