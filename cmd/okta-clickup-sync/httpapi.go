package main

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// routes serves the daemon's own endpoints: liveness, readiness, metrics, the trigger and, when
// configured, the drift console.
func (d *daemon) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writePlain(w, http.StatusOK, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if !d.leading.Load() {
			// A standby is ready to take over; it serves health, metrics and the console.
			writePlain(w, http.StatusOK, "standby")
			return
		}
		if ok, why := d.health.ready(); !ok {
			writePlain(w, http.StatusServiceUnavailable, "not ready: "+why)
			return
		}
		writePlain(w, http.StatusOK, "ready")
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(d.metrics.reg, promhttp.HandlerOpts{Registry: d.metrics.reg}))
	mux.HandleFunc("POST /reconcile", d.handleTrigger)
	if d.console != nil {
		mux.Handle("/ui/", d.console)
	}
	if d.cfg.Sync.EventHookSecret != "" {
		mux.HandleFunc("GET /hooks/okta", d.handleHook)
		mux.HandleFunc("POST /hooks/okta", d.handleHook)
	}
	return mux
}

// handleTrigger queues a run now. It answers 202 with "queued" or, when a run is already queued,
// "merged": either way one run that starts after the request will happen.
func (d *daemon) handleTrigger(w http.ResponseWriter, r *http.Request) {
	if d.triggerHash == nil {
		writePlain(w, http.StatusForbidden, "the trigger is disabled: set SYNC_TRIGGER_TOKEN to enable POST /reconcile")
		return
	}
	if !d.triggerAuthorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="okta-clickup-sync"`)
		writePlain(w, http.StatusUnauthorized, "unauthorized: send the SYNC_TRIGGER_TOKEN as Authorization: Bearer <token>")
		d.log.Warn().Str("remote_addr", r.RemoteAddr).Msg("trigger refused: missing or wrong token")
		return
	}
	if d.stopping.Load() {
		writePlain(w, http.StatusServiceUnavailable, "shutting down")
		return
	}
	status := "queued"
	switch {
	case !d.leading.Load():
		status = "forwarded"
		if !d.trigger(triggerHTTP) {
			writePlain(w, http.StatusServiceUnavailable, "this replica is a standby and could not forward the trigger to the leader")
			return
		}
	case !d.trigger(triggerHTTP):
		status = "merged"
	}
	d.log.Info().Str("remote_addr", r.RemoteAddr).Str("status", status).Msg("run triggered")
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_ = json.NewEncoder(w).Encode(map[string]string{"status": status})
}

func (d *daemon) triggerAuthorized(r *http.Request) bool {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return false
	}
	got := sha256.Sum256([]byte(token))
	return subtle.ConstantTimeCompare(got[:], d.triggerHash) == 1
}

func writePlain(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(msg + "\n"))
}
