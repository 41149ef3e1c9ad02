package clickuptest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
)

// The fake writes every answer with encoding/json, from structs, HTML escaping off as a JSON API
// would have it ("R&D", not "R\u0026D"). Each resource has one renderer, used by its listing and
// by its single answers alike.

// encode appends v to b as encoding/json writes it, without HTML escaping or a newline.
func encode(b *bytes.Buffer, v any) error {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	b.Truncate(b.Len() - 1)
	return nil
}

// writeJSON sends v followed by a newline, as a json.Encoder writes it, with its length.
func writeJSON(w http.ResponseWriter, contentType string, status int, v any) {
	var b bytes.Buffer
	if err := encode(&b, v); err != nil {
		http.Error(w, "encode: "+err.Error(), http.StatusInternalServerError)
		return
	}
	b.WriteByte('\n')
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

// listResponse is a ListResponse (RFC 7644 §3.4.2); the counters are integers, as Okta requires.
type listResponse[T any] struct {
	Schemas      []string `json:"schemas"`
	TotalResults int      `json:"totalResults"`
	StartIndex   int      `json:"startIndex"`
	ItemsPerPage int      `json:"itemsPerPage"`
	Resources    []T      `json:"Resources"`
}

// pageOf returns the bounds of the page that startIndex and count ask for among n items, read as
// RFC 7644 §3.4.2.4 says: a start below 1 is 1; a negative count is 0, and count is capped at
// limit. start is the startIndex to answer with.
func pageOf(n, startIndex, count, limit int) (lo, hi, start int) {
	start = max(startIndex, 1)
	lo = min(start-1, n)
	return lo, min(lo+min(max(count, 0), limit), n), start
}

func listOf[T any](total, start int, resources []T) listResponse[T] {
	if resources == nil {
		resources = []T{} // "Resources":[], one of the two forms Okta accepts for no match
	}
	return listResponse[T]{Schemas: []string{schemaListResponse}, TotalResults: total, StartIndex: start,
		ItemsPerPage: len(resources), Resources: resources}
}
