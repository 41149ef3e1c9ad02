package main

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/rs/zerolog"

	"github.com/okta-clickup-sync/okta-clickup-sync/config"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

const triggerToken = "trigger-token-0123456789"

// testDaemon is a daemon with no reconciler: enough for its HTTP side and bookkeeping.
func testDaemon(t *testing.T, token string) (*daemon, *bytes.Buffer) {
	t.Helper()
	cfg := config.Default()
	cfg.Sync.TriggerToken = config.Secret(token)
	var logs bytes.Buffer
	d := newDaemon(cfg, nil, zerolog.New(&logs), newMetrics())
	d.setLeading(true) // a lone daemon leads
	return d, &logs
}

// queued counts the runs waiting in d's queue.
func queued(d *daemon) int {
	d.queue.mu.Lock()
	defer d.queue.mu.Unlock()
	n := 0
	if d.queue.full != nil {
		n++
	}
	if d.queue.users != nil {
		n++
	}
	return n
}

// value reads a counter or gauge.
func value(t *testing.T, m prometheus.Metric) float64 {
	t.Helper()
	var d dto.Metric
	if err := m.Write(&d); err != nil {
		t.Fatal(err)
	}
	switch {
	case d.Counter != nil:
		return d.Counter.GetValue()
	case d.Gauge != nil:
		return d.Gauge.GetValue()
	}
	t.Fatalf("%s is neither a counter nor a gauge", m.Desc())
	return 0
}

func serve(t *testing.T, h http.Handler, method, path, auth string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequestWithContext(t.Context(), method, path, nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestTrigger(t *testing.T) {
	t.Run("Unauthorized", func(t *testing.T) {
		d, logs := testDaemon(t, triggerToken)
		for _, auth := range []string{"", "Bearer wrong-token", "Bearer " + triggerToken + "x", "Basic " + triggerToken, triggerToken, "Bearer "} {
			rec := serve(t, d.routes(), http.MethodPost, "/reconcile", auth)
			if rec.Code != http.StatusUnauthorized {
				t.Errorf("Authorization %q: %d, want 401", auth, rec.Code)
			}
			if rec.Header().Get("WWW-Authenticate") == "" {
				t.Errorf("Authorization %q: no WWW-Authenticate", auth)
			}
		}
		if n := queued(d); n != 0 {
			t.Fatalf("%d runs queued by unauthorized requests, want none", n)
		}
		if strings.Contains(logs.String(), triggerToken) {
			t.Error("the trigger token reached the log")
		}
	})
	t.Run("QueuedThenMerged", func(t *testing.T) {
		d, _ := testDaemon(t, triggerToken)
		for _, want := range []string{`"queued"`, `"merged"`} {
			rec := serve(t, d.routes(), http.MethodPost, "/reconcile", "Bearer "+triggerToken)
			if rec.Code != http.StatusAccepted || !strings.Contains(rec.Body.String(), want) {
				t.Fatalf("%d %s, want 202 %s", rec.Code, rec.Body, want)
			}
		}
		// Two requests, one run: the second merged into the first, still queued.
		if n := queued(d); n != 1 {
			t.Fatalf("%d runs queued, want 1", n)
		}
		if w, _ := d.queue.take(); w.source != triggerHTTP {
			t.Errorf("queued by %q, want %q", w.source, triggerHTTP)
		}
	})
	t.Run("Disabled", func(t *testing.T) {
		d, _ := testDaemon(t, "")
		rec := serve(t, d.routes(), http.MethodPost, "/reconcile", "Bearer anything")
		if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "SYNC_TRIGGER_TOKEN") {
			t.Fatalf("%d %s, want 403 naming SYNC_TRIGGER_TOKEN", rec.Code, rec.Body)
		}
		if queued(d) != 0 {
			t.Fatal("a disabled trigger queued a run")
		}
	})
	t.Run("Stopping", func(t *testing.T) {
		d, _ := testDaemon(t, triggerToken)
		d.stopping.Store(true)
		if rec := serve(t, d.routes(), http.MethodPost, "/reconcile", "Bearer "+triggerToken); rec.Code != http.StatusServiceUnavailable {
			t.Fatalf("%d, want 503", rec.Code)
		}
		if d.trigger(triggerSchedule) || queued(d) != 0 {
			t.Fatal("a stopping daemon queued a run")
		}
	})
	t.Run("GetNotAllowed", func(t *testing.T) {
		d, _ := testDaemon(t, triggerToken)
		if rec := serve(t, d.routes(), http.MethodGet, "/reconcile", "Bearer "+triggerToken); rec.Code != http.StatusMethodNotAllowed || queued(d) != 0 {
			t.Fatalf("GET /reconcile: %d, want 405 and no run", rec.Code)
		}
	})
}

func TestReadyz(t *testing.T) {
	d, _ := testDaemon(t, "")
	want := func(step string, code int) {
		t.Helper()
		if rec := serve(t, d.routes(), http.MethodGet, "/readyz", ""); rec.Code != code {
			t.Fatalf("%s: /readyz %d (%s), want %d", step, rec.Code, strings.TrimSpace(rec.Body.String()), code)
		}
	}
	want("before any run", http.StatusServiceUnavailable)
	d.health.record("r0", "failed")
	want("after a failure, never a success", http.StatusServiceUnavailable)
	d.health.record("r1", "success")
	want("after a success", http.StatusOK)
	for i := range readyFailureThreshold - 1 {
		d.health.record("f", "failed")
		want("after "+string(rune('1'+i))+" failures", http.StatusOK)
	}
	d.health.record("i", "interrupted")
	want("an interrupted run changes nothing", http.StatusOK)
	d.health.record("f", "refused")
	want("after the threshold of failures", http.StatusServiceUnavailable)
	d.health.record("r2", "held")
	want("after a held run", http.StatusOK)

	if rec := serve(t, d.routes(), http.MethodGet, "/healthz", ""); rec.Code != http.StatusOK {
		t.Fatalf("/healthz %d, want 200", rec.Code)
	}
}

func TestDaemon_RunOnceMetrics(t *testing.T) {
	h := newHarness(t)
	h.person("new@x.io", "ACTIVE", map[string]any{"role": "member"})
	cfg, _, err := config.Build(config.Sources{Lookup: h.lookup})
	if err != nil {
		t.Fatal(err)
	}
	m := newMetrics()
	a, err := buildApp(t.Context(), cfg, zerolog.Nop(), m.adapterClients(cfg, zerolog.Nop()))
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	d := newDaemon(cfg, a, zerolog.Nop(), m)
	clock := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	a.engine.Now = func() time.Time { clock = clock.Add(time.Second); return clock }

	if o := d.runOnce(t.Context(), triggerStartup); o != "changed" {
		t.Fatalf("outcome %q, want changed", o)
	}
	if got := value(t, m.lastSuccess); got != float64(clock.Unix()) {
		t.Errorf("last success %v, want %d", got, clock.Unix())
	}
	for _, c := range []struct {
		name string
		got  float64
		want float64
	}{
		{"runs changed", value(t, m.runs.WithLabelValues("full", "changed")), 1},
		{"create_user applied", value(t, m.actions.WithLabelValues(string(core.ActionCreateUser), string(core.OutcomeApplied))), 1},
		{"okta 200s", value(t, m.apiRequests.WithLabelValues(serviceOkta, "200")), 1},
		{"scim 201s", value(t, m.apiRequests.WithLabelValues(serviceClickUpSCIM, "201")), 1},
		{"rest 200s", value(t, m.apiRequests.WithLabelValues(serviceClickUpREST, "200")), 2},
	} {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}

	// A broken Okta token: failures count towards unreadiness, the last success stays.
	h.okta.ResetRequests()
	bad := cfg
	bad.Okta.APIToken = "00broken"
	badApp, err := buildApp(t.Context(), bad, zerolog.Nop(), m.adapterClients(bad, zerolog.Nop()))
	if err != nil {
		t.Fatal(err)
	}
	defer badApp.close()
	d.app = badApp
	before := value(t, m.lastSuccess)
	for range readyFailureThreshold {
		if o := d.runOnce(t.Context(), triggerSchedule); o != "failed" {
			t.Fatalf("outcome %q, want failed", o)
		}
	}
	if ok, why := d.health.ready(); ok || !strings.Contains(why, "3 runs failed") {
		t.Errorf("ready = %t (%s), want not ready after %d failures", ok, why, readyFailureThreshold)
	}
	if got := value(t, m.lastSuccess); got != before {
		t.Errorf("last success moved to %v on a failure", got)
	}
	if got := value(t, m.consecutiveFailures); got != readyFailureThreshold {
		t.Errorf("consecutive failures gauge %v, want %d", got, readyFailureThreshold)
	}
	if got := value(t, m.apiRequests.WithLabelValues(serviceOkta, "401")); got != readyFailureThreshold {
		t.Errorf("okta 401s = %v, want %d", got, readyFailureThreshold)
	}
}

func TestCountingTransport(t *testing.T) {
	status := []int{http.StatusTooManyRequests, http.StatusOK}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(status[0])
		status = status[1:]
	}))
	t.Cleanup(srv.Close)
	m := newMetrics()
	hc := m.httpClient(serviceClickUpSCIM, srv.URL, time.Minute, zerolog.Nop())
	if hc.Timeout != time.Minute {
		t.Errorf("client timeout %s, want the adapter's", hc.Timeout)
	}
	for range 2 {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL, nil)
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	srv.Close()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL, nil)
	if _, err := hc.Do(req); err == nil {
		t.Fatal("request to a closed server succeeded")
	}
	for label, want := range map[string]float64{"429": 1, "200": 1, "error": 1} {
		if got := value(t, m.apiRequests.WithLabelValues(serviceClickUpSCIM, label)); got != want {
			t.Errorf("requests{code=%s} = %v, want %v", label, got, want)
		}
	}
	if got := value(t, m.apiThrottled.WithLabelValues(serviceClickUpSCIM)); got != 1 {
		t.Errorf("rate limited = %v, want 1", got)
	}
	if got := m.pages.Load(); got != 1 {
		t.Errorf("pages read = %d, want 1: only the GET answered 200 is a page", got)
	}
}

func TestNewScheduler(t *testing.T) {
	for _, spec := range []string{"@every 15m", "*/5 * * * *", "@hourly", "CRON_TZ=Europe/Berlin 0 6 * * *"} {
		if _, err := newScheduler(spec, zerolog.Nop(), func() {}); err != nil {
			t.Errorf("%q: %v", spec, err)
		}
	}
	for _, spec := range []string{"every 15m", "* * *", "@every banana"} {
		_, err := newScheduler(spec, zerolog.Nop(), func() {})
		if err == nil || !strings.Contains(err.Error(), `"`+spec+`"`) {
			t.Errorf("%q: err = %v, want an error naming the schedule", spec, err)
		}
	}
}

func TestCronLogger(t *testing.T) {
	var buf bytes.Buffer
	cl := cronLogger{zerolog.New(&buf).Level(zerolog.DebugLevel)}
	cl.Info("wake", "now", "x", "entry", 1)
	cl.Error(errors.New("boom"), "panic", "job", "reconcile")
	out := buf.String()
	for _, want := range []string{`"level":"debug","now":"x","entry":1,"message":"wake"`, `"level":"error","error":"boom","job":"reconcile","message":"panic"`} {
		if !strings.Contains(out, want) {
			t.Errorf("log %s lacks %s", out, want)
		}
	}
}

func TestHealthcheck(t *testing.T) {
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(ok.Close)
	sick := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	t.Cleanup(sick.Close)
	// A port nothing listens on any more.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()

	for _, tc := range []struct {
		addr string
		want int
	}{
		{ok.Listener.Addr().String(), exitOK},
		{sick.Listener.Addr().String(), exitError},
		{closed, exitError},
		{":0", exitError},
	} {
		lookup := func(k string) (string, bool) {
			if k == "SYNC_LISTEN_ADDR" {
				return tc.addr, true
			}
			return "", false
		}
		if code := Main(t.Context(), []string{"healthcheck"}, lookup, io.Discard, io.Discard); code != tc.want {
			t.Errorf("healthcheck of %s: exit %d, want %d", tc.addr, code, tc.want)
		}
	}
}

func TestProbeAddr(t *testing.T) {
	for in, want := range map[string]string{
		":8080":          "127.0.0.1:8080",
		"0.0.0.0:9090":   "127.0.0.1:9090",
		"[::]:9090":      "127.0.0.1:9090",
		"10.1.2.3:8080":  "10.1.2.3:8080",
		"localhost:8080": "localhost:8080",
	} {
		if got, err := probeAddr(in); err != nil || got != want {
			t.Errorf("probeAddr(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestNewLogger_Console(t *testing.T) {
	var buf bytes.Buffer
	log := newLogger(&buf, "info", "console")
	log.Info().Str("run_id", "r1").Int("writes", 2).Msg("run summary")
	line := buf.String()
	if strings.HasPrefix(line, "{") {
		t.Fatalf("console format wrote JSON: %s", line)
	}
	if strings.Contains(line, "\x1b[") {
		t.Errorf("console line has colour codes: %q", line)
	}
	for _, want := range []string{"INF", "run summary", "run_id=r1", "writes=2"} {
		if !strings.Contains(line, want) {
			t.Errorf("console line %q lacks %q", line, want)
		}
	}

	buf.Reset()
	jl := newLogger(&buf, "info", "json")
	jl.Info().Str("run_id", "r1").Msg("run summary")
	if !strings.HasPrefix(buf.String(), "{") || !strings.Contains(buf.String(), `"run_id":"r1"`) {
		t.Errorf("json format wrote %q", buf.String())
	}
}
