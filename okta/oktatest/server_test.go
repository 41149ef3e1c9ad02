package oktatest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/okta-clickup-sync/okta-clickup-sync/okta/oktatest"
)

const appID = "0oaclickup"

func newOrg(t *testing.T, users int) (*oktatest.Server, []oktatest.User) {
	t.Helper()
	s := oktatest.NewServer(oktatest.Options{})
	t.Cleanup(s.Close)
	s.AddApp(appID, "ClickUp")
	var us []oktatest.User
	for i := range users {
		u := s.AddUser(oktatest.User{
			Login: fmt.Sprintf("user%d@example.com", i), Email: fmt.Sprintf("user%d@example.com", i),
			FirstName: "First" + strconv.Itoa(i), LastName: "Last",
		})
		s.Assign(appID, u.ID, "", map[string]any{"role": "member"})
		us = append(us, u)
	}
	return s, us
}

type result struct {
	status int
	header http.Header
	body   []byte
}

func get(t *testing.T, rawURL, token string) result {
	t.Helper()
	return do(t, http.MethodGet, rawURL, token)
}

func do(t *testing.T, method, rawURL, token string) result {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "SSWS "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s %s: Content-Type %q, want application/json", method, rawURL, ct)
	}
	for _, h := range []string{"X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Reset"} {
		if _, err := strconv.ParseInt(resp.Header.Get(h), 10, 64); err != nil {
			t.Errorf("%s %s: header %s = %q, want an integer", method, rawURL, h, resp.Header.Get(h))
		}
	}
	return result{resp.StatusCode, resp.Header, body}
}

func wantError(t *testing.T, r result, status int, code string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
	var e struct {
		ErrorCode, ErrorSummary, ErrorID string
		ErrorCauses                      []any
	}
	if err := json.Unmarshal(r.body, &e); err != nil {
		t.Fatalf("error body %s: %v", r.body, err)
	}
	if e.ErrorCode != code || e.ErrorSummary == "" || !strings.HasPrefix(e.ErrorID, "oae") || e.ErrorCauses == nil {
		t.Errorf("error body %s, want errorCode %s, a summary, an oae id and errorCauses", r.body, code)
	}
}

type appUser struct {
	ID          string
	Status      string
	Scope       string
	Credentials struct{ UserName string }
	Profile     map[string]any
	Embedded    *struct {
		User struct {
			ID      string
			Status  string
			Profile map[string]any
		}
	} `json:"_embedded"`
}

func decodePage(t *testing.T, r result) []appUser {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("status %d, body %s", r.status, r.body)
	}
	var page []appUser
	if err := json.Unmarshal(r.body, &page); err != nil {
		t.Fatalf("page %s: %v", r.body, err)
	}
	return page
}

// links parses each Link header value on its own, as the SDK does.
func links(t *testing.T, h http.Header) map[string]string {
	t.Helper()
	out := make(map[string]string)
	for _, v := range h.Values("Link") {
		target, params, ok := strings.Cut(v, ";")
		if !ok || strings.Contains(params, ",") {
			t.Fatalf("Link value %q is not a single link", v)
		}
		rel := strings.TrimSpace(params)
		out[rel] = strings.Trim(target, "<>")
	}
	return out
}

func TestServer_ListAppUsers_Pagination(t *testing.T) {
	s, users := newOrg(t, 5)
	next := s.URL() + "/api/v1/apps/" + appID + "/users?limit=2&expand=user"
	var got []string
	for pageNo := 1; next != ""; pageNo++ {
		r := get(t, next, s.Token())
		page := decodePage(t, r)
		ls := links(t, r.header)
		if ls[`rel="self"`] == "" {
			t.Errorf("page %d: no self link in %q", pageNo, r.header.Values("Link"))
		}
		if pageNo == 2 && len(r.header.Values("Link")) != 2 {
			t.Errorf("middle page: Link values %q, want 2 separate values (self, next)", r.header.Values("Link"))
		}
		for _, au := range page {
			got = append(got, au.ID)
			if au.Embedded == nil || au.Embedded.User.ID != au.ID || au.Embedded.User.Status != "ACTIVE" {
				t.Errorf("app user %s: _embedded.user missing or wrong: %+v", au.ID, au.Embedded)
			}
			if au.Status != "PROVISIONED" || au.Scope != "USER" || au.Credentials.UserName == "" || au.Profile["role"] != "member" {
				t.Errorf("app user %+v: want status PROVISIONED, scope USER, userName and the profile", au)
			}
		}
		next = ls[`rel="next"`]
		if next == "" {
			continue
		}
		u, err := url.Parse(next)
		if err != nil || !strings.HasPrefix(next, s.URL()+"/api/v1/apps/"+appID+"/users?") {
			t.Fatalf("next link %q is not an absolute link to the listing", next)
		}
		if q := u.Query(); q.Get("after") != page[len(page)-1].ID || q.Get("limit") != "2" || q.Get("expand") != "user" {
			t.Errorf("next link %q: want after=%s, limit=2, expand=user", next, page[len(page)-1].ID)
		}
		if pageNo > 3 {
			t.Fatal("more than 3 pages for 5 users at limit 2")
		}
	}
	var want []string
	for _, u := range users {
		want = append(want, u.ID)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("listed %v, want %v in id order", got, want)
	}
}

func TestServer_ListAppUsers_Params(t *testing.T) {
	s := oktatest.NewServer(oktatest.Options{MaxPageLimit: 3})
	t.Cleanup(s.Close)
	s.AddApp(appID, "ClickUp")
	for i := range 4 {
		u := s.AddUser(oktatest.User{Login: fmt.Sprintf("u%d@example.com", i), FirstName: []string{"Ada", "Bob", "Adam", "Cy"}[i]})
		s.Assign(appID, u.ID, "", nil)
	}
	base := s.URL() + "/api/v1/apps/" + appID + "/users"

	t.Run("LimitCapped", func(t *testing.T) {
		r := get(t, base+"?limit=1000", s.Token())
		if n := len(decodePage(t, r)); n != 3 {
			t.Errorf("%d app users, want the cap of 3", n)
		}
		if next := links(t, r.header)[`rel="next"`]; !strings.Contains(next, "limit=3") || strings.Contains(next, "expand") {
			t.Errorf("next link %q: want limit=3 and no expand", next)
		}
	})
	t.Run("DefaultLimitNoExpand", func(t *testing.T) {
		page := decodePage(t, get(t, base, s.Token()))
		if len(page) != 3 || page[0].Embedded != nil {
			t.Errorf("page %+v: want 3 app users without _embedded", page)
		}
	})
	for _, bad := range []string{"limit=0", "limit=-1", "limit=abc", "limit=", "after=00unknown", "expand=users"} {
		t.Run("Rejects_"+bad, func(t *testing.T) {
			wantError(t, get(t, base+"?"+bad, s.Token()), http.StatusBadRequest, "E0000001")
		})
	}
	t.Run("FilterRejected", func(t *testing.T) {
		wantError(t, get(t, base+"?filter="+url.QueryEscape(`status eq "ACTIVE"`), s.Token()), http.StatusBadRequest, "E0000031")
	})
	t.Run("Q", func(t *testing.T) {
		page := decodePage(t, get(t, base+"?q=ad&expand=user", s.Token()))
		if len(page) != 2 {
			t.Errorf("q=ad matched %d app users, want Ada and Adam", len(page))
		}
	})
}

func TestServer_Auth(t *testing.T) {
	s, _ := newOrg(t, 1)
	listing := s.URL() + "/api/v1/apps/" + appID + "/users"
	for name, token := range map[string]string{"Wrong": "not-the-token", "Missing": ""} {
		t.Run(name, func(t *testing.T) {
			wantError(t, get(t, listing, token), http.StatusUnauthorized, "E0000011")
		})
	}
	t.Run("Bearer", func(t *testing.T) {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, listing, nil)
		req.Header.Set("Authorization", "Bearer "+s.Token())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("a Bearer header with the SSWS token got %d, want 401", resp.StatusCode)
		}
	})
}

func TestServer_Routes(t *testing.T) {
	s, _ := newOrg(t, 1)
	t.Run("GetApp", func(t *testing.T) {
		r := get(t, s.URL()+"/api/v1/apps/"+appID, s.Token())
		var a struct{ ID, Name, Label, Status, SignOnMode string }
		if err := json.Unmarshal(r.body, &a); err != nil || r.status != 200 {
			t.Fatalf("status %d body %s: %v", r.status, r.body, err)
		}
		if a.ID != appID || a.Name != "clickup" || a.Label != "ClickUp" || a.Status != "ACTIVE" || a.SignOnMode != "SAML_2_0" {
			t.Errorf("app %+v", a)
		}
	})
	t.Run("UnknownApp", func(t *testing.T) {
		for _, p := range []string{"/api/v1/apps/0oanope", "/api/v1/apps/0oanope/users"} {
			r := get(t, s.URL()+p, s.Token())
			wantError(t, r, http.StatusNotFound, "E0000007")
			if !strings.Contains(string(r.body), "0oanope (AppInstance)") {
				t.Errorf("%s: body %s does not name the app", p, r.body)
			}
		}
	})
	t.Run("UnknownRoute", func(t *testing.T) {
		for _, p := range []string{"/api/v1/logs/", "/api/v1/eventHooks", "/api/v1/apps/" + appID + "/groups", "/api/v1/apps/" + appID + "/users/", "/"} {
			wantError(t, get(t, s.URL()+p, s.Token()), http.StatusNotFound, "E0000022")
		}
	})
	t.Run("MethodNotAllowed", func(t *testing.T) {
		for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete} {
			r := do(t, m, s.URL()+"/api/v1/apps/"+appID+"/users", s.Token())
			wantError(t, r, http.StatusMethodNotAllowed, "E0000022")
			if r.header.Get("Allow") != http.MethodGet {
				t.Errorf("%s: Allow %q", m, r.header.Get("Allow"))
			}
		}
	})
}

func TestServer_RateLimit(t *testing.T) {
	s, _ := newOrg(t, 1)
	s.SetRateLimit(2)
	listing := s.URL() + "/api/v1/apps/" + appID + "/users"
	for i := range 2 {
		if r := get(t, listing, s.Token()); r.status != http.StatusOK {
			t.Fatalf("request %d within the limit: status %d", i+1, r.status)
		}
	}
	r := get(t, listing, s.Token())
	wantError(t, r, http.StatusTooManyRequests, "E0000047")
	if r.header.Get("X-Rate-Limit-Remaining") != "0" || r.header.Get("X-Rate-Limit-Limit") != "2" {
		t.Errorf("429 headers: limit %q remaining %q", r.header.Get("X-Rate-Limit-Limit"), r.header.Get("X-Rate-Limit-Remaining"))
	}
	reset, _ := strconv.ParseInt(r.header.Get("X-Rate-Limit-Reset"), 10, 64)
	if now := time.Now().Unix(); reset <= now-1 || reset > now+60 {
		t.Errorf("X-Rate-Limit-Reset %d is not within the next minute of %d", reset, now)
	}
	// Another bucket is not affected.
	if r := get(t, s.URL()+"/api/v1/apps/"+appID, s.Token()); r.status != http.StatusOK {
		t.Errorf("app endpoint shares the users bucket: status %d", r.status)
	}
	s.SetRateLimit(0)
	if r := get(t, listing, s.Token()); r.status != http.StatusOK {
		t.Errorf("after restoring the default limit: status %d", r.status)
	}
}

func TestServer_RepeatNextLink(t *testing.T) {
	s, users := newOrg(t, 3)
	s.RepeatNextLink(true)
	listing := s.URL() + "/api/v1/apps/" + appID + "/users?limit=2"
	first := links(t, get(t, listing, s.Token()).header)[`rel="next"`]
	last := links(t, get(t, first, s.Token()).header)[`rel="next"`]
	if first == "" || first != last {
		t.Errorf("next links %q then %q, want the same first-page cursor", first, last)
	}
	if !strings.Contains(first, "after="+users[1].ID) {
		t.Errorf("next link %q does not point after the first page (%s)", first, users[1].ID)
	}
	s.RepeatNextLink(false)
	if next := links(t, get(t, first, s.Token()).header)[`rel="next"`]; next != "" {
		t.Errorf("last page has next link %q after RepeatNextLink(false)", next)
	}
}

func TestServer_Mutations(t *testing.T) {
	s, users := newOrg(t, 3)
	listing := s.URL() + "/api/v1/apps/" + appID + "/users?expand=user"

	u := users[0]
	u.Status, u.Email = "SUSPENDED", "new@example.com"
	s.UpdateUser(u)
	s.SetAssignmentStatus(appID, users[1].ID, "INACTIVE")
	s.SetAssignmentProfile(appID, users[1].ID, map[string]any{"role": "admin", "customRoleId": 42})
	s.Unassign(appID, users[2].ID)
	s.Unassign(appID, users[2].ID) // idempotent

	page := decodePage(t, get(t, listing, s.Token()))
	if len(page) != 2 {
		t.Fatalf("%d app users after one unassignment, want 2", len(page))
	}
	if page[0].Embedded.User.Status != "SUSPENDED" || page[0].Embedded.User.Profile["email"] != "new@example.com" {
		t.Errorf("updated user %+v", page[0].Embedded.User)
	}
	if page[1].Status != "INACTIVE" || page[1].Profile["role"] != "admin" || page[1].Profile["customRoleId"] != float64(42) {
		t.Errorf("updated assignment %+v", page[1])
	}
}

func TestServer_RequestsAndMiddleware(t *testing.T) {
	s, _ := newOrg(t, 1)
	var seen []string
	var mu sync.Mutex
	s.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			seen = append(seen, r.URL.Path)
			mu.Unlock()
			if r.URL.Query().Has("fail") {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			next.ServeHTTP(w, r)
		})
	})
	get(t, s.URL()+"/api/v1/apps/"+appID+"/users?limit=1", s.Token())
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, s.URL()+"/api/v1/apps/"+appID+"?fail=1", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("middleware did not answer: %d", resp.StatusCode)
	}
	want := []oktatest.Request{
		{Method: "GET", Path: "/api/v1/apps/" + appID + "/users", RawQuery: "limit=1"},
		{Method: "GET", Path: "/api/v1/apps/" + appID, RawQuery: "fail=1"},
	}
	if got := s.Requests(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("requests %+v, want %+v", got, want)
	}
	if len(seen) != 2 {
		t.Errorf("middleware saw %v", seen)
	}
	s.ResetRequests()
	if got := s.Requests(); len(got) != 0 {
		t.Errorf("requests after reset: %+v", got)
	}
}

func TestServer_Concurrent(t *testing.T) {
	s, users := newOrg(t, 4)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, s.URL()+"/api/v1/apps/"+appID+"/users?expand=user", nil)
			req.Header.Set("Authorization", "SSWS "+s.Token())
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		})
		wg.Go(func() {
			u := users[i%len(users)]
			u.LastName = "Changed" + strconv.Itoa(i)
			s.UpdateUser(u)
			s.SetAssignmentProfile(appID, u.ID, map[string]any{"role": "guest"})
			_ = s.Requests()
		})
	}
	wg.Wait()
	if n := len(s.Requests()); n != 8 {
		t.Errorf("%d requests recorded, want 8", n)
	}
}

func TestServer_MisusePanics(t *testing.T) {
	s, users := newOrg(t, 1)
	for name, f := range map[string]func(){
		"AssignUnknownApp":  func() { s.Assign("0oanope", users[0].ID, "", nil) },
		"AssignUnknownUser": func() { s.Assign(appID, "00unope", "", nil) },
		"DuplicateUser":     func() { s.AddUser(oktatest.User{ID: users[0].ID}) },
		"DuplicateApp":      func() { s.AddApp(appID, "again") },
		"UpdateUnknownUser": func() { s.UpdateUser(oktatest.User{ID: "00unope"}) },
		"StatusUnassigned":  func() { s.Unassign(appID, users[0].ID); s.SetAssignmentStatus(appID, users[0].ID, "ACTIVE") },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			f()
		})
	}
}
