package okta

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/okta-clickup-sync/okta-clickup-sync/internal/endpoint"
)

// nextLink returns the target of the rel="next" link among h's Link headers, resolved against
// base, the URL that was asked for, or nil when there is none. Every Link value must be well
// formed (RFC 8288: a URI reference in angle brackets, then parameters; several values may share
// a header, separated by commas), there is at most one next link, and it stays on base's
// origin: a request for it carries the org's credentials. The SDK's own reading of Link headers
// dereferences a nil URL on some malformed ones and takes a folded header's self link for the
// next page (reference/okta-sdk-and-api.md §0.5), so the transport checks every answer's Link
// headers here before the SDK may see them. Errors quote at most 256 bytes of the header.
func nextLink(h http.Header, base *url.URL) (*url.URL, error) {
	var next *url.URL
	for _, v := range h.Values("Link") {
		links, ok := parseLinks(v)
		if !ok {
			return nil, malformedf("Link header %s is not <URI>; rel=\"...\"", quote(v))
		}
		for _, l := range links {
			ref, err := url.Parse(l.ref)
			if err != nil {
				return nil, malformedf("Link header %s: the URI does not parse", quote(v))
			}
			if !l.next {
				continue
			}
			if next != nil {
				return nil, malformedf("Link headers name two next links")
			}
			next = base.ResolveReference(ref)
			if endpoint.OriginOf(next) != endpoint.OriginOf(base) {
				return nil, malformedf("next link %s leads away from %s", quote(endpoint.Redacted(next)), endpoint.OriginOf(base))
			}
		}
	}
	return next, nil
}

type link struct {
	ref  string
	next bool // rel includes next
}

// parseLinks reads one Link header value: link-value *( "," link-value ), each
// "<" URI-Reference ">" *( ";" link-param ), a link-param a token with an optional token or
// quoted-string value.
func parseLinks(v string) ([]link, bool) {
	var links []link
	s := v
	for {
		s = trimOWS(s)
		rest, ok := strings.CutPrefix(s, "<")
		if !ok {
			return nil, false
		}
		ref, rest, ok := strings.Cut(rest, ">")
		if !ok {
			return nil, false
		}
		l := link{ref: ref}
		for s = trimOWS(rest); strings.HasPrefix(s, ";"); s = trimOWS(s) {
			var name, value string
			if name, value, s, ok = parseParam(s[1:]); !ok {
				return nil, false
			}
			if strings.EqualFold(name, "rel") {
				for _, r := range strings.Fields(value) {
					l.next = l.next || strings.EqualFold(r, "next")
				}
			}
		}
		links = append(links, l)
		switch {
		case s == "":
			return links, true
		case s[0] != ',':
			return nil, false
		}
		s = s[1:]
	}
}

// parseParam reads name [ "=" ( token / quoted-string ) ] from the start of s.
func parseParam(s string) (name, value, rest string, ok bool) {
	s = trimOWS(s)
	i := strings.IndexFunc(s, func(r rune) bool { return !isTokenChar(r) })
	if i < 0 {
		i = len(s)
	}
	if i == 0 {
		return "", "", "", false
	}
	name, s = s[:i], trimOWS(s[i:])
	if !strings.HasPrefix(s, "=") {
		return name, "", s, true
	}
	s = trimOWS(s[1:])
	if !strings.HasPrefix(s, `"`) {
		i := strings.IndexFunc(s, func(r rune) bool { return !isTokenChar(r) })
		if i < 0 {
			i = len(s)
		}
		return name, s[:i], s[i:], i > 0
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			return name, b.String(), s[i+1:], true
		case '\\':
			if i++; i == len(s) {
				return "", "", "", false
			}
			b.WriteByte(s[i])
		default:
			b.WriteByte(c)
		}
	}
	return "", "", "", false // unterminated
}

// isTokenChar reports a tchar of RFC 9110.
func isTokenChar(r rune) bool {
	return r < 0x7f && r > ' ' && !strings.ContainsRune(`"(),/:;<=>?@[\]{}`, r)
}

func trimOWS(s string) string { return strings.TrimLeft(s, " \t") }
