package okta

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// The bounds of DESIGN.md §7 on what Okta may send: a page of 500 app users with their users is
// about a megabyte, and no field the adapter reads comes near a kilobyte.
const (
	maxAnswerBytes = 64 << 20 // a body over this is malformed
	maxStringBytes = 64 << 10 // and so is a JSON string over this, as sent (escapes included)
)

// malformedAnswer is an answer the transport refused to hand on: too large, or with a Link
// header no server should send. It matches core.ErrMalformed, and is never retried.
type malformedAnswer struct{ msg string }

func (e *malformedAnswer) Error() string        { return e.msg }
func (e *malformedAnswer) Is(target error) bool { return target == core.ErrMalformed }

func malformedf(format string, args ...any) error {
	return &malformedAnswer{msg: fmt.Sprintf(format, args...)}
}

// readBody is an answer's body as the transport read it, whole and within bounds. The adapter
// takes the bytes without a copy (bodyBytes); the SDK, for its token request, reads it like any
// body.
type readBody struct {
	*bytes.Reader
	b []byte
}

func (*readBody) Close() error { return nil }

// readAnswer reads a body of size bytes (-1 when unknown) whole. It refuses, as soon as it can
// tell, a body over maxAnswerBytes and, when json, a string over maxStringBytes: so a 120 MB
// string costs 64 KiB to refuse, where reading it whole and then decoding it would cost the
// string several times over (encoding/json's Decoder buffers a whole value before it looks at
// it, and no JSON library offers a bound on one value).
func readAnswer(r io.Reader, size int64, json bool) ([]byte, error) {
	return readBounded(r, size, json, maxAnswerBytes)
}

// readBounded is readAnswer with limit in place of maxAnswerBytes.
func readBounded(r io.Reader, size int64, json bool, limit int64) ([]byte, error) {
	if size > limit {
		return nil, malformedf("the body announces %d bytes, more than %d bytes", size, limit)
	}
	if size < 0 {
		size = 0
	}
	if json {
		r = &stringGuard{r: r}
	}
	buf := bytes.NewBuffer(make([]byte, 0, size+bytes.MinRead))
	if _, err := buf.ReadFrom(io.LimitReader(r, limit+1)); err != nil {
		return nil, err
	}
	if int64(buf.Len()) > limit {
		return nil, malformedf("the body is more than %d bytes", limit)
	}
	return buf.Bytes(), nil
}

// isJSON reports a JSON content type, the only one Okta's API answers with.
func isJSON(contentType string) bool {
	return strings.Contains(strings.ToLower(contentType), "json")
}

// stringGuard passes a JSON text through and fails once a string in it runs longer than
// maxStringBytes. It only tells strings from the rest (a quote not escaped by a backslash opens
// or closes one); whether the text is JSON at all is the decoder's business.
type stringGuard struct {
	r      io.Reader
	in     bool  // inside a string
	escape bool  // the byte before was a backslash that escapes the next
	run    int   // bytes of the current string so far
	offset int64 // of the start of the next Read's bytes in the body
}

func (g *stringGuard) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	if serr := g.scan(p[:n]); serr != nil {
		return 0, serr
	}
	g.offset += int64(n)
	return n, err
}

func (g *stringGuard) scan(b []byte) error {
	for at := 0; at < len(b); {
		switch {
		case g.escape: // the byte after a backslash, whatever it is
			g.escape = false
			g.run++
			at++
		case !g.in:
			i := bytes.IndexByte(b[at:], '"')
			if i < 0 {
				return nil
			}
			g.in, g.run = true, 0
			at += i + 1
			continue
		default:
			// The string runs to the next quote, unless a backslash comes first.
			end := bytes.IndexByte(b[at:], '"')
			if end < 0 {
				end = len(b) - at
			}
			if i := bytes.IndexByte(b[at:at+end], '\\'); i >= 0 {
				end = i
			}
			g.run += end
			at += end
			if g.run > maxStringBytes {
				return g.tooLong(at)
			}
			if at == len(b) {
				return nil
			}
			if b[at] == '"' {
				g.in = false
			} else {
				g.escape = true
				g.run++
			}
			at++
		}
		if g.in && g.run > maxStringBytes {
			return g.tooLong(at)
		}
	}
	return nil
}

func (g *stringGuard) tooLong(at int) error {
	return malformedf("a string of more than %d bytes ends past byte %d of the body", maxStringBytes, g.offset+int64(at)-1)
}
