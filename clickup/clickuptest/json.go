package clickuptest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/okta-clickup-sync/okta-clickup-sync/internal/jsontext"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// The fake renders its responses itself, appending to one buffer: going through encoding/json,
// every obj's MarshalJSON output was checked and compacted again by each encoder it was nested
// in, which made the listing pages (100 Teams of 1,000 members) the costliest thing in a
// benchmark that is meant to measure the client. The bytes are the same as encoding/json's, as
// the fake wrote them before: keys as json.Marshal writes them (<, > and & escaped), string values
// as an Encoder with SetEscapeHTML(false) does; json_test.go holds the two to each other.

// appendJSON appends o as a JSON object, members in order.
func (o obj) appendJSON(dst []byte) ([]byte, error) {
	dst = append(dst, '{')
	for i, m := range o {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = jsontext.AppendString(dst, m.k, true)
		dst = append(dst, ':')
		var err error
		if dst, err = appendValue(dst, m.v); err != nil {
			return nil, fmt.Errorf("%s: %w", m.k, err)
		}
	}
	return append(dst, '}'), nil
}

func (o obj) MarshalJSON() ([]byte, error) { return o.appendJSON(nil) }

// appendValue appends v as encoding/json would encode it with HTML escaping off. The types the
// fake's resources are made of are written directly; anything else goes through encoding/json.
func appendValue(dst []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case string:
		return jsontext.AppendString(dst, v, false), nil
	case int:
		return strconv.AppendInt(dst, int64(v), 10), nil
	case bool:
		return strconv.AppendBool(dst, v), nil
	case obj:
		return v.appendJSON(dst)
	case []obj:
		if v == nil {
			return append(dst, "null"...), nil
		}
		dst = append(dst, '[')
		for i, o := range v {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = o.appendJSON(dst); err != nil {
				return nil, err
			}
		}
		return append(dst, ']'), nil
	case []string:
		if v == nil {
			return append(dst, "null"...), nil
		}
		dst = append(dst, '[')
		for i, s := range v {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = jsontext.AppendString(dst, s, false)
		}
		return append(dst, ']'), nil
	case []int:
		if v == nil {
			return append(dst, "null"...), nil
		}
		dst = append(dst, '[')
		for i, n := range v {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = strconv.AppendInt(dst, int64(n), 10)
		}
		return append(dst, ']'), nil
	case []any:
		if v == nil {
			return append(dst, "null"...), nil
		}
		dst = append(dst, '[')
		for i, e := range v {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = appendValue(dst, e); err != nil {
				return nil, err
			}
		}
		return append(dst, ']'), nil
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return append(dst, bytes.TrimRight(b.Bytes(), "\n")...), nil
}

// bufPool keeps response buffers between requests: a page of Teams is megabytes, and growing a
// new buffer to that size for every page is most of what serving it costs.
var bufPool = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledBuf is the largest buffer kept for reuse.
const maxPooledBuf = 32 << 20

// listPage is a ListResponse being written: the fake renders its Resources straight into the
// body while it holds s.mu, instead of building them as objs first.
type listPage struct {
	bp *[]byte
	b  []byte
	n  int // resources so far
}

// startList begins a ListResponse with its counters; items is the number of resources to come.
func startList(total, start, items int) *listPage {
	p := &listPage{bp: bufPool.Get().(*[]byte)}
	b := append((*p.bp)[:0], `{"schemas":["`+schemaListResponse+`"],"totalResults":`...)
	b = strconv.AppendInt(b, int64(total), 10)
	b = append(b, `,"startIndex":`...)
	b = strconv.AppendInt(b, int64(start), 10)
	b = append(b, `,"itemsPerPage":`...)
	b = strconv.AppendInt(b, int64(items), 10)
	p.b = append(b, `,"Resources":[`...)
	return p
}

// next starts the next resource and returns the body to append it to.
func (p *listPage) next() []byte {
	if p.n > 0 {
		p.b = append(p.b, ',')
	}
	p.n++
	return p.b
}

// send finishes the ListResponse and writes it as writeSCIM would.
func (p *listPage) send(w http.ResponseWriter) {
	p.b = append(p.b, "]}\n"...)
	*p.bp = p.b
	w.Header().Set("Content-Type", contentTypeSCIM)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(p.b)
	if cap(p.b) <= maxPooledBuf {
		bufPool.Put(p.bp)
	}
}

// appendTime appends t as a JSON string in the RFC 3339 form time.Format gives, which needs no
// escaping.
func appendTime(dst []byte, t time.Time) []byte {
	dst = append(dst, '"')
	dst = t.AppendFormat(dst, time.RFC3339)
	return append(dst, '"')
}

// appendKey appends a member's key, as json.Marshal writes it, and the colon.
func appendKey(dst []byte, k string) []byte {
	return append(jsontext.AppendString(dst, k, true), ':')
}
