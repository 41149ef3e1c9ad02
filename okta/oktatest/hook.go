package oktatest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Event hooks as Okta delivers them (okta-developer-docs concepts/event-hooks): a one-time
// verification GET carrying X-Okta-Verification-Challenge, to be echoed as
// {"verification":"..."}; then, once verified, POSTs of the events recorded since, in batches
// of those recorded close together, JSON, with the configured Authorization header. Delivery is
// best effort and at least once: a 5xx, a timeout (3 s) or a dropped connection is retried once,
// a 4xx never. It runs on its own goroutine, in order, and never holds up the org's changes.

const (
	// DefaultHookTimeout is how long Okta waits for a hook's answer.
	DefaultHookTimeout = 3 * time.Second
	// MaxHookBatch bounds the events of one delivery.
	MaxHookBatch = 50
)

// HookDelivery is one attempt to deliver a batch of events to the event hook.
type HookDelivery struct {
	EventUUIDs []string
	Attempt    int    // 1, or 2 for the retry
	Status     int    // the hook's answer; 0 when none came
	Err        string // why none came
}

// hookState is guarded by Server.mu.
type hookState struct {
	url, authorization string
	types              map[string]bool // nil: every event
	timeout            time.Duration
	verified           bool
	twice              bool
	queue              []*logEntry
	pending            int           // events queued or being delivered
	idle               chan struct{} // closed while pending is 0
	wake               chan struct{}
	deliveries         []HookDelivery
	running            bool
	stop               context.CancelFunc
	done               sync.WaitGroup
	client             *http.Client
}

// SetEventHook registers an event hook: its URL, the value of the Authorization header Okta
// sends with every request to it, and the event types it delivers (none: every type). It
// delivers nothing until VerifyEventHook has succeeded; registering again forgets the
// verification and the events not yet delivered.
func (s *Server) SetEventHook(url, authorization string, eventTypes ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := &s.hook
	h.url, h.authorization, h.verified = url, authorization, false
	h.types = nil
	if len(eventTypes) > 0 {
		h.types = map[string]bool{}
		for _, t := range eventTypes {
			h.types[t] = true
		}
	}
	h.pending -= len(h.queue)
	h.queue = nil
	s.hookSettled()
	if h.timeout == 0 {
		h.timeout = DefaultHookTimeout
	}
	if !h.running {
		h.running = true
		h.wake = make(chan struct{}, 1)
		h.client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		ctx, cancel := context.WithCancel(context.Background())
		h.stop = cancel
		h.done.Add(1)
		go s.deliverHook(ctx)
	}
}

// SetEventHookTimeout replaces how long a delivery waits for the hook's answer (default 3s).
func (s *Server) SetEventHookTimeout(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d <= 0 {
		d = DefaultHookTimeout
	}
	s.hook.timeout = d
}

// DeliverTwice makes every batch be delivered twice, as at-least-once delivery may.
func (s *Server) DeliverTwice(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hook.twice = on
}

// VerifyEventHook makes Okta's one-time verification request to the hook, a GET with a fresh
// X-Okta-Verification-Challenge, and succeeds when the hook answers 200 with the JSON object
// {"verification":"<the challenge>"}. From then on the hook receives the events recorded.
func (s *Server) VerifyEventHook() error {
	s.mu.Lock()
	url, auth, timeout, client := s.hook.url, s.hook.authorization, s.hook.timeout, s.hook.client
	s.mu.Unlock()
	if url == "" {
		return errors.New("oktatest: verify event hook: no event hook registered")
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	challenge := hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("oktatest: verify event hook: %w", err)
	}
	setHookHeaders(req.Header, auth)
	req.Header.Set("X-Okta-Verification-Challenge", challenge)
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("oktatest: verify event hook: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return fmt.Errorf("oktatest: verify event hook: read the answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("oktatest: verify event hook: HTTP %d", resp.StatusCode)
	}
	var v struct {
		Verification *string `json:"verification"`
	}
	if err := json.Unmarshal(body, &v); err != nil || v.Verification == nil || !bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) {
		return fmt.Errorf("oktatest: verify event hook: the answer %q is not {\"verification\":\"...\"}", clip(body))
	}
	if *v.Verification != challenge {
		return fmt.Errorf("oktatest: verify event hook: the answer echoes %q, not the challenge", clip([]byte(*v.Verification)))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hook.url == url {
		s.hook.verified = true
	}
	return nil
}

// HookDeliveries returns every delivery attempt so far, in order.
func (s *Server) HookDeliveries() []HookDelivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]HookDelivery(nil), s.hook.deliveries...)
}

// WaitEventHook waits until every event recorded so far for the hook has been delivered, or
// given up on, or ctx ends.
func (s *Server) WaitEventHook(ctx context.Context) error {
	s.mu.Lock()
	if s.hook.pending == 0 {
		s.mu.Unlock()
		return nil
	}
	idle := s.hook.idle
	s.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("oktatest: wait for event hook deliveries: %w", ctx.Err())
	}
}

// queueForHook expects s.mu held: a recorded event goes to a verified hook that delivers its
// type.
func (s *Server) queueForHook(e *logEntry) {
	h := &s.hook
	if !h.verified || h.types != nil && !h.types[e.EventType] {
		return
	}
	if h.pending == 0 {
		h.idle = make(chan struct{})
	}
	h.pending++
	h.queue = append(h.queue, e)
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// hookSettled expects s.mu held: it wakes the waiters once nothing is pending.
func (s *Server) hookSettled() {
	if s.hook.pending == 0 && s.hook.idle != nil {
		close(s.hook.idle)
		s.hook.idle = nil
	}
}

// stopHook ends the delivery goroutine, if any, and waits for it.
func (s *Server) stopHook() {
	s.mu.Lock()
	h := &s.hook
	stop, running, client := h.stop, h.running, h.client
	s.mu.Unlock()
	if !running {
		return
	}
	stop()
	h.done.Wait()
	client.CloseIdleConnections()
}

// hookPayload is the body of an event hook delivery.
type hookPayload struct {
	EventType          string `json:"eventType"`
	EventTypeVersion   string `json:"eventTypeVersion"`
	CloudEventsVersion string `json:"cloudEventsVersion"`
	Source             string `json:"source"`
	EventID            string `json:"eventId"`
	Data               struct {
		Events []logEventJSON `json:"events"`
	} `json:"data"`
	EventTime   string `json:"eventTime"`
	ContentType string `json:"contentType"`
}

// deliverHook delivers the queued events, a batch at a time, until ctx ends.
func (s *Server) deliverHook(ctx context.Context) {
	defer s.hook.done.Done()
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.hook.wake:
		}
		for ctx.Err() == nil {
			s.mu.Lock()
			h := &s.hook
			batch := h.queue[:min(len(h.queue), MaxHookBatch)]
			h.queue = h.queue[len(batch):]
			url, auth, timeout, twice := h.url, h.authorization, h.timeout, h.twice
			var body []byte
			var uuids []string
			if len(batch) > 0 {
				body, uuids = s.renderHookPayload(batch)
			}
			s.mu.Unlock()
			if len(batch) == 0 {
				break
			}
			sends := 1
			if twice {
				sends = 2
			}
			for range sends {
				s.deliverBatch(ctx, url, auth, timeout, body, uuids)
			}
			s.mu.Lock()
			s.hook.pending -= len(batch)
			s.hookSettled()
			s.mu.Unlock()
		}
	}
}

// renderHookPayload expects s.mu held.
func (s *Server) renderHookPayload(batch []*logEntry) ([]byte, []string) {
	var p hookPayload
	p.EventType, p.EventTypeVersion, p.CloudEventsVersion, p.ContentType = "com.okta.event_hook", "1.0", "0.1", "application/json"
	p.Source = s.URL() + "/api/v1/eventHooks/whofake0000000000001"
	s.log.seq++
	p.EventID = fmt.Sprintf("e7e00000-0000-4000-8000-%012x", s.log.seq)
	p.EventTime = timestamp(s.now())
	uuids := make([]string, len(batch))
	p.Data.Events = make([]logEventJSON, len(batch))
	for i, e := range batch {
		p.Data.Events[i] = renderLogEvent(e)
		uuids[i] = e.UUID
	}
	b, err := json.Marshal(p)
	if err != nil {
		panic(fmt.Sprintf("oktatest: encode event hook payload: %v", err))
	}
	return b, uuids
}

// deliverBatch POSTs body to the hook, and once more after a failure that is not a 4xx.
func (s *Server) deliverBatch(ctx context.Context, url, auth string, timeout time.Duration, body []byte, uuids []string) {
	for attempt := 1; attempt <= 2 && ctx.Err() == nil; attempt++ {
		status, err := s.postHook(ctx, url, auth, timeout, body)
		d := HookDelivery{EventUUIDs: uuids, Attempt: attempt, Status: status}
		if err != nil {
			d.Err = err.Error()
		}
		s.mu.Lock()
		s.hook.deliveries = append(s.hook.deliveries, d)
		s.mu.Unlock()
		if err == nil && status < http.StatusInternalServerError {
			return // delivered, or refused for good
		}
	}
}

func (s *Server) postHook(ctx context.Context, url, auth string, timeout time.Duration, body []byte) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	setHookHeaders(req.Header, auth)
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.hook.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, nil
}

func setHookHeaders(h http.Header, auth string) {
	h.Set("Accept", "application/json")
	h.Set("User-Agent", "Okta Event Hook (oktatest)")
	if auth != "" {
		h.Set("Authorization", auth)
	}
}

// clip is at most 256 bytes of b, for a message.
func clip(b []byte) string {
	if len(b) > 256 {
		return strings.ToValidUTF8(string(b[:256]), "") + "…"
	}
	return string(b)
}
