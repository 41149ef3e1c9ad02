package clickup_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/okta-clickup-sync/okta-clickup-sync/clickup"
	"github.com/okta-clickup-sync/okta-clickup-sync/internal/httpretry"
	"github.com/okta-clickup-sync/okta-clickup-sync/internal/httpretry/httpretrytest"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

const (
	mib = 1 << 20
	kib = 1 << 10
	// maxErrorText bounds an error's text: the client's own words and at most 256 bytes quoted
	// from the answer (DESIGN.md §7).
	maxErrorText = 1024
)

// streamed writes head, then n bytes of fill in chunks, then tail, and counts what it could
// write: a client that stops reading makes the writes fail.
func streamed(status int, head string, fill byte, n int, tail string, written *atomic.Int64) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/scim+json")
		w.WriteHeader(status)
		chunk := bytes.Repeat([]byte{fill}, 64*kib)
		k, err := io.WriteString(w, head)
		written.Add(int64(k))
		for left := n; left > 0 && err == nil; left -= len(chunk) {
			k, err = w.Write(chunk[:min(len(chunk), left)])
			written.Add(int64(k))
		}
		if err == nil {
			k, _ = io.WriteString(w, tail)
			written.Add(int64(k))
		}
	}
}

const emptyList = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"startIndex":1,"itemsPerPage":0,"Resources":[]`

// A body over 64 MiB is malformed, however well-formed, and is not read to its end.
func TestBodyOver64MiBIsMalformed(t *testing.T) {
	t.Run("SCIM", func(t *testing.T) {
		// Small numbers, so that no single value is over its own limit.
		c := newHandler(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/scim+json")
			_, err := io.WriteString(w, emptyList+`,"pad":[0`)
			chunk := []byte(strings.Repeat(",0", 32*kib))
			for n := 0; n < 65*mib && err == nil; n += len(chunk) {
				_, err = w.Write(chunk)
			}
			if err == nil {
				io.WriteString(w, "]}")
			}
		})
		users, err := c.ListUsers(t.Context())
		if users != nil {
			t.Errorf("%d users with the error", len(users))
		}
		wantMalformed(t, err, "over 64 MiB")
		if len(err.Error()) > maxErrorText {
			t.Errorf("error of %d bytes", len(err.Error()))
		}
	})
	t.Run("REST streamed", func(t *testing.T) {
		body := `{"teams":[{"id":"9006054115","members":[{"user":{"id":5,"role":1}}]}],"pad":[` + strings.Repeat("0,", 33*mib) + `0]}`
		_, err := restHandler(t, "/team", body).WorkspaceOwner(t.Context())
		wantMalformed(t, err, "over 64 MiB")
	})
}

// A single string or number over 64 KiB is malformed wherever it is: a value, a member name, a
// member of an unknown attribute, a REST answer read as it streams. One of 64 KiB is not.
func TestValueOver64KiBIsMalformed(t *testing.T) {
	big := strings.Repeat("a", 64*kib+1)
	user := func(extra string) string {
		return `{"id":"1","userName":"u@x.io","active":true` + extra + `}`
	}
	for name, resource := range map[string]string{
		"userName":         `{"id":"1","userName":"` + big + `","active":true}`,
		"unknown value":    user(`,"title":"` + big + `"`),
		"nested value":     user(`,"x":{"y":["` + big + `"]}`),
		"member name":      user(`,"` + big + `":1`),
		"number":           user(`,"n":` + strings.Repeat("1", 64*kib+1)),
		"escaped string":   user(`,"title":"` + strings.Repeat(`\u0041`, 11*kib) + `"`),
		"role in the ext.": user(`,"` + extURN + `":{"role":"` + big + `"}`),
	} {
		t.Run(name, func(t *testing.T) {
			c := newHandler(t, pages(t, map[string]string{"1": list("1", "1", "1", resource)}))
			users, err := c.ListUsers(t.Context())
			if users != nil {
				t.Errorf("%d users with the error", len(users))
			}
			wantMalformed(t, err, "64 KiB")
			if len(err.Error()) > maxErrorText {
				t.Errorf("error of %d bytes", len(err.Error()))
			}
		})
	}
	t.Run("REST streamed", func(t *testing.T) {
		body := `{"teams":[{"id":"9006054115","name":"` + big + `","members":[{"user":{"id":5,"role":1}}]}]}`
		_, err := restHandler(t, "/team", body).WorkspaceOwner(t.Context())
		wantMalformed(t, err, "64 KiB")
		body = `{"teams":[{"id":"9006054115","members":[{"user":{"id":5,"role":1,"username":"` + big + `"}}]}]}`
		_, err = restHandler(t, "/team", body).WorkspaceOwner(t.Context())
		wantMalformed(t, err, "64 KiB")
	})
	t.Run("64 KiB is not over", func(t *testing.T) {
		resource := user(`,"title":"` + big[1:] + `"`)
		c := newHandler(t, pages(t, map[string]string{"1": list("1", "1", "1", resource)}))
		if users, err := c.ListUsers(t.Context()); err != nil || len(users) != 1 {
			t.Fatalf("%v %v", users, err)
		}
	})
}

// An error quotes at most 256 bytes of what it received, whatever the service sent.
func TestErrorsQuoteAtMost256Bytes(t *testing.T) {
	long := strings.Repeat("é", 30*kib) // under the value limit, far over what an error may quote
	t.Run("error document", func(t *testing.T) {
		c := newHandler(t, func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"status":"400","scimType":"%s","detail":"%s"}`, long, long)
		})
		err := c.SetActive(t.Context(), "7", false)
		var ae *clickup.APIError
		if !errors.As(err, &ae) {
			t.Fatalf("%v", err)
		}
		if quoted := len(ae.Detail) + len(ae.SCIMType) + len(ae.Code) + len(ae.Body); quoted > 256+2*len("…") {
			t.Errorf("the error quotes %d bytes: %.300s", quoted, err)
		}
		if len(err.Error()) > maxErrorText {
			t.Errorf("error of %d bytes", len(err.Error()))
		}
	})
	t.Run("REST error document", func(t *testing.T) {
		c := restHandlerStatus(t, http.StatusUnauthorized, `{"err":"`+long+`","ECODE":"`+long+`"}`)
		_, err := c.ListCustomRoles(t.Context())
		var ae *clickup.APIError
		if !errors.As(err, &ae) {
			t.Fatalf("%v", err)
		}
		if quoted := len(ae.Detail) + len(ae.SCIMType) + len(ae.Code) + len(ae.Body); quoted > 256+2*len("…") {
			t.Errorf("the error quotes %d bytes: %.300s", quoted, err)
		}
	})
	for name, h := range map[string]http.HandlerFunc{
		"not an error document": func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadGateway)
			io.WriteString(w, "<html>"+long)
		},
		"a filter answered with another user": func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, list("1", "1", "1", `{"id":"`+long[:4000]+`","userName":"`+long+`","active":true}`))
		},
		"a user without userName": func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, list("1", "1", "1", `{"id":"`+long+`","active":true}`))
		},
		"a bad counter": func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, list(strings.Repeat("9", 60*kib), "1", "0"))
		},
		"a wrong type deep down": func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, list("1", "1", "1", `{"id":"1","userName":"u","active":true,"emails":[{"`+long+`":1,"value":7}]}`))
		},
	} {
		t.Run(name, func(t *testing.T) {
			c := newHandlerWith(t, h, clickup.SCIMOptions{RoleSchema: extURN, Retry: noRetries()})
			_, err := c.FindUsers(t.Context(), core.ByUserName, "u@x.io")
			if err == nil {
				t.Fatal("no error")
			}
			if len(err.Error()) > maxErrorText {
				t.Errorf("error of %d bytes: %.300s…", len(err.Error()), err)
			}
		})
	}
}

// A 120 MB string is never read whole, and nothing of it but an excerpt reaches an error.
func Test120MBStringIsNotCopied(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		head   string
		limit  int64 // what the client may read before it stops, with room for buffers in between
	}{
		{"error answer", http.StatusBadRequest, `{"status":"400","detail":"`, 64*kib + 16*mib},
		{"listing", http.StatusOK, emptyList + `,"x":"`, 64*mib + 16*mib},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var written atomic.Int64
			c := newHandlerWith(t, streamed(tc.status, tc.head, 'x', 120_000_000, `"}`, &written),
				clickup.SCIMOptions{RoleSchema: extURN, Retry: noRetries()})
			_, err := c.ListUsers(t.Context())
			if err == nil {
				t.Fatal("no error")
			}
			if len(err.Error()) > maxErrorText {
				t.Errorf("error of %d bytes", len(err.Error()))
			}
			if n := written.Load(); n > tc.limit {
				t.Errorf("the client read %d MiB of the answer", n/mib)
			}
		})
	}
}

func noRetries() httpretry.Policy {
	return httpretry.Policy{MaxRetries: -1, Sleep: httpretrytest.NoSleep}
}

// restHandlerStatus is a REST client of a server that answers every request with status and body.
func restHandlerStatus(t *testing.T, status int, body string) *clickup.RESTClient {
	t.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(ts.Close)
	c, err := clickup.NewREST(clickup.RESTOptions{BaseURL: ts.URL + "/api/v2", Token: "pk_42_ABC", WorkspaceID: "9006054115",
		AllowInsecureHTTP: true, Retry: noRetries()})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
