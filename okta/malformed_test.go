package okta_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/okta-clickup-sync/okta-clickup-sync/internal/httpretry"
	"github.com/okta-clickup-sync/okta-clickup-sync/internal/httpretry/httpretrytest"
	"github.com/okta-clickup-sync/okta-clickup-sync/okta"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

const scriptToken = "script-token"

// page is one scripted answer of the app users listing.
type page struct {
	status      int    // default 200
	contentType string // default application/json
	body        string
	next        string // raw next link, or "" for none
}

// scripted serves pages[i] for the request whose after cursor is "p<i>" (the first request has
// none), so each test shapes exactly the bytes the adapter must cope with. It counts requests.
func scripted(t *testing.T, pages ...page) (*okta.Client, *int) {
	t.Helper()
	var (
		mu sync.Mutex
		n  int
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		mu.Unlock()
		if r.Header.Get("Authorization") != "SSWS "+scriptToken {
			t.Errorf("request without the SSWS token: %q", r.Header.Get("Authorization"))
		}
		i := 0
		if a := r.URL.Query().Get("after"); a != "" {
			i, _ = strconv.Atoi(strings.TrimPrefix(a, "p"))
		}
		if i >= len(pages) {
			t.Errorf("unexpected request %s", r.URL)
			w.WriteHeader(http.StatusTeapot)
			return
		}
		p := pages[i]
		if p.contentType == "" {
			p.contentType = "application/json"
		}
		if p.status == 0 {
			p.status = http.StatusOK
		}
		if p.next != "" {
			// The links name the org's own origin, as Okta's do.
			next := strings.Replace(p.next, "https://acme.okta.com", "http://"+r.Host, 1)
			w.Header().Add("Link", "<"+next+`>; rel="next"`)
		}
		w.Header().Set("Content-Type", p.contentType)
		w.WriteHeader(p.status)
		_, _ = w.Write([]byte(p.body))
	}))
	t.Cleanup(srv.Close)
	c, err := okta.New(t.Context(), okta.Options{OrgURL: srv.URL, AppID: appID, Token: scriptToken, AllowInsecureHTTP: true,
		Retry: httpretry.Policy{Sleep: httpretrytest.NoSleep}})
	if err != nil {
		t.Fatal(err)
	}
	return c, &n
}

func nextLink(i int) string {
	return "https://acme.okta.com/api/v1/apps/" + appID + "/users?after=p" + strconv.Itoa(i) + "&limit=2&expand=user"
}

// appUser is a well-formed app user with an embedded user; edit breaks it.
func appUser(id string, edit func(au, user map[string]any)) map[string]any {
	user := map[string]any{
		"id": id, "status": "ACTIVE",
		"profile": map[string]any{"login": id + "@example.com", "email": id + "@example.com", "firstName": "F", "lastName": "L"},
	}
	au := map[string]any{
		"id": id, "status": "PROVISIONED", "scope": "USER", "externalId": "",
		"profile":   map[string]any{"role": "member"},
		"_embedded": map[string]any{"user": user},
	}
	if edit != nil {
		edit(au, user)
	}
	return au
}

func body(t *testing.T, aus ...map[string]any) string {
	t.Helper()
	b, err := json.Marshal(aus)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestClient_ListAppUsers_Malformed(t *testing.T) {
	for _, tc := range []struct {
		name  string
		au    func(au, user map[string]any)
		wants []string
	}{
		{"NoEmbedded", func(au, _ map[string]any) { delete(au, "_embedded") }, []string{"missing _embedded.user"}},
		{"NullEmbeddedUser", func(au, _ map[string]any) { au["_embedded"] = map[string]any{"user": nil} }, []string{"missing _embedded.user"}},
		{"EmbeddedUserNotObject", func(au, _ map[string]any) { au["_embedded"] = map[string]any{"user": "00u1"} }, []string{"_embedded.user is a string"}},
		{"NoStatus", func(au, _ map[string]any) { delete(au, "status") }, []string{"missing status"}},
		{"NoUserStatus", func(_, u map[string]any) { delete(u, "status") }, []string{"missing _embedded.user.status"}},
		{"NoUserID", func(_, u map[string]any) { delete(u, "id") }, []string{"missing _embedded.user.id"}},
		{"OtherUserID", func(_, u map[string]any) { u["id"] = "00uother" }, []string{`_embedded.user.id "00uother" differs`}},
		{"LoginNotString", func(_, u map[string]any) { u["profile"] = map[string]any{"login": 7} }, []string{"_embedded.user.profile.login", "number"}},
		{"ProfileNotObject", func(au, _ map[string]any) { au["profile"] = []any{"admin"} }, []string{"profile is an array"}},
		{"RoleObject", func(au, _ map[string]any) { au["profile"] = map[string]any{"role": map[string]any{"v": "admin"}} }, []string{"profile.role", "object"}},
		{"CustomRoleIDArray", func(au, _ map[string]any) { au["profile"] = map[string]any{"customRoleId": []any{1.0}} }, []string{"profile.customRoleId", "array"}},
		{"RoleBoolean", func(au, _ map[string]any) { au["profile"] = map[string]any{"role": true} }, []string{"profile.role", "boolean"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := scripted(t, page{body: body(t, appUser("00ugood", nil), appUser("00ubad", tc.au))})
			users, err := c.ListAppUsers(t.Context())
			if !errors.Is(err, core.ErrMalformed) || users != nil {
				t.Fatalf("ListAppUsers = %v, %v; want ErrMalformed and no users", users, err)
			}
			for _, want := range append([]string{"okta: list app users: GET /api/v1/apps/" + appID + "/users page 1: malformed response: app user 00ubad: "}, tc.wants...) {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}
}

func TestClient_ListAppUsers_MalformedPage(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    page
		want string
	}{
		{"NoID", page{body: body(t, appUser("00ugood", nil), appUser("", nil))}, "app user at position 2 of the page: missing id"},
		{"NullEntry", page{body: "[null]"}, "entry 1 of the page is null"},
		{"NotAnArray", page{body: `{"id":"00u1"}`}, "cannot unmarshal"},
		{"BadJSON", page{body: `[{"id":`}, "unexpected"},
		{"HTMLBody", page{contentType: "text/html", body: "<html>login</html>"}, "could not build a response"},
		// The SDK took such a page for an empty one, and its users for unassigned.
		{"OctetStream", page{contentType: "application/octet-stream", body: body(t, appUser("00u1", nil))}, "could not build a response for type: application/octet-stream"},
		{"TypeError", page{body: `[{"id":7}]`}, "cannot unmarshal number into Go struct field appUser.id of type string"},
		{"NextLinkElsewhere", page{body: "[]", next: "https://acme.okta.com/api/v1/users?limit=200"}, "is not a page of /api/v1/apps/" + appID + "/users"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := scripted(t, tc.p)
			users, err := c.ListAppUsers(t.Context())
			if !errors.Is(err, core.ErrMalformed) || users != nil {
				t.Fatalf("ListAppUsers = %v, %v; want ErrMalformed and no users", users, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

// An answer without a body, with null, or with more than one JSON value is malformed: the SDK
// took the first two for an empty page, and its users for unassigned. Red before the listing
// decoded its pages itself (DESIGN.md §7).
func TestClient_ListAppUsers_EmptyPages(t *testing.T) {
	for _, tc := range []struct{ name, body, want string }{
		{"Empty", "", "the body is empty, want an array"},
		{"Null", " null ", "the body is null, want an array"},
		{"TwoValues", body(t, appUser("00u1", nil)) + "\n{}", "more data after the array"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := scripted(t,
				page{body: body(t, appUser("00u0", nil)), next: nextLink(1)},
				page{body: tc.body},
			)
			users, err := c.ListAppUsers(t.Context())
			if !errors.Is(err, core.ErrMalformed) || users != nil || !strings.Contains(err.Error(), "page 2: malformed response: "+tc.want) {
				t.Errorf("ListAppUsers = %v, %v; want page 2 malformed: %s", ids(users), err, tc.want)
			}
		})
	}
}

// A bad later page must discard the good earlier ones: a partial listing would read as mass
// unassignment.
func TestClient_ListAppUsers_NoPartialResults(t *testing.T) {
	t.Run("BadSecondPage", func(t *testing.T) {
		c, n := scripted(t,
			page{body: body(t, appUser("00u1", nil), appUser("00u2", nil)), next: nextLink(1)},
			page{body: body(t, appUser("00u3", func(au, _ map[string]any) { delete(au, "_embedded") }))},
		)
		users, err := c.ListAppUsers(t.Context())
		if !errors.Is(err, core.ErrMalformed) || users != nil || !strings.Contains(err.Error(), "page 2: malformed response: app user 00u3") {
			t.Errorf("ListAppUsers = %v, %v; want ErrMalformed on page 2 and no users", users, err)
		}
		if *n != 2 {
			t.Errorf("%d requests, want 2", *n)
		}
	})
	t.Run("FailedSecondPage", func(t *testing.T) {
		c, _ := scripted(t,
			page{body: body(t, appUser("00u1", nil)), next: nextLink(1)},
			page{status: http.StatusInternalServerError, body: `{"errorCode":"E0000009","errorSummary":"Internal Server Error","errorCauses":[]}`},
		)
		users, err := c.ListAppUsers(t.Context())
		var apiErr *okta.APIError
		if users != nil || !errors.As(err, &apiErr) || apiErr.Status != 500 || apiErr.Page != 2 || apiErr.Kind != nil {
			t.Fatalf("ListAppUsers = %v, %v; want a 500 APIError for page 2 and no users", users, err)
		}
		for _, sentinel := range []error{core.ErrMalformed, core.ErrNotFound, core.ErrUnauthorized, core.ErrRateLimited} {
			if errors.Is(err, sentinel) {
				t.Errorf("a 500 matches %v", sentinel)
			}
		}
	})
	t.Run("DuplicateAcrossPages", func(t *testing.T) {
		c, _ := scripted(t,
			page{body: body(t, appUser("00u1", nil), appUser("00u2", nil)), next: nextLink(1)},
			page{body: body(t, appUser("00u2", nil), appUser("00u3", nil))},
		)
		users, err := c.ListAppUsers(t.Context())
		if !errors.Is(err, core.ErrMalformed) || users != nil || !strings.Contains(err.Error(), "app user 00u2 listed twice") {
			t.Errorf("ListAppUsers = %v, %v; want ErrMalformed naming the duplicate", users, err)
		}
	})
	t.Run("SortedByID", func(t *testing.T) {
		c, _ := scripted(t,
			page{body: body(t, appUser("00uc", nil), appUser("00ua", nil)), next: nextLink(1)},
			page{body: body(t, appUser("00ub", nil))},
		)
		users, err := c.ListAppUsers(t.Context())
		if err != nil || strings.Join(ids(users), ",") != "00ua,00ub,00uc" {
			t.Errorf("ListAppUsers = %v, %v; want 00ua,00ub,00uc", ids(users), err)
		}
	})
}

// Once its 429 retries are spent the SDK returns no response, only errors.New("too many
// requests"); the adapter must still say rate limited.
func TestClient_ListAppUsers_ErrRateLimited(t *testing.T) {
	var (
		mu sync.Mutex
		n  int
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		mu.Unlock()
		// A reset already past makes the SDK retry at once: no wall-clock wait in the test.
		now := time.Now().UTC()
		w.Header().Set("Date", now.Format(http.TimeFormat))
		w.Header().Set("X-Rate-Limit-Reset", strconv.FormatInt(now.Unix()-1, 10))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte(`{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit due to too many requests.","errorCauses":[]}`))
	}))
	t.Cleanup(srv.Close)
	c, err := okta.New(t.Context(), okta.Options{OrgURL: srv.URL, AppID: appID, Token: scriptToken, AllowInsecureHTTP: true,
		Retry: httpretry.Policy{Sleep: httpretrytest.NoSleep}})
	if err != nil {
		t.Fatal(err)
	}
	users, err := c.ListAppUsers(t.Context())
	if !errors.Is(err, core.ErrRateLimited) || users != nil {
		t.Fatalf("ListAppUsers = %v, %v; want ErrRateLimited", users, err)
	}
	if !strings.Contains(err.Error(), "page 1: rate limited") {
		t.Errorf("error %q does not name the page", err)
	}
	if want := 1 + httpretry.DefaultMaxRetries; n != want {
		t.Errorf("%d attempts, want %d (the transport's retries; the SDK's own are off)", n, want)
	}
}

func TestClient_ListAppUsers_TransportError(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close() // nothing listens any more: the SDK returns no response
	c, err := okta.New(t.Context(), okta.Options{OrgURL: srv.URL, AppID: appID, Token: scriptToken, AllowInsecureHTTP: true})
	if err != nil {
		t.Fatal(err)
	}
	users, err := c.ListAppUsers(t.Context())
	var apiErr *okta.APIError
	if users != nil || !errors.As(err, &apiErr) || apiErr.Status != 0 || apiErr.Kind != nil {
		t.Fatalf("ListAppUsers = %v, %v; want an APIError without status or sentinel", users, err)
	}
	if !strings.HasPrefix(err.Error(), "okta: list app users: GET /api/v1/apps/"+appID+"/users page 1: ") {
		t.Errorf("error %q does not name the request", err)
	}
}
