package oktatest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/okta-clickup-sync/okta-clickup-sync/okta"
	"github.com/okta-clickup-sync/okta-clickup-sync/okta/oktatest"
)

const hookSecret = "Basic c2VjcmV0"

// hookSink is an event hook endpoint that answers Okta's verification and records deliveries.
type hookSink struct {
	mu        sync.Mutex
	posts     []hookPost
	answer    func(n int) int // status of the nth POST (1-based); 200 when nil
	block     chan struct{}   // when set, each POST waits for it to close
	verifyRaw string          // when set, the verification answer's body
}

type hookPost struct {
	header http.Header
	body   []byte
}

func (h *hookSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		body := string(okta.VerificationResponse(r.Header.Get("X-Okta-Verification-Challenge")))
		if h.verifyRaw != "" {
			body = h.verifyRaw
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body)
	case http.MethodPost:
		// Read first: only then does the server notice the client hang up, and end the context.
		b, _ := io.ReadAll(r.Body)
		if h.block != nil {
			select {
			case <-h.block:
			case <-r.Context().Done():
				return
			}
		}
		h.mu.Lock()
		h.posts = append(h.posts, hookPost{r.Header.Clone(), b})
		n := len(h.posts)
		h.mu.Unlock()
		status := http.StatusOK
		if h.answer != nil {
			status = h.answer(n)
		}
		w.WriteHeader(status)
	}
}

func (h *hookSink) Posts() []hookPost {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.posts)
}

func newHook(t *testing.T, h *hookSink) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL + "/hooks/okta"
}

func waitHook(t *testing.T, s *oktatest.Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := s.WaitEventHook(ctx); err != nil {
		t.Fatal(err)
	}
}

// deliveredUUIDs parses each POST as the adapter does and returns the uuids in order.
func deliveredUUIDs(t *testing.T, posts []hookPost) []string {
	t.Helper()
	var out []string
	for _, p := range posts {
		events, err := okta.ParseEventHook(strings.NewReader(string(p.body)))
		if err != nil {
			t.Fatalf("delivery %s: %v", p.body, err)
		}
		for _, e := range events {
			out = append(out, e.UUID)
		}
	}
	return out
}

// Verified, the hook receives the events recorded from then on, in order, as Okta sends them.
func TestServer_EventHook_Delivery(t *testing.T) {
	s, _ := newOrg(t, 0)
	sink := &hookSink{}
	s.SetEventHook(newHook(t, sink), hookSecret)
	u := s.AddUser(oktatest.User{Login: "early@example.com"}) // before verification: not delivered
	if err := s.VerifyEventHook(); err != nil {
		t.Fatal(err)
	}
	s.Assign(appID, u.ID, "", nil)
	s.StartSession(u.ID)
	s.Unassign(appID, u.ID)
	waitHook(t, s)

	var want []string
	for _, e := range s.Events() {
		if e.EventType != "user.lifecycle.create" && e.EventType != "user.lifecycle.activate" && e.EventType != "application.lifecycle.create" {
			want = append(want, e.UUID)
		}
	}
	posts := sink.Posts()
	if got := deliveredUUIDs(t, posts); !slices.Equal(got, want) || len(want) != 3 {
		t.Errorf("delivered %q, want %q", got, want)
	}
	for _, p := range posts {
		if p.header.Get("Authorization") != hookSecret || p.header.Get("Content-Type") != "application/json" {
			t.Errorf("headers %v", p.header)
		}
		var payload struct {
			EventType, EventTypeVersion, CloudEventsVersion, ContentType, EventID, EventTime, Source string
			Data                                                                                     struct{ Events []json.RawMessage }
		}
		if err := json.Unmarshal(p.body, &payload); err != nil || payload.EventType != "com.okta.event_hook" || payload.EventTypeVersion != "1.0" ||
			payload.CloudEventsVersion != "0.1" || payload.EventID == "" || payload.EventTime == "" || !strings.HasPrefix(payload.Source, s.URL()) {
			t.Errorf("payload %s: %v", p.body, err)
		}
	}
	for _, d := range s.HookDeliveries() {
		if d.Attempt != 1 || d.Status != http.StatusOK || d.Err != "" {
			t.Errorf("delivery %+v", d)
		}
	}
}

// A hook registered for some event types receives only those.
func TestServer_EventHook_Types(t *testing.T) {
	s, _ := newOrg(t, 0)
	sink := &hookSink{}
	s.SetEventHook(newHook(t, sink), hookSecret, "application.user_membership.add")
	if err := s.VerifyEventHook(); err != nil {
		t.Fatal(err)
	}
	u := s.AddUser(oktatest.User{Login: "a@example.com"})
	s.Assign(appID, u.ID, "", nil)
	waitHook(t, s)
	got := deliveredUUIDs(t, sink.Posts())
	ev := s.Events()
	if len(got) != 1 || got[0] != ev[len(ev)-1].UUID {
		t.Errorf("delivered %q", got)
	}
}

// Best effort, at least once: a 5xx or a timeout is retried once, a 4xx never; DeliverTwice
// sends each batch twice.
func TestServer_EventHook_Retries(t *testing.T) {
	for _, tc := range []struct {
		name     string
		answer   func(n int) int
		twice    bool
		statuses []int
	}{
		{"ServerErrorThenOK", func(n int) int { return map[bool]int{true: 503, false: 200}[n == 1] }, false, []int{503, 200}},
		{"ServerErrorTwice", func(int) int { return 500 }, false, []int{500, 500}},
		{"ClientError", func(int) int { return 401 }, false, []int{401}},
		{"NoContent", func(int) int { return 204 }, false, []int{204}},
		{"Twice", nil, true, []int{200, 200}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := newOrg(t, 0)
			sink := &hookSink{answer: tc.answer}
			s.SetEventHook(newHook(t, sink), hookSecret)
			if err := s.VerifyEventHook(); err != nil {
				t.Fatal(err)
			}
			s.DeliverTwice(tc.twice)
			e := s.RecordEvent(oktatest.LogEvent{EventType: "user.lifecycle.suspend"})
			waitHook(t, s)
			var statuses []int
			for _, d := range s.HookDeliveries() {
				statuses = append(statuses, d.Status)
				if !slices.Equal(d.EventUUIDs, []string{e.UUID}) {
					t.Errorf("delivery %+v", d)
				}
			}
			if !slices.Equal(statuses, tc.statuses) {
				t.Errorf("statuses %v, want %v", statuses, tc.statuses)
			}
			posts := sink.Posts()
			if len(posts) != len(tc.statuses) || len(posts) == 2 && string(posts[0].body) != string(posts[1].body) {
				t.Errorf("%d posts; a repeat must send the same body", len(posts))
			}
		})
	}
	t.Run("Timeout", func(t *testing.T) {
		s, _ := newOrg(t, 0)
		sink := &hookSink{block: make(chan struct{})} // never answers
		s.SetEventHook(newHook(t, sink), hookSecret)
		if err := s.VerifyEventHook(); err != nil {
			t.Fatal(err)
		}
		s.SetEventHookTimeout(20 * time.Millisecond)
		s.RecordEvent(oktatest.LogEvent{EventType: "user.lifecycle.suspend"})
		waitHook(t, s)
		d := s.HookDeliveries()
		if len(d) != 2 || d[0].Status != 0 || d[0].Err == "" || d[1].Attempt != 2 {
			t.Errorf("deliveries %+v, want two attempts without an answer", d)
		}
	})
}

// Delivery never holds up the org: changes go on while the hook hangs, and are delivered in
// order once it answers.
func TestServer_EventHook_DoesNotBlock(t *testing.T) {
	s, _ := newOrg(t, 0)
	sink := &hookSink{block: make(chan struct{})}
	s.SetEventHook(newHook(t, sink), hookSecret)
	if err := s.VerifyEventHook(); err != nil {
		t.Fatal(err)
	}
	var want []string
	for range 2*oktatest.MaxHookBatch + 5 {
		want = append(want, s.RecordEvent(oktatest.LogEvent{EventType: "user.lifecycle.suspend"}).UUID)
	}
	u := s.AddUser(oktatest.User{Login: "a@example.com"}) // the org answers while the hook hangs
	if r := get(t, s.URL()+"/api/v1/users/"+u.ID, s.Token()); r.status != http.StatusOK {
		t.Fatalf("status %d", r.status)
	}
	for _, e := range s.Events()[len(s.Events())-2:] {
		want = append(want, e.UUID)
	}
	close(sink.block)
	waitHook(t, s)
	posts := sink.Posts()
	if got := deliveredUUIDs(t, posts); !slices.Equal(got, want) {
		t.Errorf("delivered %d events out of order or not all; want %d", len(got), len(want))
	}
	for _, p := range posts {
		if n := len(deliveredUUIDs(t, []hookPost{p})); n > oktatest.MaxHookBatch {
			t.Errorf("a batch of %d events", n)
		}
	}
}

func TestServer_EventHook_Verification(t *testing.T) {
	s, _ := newOrg(t, 0)
	if err := s.VerifyEventHook(); err == nil {
		t.Error("verified without a hook")
	}
	var got http.Header
	sink := &hookSink{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		sink.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	s.SetEventHook(srv.URL, hookSecret)
	if err := s.VerifyEventHook(); err != nil {
		t.Fatal(err)
	}
	if got.Get("X-Okta-Verification-Challenge") == "" || got.Get("Authorization") != hookSecret {
		t.Errorf("verification request headers %v", got)
	}
	for _, tc := range []struct{ name, body string }{
		{"WrongValue", `{"verification":"nope"}`},
		{"NotJSON", `verified`},
		{"Array", `["x"]`},
		{"NoField", `{}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := newOrg(t, 0)
			sink := &hookSink{verifyRaw: tc.body}
			s.SetEventHook(newHook(t, sink), hookSecret)
			if err := s.VerifyEventHook(); err == nil {
				t.Fatal("verified")
			}
			s.RecordEvent(oktatest.LogEvent{EventType: "user.lifecycle.suspend"})
			waitHook(t, s)
			if n := len(sink.Posts()); n != 0 {
				t.Errorf("%d deliveries to an unverified hook", n)
			}
		})
	}
	t.Run("NotOK", func(t *testing.T) {
		s, _ := newOrg(t, 0)
		srv := httptest.NewServer(http.NotFoundHandler())
		t.Cleanup(srv.Close)
		s.SetEventHook(srv.URL, hookSecret)
		if err := s.VerifyEventHook(); err == nil || !strings.Contains(err.Error(), "404") {
			t.Errorf("error %v", err)
		}
	})
}

// Closing the org with deliveries pending neither hangs nor leaks the delivery goroutine.
func TestServer_EventHook_Close(t *testing.T) {
	s := oktatest.NewServer(oktatest.Options{})
	sink := &hookSink{block: make(chan struct{})}
	s.SetEventHook(newHook(t, sink), hookSecret)
	if err := s.VerifyEventHook(); err != nil {
		t.Fatal(err)
	}
	s.RecordEvent(oktatest.LogEvent{EventType: "user.lifecycle.suspend"})
	s.Close()
}
