package oktatest_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/okta-clickup-sync/okta-clickup-sync/okta/oktatest"
)

// clock is a settable clock for the fake.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var start = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// logEvent is what the tests read of a served LogEvent.
type logEvent struct {
	UUID      string
	EventType string
	Published string
	Actor     struct{ ID, Type string }
	Target    []struct{ ID, Type, AlternateID, DisplayName string }
}

// newClockedOrg is a fake org with the ClickUp app whose clock is c from the start.
func newClockedOrg(t *testing.T, c *clock) *oktatest.Server {
	t.Helper()
	s := oktatest.NewServer(oktatest.Options{})
	t.Cleanup(s.Close)
	s.SetClock(c.Now)
	s.AddApp(appID, "ClickUp")
	return s
}

func logsURL(s *oktatest.Server, q url.Values) string {
	return s.URL() + "/api/v1/logs?" + q.Encode()
}

func pollQuery(since time.Time, limit int, filter string) url.Values {
	q := url.Values{"since": {since.Format(time.RFC3339)}, "sortOrder": {"ASCENDING"}, "limit": {fmt.Sprint(limit)}}
	if filter != "" {
		q.Set("filter", filter)
	}
	return q
}

// poll GETs rawURL and returns the events and the next link, checking what every polling
// answer has: a self link and a next link, each in a header of its own.
func poll(t *testing.T, s *oktatest.Server, rawURL string) ([]logEvent, string) {
	t.Helper()
	r := get(t, rawURL, s.Token())
	page := decodeJSON[[]logEvent](t, r)
	if page == nil {
		t.Fatalf("GET %s: body %s, want an array", rawURL, r.body)
	}
	l := links(t, r.header)
	if len(r.header.Values("Link")) != 2 || l[`rel="self"`] == "" || l[`rel="next"`] == "" {
		t.Fatalf("GET %s: Link headers %q, want one self and one next", rawURL, r.header.Values("Link"))
	}
	return page, l[`rel="next"`]
}

func types(evs []logEvent) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.EventType)
	}
	return out
}

// Polling: events in the order recorded, a next link on every page, the empty one included, and
// a cursor that picks up what is recorded after it.
func TestServer_Logs_Polling(t *testing.T) {
	c := newClock(start)
	s := newClockedOrg(t, c)
	u := s.AddUser(oktatest.User{Login: "ada@example.com", FirstName: "Ada", LastName: "L"})
	s.Assign(appID, u.ID, "", nil)
	s.UpdateUser(oktatest.User{ID: u.ID, Login: u.Login, FirstName: "Ada", LastName: "L", Status: "SUSPENDED"})

	events, next := poll(t, s, logsURL(s, pollQuery(start.Add(-time.Minute), 2, "")))
	if got := types(events); !slices.Equal(got, []string{"application.lifecycle.create", "user.lifecycle.create"}) {
		t.Errorf("page 1: %q", got)
	}
	nu, err := url.Parse(next)
	if err != nil || nu.Path != "/api/v1/logs" || nu.Query().Get("after") == "" || nu.Query().Get("limit") != "2" ||
		nu.Query().Get("sortOrder") != "ASCENDING" || nu.Query().Has("since") || !strings.HasPrefix(next, s.URL()) {
		t.Fatalf("next link %q", next)
	}
	events, next = poll(t, s, next)
	if got := types(events); !slices.Equal(got, []string{"user.lifecycle.activate", "application.user_membership.add"}) {
		t.Errorf("page 2: %q", got)
	}
	events, next = poll(t, s, next)
	if got := types(events); !slices.Equal(got, []string{"user.lifecycle.suspend"}) {
		t.Errorf("page 3: %q", got)
	}
	events, empty := poll(t, s, next)
	if len(events) != 0 {
		t.Errorf("page 4: %q, want none", types(events))
	}
	events, again := poll(t, s, empty)
	if len(events) != 0 || again != empty {
		t.Errorf("an empty page's next link moved from %s to %s", empty, again)
	}
	c.Advance(time.Hour)
	s.Unassign(appID, u.ID)
	events, _ = poll(t, s, empty)
	if got := types(events); !slices.Equal(got, []string{"application.user_membership.remove"}) {
		t.Errorf("after the empty page: %q", got)
	}
	if events[0].Published != "2026-03-01T13:00:00.000Z" {
		t.Errorf("published %s, want the clock's time with milliseconds", events[0].Published)
	}
}

// since counts by when events were recorded: a late event (published long ago, recorded now)
// is polled, an event recorded before since is not; the default is seven days back, and more
// than 180 days back is refused as Okta refuses it.
func TestServer_Logs_Since(t *testing.T) {
	c := newClock(start.Add(-8 * 24 * time.Hour))
	s := newClockedOrg(t, c)
	s.RecordEvent(oktatest.LogEvent{EventType: "user.session.start", UUID: "old"})
	c.Advance(8 * 24 * time.Hour)
	s.RecordEvent(oktatest.LogEvent{EventType: "user.session.start", UUID: "late", Published: start.Add(-30 * 24 * time.Hour)})

	events, _ := poll(t, s, logsURL(s, url.Values{"sortOrder": {"ASCENDING"}}))
	if len(events) != 1 || events[0].UUID != "late" || events[0].Published != "2026-01-30T12:00:00.000Z" {
		t.Errorf("default since: %+v, want the late event only, with its own published time", events)
	}
	events, _ = poll(t, s, logsURL(s, pollQuery(start.Add(-9*24*time.Hour), 10, "")))
	if len(events) != 3 {
		t.Errorf("since 9 days back: %d events, want 3", len(events))
	}
	wantError(t, get(t, logsURL(s, pollQuery(start.Add(-181*24*time.Hour), 10, "")), s.Token()), http.StatusBadRequest, "E0000053")
	wantError(t, get(t, logsURL(s, url.Values{"since": {"yesterday"}}), s.Token()), http.StatusBadRequest, "E0000001")
}

func TestServer_Logs_Params(t *testing.T) {
	s, _ := newOrg(t, 0)
	for range 120 {
		s.RecordEvent(oktatest.LogEvent{EventType: "user.session.start"})
	}
	events, next := poll(t, s, logsURL(s, url.Values{}))
	if len(events) != oktatest.DefaultLogLimit || !strings.Contains(next, "limit=100") {
		t.Errorf("default limit: %d events, next %s", len(events), next)
	}
	events, next = poll(t, s, logsURL(s, url.Values{"limit": {"0"}}))
	if len(events) != 0 || !strings.Contains(next, "after=0_0") {
		t.Errorf("limit 0: %d events, next %s", len(events), next)
	}
	for _, tc := range []struct {
		q    url.Values
		code string
	}{
		{url.Values{"limit": {"1001"}}, "E0000001"},
		{url.Values{"limit": {"-1"}}, "E0000001"},
		{url.Values{"limit": {"ten"}}, "E0000001"},
		{url.Values{"sortOrder": {"DESCENDING"}}, "E0000031"},
		{url.Values{"sortOrder": {"ascending"}}, "E0000001"},
		{url.Values{"until": {start.Format(time.RFC3339)}}, "E0000031"},
		{url.Values{"q": {"ada"}}, "E0000031"},
		{url.Values{"after": {"12345"}}, "E0000001"},
		{url.Values{"after": {"0_121"}}, "E0000001"},
		{url.Values{"after": {"1_1"}}, "E0000001"}, // the position exists, the time does not match it
		{url.Values{"filter": {`eventType eq`}}, "E0000053"},
		{url.Values{"filter": {`eventType eq user.session.start`}}, "E0000053"},
		{url.Values{"filter": {`eventType eqq "x"`}}, "E0000053"},
		{url.Values{"filter": {`(eventType eq "x"`}}, "E0000053"},
		{url.Values{"filter": {`eventType eq "x" or`}}, "E0000053"},
		{url.Values{"filter": {`eventType eq "x" "y"`}}, "E0000053"},
		{url.Values{"filter": {`eventType eq "unterminated`}}, "E0000053"},
		{url.Values{"filter": {`published eq "2026-01-01T00:00:00Z"`}}, "E0000053"},
		{url.Values{"filter": {`eventType ne "x"`}}, "E0000031"},
		{url.Values{"filter": {`eventType pr`}}, "E0000031"},
		{url.Values{"filter": {`not (eventType eq "x")`}}, "E0000031"},
		{url.Values{"filter": {`client.ipAddress eq "1.2.3.4"`}}, "E0000031"},
	} {
		t.Run(tc.q.Encode(), func(t *testing.T) {
			wantError(t, get(t, logsURL(s, tc.q), s.Token()), http.StatusBadRequest, tc.code)
		})
	}
}

// The filter forms the adapter sends, and the others the fake understands.
func TestServer_Logs_Filter(t *testing.T) {
	s, _ := newOrg(t, 0)
	s.AddApp("0oaother", "Other")
	u := s.AddUser(oktatest.User{Login: "ada@example.com"})
	g := s.AddGroup(oktatest.Group{Name: "Eng"})
	s.Assign(appID, u.ID, "", nil)
	s.Assign("0oaother", u.ID, "", nil)
	s.AddGroupMember(g.ID, u.ID)
	s.StartSession(u.ID)
	since := time.Now().Add(-time.Hour)
	for _, tc := range []struct {
		filter string
		want   []string
	}{
		{`eventType eq "application.user_membership.add" or eventType eq "group.user_membership.add"`,
			[]string{"application.user_membership.add", "application.user_membership.add", "group.user_membership.add"}},
		{`EVENTTYPE EQ "User.Session.Start"`, nil}, // attribute names are case-sensitive
		{`eventType EQ "User.Session.Start"`, []string{"user.session.start"}},
		{`eventType sw "application.user_membership." and target.id eq "` + appID + `"`, []string{"application.user_membership.add"}},
		{`(eventType sw "group." or eventType ew ".start") and target.type eq "UserGroup"`, []string{"group.lifecycle.create", "group.user_membership.add"}},
		{`eventType co "session" and actor.id eq "` + u.ID + `"`, []string{"user.session.start"}},
		{`target.id eq "` + u.ID + `" and eventType sw "user.lifecycle."`, []string{"user.lifecycle.create", "user.lifecycle.activate"}},
	} {
		q := pollQuery(since, 100, tc.filter)
		if tc.want == nil {
			wantError(t, get(t, logsURL(s, q), s.Token()), http.StatusBadRequest, "E0000031")
			continue
		}
		events, next := poll(t, s, logsURL(s, q))
		if got := types(events); !slices.Equal(got, tc.want) {
			t.Errorf("filter %s: %q, want %q", tc.filter, got, tc.want)
		}
		if nu, _ := url.Parse(next); nu.Query().Get("filter") != tc.filter {
			t.Errorf("filter %s: next link %s does not carry it", tc.filter, next)
		}
	}
}

// A filtered page that is not full reads the log to its end, so the next poll does not scan
// the events filtered out again; a full one stops at its last event.
func TestServer_Logs_CursorPastFilteredEvents(t *testing.T) {
	s, _ := newOrg(t, 0)
	for range 3 {
		s.RecordEvent(oktatest.LogEvent{EventType: "a"})
		s.RecordEvent(oktatest.LogEvent{EventType: "b"})
	}
	since := time.Now().Add(-time.Hour)
	events, next := poll(t, s, logsURL(s, pollQuery(since, 2, `eventType eq "a"`)))
	if len(events) != 2 {
		t.Fatalf("full page: %d events", len(events))
	}
	events, next = poll(t, s, next)
	if len(events) != 1 {
		t.Fatalf("second page: %d events", len(events))
	}
	s.RecordEvent(oktatest.LogEvent{EventType: "a", UUID: "new"})
	events, _ = poll(t, s, next)
	if len(events) != 1 || events[0].UUID != "new" {
		t.Errorf("after the cursor: %+v", events)
	}
}

func TestServer_Logs_AuthRateLimitFaults(t *testing.T) {
	s, _ := newOrg(t, 0)
	wantError(t, get(t, logsURL(s, nil), ""), http.StatusUnauthorized, "E0000011")
	wantError(t, get(t, logsURL(s, nil), "wrong"), http.StatusUnauthorized, "E0000011")

	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	s.RegisterServiceApp(svcClientID, "", &key.PublicKey, []string{"okta.apps.read", "okta.logs.read"})
	for _, tc := range []struct {
		scope  string
		status int
	}{{"okta.apps.read", http.StatusForbidden}, {"okta.logs.read", http.StatusOK}} {
		now := time.Now().Unix()
		assertion := signJWT(t, key, map[string]any{"alg": "RS256"}, map[string]any{
			"iss": svcClientID, "sub": svcClientID, "aud": s.URL() + oktatest.TokenPath, "iat": now, "exp": now + 600})
		_, body := requestToken(t, s, http.MethodPost, assertion, tc.scope)
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, logsURL(s, nil), nil)
		req.Header.Set("Authorization", "Bearer "+fmt.Sprint(body["access_token"]))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("scope %s: status %d, want %d", tc.scope, resp.StatusCode, tc.status)
		}
	}

	s.SetBucketRateLimit("/api/v1/logs", 1)
	if r := get(t, logsURL(s, nil), s.Token()); r.status != http.StatusOK && r.status != http.StatusTooManyRequests {
		t.Fatalf("status %d", r.status)
	}
	r := get(t, logsURL(s, nil), s.Token())
	wantError(t, r, http.StatusTooManyRequests, "E0000047")
	if r.header.Get("X-Rate-Limit-Limit") != "1" {
		t.Errorf("X-Rate-Limit-Limit %q, want the bucket's own 1", r.header.Get("X-Rate-Limit-Limit"))
	}
	if r := get(t, s.URL()+"/api/v1/users", s.Token()); r.status != http.StatusOK {
		t.Errorf("another bucket: status %d", r.status)
	}
	s.SetBucketRateLimit("/api/v1/logs", 0)

	s.Faults(1).Add(oktatest.ServerError(http.StatusServiceUnavailable))
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, logsURL(s, nil), nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("fault on %s not applied: status %d", oktatest.PathLogs, resp.StatusCode)
	}
}

// Every change the fake's state makes is recorded as the event Okta records, with the targets
// a poller finds users and apps and groups by.
func TestServer_MutationEvents(t *testing.T) {
	s, _ := newOrg(t, 0)
	s.AddApp("0oaother", "Other")
	u := s.AddUser(oktatest.User{Login: "ada@example.com", FirstName: "Ada", LastName: "Lovelace"})
	g := s.AddGroup(oktatest.Group{Name: "Eng"})
	type target struct{ ID, Type, AlternateID string }
	user := target{u.ID, "User", "ada@example.com"}
	app := target{appID, "AppInstance", "ClickUp"}
	group := target{g.ID, "UserGroup", "unknown"}
	renamed := target{u.ID, "User", "ada.l@example.com"}
	for _, tc := range []struct {
		name   string
		change func()
		want   []string // event types
		// targets of the last event, but for the AppUser target (an id of its own)
		targets []target
	}{
		{"Assign", func() { s.Assign(appID, u.ID, "", nil) }, []string{"application.user_membership.add"}, []target{app, user}},
		{"AssignAgain", func() { s.Assign(appID, u.ID, "ACTIVE", map[string]any{"role": "admin"}) }, []string{"application.user_membership.update"}, []target{app, user}},
		{"Profile", func() { s.SetAssignmentProfile(appID, u.ID, map[string]any{"role": "guest"}) }, []string{"application.user_membership.update"}, []target{app, user}},
		{"StatusSuspended", func() { s.SetAssignmentStatus(appID, u.ID, "SUSPENDED") }, []string{"application.user_membership.update"}, []target{app, user}},
		{"StatusRestored", func() { s.SetAssignmentStatus(appID, u.ID, "ACTIVE") }, []string{"application.user_membership.restore"}, []target{app, user}},
		{"StatusSame", func() { s.SetAssignmentStatus(appID, u.ID, "ACTIVE") }, nil, nil},
		{"StatusRevoked", func() { s.SetAssignmentStatus(appID, u.ID, "REVOKED") }, []string{"application.user_membership.revoke"}, []target{app, user}},
		{"StatusDeprovisioned", func() { s.SetAssignmentStatus(appID, u.ID, "DEPROVISIONED") }, []string{"application.user_membership.deprovision"}, []target{app, user}},
		{"OtherApp", func() { s.Assign("0oaother", u.ID, "", nil) }, []string{"application.user_membership.add"}, []target{{"0oaother", "AppInstance", "Other"}, user}},
		{"Suspend", func() { s.UpdateUser(withStatus(u, "SUSPENDED")) }, []string{"user.lifecycle.suspend"}, []target{user}},
		{"Unsuspend", func() { s.UpdateUser(withStatus(u, "ACTIVE")) }, []string{"user.lifecycle.unsuspend"}, []target{user}},
		{"Deactivate", func() { s.UpdateUser(withStatus(u, "DEPROVISIONED")) }, []string{"user.lifecycle.deactivate"}, []target{user}},
		{"Reactivate", func() { s.UpdateUser(withStatus(u, "PROVISIONED")) }, []string{"user.lifecycle.reactivate"}, []target{user}},
		{"Lock", func() { s.UpdateUser(withStatus(u, "LOCKED_OUT")) }, []string{"user.account.lock"}, []target{user}},
		{"Unlock", func() { s.UpdateUser(withStatus(u, "ACTIVE")) }, []string{"user.account.unlock"}, []target{user}},
		{"Rename", func() {
			u.Login = renamed.AlternateID
			s.UpdateUser(u)
		}, []string{"user.account.update_profile", "application.user_membership.change_username", "application.user_membership.change_username"},
			[]target{{"0oaother", "AppInstance", "Other"}, renamed}},
		{"Unassign", func() { s.Unassign(appID, u.ID) }, []string{"application.user_membership.remove"}, []target{app, renamed}},
		{"UnassignAgain", func() { s.Unassign(appID, u.ID) }, nil, nil},
		{"GroupAdd", func() { s.AddGroupMember(g.ID, u.ID) }, []string{"group.user_membership.add"}, []target{renamed, group}},
		{"GroupAddAgain", func() { s.AddGroupMember(g.ID, u.ID) }, nil, nil},
		{"GroupRemove", func() { s.RemoveGroupMember(g.ID, u.ID) }, []string{"group.user_membership.remove"}, []target{renamed, group}},
		{"GroupRemoveAgain", func() { s.RemoveGroupMember(g.ID, u.ID) }, nil, nil},
		{"Session", func() { s.StartSession(u.ID) }, []string{"user.session.start"}, []target{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(s.Events())
			tc.change()
			events := s.Events()[before:]
			if got := eventTypes(events); !slices.Equal(got, tc.want) {
				t.Fatalf("events %q, want %q", got, tc.want)
			}
			if len(events) == 0 {
				return
			}
			last := events[len(events)-1]
			var got []target
			for _, tg := range last.Targets {
				if tg.Type == "AppUser" {
					if !strings.HasPrefix(tg.ID, "0ua") || tg.AlternateID != u.Login {
						t.Errorf("AppUser target %+v", tg)
					}
					continue
				}
				got = append(got, target{tg.ID, tg.Type, tg.AlternateID})
			}
			if !slices.Equal(got, tc.targets) && len(got)+len(tc.targets) > 0 {
				t.Errorf("targets %+v, want %+v", got, tc.targets)
			}
			if last.UUID == "" || last.Published.IsZero() || last.Actor == nil {
				t.Errorf("event %+v without uuid, published or actor", last)
			}
		})
	}
	uuids := map[string]bool{}
	for _, e := range s.Events() {
		if uuids[e.UUID] {
			t.Errorf("uuid %s repeats", e.UUID)
		}
		uuids[e.UUID] = true
	}
}

func withStatus(u oktatest.User, status string) oktatest.User {
	u.Status = status
	return u
}

func eventTypes(evs []oktatest.LogEvent) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.EventType)
	}
	return out
}

// Served events are LogEvents as Okta renders them, with the injected ones as given.
func TestServer_Logs_Rendering(t *testing.T) {
	s, _ := newOrg(t, 0)
	pub := time.Date(2025, 12, 31, 23, 59, 59, 123e6, time.UTC)
	s.RecordEvent(oktatest.LogEvent{UUID: "dup", EventType: "x.y", Published: pub,
		Targets: []oktatest.LogTarget{{ID: "00u1", Type: "User", AlternateID: "a@b", DisplayName: "A"}}})
	s.RecordEvent(oktatest.LogEvent{UUID: "dup", EventType: "x.y", Published: pub.Add(-time.Hour)})
	r := get(t, logsURL(s, url.Values{"filter": {`eventType eq "x.y"`}}), s.Token())
	var raw []map[string]json.RawMessage
	if err := json.Unmarshal(r.body, &raw); err != nil || len(raw) != 2 {
		t.Fatalf("body %s: %v", r.body, err)
	}
	for _, k := range []string{"uuid", "published", "eventType", "version", "severity", "actor", "outcome", "target", "transaction", "debugContext", "client"} {
		if _, ok := raw[0][k]; !ok {
			t.Errorf("LogEvent without %s", k)
		}
	}
	if string(raw[0]["published"]) != `"2025-12-31T23:59:59.123Z"` || string(raw[1]["target"]) != "null" || string(raw[1]["uuid"]) != `"dup"` {
		t.Errorf("events %s", r.body)
	}
}
