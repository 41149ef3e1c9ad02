package endpoint_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/okta-clickup-sync/okta-clickup-sync/internal/endpoint"
)

func TestIsLoopbackHost(t *testing.T) {
	tests := []struct {
		host string
		want bool
	}{
		{"127.0.0.1", true},
		{"127.255.0.9", true},
		{"::1", true},
		{"[::1]", true},
		{"[::1]:8080", true},
		{"127.0.0.1:9000", true},
		{"localhost", true},
		{"LOCALHOST", true},
		{"localhost:80", true},
		{"::ffff:127.0.0.1", true},
		{"128.0.0.1", false},
		{"10.0.0.1", false},
		{"0.0.0.0", false},
		{"::", false},
		{"localhost.example.com", false},
		{"127.0.0.1.nip.io", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := endpoint.IsLoopbackHost(tt.host); got != tt.want {
			t.Errorf("IsLoopbackHost(%q) = %v, want %v", tt.host, got, tt.want)
		}
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		raw      string
		insecure bool
		want     string // "" means valid
	}{
		{"https://api.clickup.com/api/v2", false, ""},
		{"https://api.clickup.com/api/v2/", false, ""},
		{"HTTPS://acme.okta.com", false, ""},
		{"http://127.0.0.1:1234", true, ""},
		{"http://[::1]:1234/scim", true, ""},
		{"http://127.0.0.1:1234", false, "https"},
		{"http://example.com", true, "loopback"},
		{"http://127.0.0.1.nip.io", true, "loopback"},
		{"ftp://example.com", true, "https"},
		{"https://u:p@example.com", false, "credentials"},
		{"https://example.com/#frag", false, "fragment"},
		{"https://example.com/?q=1", false, "query"},
		{"/relative/path", false, "absolute"},
		{"https://", false, "absolute"},
		{"", false, "empty"},
		{"https://exa mple.com", false, "valid URL"},
	}
	for _, tt := range tests {
		u, err := endpoint.Parse(tt.raw, tt.insecure)
		if tt.want == "" {
			if err != nil {
				t.Errorf("Parse(%q, %v) = %v", tt.raw, tt.insecure, err)
			} else if strings.HasSuffix(u.Path, "/") {
				t.Errorf("Parse(%q) kept the trailing slash: %s", tt.raw, u)
			}
			continue
		}
		var p *endpoint.Problem
		if err == nil || !errors.As(err, &p) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q, %v) = %v, want a problem about %q", tt.raw, tt.insecure, err, tt.want)
		}
	}
}

func TestParseNeverRepeatsCredentials(t *testing.T) {
	for _, raw := range []string{
		"https://user:s3cret@example.com",
		"http://user:s3cret@example.com",
		"https://example.com/?token=s3cret",
		"https://example.com/#s3cret",
		"https://us%zzer:s3cret@example.com",
	} {
		_, err := endpoint.Parse(raw, false)
		if err == nil || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("Parse(%q) = %v: want an error that does not quote the secret", raw, err)
		}
	}
}

func TestSameOriginRedirects(t *testing.T) {
	base, _ := url.Parse("https://acme.okta.com/api/v1")
	check := endpoint.SameOriginRedirects(endpoint.OriginOf(base), 3)
	tests := []struct {
		to     string
		via    int
		wantOK bool
	}{
		{"https://acme.okta.com/api/v1/other", 1, true},
		{"https://ACME.okta.com:443/api/v1/other", 1, true},
		{"https://acme.okta.com:8443/api/v1", 1, false}, // another port of the same host
		{"http://acme.okta.com/api/v1", 1, false},       // a downgrade to plain http
		{"https://evil.example.com/api/v1", 1, false},
		{"https://acme.okta.com.evil.example.com/", 1, false},
		{"https://acme.okta.com/api/v1/loop", 3, false}, // too many
	}
	for _, tt := range tests {
		to, _ := url.Parse(tt.to)
		err := check(&http.Request{URL: to}, make([]*http.Request, tt.via))
		if (err == nil) != tt.wantOK {
			t.Errorf("redirect to %s after %d: err = %v, want ok %v", tt.to, tt.via, err, tt.wantOK)
		}
		if !tt.wantOK && tt.via < 3 && !errors.Is(err, endpoint.ErrCrossOrigin) {
			t.Errorf("redirect to %s: err = %v, want ErrCrossOrigin", tt.to, err)
		}
	}
}
