package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/okta-clickup-sync/okta-clickup-sync/engine"
	"github.com/okta-clickup-sync/okta-clickup-sync/store"
)

// electionName is the leadership every replica of one store campaigns for.
const electionName = "okta-clickup-sync"

// Timings of leadership (DESIGN.md §14).
const (
	// campaignRetry is the pause after a failed campaign (the database unreachable, say).
	campaignRetry = 2 * time.Second
	// requestPoll is how often the leader takes what standbys forwarded.
	requestPoll = time.Second
	// forwardWait bounds how long a standby waits for the leader to act on a forwarded approval.
	forwardWait = 5 * time.Minute
)

// lead campaigns for leadership until ctx ends and, while this replica leads, runs what only the
// leader runs: the runner, the schedule, the System Log poller and the requests standbys forward.
// Losing leadership stops all of them, the run in flight included, and campaigns again. Without a
// store, or on SQLite, this replica always leads.
func (d *daemon) lead(ctx context.Context, start func(ctx context.Context) (stop func())) {
	for ctx.Err() == nil {
		lost := d.campaign(ctx)
		if lost == nil {
			return // ctx ended
		}
		d.setLeading(true)
		termCtx, cancel := context.WithCancel(ctx)
		stop := start(termCtx)
		select {
		case <-ctx.Done():
		case <-lost:
			d.log.Error().Msg("leadership lost; stopping the schedule, the poller and the run in flight")
		}
		cancel()
		stop()
		d.setLeading(false)
	}
}

// campaign blocks until this replica leads, and returns a channel closed when it stops leading;
// nil when ctx ended first.
func (d *daemon) campaign(ctx context.Context) <-chan struct{} {
	st := d.app.st
	if st == nil {
		return make(chan struct{}) // never lost
	}
	for {
		l, err := st.Campaign(ctx, electionName)
		if err == nil {
			d.log.Info().Msg("leading")
			return l.Done()
		}
		if ctx.Err() != nil {
			return nil
		}
		d.log.Warn().Err(err).Msg("campaign for leadership failed; trying again")
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(campaignRetry):
		}
	}
}

func (d *daemon) setLeading(v bool) {
	d.leading.Store(v)
	if v {
		d.metrics.leader.Set(1)
		d.queue.reopen()
	} else {
		d.metrics.leader.Set(0)
		d.queue.stop()
	}
}

// takeRequests acts, on the leader, on what standbys forwarded, until ctx ends.
func (d *daemon) takeRequests(ctx context.Context) {
	st := d.app.st
	if st == nil {
		return
	}
	t := time.NewTicker(requestPoll)
	defer t.Stop()
	for {
		reqs, err := st.TakeRequests(ctx)
		if err != nil && ctx.Err() == nil {
			d.log.Warn().Err(err).Msg("take forwarded requests")
		}
		for _, r := range reqs {
			go d.serveRequest(ctx, r)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (d *daemon) serveRequest(ctx context.Context, r store.Request) {
	var out approval
	switch r.Kind {
	case store.RequestTrigger:
		done := make(chan engine.Result, 1)
		d.queue.addFull(triggerHTTP, done)
		out = approvalOf(<-done)
	case store.RequestUsers:
		done := make(chan engine.Result, 1)
		d.queue.addUsers(strings.Split(r.Arg, ","), done)
		out = approvalOf(<-done)
	case store.RequestApprove:
		out, _ = engineApprove(d.app.engine, func(res engine.Result) { d.observe(res, res.Outcome) })(ctx, r.Arg)
	}
	b, _ := json.Marshal(out)
	if err := d.app.st.FinishRequest(context.WithoutCancel(ctx), r.ID, string(b)); err != nil {
		d.log.Warn().Err(err).Str("request", r.ID).Msg("finish a forwarded request")
	}
}

// forwardApprove asks the leader to approve a held run and waits for its answer: a standby's
// console Approve.
func (d *daemon) forwardApprove(ctx context.Context, runID string) (approval, error) {
	id, err := d.app.st.EnqueueRequest(ctx, store.RequestApprove, runID)
	if err != nil {
		return approval{}, fmt.Errorf("forward the approval to the leader: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, forwardWait)
	defer cancel()
	t := time.NewTicker(requestPoll)
	defer t.Stop()
	for {
		r, err := d.app.st.Request(ctx, id)
		if err == nil && r.State == store.RequestDone {
			var out approval
			if err := json.Unmarshal([]byte(r.Result), &out); err != nil {
				return approval{}, fmt.Errorf("read the leader's answer: %w", err)
			}
			return out, out.err()
		}
		select {
		case <-ctx.Done():
			return approval{}, fmt.Errorf("the leader did not act on the approval in %s: %w", forwardWait, ctx.Err())
		case <-t.C:
		}
	}
}
