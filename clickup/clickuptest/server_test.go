package clickuptest_test

import (
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/okta-clickup-sync/okta-clickup-sync/clickup/clickuptest"
)

func TestDefaults(t *testing.T) {
	s := newServer(t, clickuptest.Options{})
	if s.WorkspaceID() != "9006054115" || s.SCIMToken() != "test-scim-token" || s.APIToken() != "pk_test_api_token" {
		t.Errorf("defaults %s %s %s", s.WorkspaceID(), s.SCIMToken(), s.APIToken())
	}
	if s.SCIMBaseURL() != s.URL()+"/scim/v2/9006054115" || s.APIBaseURL() != s.URL()+"/api/v2" {
		t.Errorf("urls %s %s", s.SCIMBaseURL(), s.APIBaseURL())
	}
}

func TestAddUser(t *testing.T) {
	s := newServer(t, clickuptest.Options{})
	a := s.AddUser(clickuptest.User{UserName: "a@x.io", Active: true})
	s.AddUser(clickuptest.User{ID: "9", UserName: "b@x.io", Active: true, Role: "Guest"})
	c := s.AddUser(clickuptest.User{UserName: "c@x.io", Active: true})
	var ids []string
	for _, u := range s.Users() {
		ids = append(ids, u.ID)
	}
	if want := []string{"9", a.ID, c.ID}; !reflect.DeepEqual(ids, want) || a.Role != "member" {
		t.Errorf("ids %v, want %v sorted numerically; role %q", ids, want, a.Role)
	}
	if u, _ := s.User("9"); u.Role != "guest" {
		t.Errorf("role %q, want guest", u.Role)
	}
	s.AddUser(clickuptest.User{UserName: "o@x.io", Active: true, Owner: true})
	for name, u := range map[string]clickuptest.User{
		"taken id":     {ID: "9", UserName: "d@x.io"},
		"bad id":       {ID: "x1", UserName: "d@x.io"},
		"second owner": {UserName: "d@x.io", Active: true, Role: "owner"},
		"unknown role": {UserName: "d@x.io", Role: "boss"},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("AddUser(%+v) did not panic", u)
				}
			}()
			s.AddUser(u)
		})
	}
}

func TestRequestsAreRecorded(t *testing.T) {
	s := newServer(t, clickuptest.Options{})
	scim(t, s, http.MethodGet, "/Users?count=1", "")
	body := userBody("a@x.io", "member")
	scim(t, s, http.MethodPost, "/Users", body)
	scim(t, s, http.MethodPost, "/Users", body)
	rest(t, s, "/team")

	reqs := s.Requests()
	if len(reqs) != 4 {
		t.Fatalf("%d requests", len(reqs))
	}
	if r := reqs[0]; r.Method != "GET" || r.Path != "/scim/v2/9006054115/Users" || r.RawQuery != "count=1" || r.Status != 200 {
		t.Errorf("first %+v", r)
	}
	w := s.Writes()
	if len(w) != 2 || string(w[0].Body) != body || w[0].Status != 201 || w[1].Status != 409 {
		t.Errorf("writes %+v", w)
	}
	s.ResetRequests()
	if len(s.Requests()) != 0 {
		t.Error("ResetRequests kept requests")
	}
}

func TestUseInjectsFaults(t *testing.T) {
	s := newServer(t, clickuptest.Options{})
	s.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.Contains(r.URL.RawQuery, "startIndex=2") {
				http.Error(w, "upstream broke", http.StatusBadGateway)
				return
			}
			next.ServeHTTP(w, r)
		})
	})
	if a := scim(t, s, http.MethodGet, "/Users?startIndex=1", ""); a.status != 200 {
		t.Errorf("passed-on request: %d", a.status)
	}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, s.SCIMBaseURL()+"/Users?startIndex=2", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadGateway || s.Requests()[1].Status != http.StatusBadGateway {
		t.Errorf("injected fault: %d, recorded %+v", resp.StatusCode, s.Requests()[1])
	}
}
