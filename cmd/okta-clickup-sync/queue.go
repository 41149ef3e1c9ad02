package main

import (
	gosync "sync"

	"github.com/okta-clickup-sync/okta-clickup-sync/engine"
)

// runQueue holds the work waiting for the daemon's one run slot: at most one full run, and the
// users events pointed at, merged into one events run. Requests made while work of their kind is
// already waiting join it. A waiting full run covers every user, so events that arrive meanwhile
// are settled by it rather than by a run of their own.
type runQueue struct {
	mu      gosync.Mutex
	full    *batch // the full run waiting, if any
	users   *batch // the events run waiting, if any
	wake    chan struct{}
	stopped bool
}

// batch is one waiting run and whoever waits for its result.
type batch struct {
	source  string          // what asked for a full run (startup, schedule, http, ...)
	users   map[string]bool // the events run's users
	waiters []chan engine.Result
}

// work is what the runner takes: a full run, or an events run of users.
type work struct {
	full   bool
	source string
	users  []string
	done   []chan engine.Result
}

func newRunQueue() *runQueue { return &runQueue{wake: make(chan struct{}, 1)} }

// addFull asks for a full run. It reports false when the request joined one already waiting,
// or the queue is stopped; done, when not nil, receives the run's result.
func (q *runQueue) addFull(source string, done chan engine.Result) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.stopped {
		return false
	}
	queued := q.full == nil
	if queued {
		q.full = &batch{source: source}
	}
	if done != nil {
		q.full.waiters = append(q.full.waiters, done)
	}
	q.signal()
	return queued
}

// addUsers asks for an events run of these users; done, when not nil, receives its result.
func (q *runQueue) addUsers(users []string, done chan engine.Result) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.stopped {
		return false
	}
	if q.users == nil {
		q.users = &batch{users: map[string]bool{}}
	}
	for _, u := range users {
		q.users.users[u] = true
	}
	if done != nil {
		q.users.waiters = append(q.users.waiters, done)
	}
	q.signal()
	return true
}

func (q *runQueue) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// take returns the next work, a full run first; ok is false when nothing waits.
func (q *runQueue) take() (w work, ok bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	switch {
	case q.full != nil:
		w = work{full: true, source: q.full.source, done: q.full.waiters}
		if q.users != nil { // the full run settles them too
			w.done = append(w.done, q.users.waiters...)
			q.users = nil
		}
		q.full = nil
	case q.users != nil:
		w = work{done: q.users.waiters}
		for u := range q.users.users {
			w.users = append(w.users, u)
		}
		q.users = nil
	default:
		return work{}, false
	}
	return w, true
}

// stop refuses new work and hands whoever waits an empty result.
func (q *runQueue) stop() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.stopped = true
	for _, b := range []*batch{q.full, q.users} {
		if b == nil {
			continue
		}
		for _, c := range b.waiters {
			c <- engine.Result{}
		}
	}
	q.full, q.users = nil, nil
}

// reopen accepts work again, as a new leadership term begins.
func (q *runQueue) reopen() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.stopped = false
}
