// Package jsontext writes JSON strings by appending to a byte slice, byte for byte as
// encoding/json writes them, for the fakes' listing renderers: encoding/json's reflection and
// re-compaction were most of what serving a page cost.
package jsontext

import "unicode/utf8"

// AppendString appends s as a JSON string exactly as encoding/json writes it: ", \ and control
// characters escaped (\b, \f, \n, \r, \t by name, the others as \u00XX), invalid UTF-8 as
// \ufffd, U+2028 and U+2029 as \u2028 and \u2029, and with html (json.Marshal's default) also
// <, > and & as \u003c, \u003e and \u0026.
func AppendString(dst []byte, s string, html bool) []byte {
	return append(AppendEscaped(append(dst, '"'), s, html), '"')
}

// AppendEscaped appends s escaped as in a JSON string, without the quotes.
func AppendEscaped(dst []byte, s string, html bool) []byte {
	const hex = "0123456789abcdef"
	safe := &plainSafe
	if html {
		safe = &htmlSafe
	}
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if safe[c] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	return append(dst, s[start:]...)
}

// plainSafe and htmlSafe are true for the ASCII bytes written as they are.
var plainSafe, htmlSafe = func() (plain, html [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		plain[c] = c != '"' && c != '\\'
		html[c] = plain[c] && c != '<' && c != '>' && c != '&'
	}
	return plain, html
}()
