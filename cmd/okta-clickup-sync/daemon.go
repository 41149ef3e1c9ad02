package main

import (
	"context"
	"crypto/sha256"
	"fmt"
	stdlog "log"
	"net"
	"net/http"
	gosync "sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"github.com/okta-clickup-sync/okta-clickup-sync/config"
	"github.com/okta-clickup-sync/okta-clickup-sync/engine"
	"github.com/okta-clickup-sync/okta-clickup-sync/store"
)

const (
	// shutdownGrace bounds how long a stop waits for the write in flight. The Deployment's
	// terminationGracePeriodSeconds must be longer, or Kubernetes kills the process first.
	shutdownGrace = 30 * time.Second
	// httpShutdownTimeout bounds the wait for open HTTP requests once the runner has stopped.
	httpShutdownTimeout = 5 * time.Second
)

// Trigger sources, in logs as "trigger".
const (
	triggerStartup  = "startup"
	triggerSchedule = "schedule"
	triggerHTTP     = "http"
)

// daemon is the long-running `run` command: one runner goroutine takes runs from a channel that
// the start-up, the schedule and POST /reconcile feed, so two runs never overlap.
type daemon struct {
	cfg     config.Config
	app     *app
	log     zerolog.Logger
	metrics *metrics
	health  *health

	// queue holds the runs waiting for the one run slot: a request made while one of its kind is
	// already queued merges into it, and one made while a run is in flight waits for it to end.
	queue *runQueue
	// leading is set while this replica leads (DESIGN.md §14): only the leader runs.
	leading atomic.Bool
	// stopping refuses triggers once shutdown began: the runner no longer takes them.
	stopping atomic.Bool
	// triggerHash is SHA-256 of SYNC_TRIGGER_TOKEN; nil disables POST /reconcile. Comparing
	// fixed-size hashes keeps the comparison constant-time in the token's length too.
	triggerHash []byte
	// console is the drift console's handler, nil unless SYNC_UI_TOKEN is set.
	console http.Handler
}

func newDaemon(cfg config.Config, a *app, log zerolog.Logger, m *metrics) *daemon {
	d := &daemon{
		cfg: cfg, app: a, log: log, metrics: m,
		health: &health{}, queue: newRunQueue(),
	}
	if cfg.Sync.TriggerToken != "" {
		h := sha256.Sum256([]byte(cfg.Sync.TriggerToken.Reveal()))
		d.triggerHash = h[:]
	}
	return d
}

func (c *cli) runCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "run",
		Short: "Run the daemon: reconcile now, then on SYNC_SCHEDULE",
		Long: `Run the daemon: a full reconcile at start, then on SYNC_SCHEDULE (a cron spec, or @every 15m).
On SYNC_LISTEN_ADDR it serves /healthz, /readyz, /metrics, POST /reconcile (with
SYNC_TRIGGER_TOKEN) and the drift console at /ui/ (with SYNC_UI_TOKEN). SIGTERM or SIGINT stops
it after the write in flight; a second signal ends it at once.`,
		Example: `  okta-clickup-sync run
  okta-clickup-sync run --config /etc/okta-clickup-sync/config.yaml
  SYNC_SCHEDULE='@every 5m' SYNC_LISTEN_ADDR=127.0.0.1:8080 okta-clickup-sync run -v`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, log, err := c.setup(scopeAll)
			if err != nil {
				return err
			}
			return codeOf(runDaemon(cmd.Context(), cfg, log, c.clients))
		},
	}
}

func runDaemon(ctx context.Context, cfg config.Config, log zerolog.Logger, hc adapterClients) int {
	m := newMetrics()
	a, err := buildApp(ctx, cfg, log, hc.withObserved(m, cfg, log))
	if err != nil {
		log.Error().Err(err).Msg("start-up failed")
		return exitError
	}
	defer a.close()
	// The daemon learns what the SCIM service offers before it serves: a service it cannot work
	// with stops it here rather than failing every run.
	if err := a.engine.Prepare(ctx); err != nil {
		log.Error().Err(err).Msg("start-up failed")
		return exitError
	}
	a.engine.Pages = m.pages.Load
	d := newDaemon(cfg, a, log, m)
	sched, err := newScheduler(cfg.Sync.Schedule, log, func() { d.trigger(triggerSchedule) })
	if err != nil {
		log.Error().Err(err).Msg("start-up failed")
		return exitError
	}
	if every, err := scheduleInterval(cfg.Sync.Schedule, time.Now()); err == nil {
		m.setSchedule(every)
	}
	if err := d.mountConsole(); err != nil {
		log.Error().Err(err).Msg("start-up failed")
		return exitError
	}
	ln, err := net.Listen("tcp", cfg.Sync.ListenAddr)
	if err != nil {
		log.Error().Err(fmt.Errorf("listen on %s (SYNC_LISTEN_ADDR): %w", cfg.Sync.ListenAddr, err)).Msg("start-up failed")
		return exitError
	}
	srv := &http.Server{
		Handler:           d.routes(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          stdlog.New(log.With().Str("component", "http").Logger(), "", 0),
	}
	srvErr := make(chan error, 1)
	go func() { srvErr <- srv.Serve(ln) }()

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	poller := d.newPoller(time.Now())
	leadDone := make(chan struct{})
	go func() {
		defer close(leadDone)
		d.lead(runCtx, func(term context.Context) (stop func()) {
			var wg gosync.WaitGroup
			for _, f := range []func(context.Context){d.runner, d.takeRequests} {
				wg.Add(1)
				go func() { defer wg.Done(); f(term) }()
			}
			if poller != nil {
				wg.Add(1)
				go func() { defer wg.Done(); d.poll(term, poller) }()
			}
			d.trigger(triggerStartup)
			sched.Start()
			return func() {
				// The cron job only queues, so its Stop is immediate; the runner may take time.
				<-sched.Stop().Done()
				wg.Wait()
			}
		})
	}()
	// Tests and operators read the bound address from here: SYNC_LISTEN_ADDR may say port 0.
	log.Info().Str("addr", ln.Addr().String()).Str("schedule", cfg.Sync.Schedule).
		Bool("trigger_enabled", d.triggerHash != nil).Dur("run_timeout", cfg.Sync.RunTimeout).
		Msg("daemon started")

	code := exitOK
	select {
	case <-ctx.Done():
		log.Info().Msg("shutdown requested")
	case err := <-srvErr:
		log.Error().Err(err).Msg("http listener failed")
		code = exitError
	}
	d.stopping.Store(true)
	cancel()
	grace := time.NewTimer(shutdownGrace)
	defer grace.Stop()
	select {
	case <-leadDone:
	case <-grace.C:
		log.Error().Dur("grace", shutdownGrace).Msg("shutdown grace period over with a write still in flight")
		code = exitError
	}
	shutCtx, done := context.WithTimeout(context.WithoutCancel(ctx), httpShutdownTimeout)
	defer done()
	if err := srv.Shutdown(shutCtx); err != nil {
		log.Warn().Err(err).Msg("http shutdown")
	}
	log.Info().Str("last_run_id", d.health.lastRun()).Int("exit_code", code).Msg("daemon stopped")
	return code
}

// trigger queues a full run without blocking and reports whether it was queued (false: merged
// into the one already queued, or refused because the daemon is stopping). A standby forwards it
// to the leader through the store.
func (d *daemon) trigger(source string) bool {
	if d.stopping.Load() {
		return false
	}
	if !d.leading.Load() {
		if d.app.st == nil {
			return false
		}
		if _, err := d.app.st.EnqueueRequest(context.Background(), store.RequestTrigger, source); err != nil {
			d.log.Error().Err(err).Msg("forward a trigger to the leader")
			return false
		}
		return true
	}
	if !d.queue.addFull(source, nil) {
		d.log.Debug().Str("trigger", source).Msg("run merged into the queued one")
		return false
	}
	return true
}

// runner runs queued work one run at a time until ctx is done.
func (d *daemon) runner(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-d.queue.wake:
		}
		for {
			// select picks at random among ready cases; a stop must win over queued work.
			if ctx.Err() != nil {
				return
			}
			w, ok := d.queue.take()
			if !ok {
				break
			}
			res := d.runWork(ctx, w)
			for _, c := range w.done {
				c <- res
			}
		}
	}
}

// storeTrigger names a daemon trigger in the store's vocabulary.
func storeTrigger(source string) string {
	if source == triggerHTTP {
		return store.TriggerTrigger
	}
	return store.TriggerSchedule
}

// runOnce runs one full reconcile and records its outcome in the metrics and the readiness state.
func (d *daemon) runOnce(ctx context.Context, source string) string {
	res := d.runWork(ctx, work{full: true, source: source})
	return res.Outcome
}

// runWork makes the run w asks for and records it in the metrics and the readiness state.
func (d *daemon) runWork(ctx context.Context, w work) engine.Result {
	spec := engine.Spec{Kind: engine.KindFull, Trigger: storeTrigger(w.source)}
	if !w.full {
		spec = engine.Spec{Kind: engine.KindEvents, Trigger: store.TriggerEvents, Users: w.users}
	}
	res := d.app.engine.Run(ctx, spec)
	outcome := res.Outcome
	// A run that ended as the stop began may still have been cut short; never count it against
	// readiness.
	if ctx.Err() != nil {
		outcome = store.RunInterrupted
	}
	d.observe(res, outcome)
	res.Outcome = outcome
	return res
}

// observe records a finished run in the metrics and the readiness state.
func (d *daemon) observe(res engine.Result, outcome string) {
	d.metrics.observeRun(res, outcome)
	failures := d.health.record(res.ID, outcome)
	d.metrics.consecutiveFailures.Set(float64(failures))
	if failures >= readyFailureThreshold {
		d.log.Error().Str("run_id", res.ID).Int("consecutive_errors", failures).Msg("runs keep failing; not ready")
	}
}
