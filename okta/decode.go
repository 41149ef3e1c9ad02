package okta

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
)

// Okta's answers are decoded by encoding/json into small structs of the fields the adapter
// reads; the rest of each answer is skipped. A body must be the one JSON value its endpoint
// returns, a list or an object: an empty body, null, another type, or anything after the value
// is malformed (DESIGN.md §7), never an empty page.

// decodeList decodes body, a JSON array, one element at a time into a T, and hands each to each
// with its index, to use before it returns; a null element comes as nil. A field of the wrong JSON type comes as
// typeErr with the element, which encoding/json decodes as far as it can, so that each can name
// the element it is about.
func decodeList[T any](body []byte, each func(i int, v *T, typeErr error) error) error {
	if err := wantStart(body, '[', "an array"); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if _, err := dec.Token(); err != nil {
		return err
	}
	// One T serves every element in turn (each must not keep it): an allocation per element
	// fewer, at 100,000 users.
	var elem T
	for i := 0; dec.More(); i++ {
		var zero T
		elem = zero
		v := &elem // nil after a null element
		err := dec.Decode(&v)
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &te):
			err = each(i, v, typeError(te))
		case err != nil:
			return err
		default:
			err = each(i, v, nil)
		}
		if err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("more data after the array")
	}
	return nil
}

// decodeObject decodes body, a JSON object, into v.
func decodeObject(body []byte, v any) error {
	if err := wantStart(body, '{', "an object"); err != nil {
		return err
	}
	err := json.Unmarshal(body, v)
	if te := (*json.UnmarshalTypeError)(nil); errors.As(err, &te) {
		return typeError(te)
	}
	return err
}

// wantStart checks that body starts a JSON value of the kind start opens.
func wantStart(body []byte, start byte, want string) error {
	switch k := kindOf(body); {
	case k == kindNone:
		return errors.New("the body is empty, want " + want)
	case k == kindNull:
		return errors.New("the body is null, want " + want)
	case k == kindInvalid:
		return nil // not JSON at all: the decoder says where
	case bytes.TrimLeft(body, " \t\r\n")[0] != start:
		return fmt.Errorf("cannot unmarshal %s as the body, want %s", k, want)
	}
	return nil
}

// typeError words a value of the wrong JSON type: in encoding/json's words, but for a value
// that should be an object ("_embedded.user is a string, want an object").
func typeError(te *json.UnmarshalTypeError) error {
	t := te.Type
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct && t.Kind() != reflect.Map {
		return te
	}
	what := te.Field
	if what == "" {
		what = "the entry"
	}
	kind := jsonKind("a " + te.Value)
	switch v := te.Value; {
	case v == "array" || v == "object":
		kind = jsonKind("an " + v)
	case v == "bool":
		kind = kindBoolean
	case strings.HasPrefix(v, "number"):
		kind = kindNumber
	}
	return fmt.Errorf("%s is %s, want an object", what, kind)
}

// jsonKind is the kind of a JSON value, as it reads in messages ("is a number").
type jsonKind string

const (
	kindNone    jsonKind = "absent"
	kindNull    jsonKind = "null"
	kindString  jsonKind = "a string"
	kindNumber  jsonKind = "a number"
	kindBoolean jsonKind = "a boolean"
	kindArray   jsonKind = "an array"
	kindObject  jsonKind = "an object"
	kindInvalid jsonKind = "not JSON"
)

// kindOf tells the kind of v, a JSON value, by its first byte.
func kindOf(v []byte) jsonKind {
	v = bytes.TrimLeft(v, " \t\r\n")
	if len(v) == 0 {
		return kindNone
	}
	switch v[0] {
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
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return kindNumber
	}
	return kindInvalid
}
