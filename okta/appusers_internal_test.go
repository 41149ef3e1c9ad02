package okta

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/okta-clickup-sync/okta-clickup-sync/internal/httpretry"
	"github.com/okta-clickup-sync/okta-clickup-sync/internal/httpretry/httpretrytest"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// guard bounds every wait of these tests on the other goroutine: reaching it is a failure, never
// a delay the test relies on.
const guard = 10 * time.Second

const testAppID = "0oapipeline"

// pageUser is the body of one app user; a non-empty status breaks it when it is "-".
func pageUser(id, status string) string {
	if status == "-" {
		return fmt.Sprintf(`{"id":%q,"_embedded":{"user":{"id":%q,"status":"ACTIVE"}}}`, id, id)
	}
	return fmt.Sprintf(`{"id":%q,"status":"ACTIVE","profile":{"role":"member"},`+
		`"_embedded":{"user":{"id":%q,"status":"ACTIVE","profile":{"login":"%s@example.com"}}}}`, id, id, id)
}

// pipelineServer answers the listing's page i (after=p<i>, none for the first) with serve, and
// with a next link when i+1 < n. serve returns the body, or false to answer nothing itself.
func pipelineServer(t *testing.T, n int, serve func(i int, w http.ResponseWriter, r *http.Request) (string, bool)) *Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := 0
		if a := r.URL.Query().Get("after"); a != "" {
			i, _ = strconv.Atoi(strings.TrimPrefix(a, "p"))
		}
		body, ok := serve(i, w, r)
		if !ok {
			return
		}
		if i+1 < n {
			w.Header().Add("Link", fmt.Sprintf(`<%s/api/v1/apps/%s/users?after=p%d&limit=1>; rel="next"`, "http://"+r.Host, testAppID, i+1))
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, body)
	}))
	t.Cleanup(srv.Close)
	c, err := New(t.Context(), Options{OrgURL: srv.URL, AppID: testAppID, Token: "pipeline-test-token", AllowInsecureHTTP: true,
		Retry: httpretry.Policy{Sleep: httpretrytest.NoSleep}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func wait(t *testing.T, ch <-chan struct{}, what string) bool {
	t.Helper()
	select {
	case <-ch:
		return true
	case <-time.After(guard):
		t.Errorf("%s did not happen within %s", what, guard)
		return false
	}
}

// The decoding of a page overlaps the request for the next: page 1 is not decoded until page 2
// has been asked for, which a listing that decodes before it requests never does.
func TestListAppUsers_DecodesWhileTheNextPageIsFetched(t *testing.T) {
	page2 := make(chan struct{})
	c := pipelineServer(t, 3, func(i int, _ http.ResponseWriter, _ *http.Request) (string, bool) {
		if i == 1 {
			close(page2)
		}
		return "[" + pageUser("00u"+strconv.Itoa(i), "") + "]", true
	})
	var decoded []int
	users, err := c.listAppUsers(t.Context(), func(page int) {
		if page == 1 {
			wait(t, page2, "the request for page 2 while page 1 waited to be decoded")
		}
		decoded = append(decoded, page)
	})
	if err != nil || len(users) != 3 {
		t.Fatalf("listAppUsers = %d users, %v; want 3", len(users), err)
	}
	if fmt.Sprint(decoded) != "[1 2 3]" {
		t.Errorf("pages decoded %v, want each once in order", decoded)
	}
}

// A page that fails to decode ends the listing at once: the request in flight for the next page
// is cancelled, and the error is the page's.
func TestListAppUsers_DecodeErrorCancelsTheFetch(t *testing.T) {
	page2, cancelled := make(chan struct{}), make(chan struct{})
	c := pipelineServer(t, 3, func(i int, _ http.ResponseWriter, r *http.Request) (string, bool) {
		switch i {
		case 0:
			return "[" + pageUser("00u0", "-") + "]", true
		case 1:
			close(page2)
			select {
			case <-r.Context().Done():
				close(cancelled)
			case <-time.After(guard):
				t.Error("the request for page 2 was not cancelled when page 1 failed")
			}
			return "", false
		}
		t.Errorf("page %d requested after the listing failed", i+1)
		return "[]", true
	})
	users, err := c.listAppUsers(t.Context(), func(page int) {
		if page == 1 {
			wait(t, page2, "the request for page 2")
		}
	})
	if !errors.Is(err, core.ErrMalformed) || users != nil || !strings.Contains(err.Error(), "page 1: malformed response: app user 00u0: missing status") {
		t.Fatalf("listAppUsers = %v, %v; want page 1's error and no users", users, err)
	}
	wait(t, cancelled, "the cancellation of page 2's request")
}

// When a page fails to decode and the request for the next one fails too, whichever ends first,
// the listing fails with the earlier page's error, as reading one page at a time would.
func TestListAppUsers_EarlierPageErrorWins(t *testing.T) {
	var attempts atomic.Int32
	failed := make(chan struct{})
	c := pipelineServer(t, 2, func(i int, w http.ResponseWriter, _ *http.Request) (string, bool) {
		if i == 0 {
			return "[" + pageUser("00u0", "-") + "]", true
		}
		if attempts.Add(1) == 1+httpretry.DefaultMaxRetries {
			defer close(failed)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, `{"errorCode":"E0000009","errorSummary":"unavailable","errorCauses":[]}`)
		return "", false
	})
	users, err := c.listAppUsers(t.Context(), func(page int) {
		if page == 1 {
			wait(t, failed, "the last attempt at page 2")
		}
	})
	if !errors.Is(err, core.ErrMalformed) || users != nil || !strings.Contains(err.Error(), "page 1: malformed response") {
		t.Fatalf("listAppUsers = %v, %v; want page 1's error and no users", users, err)
	}
}

// A cancellation while a page is being decoded stops the listing at the next request.
func TestListAppUsers_CanceledWhileDecoding(t *testing.T) {
	c := pipelineServer(t, 3, func(i int, _ http.ResponseWriter, _ *http.Request) (string, bool) {
		return "[" + pageUser("00u"+strconv.Itoa(i), "") + "]", true
	})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	users, err := c.listAppUsers(ctx, func(page int) {
		if page == 1 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) || users != nil {
		t.Errorf("listAppUsers = %v, %v; want context.Canceled and no users", users, err)
	}
}
