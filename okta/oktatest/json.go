package oktatest

import (
	"net/http"
	"sync"
	"time"
)

// The listings (app users, group members, groups) are rendered by appending straight to one
// buffer: built as structs with maps and encoded by encoding/json, a page of 500 app users was
// 13,600 allocations, on the critical path of every benchmark. The bytes are json.Marshal's of
// the structs in resources.go, which resources_test.go checks: the same members in the same
// order (map keys sorted, as encoding/json sorts them), strings escaped the same way (<, > and &
// too, as json.Marshal does).

// appendTimestamp appends timestamp(t) as a JSON string; its characters need no escaping. Six
// of them go into every app user with its user, and time's layout interpreter was half the
// cost of a page, so the years Okta can mean are written here.
func appendTimestamp(dst []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return append(t.AppendFormat(append(dst, '"'), timestampLayout), '"')
	}
	hour, minute, sec := t.Clock()
	ms := t.Nanosecond() / 1e6 // .000 truncates, as time's layouts do
	return append(dst, '"',
		byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10), '-',
		byte('0'+month/10), byte('0'+month%10), '-', byte('0'+day/10), byte('0'+day%10), 'T',
		byte('0'+hour/10), byte('0'+hour%10), ':', byte('0'+minute/10), byte('0'+minute%10), ':',
		byte('0'+sec/10), byte('0'+sec%10), '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10), 'Z', '"')
}

// bufPool keeps response buffers between requests; a page of 500 app users is 1.5 MB.
var bufPool = sync.Pool{New: func() any { return new([]byte) }}

const maxPooledBuf = 32 << 20

// listBody is a JSON array being rendered into a pooled buffer.
type listBody struct {
	bp *[]byte
	b  []byte
	n  int
}

func startListBody() *listBody {
	l := &listBody{bp: bufPool.Get().(*[]byte)}
	l.b = append((*l.bp)[:0], '[')
	return l
}

// next starts the next element and returns the body to append it to.
func (l *listBody) next() []byte {
	if l.n > 0 {
		l.b = append(l.b, ',')
	}
	l.n++
	return l.b
}

// send writes the array as writeJSON would.
func (l *listBody) send(w http.ResponseWriter) {
	l.b = append(l.b, ']')
	*l.bp = l.b
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(l.b)
	if cap(l.b) <= maxPooledBuf {
		bufPool.Put(l.bp)
	}
}
