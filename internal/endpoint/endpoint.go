// Package endpoint holds the rules every service address obeys: an API base URL is absolute https
// (or http to a loopback host, for tests and the demo, when explicitly allowed), carries no
// credentials, query or fragment; and a client never follows a redirect off the origin it was
// configured with, so that a credential never reaches a host, scheme or port it was not meant for.
//
// The configuration, the Okta adapter and the ClickUp adapter all check their addresses here, so
// that one mistake is described in the same words wherever it is caught.
package endpoint

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// Problem is what is wrong with a base URL, in words that never repeat a part of it that could
// hold a credential.
type Problem struct{ msg string }

func (p *Problem) Error() string { return p.msg }

func problem(format string, args ...any) *Problem { return &Problem{fmt.Sprintf(format, args...)} }

// Parse checks raw as a base URL and returns it parsed, without a trailing slash. allowInsecure
// permits http://, and only to a loopback host. The error is a *Problem.
func Parse(raw string, allowInsecure bool) (*url.URL, error) {
	if strings.TrimSpace(raw) == "" {
		return nil, problem("is empty")
	}
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error repeats the whole URL, credentials included
		}
		return nil, problem("not a valid URL: %v", err)
	}
	if u.User != nil {
		return nil, problem("must not contain credentials (user:password@host); give the token in its own setting")
	}
	if u.Scheme == "" || u.Host == "" {
		if strings.ContainsAny(raw, "@?#") {
			return nil, problem("must be an absolute URL like https://host/path")
		}
		return nil, problem("must be an absolute URL like https://host/path, got %q", raw)
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return nil, problem("must not contain a query (?...) or fragment (#...)")
	}
	host := u.Hostname()
	if host == "" {
		return nil, problem("has no host name")
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
	case "http":
		if !allowInsecure {
			return nil, problem("must use https, not http (%q): http is allowed only to a loopback address with SYNC_ALLOW_INSECURE_HTTP=true", Redacted(u))
		}
		if !IsLoopbackHost(host) {
			return nil, problem("http is allowed only to a loopback address (127.0.0.0/8, ::1, localhost), not %q; use https", host)
		}
	default:
		return nil, problem("must use https, not %q", u.Scheme)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// Redacted renders a URL from its scheme, host and path only, so that it cannot leak a
// credential, a query or a fragment whatever it holds.
func Redacted(u *url.URL) string {
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
}

// IsLoopbackHost reports whether host (a name or an address, with or without port or brackets)
// is a loopback address: 127.0.0.0/8, ::1 (also IPv4-mapped), or the name localhost. Other names
// are refused even when they resolve to loopback, since resolution can change after the check.
func IsLoopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") || strings.EqualFold(host, "localhost.") {
		return true
	}
	addr, err := netip.ParseAddr(host)
	return err == nil && addr.Unmap().IsLoopback()
}

// Origin is a scheme, host and port: where a credential may be sent.
type Origin struct {
	Scheme string
	Host   string // lower case, without port
	Port   string // explicit, or the scheme's default
}

// OriginOf returns u's origin, with the scheme's default port filled in.
func OriginOf(u *url.URL) Origin {
	o := Origin{Scheme: strings.ToLower(u.Scheme), Host: strings.ToLower(strings.TrimSuffix(u.Hostname(), ".")), Port: u.Port()}
	if o.Port == "" {
		switch o.Scheme {
		case "https":
			o.Port = "443"
		case "http":
			o.Port = "80"
		}
	}
	if p, err := strconv.Atoi(o.Port); err == nil {
		o.Port = strconv.Itoa(p) // "0443" and "443" are one port
	}
	return o
}

func (o Origin) String() string {
	return o.Scheme + "://" + net.JoinHostPort(o.Host, o.Port)
}

// ErrCrossOrigin is the error of a redirect that leaves the configured origin.
var ErrCrossOrigin = errors.New("redirect to another origin refused: credentials never leave the configured service")

// SameOriginRedirects returns an http.Client.CheckRedirect that follows a redirect (at most
// maxRedirects of them) only when it stays on origin: the same scheme, host and port. Go's client
// drops the Authorization header only when the host changes, not the port or the scheme, so the
// origin is checked here, and an Authorization set by a transport below the client would not be
// dropped at all.
func SameOriginRedirects(origin Origin, maxRedirects int) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if got := OriginOf(req.URL); got != origin {
			return fmt.Errorf("%w (from %s to %s)", ErrCrossOrigin, origin, got)
		}
		if len(via) >= maxRedirects {
			return fmt.Errorf("stopped after %d redirects", len(via))
		}
		return nil
	}
}
