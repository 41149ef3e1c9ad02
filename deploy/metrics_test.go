package deploy_test

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

type metricType string

const (
	counter   metricType = "counter"
	gauge     metricType = "gauge"
	histogram metricType = "histogram"
)

// exposedMetric is one metric of okta-clickup-sync's /metrics: its full name, type and labels.
type exposedMetric struct {
	name   string
	typ    metricType
	labels []string
}

// exposedMetrics is every metric the binary exposes on /metrics (DESIGN.md §12), the one list the
// alerts (kubernetes/prometheusrule.yaml) and the dashboard (grafana/okta-clickup-sync.json) are
// checked against. To cross-check it with the binary itself, scrape its /metrics and pass the body
// to checkExposition, which fails on a metric missing from either side, a wrong type or a wrong
// label set.
var exposedMetrics = []exposedMetric{
	{"okta_clickup_sync_build_info", gauge, []string{"version", "goversion"}}, // always 1
	// kind: full, user, events, approve; outcome: success, changed, held, failed, refused, interrupted
	{"okta_clickup_sync_runs_total", counter, []string{"kind", "outcome"}},
	{"okta_clickup_sync_actions_total", counter, []string{"action", "outcome"}},
	{"okta_clickup_sync_run_duration_seconds", histogram, []string{"kind"}},
	// service: okta, clickup_scim, clickup_rest
	{"okta_clickup_sync_api_requests_total", counter, []string{"service", "code"}},
	{"okta_clickup_sync_api_request_duration_seconds", histogram, []string{"service", "endpoint", "code"}},
	{"okta_clickup_sync_api_rate_limited_total", counter, []string{"service"}},
	{"okta_clickup_sync_last_success_timestamp_seconds", gauge, nil},
	{"okta_clickup_sync_held_deactivations", gauge, nil},
	{"okta_clickup_sync_consecutive_failed_runs", gauge, nil},
	// the nominal time between scheduled runs, for "no success for N schedules"
	{"okta_clickup_sync_schedule_interval_seconds", gauge, nil},
	{"okta_clickup_sync_events_total", counter, []string{"stage"}}, // stage: seen, kept
	// from an event's publication in Okta to its run applied
	{"okta_clickup_sync_event_lag_seconds", histogram, nil},
	{"okta_clickup_sync_event_run_users", histogram, nil},
	{"okta_clickup_sync_leader", gauge, nil}, // 1 on the leader (and a lone SQLite replica), 0 on a standby
}

// targetLabels are added by the scrape, not by the binary. The scrape's service and endpoint
// labels are left out: the API metrics have labels of those names (the ServiceMonitor honours
// them), and the alerts and the dashboard must not mean the Kubernetes ones.
var targetLabels = []string{"namespace", "job", "instance", "pod", "container"}

func lookupMetric(name string) (exposedMetric, bool) {
	i := slices.IndexFunc(exposedMetrics, func(m exposedMetric) bool { return m.name == name })
	if i < 0 {
		return exposedMetric{}, false
	}
	return exposedMetrics[i], true
}

// seriesMetric maps a series name to its metric: histograms expose _bucket, _sum and _count.
// bucket reports the _bucket series, the only one with the le label.
func seriesMetric(series string) (m exposedMetric, bucket, ok bool) {
	if m, ok := lookupMetric(series); ok {
		return m, false, m.typ != histogram
	}
	for _, suffix := range []string{"_bucket", "_sum", "_count"} {
		if base, cut := strings.CutSuffix(series, suffix); cut {
			if m, ok := lookupMetric(base); ok && m.typ == histogram {
				return m, suffix == "_bucket", true
			}
		}
	}
	return exposedMetric{}, false, false
}

// checkExposition compares a /metrics body in the Prometheus text format with exposedMetrics and
// returns the differences: every okta_clickup_sync_ family there must be listed with its type and
// labels, and every listed metric must be there (DESIGN.md §12: every counter present at zero from
// the start).
func checkExposition(body io.Reader) []string {
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(body)
	if err != nil {
		return []string{fmt.Sprintf("parse /metrics: %v", err)}
	}
	var problems []string
	for _, name := range slices.Sorted(maps.Keys(families)) {
		f := families[name]
		if !strings.HasPrefix(name, "okta_clickup_sync_") {
			continue
		}
		m, ok := lookupMetric(name)
		if !ok {
			problems = append(problems, fmt.Sprintf("/metrics has %s, which exposedMetrics lacks", name))
			continue
		}
		if got := strings.ToLower(f.GetType().String()); got != string(m.typ) {
			problems = append(problems, fmt.Sprintf("%s is a %s on /metrics, a %s in exposedMetrics", name, got, m.typ))
		}
		for _, s := range f.GetMetric() {
			if got, want := labelNames(s), slices.Sorted(slices.Values(m.labels)); !slices.Equal(got, want) {
				problems = append(problems, fmt.Sprintf("%s has labels %v on /metrics, %v in exposedMetrics", name, got, want))
			}
		}
	}
	for _, m := range exposedMetrics {
		if _, ok := families[m.name]; !ok {
			problems = append(problems, "/metrics lacks "+m.name)
		}
	}
	return problems
}

func labelNames(m *dto.Metric) []string {
	var out []string
	for _, l := range m.GetLabel() {
		out = append(out, l.GetName())
	}
	slices.Sort(out)
	return out
}

// sampleExposition renders exposedMetrics as the binary would, one series each.
func sampleExposition() string {
	var b strings.Builder
	for _, m := range exposedMetrics {
		fmt.Fprintf(&b, "# TYPE %s %s\n", m.name, m.typ)
		var ls []string
		for _, l := range m.labels {
			ls = append(ls, l+`="x"`)
		}
		lbl := strings.Join(ls, ",")
		switch m.typ {
		case histogram:
			sep := ""
			if lbl != "" {
				sep = ","
			}
			fmt.Fprintf(&b, "%s_bucket{%s%sle=\"+Inf\"} 0\n%s_sum{%s} 0\n%s_count{%s} 0\n", m.name, lbl, sep, m.name, lbl, m.name, lbl)
		default:
			fmt.Fprintf(&b, "%s{%s} 0\n", m.name, lbl)
		}
	}
	return b.String()
}

// checkExposition must be able to fail: it accepts the list's own rendering and names each way a
// body can drift from it.
func TestCheckExposition(t *testing.T) {
	if p := checkExposition(strings.NewReader(sampleExposition())); len(p) != 0 {
		t.Fatalf("the list's own rendering: %q", p)
	}
	drifted := strings.NewReplacer(
		"okta_clickup_sync_leader{} 0", `okta_clickup_sync_leader{role="x"} 0`,
		"# TYPE okta_clickup_sync_held_deactivations gauge", "# TYPE okta_clickup_sync_held_deactivations counter",
		"okta_clickup_sync_event_run_users", "okta_clickup_sync_event_run_user",
	).Replace(sampleExposition()) + "# TYPE okta_clickup_sync_surprise gauge\nokta_clickup_sync_surprise 1\n"
	problems := checkExposition(strings.NewReader(drifted))
	for _, want := range []string{
		"okta_clickup_sync_leader has labels [role]",
		"okta_clickup_sync_held_deactivations is a counter",
		"/metrics has okta_clickup_sync_surprise",
		"/metrics has okta_clickup_sync_event_run_user,",
		"/metrics lacks okta_clickup_sync_event_run_users",
	} {
		if !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, want) }) {
			t.Errorf("no problem containing %q in %q", want, problems)
		}
	}
}
