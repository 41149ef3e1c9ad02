package main

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/okta-clickup-sync/okta-clickup-sync/clickup"
	"github.com/okta-clickup-sync/okta-clickup-sync/okta"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

const metricsNamespace = "okta_clickup_sync"

// The services whose API requests are counted, as the service label shows them.
const (
	serviceOkta        = "okta"
	serviceClickUpSCIM = "clickup_scim"
	serviceClickUpREST = "clickup_rest"
)

// runOutcomes are the values runOutcome gives, as the runs_total outcome label shows them.
var runOutcomes = []string{"success", "changed", "held", "failed", "refused", "interrupted"}

// succeeded reports whether an outcome counts as a successful run, for readiness and the
// last-success timestamp. An interrupted run is neither success nor failure.
func succeeded(outcome string) bool {
	return outcome == "success" || outcome == "changed" || outcome == "held"
}

// failed reports whether an outcome counts against readiness.
func failed(outcome string) bool { return outcome == "failed" || outcome == "refused" }

// metrics are the daemon's Prometheus metrics, on a registry of their own: the global one would
// leak between tests and carry whatever any imported package registers.
type metrics struct {
	reg                 *prometheus.Registry
	runs                *prometheus.CounterVec
	actions             *prometheus.CounterVec
	runDuration         prometheus.Histogram
	apiRequests         *prometheus.CounterVec
	apiThrottled        *prometheus.CounterVec
	lastSuccess         prometheus.Gauge
	heldDeactivations   prometheus.Gauge
	consecutiveFailures prometheus.Gauge
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "runs_total",
			Help: "Reconcile runs by outcome: success, changed, held, failed, refused, interrupted.",
		}, []string{"outcome"}),
		actions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "actions_total",
			Help: "Plan entries by action and outcome (planned, applied, failed, held, ignored).",
		}, []string{"action", "outcome"}),
		runDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: metricsNamespace, Name: "run_duration_seconds",
			Help: "Wall time of a reconcile run, reads and writes included.",
			// From a small Workspace (well under a second) to a large one paced by rate limits.
			Buckets: prometheus.ExponentialBuckets(0.25, 2, 12),
		}),
		apiRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "api_requests_total",
			Help: "HTTP requests to Okta and ClickUp by service and status code (\"error\" when no response came).",
		}, []string{"service", "code"}),
		apiThrottled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "api_rate_limited_total",
			Help: "HTTP 429 answers from Okta and ClickUp by service.",
		}, []string{"service"}),
		lastSuccess: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: metricsNamespace, Name: "last_success_timestamp_seconds",
			Help: "Unix time at which the last successful (success, changed or held) run ended; 0 before the first.",
		}),
		heldDeactivations: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: metricsNamespace, Name: "held_deactivations",
			Help: "Deactivations held by the cap in the last completed run, awaiting approval.",
		}),
		consecutiveFailures: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: metricsNamespace, Name: "consecutive_failed_runs",
			Help: "Runs failed or refused in a row; readiness is lost at " + strconv.Itoa(readyFailureThreshold) + ".",
		}),
	}
	m.reg.MustRegister(m.runs, m.actions, m.runDuration, m.apiRequests, m.apiThrottled,
		m.lastSuccess, m.heldDeactivations, m.consecutiveFailures,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	// Series that exist from the start make rate() and absent() alerts work before the first event.
	for _, o := range runOutcomes {
		m.runs.WithLabelValues(o)
	}
	for _, s := range []string{serviceOkta, serviceClickUpSCIM, serviceClickUpREST} {
		m.apiThrottled.WithLabelValues(s)
	}
	return m
}

// observeRun records a finished run.
func (m *metrics) observeRun(p core.Plan, outcome string, took time.Duration, end time.Time) {
	m.runs.WithLabelValues(outcome).Inc()
	m.runDuration.Observe(took.Seconds())
	for _, e := range p.Entries {
		m.actions.WithLabelValues(string(e.Action), string(e.Outcome)).Inc()
	}
	if succeeded(outcome) {
		m.lastSuccess.Set(float64(end.Unix()))
		m.heldDeactivations.Set(float64(p.Summarize().Outcomes[core.OutcomeHeld]))
	}
}

// adapterClients returns counting http.Clients for the adapters, with the timeouts the adapters
// would otherwise use themselves: the client's Timeout is what bounds a hung request.
func (m *metrics) adapterClients() adapterClients {
	return adapterClients{
		okta: m.httpClient(serviceOkta, okta.DefaultRequestTimeout),
		scim: m.httpClient(serviceClickUpSCIM, clickup.DefaultTimeout),
		rest: m.httpClient(serviceClickUpREST, clickup.DefaultTimeout),
	}
}

func (m *metrics) httpClient(service string, timeout time.Duration) *http.Client {
	base := http.DefaultTransport.(*http.Transport).Clone()
	return &http.Client{Timeout: timeout, Transport: &countingTransport{base: base, service: service, m: m}}
}

// countingTransport counts every request, the SDK's token requests and retries included, since
// each one costs rate-limit budget.
type countingTransport struct {
	base    http.RoundTripper
	service string
	m       *metrics
}

func (t *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	if err != nil {
		t.m.apiRequests.WithLabelValues(t.service, "error").Inc()
		return resp, err
	}
	t.m.apiRequests.WithLabelValues(t.service, strconv.Itoa(resp.StatusCode)).Inc()
	if resp.StatusCode == http.StatusTooManyRequests {
		t.m.apiThrottled.WithLabelValues(t.service).Inc()
	}
	return resp, nil
}
