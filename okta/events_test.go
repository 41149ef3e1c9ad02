package okta_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/okta-clickup-sync/okta-clickup-sync/internal/httpretry"
	"github.com/okta-clickup-sync/okta-clickup-sync/internal/httpretry/httpretrytest"
	"github.com/okta-clickup-sync/okta-clickup-sync/okta"
	"github.com/okta-clickup-sync/okta-clickup-sync/okta/oktatest"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

var logStart = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// fakeClock is a settable clock for the fake org.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// newLogOrg is a fake org on a clock starting at logStart, with the ClickUp app.
func newLogOrg(t *testing.T) (*oktatest.Server, *fakeClock) {
	t.Helper()
	c := &fakeClock{t: logStart}
	s := oktatest.NewServer(oktatest.Options{})
	t.Cleanup(s.Close)
	s.SetClock(c.Now)
	s.AddApp(appID, "ClickUp")
	return s, c
}

func uuids(evs []core.Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.UUID)
	}
	return out
}

// wanted are the uuids of the fake's events of core.EventTypes from index from on.
func wanted(s *oktatest.Server, from int) []string {
	var out []string
	for _, e := range s.Events()[from:] {
		if slices.Contains(core.EventTypes, e.EventType) {
			out = append(out, e.UUID)
		}
	}
	return out
}

// The cursor flow against the fake: a first poll from since with the filter on core.EventTypes,
// then the next links; an empty page keeps a cursor; a restart resumes from the stored cursor
// and neither misses nor repeats an event.
func TestClient_Events_CursorFlow(t *testing.T) {
	s, clock := newLogOrg(t)
	old := s.AddUser(oktatest.User{Login: "old@example.com"})
	s.Assign(appID, old.ID, "", nil) // before since: not polled
	clock.Advance(time.Minute)
	since := clock.Now()
	mark := len(s.Events())
	ada := s.AddUser(oktatest.User{Login: "ada@example.com", FirstName: "Ada", LastName: "Lovelace"})
	g := s.AddGroup(oktatest.Group{Name: "Eng"})
	s.Assign(appID, ada.ID, "", map[string]any{"role": "admin"})
	s.StartSession(ada.ID) // noise the filter drops
	s.AddGroupMember(g.ID, ada.ID)

	c := newClient(t, s, nil)
	s.ResetRequests()
	events, cursor, err := c.Events(t.Context(), "", since)
	if err != nil {
		t.Fatal(err)
	}
	reqs := s.Requests()
	if len(reqs) != 1 || reqs[0].Path != "/api/v1/logs" {
		t.Fatalf("requests %+v", reqs)
	}
	q, _ := url.ParseQuery(reqs[0].RawQuery)
	if want := (url.Values{"since": {"2026-03-01T12:01:00.000Z"}, "sortOrder": {"ASCENDING"}, "limit": {"1000"},
		"filter": {okta.EventFilter(core.EventTypes)}}); !equalValues(q, want) {
		t.Errorf("first poll asked %v, want %v", q, want)
	}
	if !strings.HasPrefix(q.Get("filter"), `eventType eq "application.user_membership.add" or eventType eq "application.user_membership.remove" or `) {
		t.Errorf("filter %s", q.Get("filter"))
	}
	if got, want := uuids(events), wanted(s, mark); !slices.Equal(got, want) || len(want) != 3 {
		t.Fatalf("events %q, want %q", got, want)
	}
	add := events[1]
	if add.Type != "application.user_membership.add" || !add.Published.Equal(since) ||
		!slices.Contains(add.Targets, core.EventTarget{ID: ada.ID, Type: "User", AlternateID: "ada@example.com"}) ||
		!slices.Contains(add.Targets, core.EventTarget{ID: appID, Type: "AppInstance", AlternateID: "ClickUp"}) {
		t.Errorf("assignment event %+v", add)
	}
	if !strings.HasPrefix(cursor, "/api/v1/logs?") || strings.Contains(cursor, "since=") || strings.Contains(cursor, "127.0.0.1") {
		t.Errorf("cursor %q, want a System Log path and query without since", cursor)
	}

	// Nothing new: an empty page, and a cursor all the same.
	events, empty, err := c.Events(t.Context(), cursor, since)
	if err != nil || len(events) != 0 || empty == "" {
		t.Fatalf("empty poll = %v, %q, %v", events, empty, err)
	}

	// A restart: a new client resumes from the stored cursor.
	mark = len(s.Events())
	clock.Advance(time.Minute)
	s.SetAssignmentProfile(appID, ada.ID, map[string]any{"role": "member"})
	s.UpdateUser(oktatest.User{ID: ada.ID, Login: ada.Login, FirstName: "Ada", LastName: "Lovelace", Status: "SUSPENDED"})
	s.RemoveGroupMember(g.ID, ada.ID)
	s.RecordEvent(oktatest.LogEvent{EventType: "application.user_membership.add", UUID: add.UUID,
		Published: logStart.Add(-time.Hour), Targets: []oktatest.LogTarget{{ID: ada.ID, Type: "User"}}}) // a late duplicate
	restarted := newClient(t, s, nil)
	s.ResetRequests()
	events, next, err := restarted.Events(t.Context(), empty, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := uuids(events), wanted(s, mark); !slices.Equal(got, want) || len(want) != 4 {
		t.Errorf("after restart %q, want %q", got, want)
	}
	if r := s.Requests(); len(r) != 1 || !strings.Contains(r[0].RawQuery, "after=") || strings.Contains(r[0].RawQuery, "since=") {
		t.Errorf("resumed with %+v", r)
	}
	if events[3].Published != logStart.Add(-time.Hour) {
		t.Errorf("late event published %s", events[3].Published)
	}
	events, _, err = restarted.Events(t.Context(), next, time.Time{})
	if err != nil || len(events) != 0 {
		t.Errorf("repeat: %q, %v", uuids(events), err)
	}
}

func equalValues(a, b url.Values) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

// A burst is drained in one call while pages come full, at most ten pages; the rest comes with
// the next call, from the cursor returned.
func TestClient_Events_Burst(t *testing.T) {
	s, clock := newLogOrg(t)
	since := clock.Now()
	mark := len(s.Events())
	for range 25 {
		s.RecordEvent(oktatest.LogEvent{EventType: "user.lifecycle.suspend"})
		s.RecordEvent(oktatest.LogEvent{EventType: "user.session.start"})
	}
	c := newClient(t, s, func(o *okta.Options) { o.EventPageLimit = 2 })
	s.ResetRequests()
	events, cursor, err := c.Events(t.Context(), "", since)
	want := wanted(s, mark)
	if err != nil || !slices.Equal(uuids(events), want[:20]) {
		t.Fatalf("first call: %d events, %v; want the first 20", len(events), err)
	}
	if n := len(s.Requests()); n != 10 {
		t.Errorf("%d requests, want 10 pages", n)
	}
	s.ResetRequests()
	events, cursor, err = c.Events(t.Context(), cursor, since)
	if err != nil || !slices.Equal(uuids(events), want[20:]) {
		t.Fatalf("second call: %d events, %v; want the last 5", len(events), err)
	}
	if n := len(s.Requests()); n != 3 {
		t.Errorf("%d requests, want 3 (2, 2 and the last 1)", n)
	}
	events, _, err = c.Events(t.Context(), cursor, since)
	if err != nil || len(events) != 0 {
		t.Errorf("third call: %d events, %v", len(events), err)
	}
}

// Errors never move the cursor: a failed page returns no events and no cursor, not even those
// of the pages before it.
func TestClient_Events_FailedPageLosesNothing(t *testing.T) {
	s, clock := newLogOrg(t)
	since := clock.Now()
	for range 5 {
		s.RecordEvent(oktatest.LogEvent{EventType: "user.lifecycle.suspend"})
	}
	c := newClient(t, s, func(o *okta.Options) {
		o.EventPageLimit = 2
		o.Retry = httpretry.Policy{Sleep: httpretrytest.NoSleep}
	})
	rule := oktatest.Body(http.StatusBadRequest, `{"errorCode":"E0000001","errorSummary":"Api validation failed: after","errorCauses":[]}`)
	rule.Path, rule.Skip = oktatest.PathLogs, 1 // the first page answers, the second fails
	s.Faults(1).Add(rule)
	events, cursor, err := c.Events(t.Context(), "", since)
	if err == nil || events != nil || cursor != "" || !strings.Contains(err.Error(), "page 2") {
		t.Errorf("Events = %d events, %q, %v; want an error on page 2 and nothing else", len(events), cursor, err)
	}
}

func TestClient_Events_Refused(t *testing.T) {
	s, clock := newLogOrg(t)
	c := newClient(t, s, nil)
	for _, cursor := range []string{
		"https://evil.example/api/v1/logs?after=1",
		"//evil.example/api/v1/logs?after=1",
		"/api/v1/users?after=1",
		"/api/v1/logs/x?after=1",
		"/api/v1/logs?after=1&until=2026-01-01T00:00:00Z",
		"/api/v1/logs?after=1&sortOrder=DESCENDING",
		"/api/v1/logs?after=1&limit=many",
		"%zz",
	} {
		s.ResetRequests()
		if _, next, err := c.Events(t.Context(), cursor, clock.Now()); err == nil || next != "" || len(s.Requests()) != 0 {
			t.Errorf("cursor %q: next %q, error %v after %d requests", cursor, next, err, len(s.Requests()))
		}
	}
	if _, _, err := c.Events(t.Context(), "", time.Time{}); err == nil || len(s.Requests()) != 0 {
		t.Errorf("no cursor and no since: %v", err)
	}
	// A since Okta refuses is Okta's error, named.
	_, _, err := c.Events(t.Context(), "", clock.Now().Add(-200*24*time.Hour))
	var apiErr *okta.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusBadRequest || apiErr.Code != "E0000053" {
		t.Errorf("since 200 days back: %v", err)
	}
}

func TestClient_Events_OAuthScope(t *testing.T) {
	s, clock := newLogOrg(t)
	key, _ := testKeys()
	s.RegisterServiceApp(clientID, keyID, &key.PublicKey, []string{"okta.apps.read", "okta.logs.read"})
	pem := pkcs1PEM(key)
	if _, _, err := oauthClient(t, s, pem, "okta.logs.read").Events(t.Context(), "", clock.Now()); err != nil {
		t.Errorf("with okta.logs.read: %v", err)
	}
	_, _, err := oauthClient(t, s, pem, "okta.apps.read").Events(t.Context(), "", clock.Now())
	if !errors.Is(err, core.ErrUnauthorized) {
		t.Errorf("without okta.logs.read: %v", err)
	}
}

// logAnswer is one scripted answer of the System Log.
type logAnswer struct {
	status int // default 200
	body   string
	links  []string // raw Link header values
}

// scriptedLog serves answers[i] for the request whose after is "c<i>" (the first has none),
// and records the requests' queries.
func scriptedLog(t *testing.T, limit int, answers ...logAnswer) (*okta.Client, func() []url.Values) {
	t.Helper()
	var (
		mu   sync.Mutex
		seen []url.Values
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.URL.Query())
		mu.Unlock()
		i := 0
		if a := r.URL.Query().Get("after"); a != "" {
			i, _ = strconv.Atoi(strings.TrimPrefix(a, "c"))
		}
		if r.URL.Path != "/api/v1/logs" || i >= len(answers) {
			t.Errorf("unexpected request %s", r.URL)
			w.WriteHeader(http.StatusTeapot)
			return
		}
		a := answers[i]
		for _, l := range a.links {
			w.Header().Add("Link", strings.ReplaceAll(l, "ORG", "http://"+r.Host))
		}
		if a.status == 0 {
			a.status = http.StatusOK
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(a.status)
		_, _ = w.Write([]byte(a.body))
	}))
	t.Cleanup(srv.Close)
	c, err := okta.New(t.Context(), okta.Options{OrgURL: srv.URL, AppID: appID, Token: scriptToken, AllowInsecureHTTP: true,
		EventPageLimit: limit, Retry: httpretry.Policy{Sleep: httpretrytest.NoSleep}})
	if err != nil {
		t.Fatal(err)
	}
	return c, func() []url.Values {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(seen)
	}
}

func logEvents(n int, first int) string {
	var evs []map[string]any
	for i := range n {
		evs = append(evs, map[string]any{
			"uuid": fmt.Sprintf("e%d", first+i), "eventType": "user.lifecycle.suspend", "published": "2026-03-01T12:00:00.000Z",
			"target": []map[string]any{{"id": "00u1", "type": "User", "alternateId": "a@example.com", "displayName": "A", "detailEntry": nil}},
		})
	}
	b, _ := json.Marshal(evs)
	if n == 0 {
		return "[]"
	}
	return string(b)
}

func next(i int) string {
	return `<ORG/api/v1/logs?after=c` + strconv.Itoa(i) + `&limit=2&sortOrder=ASCENDING>; rel="next"`
}

const selfLink = `<ORG/api/v1/logs?since=x>; rel="self"`

// What a lying System Log could answer: each fails the poll with ErrMalformed, no events and no
// cursor.
func TestClient_Events_Lies(t *testing.T) {
	ok := logEvents(2, 0)
	for _, tc := range []struct {
		name    string
		answers []logAnswer
		want    string
	}{
		{"EmptyBody", []logAnswer{{body: "", links: []string{next(1)}}}, "the body is empty"},
		{"Null", []logAnswer{{body: "null", links: []string{next(1)}}}, "the body is null"},
		{"Object", []logAnswer{{body: `{"uuid":"e1"}`, links: []string{next(1)}}}, "want an array"},
		{"TwoArrays", []logAnswer{{body: "[] []", links: []string{next(1)}}}, "more data after the array"},
		{"NullEvent", []logAnswer{{body: "[null]", links: []string{next(1)}}}, "event at position 1: is null"},
		{"NoUUID", []logAnswer{{body: `[{"eventType":"x","published":"2026-03-01T12:00:00Z"}]`, links: []string{next(1)}}}, "missing uuid"},
		{"BadPublished", []logAnswer{{body: `[{"uuid":"e","eventType":"x","published":"yesterday"}]`, links: []string{next(1)}}}, "not an RFC 3339 time"},
		{"TargetWithoutID", []logAnswer{{body: `[{"uuid":"e","eventType":"x","published":"2026-03-01T12:00:00Z","target":[{"type":"User"}]}]`, links: []string{next(1)}}}, "target 1: missing id"},
		{"MoreThanAsked", []logAnswer{{body: logEvents(3, 0), links: []string{next(1)}}}, "more than the 2 events asked for"},
		{"NoNextLink", []logAnswer{{body: "[]", links: []string{selfLink}}}, "no next link"},
		{"NoNextLinkOnFullPage", []logAnswer{{body: ok}}, "no next link"},
		{"NextElsewhere", []logAnswer{{body: "[]", links: []string{`<https://evil.example/api/v1/logs?after=c1>; rel="next"`}}}, "leads away from"},
		{"NextOtherPath", []logAnswer{{body: "[]", links: []string{`<ORG/api/v1/users?after=c1>; rel="next"`}}}, "is not a page of /api/v1/logs"},
		{"NextBounded", []logAnswer{{body: "[]", links: []string{`<ORG/api/v1/logs?after=c1&until=2026-03-02T00:00:00Z>; rel="next"`}}}, "bounded request"},
		{"NextDescending", []logAnswer{{body: "[]", links: []string{`<ORG/api/v1/logs?after=c1&sortOrder=DESCENDING>; rel="next"`}}}, "not sorted ASCENDING"},
		{"TwoNextLinks", []logAnswer{{body: "[]", links: []string{next(1), next(2)}}}, "two next links"},
		{"BadLinkHeader", []logAnswer{{body: "[]", links: []string{`ORG/api/v1/logs?after=c1; rel="next"`}}}, "Link header"},
		{"FullPageLoops", []logAnswer{{body: ok, links: []string{next(1)}}, {body: ok, links: []string{next(1)}}}, "repeats an earlier one"},
		{"SecondPageMalformed", []logAnswer{{body: ok, links: []string{next(1)}}, {body: "null", links: []string{next(2)}}}, "page 2"},
		{"SecondPageWithoutNext", []logAnswer{{body: ok, links: []string{next(1)}}, {body: "[]"}}, "page 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := scriptedLog(t, 2, tc.answers...)
			var (
				events []core.Event
				cursor string
				err    error
			)
			noPanic(t, func() { events, cursor, err = c.Events(t.Context(), "", logStart) })
			if !errors.Is(err, core.ErrMalformed) || events != nil || cursor != "" || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Events = %d events, %q, %v; want ErrMalformed: %s", len(events), cursor, err, tc.want)
			}
			if err != nil && len(err.Error()) > 600 {
				t.Errorf("error of %d bytes", len(err.Error()))
			}
		})
	}
}

// Refusals and failures come back as what they are, and move nothing.
func TestClient_Events_Failures(t *testing.T) {
	for _, tc := range []struct {
		name   string
		answer logAnswer
		kind   error
	}{
		{"Unauthorized", logAnswer{status: 401, body: `{"errorCode":"E0000011","errorSummary":"Invalid token provided","errorCauses":[]}`}, core.ErrUnauthorized},
		{"Forbidden", logAnswer{status: 403, body: `{"errorCode":"E0000006","errorSummary":"You do not have permission","errorCauses":[]}`}, core.ErrUnauthorized},
		{"BadFilter", logAnswer{status: 400, body: `{"errorCode":"E0000053","errorSummary":"Invalid filter","errorCauses":[]}`}, nil},
		{"ServerError", logAnswer{status: 500, body: `{"errorCode":"E0000009","errorSummary":"Internal Server Error","errorCauses":[]}`}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := scriptedLog(t, 2, tc.answer)
			events, cursor, err := c.Events(t.Context(), "", logStart)
			var apiErr *okta.APIError
			if err == nil || events != nil || cursor != "" || !errors.As(err, &apiErr) || apiErr.Status != tc.answer.status {
				t.Fatalf("Events = %d events, %q, %v", len(events), cursor, err)
			}
			if tc.kind != nil && !errors.Is(err, tc.kind) {
				t.Errorf("error %v, want %v", err, tc.kind)
			}
			if !strings.HasPrefix(err.Error(), "okta: poll system log: GET /api/v1/logs page 1: ") {
				t.Errorf("error %q", err)
			}
		})
	}
}

// What Okta may send and the adapter must take: a folded Link header, a relative next link, a
// next link without the filter and limit (they carry over, since never does), and targets null.
func TestClient_Events_Tolerated(t *testing.T) {
	c, seen := scriptedLog(t, 2,
		logAnswer{body: logEvents(2, 0), links: []string{selfLink + ", " + next(1)}},
		logAnswer{body: `[{"uuid":"e2","eventType":"user.session.start","published":"2026-03-01T12:00:00+01:00","target":null}]`,
			links: []string{`</api/v1/logs?after=c2>; rel="next"`}},
	)
	events, cursor, err := c.Events(t.Context(), "", logStart)
	if err != nil {
		t.Fatal(err)
	}
	if got := uuids(events); !slices.Equal(got, []string{"e0", "e1", "e2"}) || events[2].Targets != nil ||
		!events[2].Published.Equal(logStart.Add(-time.Hour)) {
		t.Errorf("events %+v", events)
	}
	cu, _ := url.Parse(cursor)
	if cu.Path != "/api/v1/logs" || cu.Query().Get("after") != "c2" || cu.Query().Get("limit") != "2" ||
		cu.Query().Get("filter") != okta.EventFilter(core.EventTypes) || cu.Query().Get("sortOrder") != "ASCENDING" || cu.Query().Has("since") {
		t.Errorf("cursor %s", cursor)
	}
	if q := seen(); len(q) != 2 || q[1].Has("since") || q[1].Get("after") != "c1" {
		t.Errorf("requests %v", q)
	}
}

// Each change of the fake reaches a poller as the event the engine's filter looks for: the
// app's events with the app among their targets, the group's with the group, and every one
// with the user it is about.
func TestClient_Events_FakeMutations(t *testing.T) {
	s, clock := newLogOrg(t)
	s.AddApp("0oaother", "Other")
	u := s.AddUser(oktatest.User{Login: "ada@example.com"})
	g := s.AddGroup(oktatest.Group{Name: "Eng"})
	c := newClient(t, s, nil)
	_, cursor, err := c.Events(t.Context(), "", clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	user := core.EventTarget{ID: u.ID, Type: "User", AlternateID: u.Login}
	app := core.EventTarget{ID: appID, Type: "AppInstance", AlternateID: "ClickUp"}
	other := core.EventTarget{ID: "0oaother", Type: "AppInstance", AlternateID: "Other"}
	group := core.EventTarget{ID: g.ID, Type: "UserGroup", AlternateID: "unknown"}
	for _, tc := range []struct {
		name    string
		change  func()
		want    string // event type; "" for none polled
		targets []core.EventTarget
	}{
		{"Assign", func() { s.Assign(appID, u.ID, "", nil) }, "application.user_membership.add", []core.EventTarget{app, user}},
		{"Profile", func() { s.SetAssignmentProfile(appID, u.ID, map[string]any{"role": "admin"}) }, "application.user_membership.update", []core.EventTarget{app, user}},
		{"Status", func() { s.SetAssignmentStatus(appID, u.ID, "SUSPENDED") }, "application.user_membership.update", []core.EventTarget{app, user}},
		{"OtherApp", func() { s.Assign("0oaother", u.ID, "", nil) }, "application.user_membership.add", []core.EventTarget{other, user}},
		{"Session", func() { s.StartSession(u.ID) }, "", nil},
		{"Suspend", func() { s.UpdateUser(oktatest.User{ID: u.ID, Login: u.Login, Status: "SUSPENDED"}) }, "user.lifecycle.suspend", []core.EventTarget{user}},
		{"Unsuspend", func() { s.UpdateUser(oktatest.User{ID: u.ID, Login: u.Login, Status: "ACTIVE"}) }, "user.lifecycle.unsuspend", []core.EventTarget{user}},
		{"Deactivate", func() { s.UpdateUser(oktatest.User{ID: u.ID, Login: u.Login, Status: "DEPROVISIONED"}) }, "user.lifecycle.deactivate", []core.EventTarget{user}},
		{"Reactivate", func() { s.UpdateUser(oktatest.User{ID: u.ID, Login: u.Login, Status: "PROVISIONED"}) }, "user.lifecycle.reactivate", []core.EventTarget{user}},
		{"GroupAdd", func() { s.AddGroupMember(g.ID, u.ID) }, "group.user_membership.add", []core.EventTarget{user, group}},
		{"GroupRemove", func() { s.RemoveGroupMember(g.ID, u.ID) }, "group.user_membership.remove", []core.EventTarget{user, group}},
		{"Unassign", func() { s.Unassign(appID, u.ID) }, "application.user_membership.remove", []core.EventTarget{app, user}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.change()
			events, next, err := c.Events(t.Context(), cursor, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			cursor = next
			if tc.want == "" {
				if len(events) != 0 {
					t.Errorf("polled %+v", events)
				}
				return
			}
			if len(events) != 1 || events[0].Type != tc.want {
				t.Fatalf("polled %+v, want one %s", events, tc.want)
			}
			for _, want := range tc.targets {
				if !slices.Contains(events[0].Targets, want) {
					t.Errorf("targets %+v lack %+v", events[0].Targets, want)
				}
			}
		})
	}
}
