package main

import (
	"runtime"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/okta-clickup-sync/okta-clickup-sync/engine"
	"github.com/okta-clickup-sync/okta-clickup-sync/store"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

const metricsNamespace = "okta_clickup_sync"

// The services whose API requests are counted, as the service label shows them.
const (
	serviceOkta        = "okta"
	serviceClickUpSCIM = "clickup_scim"
	serviceClickUpREST = "clickup_rest"
)

var services = []string{serviceOkta, serviceClickUpSCIM, serviceClickUpREST}

// runOutcomes are the outcomes a run ends with, as the runs_total outcome label shows them.
var runOutcomes = []string{store.RunSuccess, store.RunChanged, store.RunHeld, store.RunFailed, store.RunRefused, store.RunInterrupted}

// kindApprove is the kind label of an approval: a full run that applies what another held.
const kindApprove = "approve"

// runKinds are the kind label's values.
var runKinds = []string{string(engine.KindFull), string(engine.KindUser), string(engine.KindEvents), kindApprove}

// planActions and entryOutcomes are every action and outcome a plan entry can have, so that
// actions_total has every series from the start.
var (
	planActions = []core.Action{
		core.ActionCreateUser, core.ActionUpdateRole, core.ActionReactivate, core.ActionDeactivate,
		core.ActionProfileDriftIgnored, core.ActionUnmanagedUser, core.ActionInvalidRole, core.ActionAmbiguousMatch,
		core.ActionProtected, core.ActionCreateTeam, core.ActionRenameTeam, core.ActionUpdateTeamMembers,
		core.ActionDeleteTeam, core.ActionTeamMemberDrift, core.ActionUnconfirmedDeactivation,
	}
	entryOutcomes = []core.Outcome{core.OutcomePlanned, core.OutcomeApplied, core.OutcomeFailed,
		core.OutcomeHeld, core.OutcomeIgnored, core.OutcomeUnknown}
)

// Event stages, as events_total shows them.
const (
	stageSeen = "seen" // read from the System Log or an event hook
	stageKept = "kept" // about this app, a linked user or a pushed group
)

// succeeded reports whether an outcome counts as a successful run, for readiness and the
// last-success timestamp. An interrupted run is neither success nor failure.
func succeeded(outcome string) bool {
	return outcome == store.RunSuccess || outcome == store.RunChanged || outcome == store.RunHeld
}

// failed reports whether an outcome counts against readiness.
func failed(outcome string) bool { return outcome == store.RunFailed || outcome == store.RunRefused }

// metrics are the Prometheus metrics (DESIGN.md §12), on a registry of their own: the global one
// would leak between tests and carry whatever any imported package registers. Their names and
// labels are those deploy/'s alerts and dashboard use (deploy/metrics_test.go lists them).
type metrics struct {
	reg                 *prometheus.Registry
	runs                *prometheus.CounterVec   // kind, outcome
	actions             *prometheus.CounterVec   // action, outcome
	runDuration         *prometheus.HistogramVec // kind
	apiRequests         *prometheus.CounterVec   // service, code
	apiDuration         *prometheus.HistogramVec // service, endpoint, code
	apiThrottled        *prometheus.CounterVec   // service
	lastSuccess         prometheus.Gauge
	heldDeactivations   prometheus.Gauge
	consecutiveFailures prometheus.Gauge
	scheduleInterval    prometheus.Gauge
	events              *prometheus.CounterVec // stage
	eventLag            prometheus.Histogram
	eventRunUsers       prometheus.Histogram
	leader              prometheus.Gauge

	// pages counts the read requests answered, for the progress lines of long runs.
	pages atomic.Int64
}

func newMetrics() *metrics {
	opts := func(name, help string) prometheus.Opts {
		return prometheus.Opts{Namespace: metricsNamespace, Name: name, Help: help}
	}
	hist := func(name, help string, buckets []float64) prometheus.HistogramOpts {
		return prometheus.HistogramOpts{Namespace: metricsNamespace, Name: name, Help: help, Buckets: buckets}
	}
	m := &metrics{
		reg: prometheus.NewRegistry(),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts(opts("runs_total",
			"Runs by kind (full, user, events, approve) and outcome (success, changed, held, failed, refused, interrupted).")),
			[]string{"kind", "outcome"}),
		actions: prometheus.NewCounterVec(prometheus.CounterOpts(opts("actions_total",
			"Plan entries by action and outcome (planned, applied, failed, held, ignored, unknown).")),
			[]string{"action", "outcome"}),
		runDuration: prometheus.NewHistogramVec(hist("run_duration_seconds",
			"Wall time of a run by kind, reads and writes included.",
			// From a small Workspace (well under a second) to a large one paced by rate limits.
			prometheus.ExponentialBuckets(0.25, 2, 12)), []string{"kind"}),
		apiRequests: prometheus.NewCounterVec(prometheus.CounterOpts(opts("api_requests_total",
			`HTTP requests to Okta and ClickUp by service and status code ("error" when no answer came), retries and token requests included.`)),
			[]string{"service", "code"}),
		apiDuration: prometheus.NewHistogramVec(hist("api_request_duration_seconds",
			"Time to the answer of one HTTP request (one attempt) by service, endpoint (a path template) and status code.",
			[]float64{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}), []string{"service", "endpoint", "code"}),
		apiThrottled: prometheus.NewCounterVec(prometheus.CounterOpts(opts("api_rate_limited_total",
			"HTTP 429 answers from Okta and ClickUp by service.")), []string{"service"}),
		lastSuccess: prometheus.NewGauge(prometheus.GaugeOpts(opts("last_success_timestamp_seconds",
			"Unix time at which the last successful (success, changed or held) run ended; 0 before the first."))),
		heldDeactivations: prometheus.NewGauge(prometheus.GaugeOpts(opts("held_deactivations",
			"Deactivations held by the cap in the last completed run, awaiting approval."))),
		consecutiveFailures: prometheus.NewGauge(prometheus.GaugeOpts(opts("consecutive_failed_runs",
			"Runs failed or refused in a row; readiness is lost at "+strconv.Itoa(readyFailureThreshold)+"."))),
		scheduleInterval: prometheus.NewGauge(prometheus.GaugeOpts(opts("schedule_interval_seconds",
			"Time between two scheduled full runs (SYNC_SCHEDULE), for alerts counted in schedules."))),
		events: prometheus.NewCounterVec(prometheus.CounterOpts(opts("events_total",
			"Okta events by stage: seen (read), kept (about this app, a linked user or a pushed group).")),
			[]string{"stage"}),
		eventLag: prometheus.NewHistogram(hist("event_lag_seconds",
			"Time from an event's publication in Okta to the end of the run it caused.",
			prometheus.ExponentialBuckets(0.5, 2, 12))),
		eventRunUsers: prometheus.NewHistogram(hist("event_run_users",
			"Users reconciled by one events run.", []float64{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000})),
		leader: prometheus.NewGauge(prometheus.GaugeOpts(opts("leader",
			"1 while this process is the one that runs schedules and applies; with the SQLite store, always."))),
	}
	buildInfo := prometheus.NewGaugeVec(prometheus.GaugeOpts(opts("build_info",
		"Always 1; the labels say which build runs.")), []string{"version", "goversion"})
	buildInfo.WithLabelValues(buildVersion(), runtime.Version()).Set(1)
	m.reg.MustRegister(buildInfo, m.runs, m.actions, m.runDuration, m.apiRequests, m.apiDuration, m.apiThrottled,
		m.lastSuccess, m.heldDeactivations, m.consecutiveFailures, m.scheduleInterval,
		m.events, m.eventLag, m.eventRunUsers, m.leader,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	// Series that exist from the start make rate(), increase() and absent() work before the
	// first run or event (DESIGN.md §12).
	for _, k := range runKinds {
		m.runDuration.WithLabelValues(k)
		for _, o := range runOutcomes {
			m.runs.WithLabelValues(k, o)
		}
	}
	for _, a := range planActions {
		for _, o := range entryOutcomes {
			m.actions.WithLabelValues(string(a), string(o))
		}
	}
	for _, s := range services {
		m.apiThrottled.WithLabelValues(s)
		for _, code := range []string{"200", "429"} {
			m.apiRequests.WithLabelValues(s, code)
		}
		m.apiDuration.WithLabelValues(s, listingEndpoint[s], "200")
	}
	for _, s := range []string{stageSeen, stageKept} {
		m.events.WithLabelValues(s)
	}
	// Leadership arrives with the PostgreSQL store; a process on the SQLite store is the only
	// writer of its file, so it always leads.
	m.leader.Set(1)
	return m
}

// kindOf is a run's kind label: an approval is told apart from the full run it is.
func kindOf(res engine.Result) string {
	if res.Trigger == store.TriggerApprove || res.Trigger == store.TriggerConsole {
		return kindApprove
	}
	if res.Kind == "" {
		return string(engine.KindFull)
	}
	return string(res.Kind)
}

// observeRun records a finished run; outcome may differ from the result's (a run cut short by a
// stop counts as interrupted).
func (m *metrics) observeRun(res engine.Result, outcome string) {
	kind := kindOf(res)
	m.runs.WithLabelValues(kind, outcome).Inc()
	m.runDuration.WithLabelValues(kind).Observe(res.End.Sub(res.Start).Seconds())
	for _, e := range res.Plan.Entries {
		m.actions.WithLabelValues(string(e.Action), string(e.Outcome)).Inc()
	}
	if succeeded(outcome) {
		m.lastSuccess.Set(float64(res.End.Unix()))
		if res.Kind == engine.KindFull || res.Kind == "" {
			m.heldDeactivations.Set(float64(res.Plan.Summarize().Outcomes[core.OutcomeHeld]))
		}
	}
}

// observePoll records one System Log poll or event hook delivery: the events seen, those kept,
// and the run they caused (nil when none was needed). It fits engine.Poller's Observe.
func (m *metrics) observePoll(seen int, kept []core.Event, res *engine.Result) {
	m.events.WithLabelValues(stageSeen).Add(float64(seen))
	m.events.WithLabelValues(stageKept).Add(float64(len(kept)))
	if res == nil || res.End.IsZero() {
		return
	}
	users := map[string]bool{}
	for _, ev := range kept {
		if !ev.Published.IsZero() {
			m.eventLag.Observe(max(0, res.End.Sub(ev.Published).Seconds()))
		}
		for _, t := range ev.Targets {
			if t.Type == "User" && t.ID != "" {
				users[t.ID] = true
			}
		}
	}
	m.eventRunUsers.Observe(float64(len(users)))
}

// setSchedule records the time between two scheduled runs.
func (m *metrics) setSchedule(every time.Duration) { m.scheduleInterval.Set(every.Seconds()) }
