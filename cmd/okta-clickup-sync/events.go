package main

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/okta-clickup-sync/okta-clickup-sync/config"
	"github.com/okta-clickup-sync/okta-clickup-sync/engine"
	"github.com/okta-clickup-sync/okta-clickup-sync/okta"
	"github.com/okta-clickup-sync/okta-clickup-sync/store"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// eventFilter keeps the events about this app, linked users and pushed groups (DESIGN.md §10).
func (d *daemon) eventFilter() engine.EventFilter {
	return engine.EventFilter{
		AppID:      d.cfg.Okta.AppID,
		PushGroups: d.app.engine.PushGroups,
		Linked: func(ctx context.Context, ids []string) (map[string]bool, error) {
			links, err := d.app.st.Links(ctx)
			if err != nil {
				return nil, err
			}
			out := make(map[string]bool, len(ids))
			for _, id := range ids {
				_, out[id] = links[id]
			}
			return out, nil
		},
	}
}

// newPoller builds the System Log poller when SYNC_EVENTS=systemlog. Its runs go through the
// daemon's run slot, so they never overlap the schedule's.
func (d *daemon) newPoller(since time.Time) *engine.Poller {
	if d.cfg.Sync.Events != config.EventsSystemLog || d.app.events == nil || d.app.st == nil {
		return nil
	}
	return &engine.Poller{
		Log:     d.app.events,
		Store:   d.app.st,
		Filter:  d.eventFilter(),
		Run:     d.runUsers,
		Logger:  d.log.With().Str("component", "events").Logger(),
		Since:   since,
		Observe: d.metrics.observePoll,
	}
}

// runUsers queues an events run of spec's users and waits for it: the poller's Run.
func (d *daemon) runUsers(ctx context.Context, spec engine.Spec) engine.Result {
	done := make(chan engine.Result, 1)
	if !d.queue.addUsers(spec.Users, done) {
		return engine.Result{Err: errors.New("the daemon is not leading or is stopping")}
	}
	select {
	case res := <-done:
		return res
	case <-ctx.Done():
		return engine.Result{Err: ctx.Err()}
	}
}

// poll runs the poller every SYNC_EVENTS_INTERVAL until ctx ends. A failed poll is logged and
// retried at the next tick, its cursor unmoved.
func (d *daemon) poll(ctx context.Context, p *engine.Poller) {
	t := time.NewTicker(d.cfg.Sync.EventsInterval)
	defer t.Stop()
	for {
		if err := p.Poll(ctx); err != nil && ctx.Err() == nil {
			d.log.Warn().Err(err).Msg("system log poll failed; retried at the next one")
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// handleHook serves Okta's event hook (DESIGN.md §10): the one-time verification GET and the
// deliveries. A delivery is answered at once; its users are reconciled after, by the leader.
func (d *daemon) handleHook(w http.ResponseWriter, r *http.Request) {
	secret := d.cfg.Sync.EventHookSecret.Reveal()
	if !okta.HookAuthorized(r, secret) {
		d.log.Warn().Str("remote_addr", r.RemoteAddr).Msg("event hook refused: missing or wrong Authorization")
		writePlain(w, http.StatusUnauthorized, "unauthorized")
		return
	}
	if r.Method == http.MethodGet {
		challenge, ok := okta.VerifyChallenge(r)
		if !ok {
			writePlain(w, http.StatusBadRequest, "no "+okta.VerificationHeader+" header")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(okta.VerificationResponse(challenge))
		return
	}
	events, err := okta.ParseEventHook(http.MaxBytesReader(w, r.Body, okta.MaxEventHookBytes+1))
	if err != nil {
		// Okta never retries a 4xx: the poller still sees these events.
		d.log.Warn().Err(err).Msg("event hook delivery refused")
		writePlain(w, http.StatusBadRequest, "malformed event hook delivery")
		return
	}
	w.WriteHeader(http.StatusNoContent)
	go d.deliver(context.WithoutCancel(r.Context()), events)
}

// deliver reconciles the users a hook delivery points at, on the leader: a standby forwards
// them through the store.
func (d *daemon) deliver(ctx context.Context, events []core.Event) {
	users, kept, err := d.eventFilter().Affected(ctx, events)
	if err != nil {
		d.log.Warn().Err(err).Msg("event hook delivery not handled; the poller will see its events")
		return
	}
	d.log.Info().Int("events", len(events)).Int("kept", len(kept)).Strs("users", users).Msg("event hook delivery")
	if len(users) == 0 {
		d.metrics.observePoll(len(events), kept, nil)
		return
	}
	if !d.leading.Load() {
		if _, err := d.app.st.EnqueueRequest(ctx, store.RequestUsers, strings.Join(users, ",")); err != nil {
			d.log.Error().Err(err).Msg("forward event hook users to the leader")
		}
		return
	}
	done := make(chan engine.Result, 1)
	if !d.queue.addUsers(users, done) {
		return
	}
	res := <-done
	d.metrics.observePoll(len(events), kept, &res)
}
