package okta_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/okta-clickup-sync/okta-clickup-sync/internal/faults"
	"github.com/okta-clickup-sync/okta-clickup-sync/okta"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

const (
	maxBody  = 64 << 20 // DESIGN.md §7: a body over 64 MiB is malformed
	maxValue = 64 << 10 // and so is a single value over 64 KiB
	maxQuote = 256      // and an error quotes at most 256 bytes of what it received
)

// streamed serves one page of the app users listing whose body is head, then n bytes of fill,
// then tail, written from one small buffer so that the server's own memory stays flat. With
// length, it announces the whole length.
func streamed(t *testing.T, head string, fill byte, n int, tail string, length bool) *okta.Client {
	t.Helper()
	chunk := []byte(strings.Repeat(string(fill), 64<<10))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if length {
			w.Header().Set("Content-Length", strconv.Itoa(len(head)+n+len(tail)))
		}
		if _, err := w.Write([]byte(head)); err != nil {
			return
		}
		for left := n; left > 0; left -= len(chunk) {
			if _, err := w.Write(chunk[:min(left, len(chunk))]); err != nil {
				return // the client hung up, as it should
			}
		}
		_, _ = w.Write([]byte(tail))
	}))
	t.Cleanup(srv.Close)
	c, err := okta.New(t.Context(), okta.Options{OrgURL: srv.URL, AppID: appID, Token: scriptToken, AllowInsecureHTTP: true})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// allocated is how many bytes the process allocated while f ran.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// A 120 MB string is refused as soon as it passes 64 KiB: the read costs a few MB, not the
// string. TotalAlloc counts every byte allocated, so the bound holds whatever the GC did.
func TestBound_HugeStringIsNotRead(t *testing.T) {
	const huge = 120_000_000
	head := `[{"id":"00u1","status":"ACTIVE","profile":{"role":"`
	for _, length := range []bool{false, true} {
		t.Run(fmt.Sprintf("content-length=%t", length), func(t *testing.T) {
			c := streamed(t, head, 'a', huge, `"}}]`, length)
			var err error
			n := allocated(func() { _, err = c.ListAppUsers(t.Context()) })
			if !errors.Is(err, core.ErrMalformed) {
				t.Fatalf("error %v, want ErrMalformed", err)
			}
			t.Logf("refusing the string allocated %d KB", n>>10)
			if n > 16<<20 {
				t.Errorf("refusing the string allocated %d MB", n>>20)
			}
			if len(err.Error()) > 1024 {
				t.Errorf("error of %d bytes", len(err.Error()))
			}
		})
	}
}

// A body over 64 MiB is malformed, be it announced or only sent. It is white space here, so
// that only its size is wrong.
func TestBound_Body(t *testing.T) {
	for _, length := range []bool{true, false} {
		t.Run(fmt.Sprintf("content-length=%t", length), func(t *testing.T) {
			c := streamed(t, "[", ' ', maxBody, "1]", length)
			_, err := c.ListAppUsers(t.Context())
			if !errors.Is(err, core.ErrMalformed) || !strings.Contains(err.Error(), "67108864 bytes") {
				t.Errorf("error %v, want ErrMalformed naming the limit", err)
			}
		})
	}
}

// A value over 64 KiB anywhere in a page, read or not, is malformed; one of 64 KiB is not.
func TestBound_Value(t *testing.T) {
	for _, tc := range []struct {
		name, field string
		size        int
		ok          bool
	}{
		{"login at the limit", "login", maxValue, true},
		{"login over", "login", maxValue + 1, false},
		{"unread field over", "nickName", maxValue + 1, false},
		{"escaped, over as sent", "login", maxValue/2 + 1, false}, // \" counts twice
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newFake(t)
			u := addAssigned(t, s, 1)[0]
			value := strings.Repeat("a", tc.size)
			if strings.HasPrefix(tc.name, "escaped") {
				value = strings.Repeat(`\"`, tc.size)
			}
			s.Faults(1).Add(faults.Rule{Path: "/api/v1/apps/*/users", Kind: faults.Rewrite, Transform: func(b []byte) []byte {
				return []byte(strings.Replace(string(b), `"login":"`+u.Login+`"`, `"`+tc.field+`":"`+value+`"`, 1))
			}})
			users, err := newClient(t, s, nil).ListAppUsers(t.Context())
			if tc.ok {
				if err != nil || len(users) != 1 {
					t.Fatalf("ListAppUsers = %d users, %v", len(users), err)
				}
				return
			}
			if !errors.Is(err, core.ErrMalformed) || !strings.Contains(err.Error(), "65536 bytes") {
				t.Errorf("error %v, want ErrMalformed naming the limit", err)
			}
			if strings.Contains(err.Error(), strings.Repeat("a", maxQuote+1)) {
				t.Errorf("error quotes more than %d bytes of the value", maxQuote)
			}
		})
	}
}

// Errors quote at most 256 bytes of what Okta sent, and never the token, wherever the service
// put them: an error body, a field the adapter checks, a next link.
func TestBound_ErrorsQuoteLittle(t *testing.T) {
	long := strings.Repeat("Z", 60<<10)
	for _, tc := range []struct {
		name string
		rule func(token string) faults.Rule
	}{
		{"error summary", func(token string) faults.Rule {
			return faults.Rule{Kind: faults.Status, Status: http.StatusBadRequest,
				Body: `{"errorCode":"E0000001","errorSummary":"` + long + ` ` + token + `","errorCauses":[{"errorSummary":"` + long + `"}]}`}
		}},
		{"checked field", func(string) faults.Rule {
			return faults.Rule{Kind: faults.Rewrite, Transform: func(b []byte) []byte {
				return []byte(strings.Replace(string(b), `"_embedded":{"user":{"id":"`, `"_embedded":{"user":{"id":"`+long, 1))
			}}
		}},
		{"next link", func(string) faults.Rule {
			return faults.Rule{Kind: faults.Rewrite, Header: http.Header{"Link": {`<http://127.0.0.1/` + long + `>; rel="next"`}}}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newFake(t)
			addAssigned(t, s, 1)
			s.Faults(1).Add(tc.rule(s.Token()))
			_, err := newClient(t, s, nil).ListAppUsers(t.Context())
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if strings.Contains(msg, strings.Repeat("Z", maxQuote+1)) {
				t.Errorf("error quotes more than %d bytes: %d bytes in all", maxQuote, len(msg))
			}
			if strings.Contains(msg, s.Token()) {
				t.Errorf("error repeats the token: %.300s", msg)
			}
		})
	}
}
