//go:build unix

package main

import (
	"bytes"
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/rs/zerolog"

	"github.com/okta-clickup-sync/okta-clickup-sync/config"
	"github.com/okta-clickup-sync/okta-clickup-sync/engine"
	"github.com/okta-clickup-sync/okta-clickup-sync/store"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// wantMetric is one metric the deploy assets rely on: its name, type and labels.
type wantMetric struct {
	name, typ string
	labels    []string
}

// deployMetrics reads the list of metrics the deploy assets were written against, from
// deploy/metrics_test.go's exposedMetrics, so that the binary is checked against the very list the
// alerts and the dashboard are checked against.
func deployMetrics(t *testing.T) []wantMetric {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "../../deploy/metrics_test.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []wantMetric
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || len(vs.Names) != 1 || vs.Names[0].Name != "exposedMetrics" {
			return true
		}
		for _, el := range vs.Values[0].(*ast.CompositeLit).Elts {
			parts := el.(*ast.CompositeLit).Elts
			name, err := strconv.Unquote(parts[0].(*ast.BasicLit).Value)
			if err != nil {
				t.Fatal(err)
			}
			m := wantMetric{name: name, typ: parts[1].(*ast.Ident).Name}
			if ls, ok := parts[2].(*ast.CompositeLit); ok {
				for _, l := range ls.Elts {
					v, _ := strconv.Unquote(l.(*ast.BasicLit).Value)
					m.labels = append(m.labels, v)
				}
			}
			slices.Sort(m.labels)
			out = append(out, m)
		}
		return false
	})
	if len(out) < 10 {
		t.Fatalf("read %d metrics from deploy/metrics_test.go; has exposedMetrics moved?", len(out))
	}
	return out
}

// checkMetrics compares a /metrics body with the deploy assets' list: every listed metric there
// with its type and labels, and no okta_clickup_sync_ metric that the list lacks.
func checkMetrics(t *testing.T, body string, want []wantMetric) {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	listed := map[string]wantMetric{}
	for _, m := range want {
		listed[m.name] = m
		f, ok := families[m.name]
		if !ok {
			t.Errorf("/metrics lacks %s", m.name)
			continue
		}
		if got := strings.ToLower(f.GetType().String()); got != m.typ {
			t.Errorf("%s is a %s, want a %s", m.name, got, m.typ)
		}
		if len(f.GetMetric()) == 0 {
			t.Errorf("%s has no series", m.name)
		}
		for _, s := range f.GetMetric() {
			var got []string
			for _, l := range s.GetLabel() {
				got = append(got, l.GetName())
			}
			slices.Sort(got)
			if !slices.Equal(got, m.labels) {
				t.Errorf("%s has labels %v, want %v", m.name, got, m.labels)
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(families)) {
		if _, ok := listed[name]; strings.HasPrefix(name, metricsNamespace+"_") && !ok {
			t.Errorf("/metrics has %s, which the deploy assets do not know", name)
		}
	}
}

// lockedBuffer is an output two goroutines may write and read at once.
type lockedBuffer struct {
	mu  gosync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// daemonAddrRE finds the listen address in the daemon's start-up line.
var daemonAddrRE = regexp.MustCompile(`"addr":"([^"]+)"[^\n]*"message":"daemon started"`)

func TestMetrics_PresentBeforeTheFirstRun(t *testing.T) {
	h := newHarness(t)
	withStore(t, h)
	h.person("new@x.io", "ACTIVE", map[string]any{"role": "member"})
	h.env["SYNC_LISTEN_ADDR"] = "127.0.0.1:0"
	h.env["SYNC_SCHEDULE"] = "0 6 * * *"
	// The first run reads Okta's listing only once the test has scraped.
	gate, reading := make(chan struct{}), make(chan struct{}, 1)
	h.okta.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/apps/"+appID+"/users") {
				select {
				case reading <- struct{}{}:
				default:
				}
				select {
				case <-gate:
				case <-r.Context().Done():
				}
			}
			next.ServeHTTP(w, r)
		})
	})
	var released gosync.Once
	release := func() { released.Do(func() { close(gate) }) }
	t.Cleanup(release)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	stderr := &lockedBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- mainWith(ctx, []string{"run"}, options{lookup: h.lookup, environ: h.environ()}, &bytes.Buffer{}, stderr)
	}()
	var addr string
	waitFor(t, "the daemon to listen", func() bool {
		if m := daemonAddrRE.FindStringSubmatch(stderr.String()); m != nil {
			addr = m[1]
		}
		return addr != ""
	})
	<-reading // the first run has begun and waits
	_, body := httpGet(t, "http://"+addr+"/metrics")
	checkMetrics(t, body, deployMetrics(t))
	for series, want := range map[string]float64{
		`okta_clickup_sync_runs_total{kind="full",outcome="success"}`:         0,
		`okta_clickup_sync_runs_total{kind="approve",outcome="failed"}`:       0,
		`okta_clickup_sync_actions_total{action="deactivate",outcome="held"}`: 0,
		`okta_clickup_sync_api_rate_limited_total{service="clickup_scim"}`:    0,
		`okta_clickup_sync_events_total{stage="kept"}`:                        0,
		`okta_clickup_sync_leader`:                                            1,
		`okta_clickup_sync_schedule_interval_seconds`:                         24 * 60 * 60,
		`okta_clickup_sync_last_success_timestamp_seconds`:                    0,
		`okta_clickup_sync_run_duration_seconds_count{kind="user"}`:           0,
		`okta_clickup_sync_api_requests_total{code="429",service="okta"}`:     0,
	} {
		if got := metricValue(body, series); got != want {
			t.Errorf("before the first run %s = %v, want %v", series, got, want)
		}
	}
	if !strings.Contains(body, `okta_clickup_sync_build_info{goversion="go`) {
		t.Error("build_info does not name the Go version")
	}

	release()
	waitFor(t, "the first run to be counted", func() bool {
		_, body = httpGet(t, "http://"+addr+"/metrics")
		return metricValue(body, `okta_clickup_sync_runs_total{kind="full",outcome="changed"}`) == 1
	})
	checkMetrics(t, body, deployMetrics(t))
	for _, series := range []string{
		`okta_clickup_sync_api_request_duration_seconds_count{code="200",endpoint="/api/v1/apps/{id}/users",service="okta"}`,
		`okta_clickup_sync_api_request_duration_seconds_count{code="201",endpoint="/Users",service="clickup_scim"}`,
		`okta_clickup_sync_api_request_duration_seconds_count{code="200",endpoint="/team/{id}/customroles",service="clickup_rest"}`,
		`okta_clickup_sync_run_duration_seconds_count{kind="full"}`,
	} {
		if got := metricValue(body, series); got < 1 {
			t.Errorf("after the first run %s = %v, want at least 1", series, got)
		}
	}
	// No endpoint label names a person or carries an id.
	for _, l := range strings.Split(body, "\n") {
		if strings.Contains(l, `endpoint="`) && (strings.Contains(l, "@") || regexp.MustCompile(`endpoint="[^"]*[0-9]{3}`).MatchString(l)) {
			t.Errorf("an endpoint label holds an id: %s", l)
		}
	}
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Fatalf("daemon exit %d\n%s", code, stderr.String())
		}
	case <-time.After(waitLimit):
		t.Fatal("the daemon did not stop")
	}
}

// deployMetricRE finds the metric names an asset reads.
var deployMetricRE = regexp.MustCompile(`okta_clickup_sync_[a-z0-9_]+`)

func TestMetrics_DeployAssetsReadOnlyWhatTheBinaryExposes(t *testing.T) {
	m := newMetrics()
	m.setSchedule(15 * time.Minute)
	var body bytes.Buffer
	rec := serve(t, newDaemon(config.Default(), nil, zerolog.Nop(), m).routes(), http.MethodGet, "/metrics", "")
	body.Write(rec.Body.Bytes())
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(bytes.NewReader(body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	for _, asset := range []string{"../../deploy/kubernetes/prometheusrule.yaml", "../../deploy/grafana/okta-clickup-sync.json"} {
		b, err := os.ReadFile(asset)
		if err != nil {
			t.Fatal(err)
		}
		used := deployMetricRE.FindAllString(string(b), -1)
		if len(used) == 0 {
			t.Fatalf("%s reads no metric", asset)
		}
		for _, name := range used {
			base := name
			for _, suffix := range []string{"_bucket", "_sum", "_count"} {
				if b, ok := strings.CutSuffix(name, suffix); ok && families[b] != nil && families[b].GetType().String() == "HISTOGRAM" {
					base = b
				}
			}
			if families[base] == nil {
				t.Errorf("%s reads %s, which /metrics does not have", asset, name)
			}
		}
	}
}

func TestMetrics_ObserveRunAndPoll(t *testing.T) {
	m := newMetrics()
	end := time.Date(2026, 11, 20, 9, 0, 30, 0, time.UTC)
	approve := engine.Result{Kind: engine.KindFull, Trigger: store.TriggerApprove, Start: end.Add(-2 * time.Second), End: end,
		Outcome: store.RunChanged, Plan: core.Plan{Entries: []core.Entry{{Action: core.ActionDeactivate, Outcome: core.OutcomeApplied}}}}
	m.observeRun(approve, approve.Outcome)
	if got := value(t, m.runs.WithLabelValues(kindApprove, store.RunChanged)); got != 1 {
		t.Errorf("an approval counted under kind approve %v times, want 1", got)
	}
	if got := value(t, m.runs.WithLabelValues("full", store.RunChanged)); got != 0 {
		t.Errorf("an approval counted as a full run %v times", got)
	}
	kept := []core.Event{
		{Published: end.Add(-10 * time.Second), Targets: []core.EventTarget{{Type: "User", ID: "00u1"}, {Type: "AppInstance", ID: "0oa"}}},
		{Published: end.Add(-4 * time.Second), Targets: []core.EventTarget{{Type: "User", ID: "00u1"}, {Type: "User", ID: "00u2"}}},
	}
	res := &engine.Result{Kind: engine.KindEvents, End: end}
	m.observePoll(5, kept, res)
	if seen, k := value(t, m.events.WithLabelValues(stageSeen)), value(t, m.events.WithLabelValues(stageKept)); seen != 5 || k != 2 {
		t.Errorf("events seen %v kept %v, want 5 and 2", seen, k)
	}
	var rec bytes.Buffer
	rr := serve(t, newDaemon(config.Default(), nil, zerolog.Nop(), m).routes(), http.MethodGet, "/metrics", "")
	rec.Write(rr.Body.Bytes())
	for series, want := range map[string]float64{
		"okta_clickup_sync_event_lag_seconds_sum":   14,
		"okta_clickup_sync_event_lag_seconds_count": 2,
		"okta_clickup_sync_event_run_users_sum":     2, // two distinct users
		"okta_clickup_sync_event_run_users_count":   1,
	} {
		if got := metricValue(rec.String(), series); got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}
}

func TestEndpointOf(t *testing.T) {
	for _, c := range []struct{ base, path, want string }{
		{"", "/api/v1/apps/0oa1b2c3/users", "/api/v1/apps/{id}/users"},
		{"", "/api/v1/apps/0oa1b2c3/users/00u123", "/api/v1/apps/{id}/users/{id}"},
		{"", "/api/v1/users/ann@example.com", "/api/v1/users/{id}"},
		{"", "/api/v1/users/bob", "/api/v1/users/{id}"},
		{"", "/api/v1/users/00u1/groups", "/api/v1/users/{id}/groups"},
		{"", "/api/v1/meta/schemas/apps/0oa1/default", "/api/v1/meta/schemas/apps/{id}/default"},
		{"", "/oauth2/v1/token", "/oauth2/v1/token"},
		{"/scim/v2/9006054115", "/scim/v2/9006054115/Users", "/Users"},
		{"/scim/v2/9006054115", "/scim/v2/9006054115/Users/42", "/Users/{id}"},
		{"/scim/v2/9006054115", "/scim/v2/9006054115/Groups/g-1", "/Groups/{id}"},
		{"/scim/v2/9006054115", "/scim/v2/9006054115", "/"},
		{"/api/v2", "/api/v2/team/9006054115/customroles", "/team/{id}/customroles"},
		{"/api/v2", "/api/v2/team", "/team"},
		{"/scim", "/scimx/Users", "/{id}/Users"}, // not under the base: templated whole
	} {
		if got := endpointOf(c.base, c.path); got != c.want {
			t.Errorf("endpointOf(%q, %q) = %q, want %q", c.base, c.path, got, c.want)
		}
	}
}

func TestScheduleInterval(t *testing.T) {
	now := time.Date(2026, 11, 20, 9, 7, 0, 0, time.UTC)
	for spec, want := range map[string]time.Duration{
		"@every 15m":                      15 * time.Minute,
		"*/5 * * * *":                     5 * time.Minute,
		"@hourly":                         time.Hour,
		"0 6 * * *":                       24 * time.Hour,
		"CRON_TZ=Europe/Berlin 0 6 * * *": 24 * time.Hour,
		"0 6 * * 1":                       7 * 24 * time.Hour,
	} {
		got, err := scheduleInterval(spec, now)
		if err != nil || got != want {
			t.Errorf("scheduleInterval(%q) = %v, %v; want %v", spec, got, err, want)
		}
	}
	if _, err := scheduleInterval("every 15m", now); err == nil || !strings.Contains(err.Error(), "SYNC_SCHEDULE") {
		t.Errorf("a bad spec: %v, want an error naming SYNC_SCHEDULE", err)
	}
}
