package main

import (
	"fmt"
	gosync "sync"
)

// readyFailureThreshold is how many failed runs in a row make the daemon unready. One failure is
// usually a blip the next run repairs; three in a row (45 minutes on the default schedule) need
// a person.
const readyFailureThreshold = 3

// health is what /readyz reports: ready once a run succeeded, until readyFailureThreshold runs in
// a row fail. Safe for concurrent use.
type health struct {
	mu        gosync.Mutex
	succeeded bool
	failures  int // consecutive failed or refused runs
	lastRunID string
}

// record notes a finished run. An interrupted run says nothing about the daemon's health.
func (h *health) record(runID, outcome string) (consecutiveFailures int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.lastRunID = runID
	switch {
	case succeeded(outcome):
		h.succeeded, h.failures = true, 0
	case failed(outcome):
		h.failures++
	}
	return h.failures
}

// ready reports readiness and, when not ready, why.
func (h *health) ready() (bool, string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case !h.succeeded && h.failures == 0:
		return false, "no reconcile has completed yet"
	case !h.succeeded:
		return false, fmt.Sprintf("no reconcile has succeeded yet (%d failed)", h.failures)
	case h.failures >= readyFailureThreshold:
		return false, fmt.Sprintf("the last %d runs failed", h.failures)
	}
	return true, ""
}

func (h *health) lastRun() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.lastRunID
}
