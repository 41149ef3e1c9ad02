package main

import (
	"fmt"
	"net/http"
	"strings"
	gosync "sync"
	"unicode"

	"github.com/okta-clickup-sync/okta-clickup-sync/okta/oktatest"
)

// sandboxControl takes the sandbox's control requests: changes to the fake Okta org that a
// newcomer would otherwise make in an Okta admin console.
//
//	POST /sandbox/assign?login=L&role=R     assign the app (a new login becomes a new Okta user)
//	POST /sandbox/unassign?login=L          remove the assignment
//	POST /sandbox/role?login=L&role=R       change the ClickUp Role in the app-user profile
//	POST /sandbox/suspend?login=L           suspend the Okta user (the assignment stays)
//	POST /sandbox/unsuspend?login=L         make the Okta user active again
type sandboxControl struct {
	d   *demo
	mux *http.ServeMux

	mu     gosync.Mutex
	people map[string]oktatest.User // by lower-case login
}

func newSandboxControl(d *demo) *sandboxControl {
	s := &sandboxControl{d: d, people: map[string]oktatest.User{}}
	for login, u := range d.org.people {
		s.people[strings.ToLower(login)] = u
	}
	m := http.NewServeMux()
	m.HandleFunc("GET /sandbox/{$}", s.help)
	m.HandleFunc("POST /sandbox/assign", s.assign)
	m.HandleFunc("POST /sandbox/unassign", s.withUser(func(u oktatest.User) string {
		s.d.okta.Unassign(demoAppID, u.ID)
		return "unassigned " + u.Login + " from the ClickUp app"
	}))
	m.HandleFunc("POST /sandbox/role", s.role)
	m.HandleFunc("POST /sandbox/suspend", s.status("SUSPENDED"))
	m.HandleFunc("POST /sandbox/unsuspend", s.status("ACTIVE"))
	s.mux = m
	return s
}

func (s *sandboxControl) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

const sandboxHelp = `Control requests of the okta-clickup-sync sandbox: they change the fake Okta org.
  POST /sandbox/assign?login=L&role=R     assign the ClickUp app (a new login becomes a new Okta user)
  POST /sandbox/unassign?login=L          remove the assignment
  POST /sandbox/role?login=L&role=R       change the ClickUp Role (admin, member, guest)
  POST /sandbox/suspend?login=L           suspend the Okta user (the assignment stays)
  POST /sandbox/unsuspend?login=L         make the Okta user active again
Then run okta-clickup-sync reconcile --dry-run to see what changed.`

func (s *sandboxControl) help(w http.ResponseWriter, _ *http.Request) {
	writePlain(w, http.StatusOK, sandboxHelp)
}

// sandboxRole reads the role parameter: a ClickUp Role the app-user profile may hold.
func sandboxRole(r *http.Request) (string, bool) {
	role := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("role")))
	if role == "" {
		role = "member"
	}
	return role, role == "admin" || role == "member" || role == "guest"
}

func (s *sandboxControl) assign(w http.ResponseWriter, r *http.Request) {
	login := strings.TrimSpace(r.URL.Query().Get("login"))
	role, ok := sandboxRole(r)
	switch {
	case login == "" || !strings.Contains(login, "@"):
		writePlain(w, http.StatusBadRequest, "assign needs login=EMAIL, such as login=new.hire@example.com")
		return
	case !ok:
		writePlain(w, http.StatusBadRequest, "role must be admin, member or guest")
		return
	}
	s.mu.Lock()
	u, known := s.people[strings.ToLower(login)]
	if !known {
		first, last := namesOf(login)
		u = s.d.okta.AddUser(oktatest.User{Login: login, Email: login, FirstName: first, LastName: last})
		s.people[strings.ToLower(login)] = u
	}
	s.mu.Unlock()
	s.d.okta.Assign(demoAppID, u.ID, "PROVISIONED", map[string]any{"role": role})
	verb := "assigned"
	if !known {
		verb = "created Okta user " + u.ID + " and assigned"
	}
	writePlain(w, http.StatusOK, fmt.Sprintf("%s %s to the ClickUp app as %s; now: okta-clickup-sync reconcile --dry-run", verb, login, role))
}

func (s *sandboxControl) role(w http.ResponseWriter, r *http.Request) {
	role, ok := sandboxRole(r)
	if !ok {
		writePlain(w, http.StatusBadRequest, "role must be admin, member or guest")
		return
	}
	s.withUser(func(u oktatest.User) string {
		s.d.okta.Assign(demoAppID, u.ID, "PROVISIONED", map[string]any{"role": role})
		return "set the ClickUp Role of " + u.Login + " to " + role
	})(w, r)
}

func (s *sandboxControl) status(status string) http.HandlerFunc {
	return s.withUser(func(u oktatest.User) string {
		s.mu.Lock()
		u.Status = status
		s.people[strings.ToLower(u.Login)] = u
		s.mu.Unlock()
		s.d.okta.UpdateUser(u)
		return "the Okta user " + u.Login + " is now " + status
	})
}

// withUser runs change on the user the login parameter names.
func (s *sandboxControl) withUser(change func(oktatest.User) string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		login := strings.TrimSpace(r.URL.Query().Get("login"))
		s.mu.Lock()
		u, ok := s.people[strings.ToLower(login)]
		s.mu.Unlock()
		if !ok {
			writePlain(w, http.StatusNotFound, fmt.Sprintf("no Okta user with login %q in the sandbox; assign creates one", login))
			return
		}
		writePlain(w, http.StatusOK, change(u)+"; now: okta-clickup-sync reconcile --dry-run")
	}
}

// namesOf makes a first and last name from a login such as new.hire@example.com.
func namesOf(login string) (first, last string) {
	local, _, _ := strings.Cut(login, "@")
	parts := strings.FieldsFunc(local, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	title := func(s string) string {
		if s == "" {
			return s
		}
		return strings.ToUpper(s[:1]) + s[1:]
	}
	switch len(parts) {
	case 0:
		return "New", "User"
	case 1:
		return title(parts[0]), "User"
	}
	return title(parts[0]), title(parts[len(parts)-1])
}
