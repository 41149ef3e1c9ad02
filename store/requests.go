package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Standbys forward what they are asked to the leader through the store (DESIGN §14): a standby
// enqueues a request, the leader takes the pending ones, acts, and finishes each with a result,
// which the standby polls for.

// What a request asks of the leader.
const (
	RequestTrigger = "trigger" // a reconcile, as the trigger endpoint asks for one; Arg is the caller's
	RequestApprove = "approve" // approve RUN_ID: Arg is the id of the run that held the plan
	RequestUsers   = "users"   // an events run of these users: Arg is their Okta ids, comma-separated
)

// Where a request is.
const (
	RequestPending = "pending" // waiting for the leader
	RequestTaken   = "taken"   // a leader is acting on it
	RequestDone    = "done"    // finished, with its result
)

var requestKinds = []string{RequestTrigger, RequestApprove, RequestUsers}

// requestRetakeAge is how long a request stays with a taker this process cannot judge (another
// host on SQLite's shared volume, or a live but silent session) before another leader takes it
// again. No run lasts this long (SYNC_RUN_TIMEOUT).
const requestRetakeAge = time.Hour

// Request is one forwarded request.
type Request struct {
	ID       string    `json:"id"`
	Kind     string    `json:"kind"`
	Arg      string    `json:"arg,omitempty"`
	State    string    `json:"state"`
	Result   string    `json:"result,omitempty"`
	Created  time.Time `json:"created_at"`
	Taken    time.Time `json:"taken_at,omitzero"` // the last time it was taken
	Done     time.Time `json:"done_at,omitzero"`
	Attempts int       `json:"attempts"` // how many times it was taken: more than one after its taker died
}

// taker is who took a request, so that another leader can tell when it died.
type taker struct {
	process
	Session string `json:",omitempty"`
}

// EnqueueRequest records a pending request and returns its id.
func (s *Store) EnqueueRequest(ctx context.Context, kind, arg string) (string, error) {
	if err := oneOf("request kind", kind, requestKinds); err != nil {
		return "", fmt.Errorf("store: enqueue request: %w", err)
	}
	if kind == RequestApprove && arg == "" {
		return "", errors.New("store: enqueue request: approve needs the id of the run that held the plan")
	}
	if kind == RequestUsers && arg == "" {
		return "", errors.New("store: enqueue request: users needs the Okta ids of the users")
	}
	id := newToken()
	_, err := s.db.ExecContext(ctx, `INSERT INTO requests (id, kind, arg, state, created_at) VALUES (?, ?, ?, ?, ?)`,
		id, kind, arg, RequestPending, formatTime(s.now()))
	if err != nil {
		return "", fmt.Errorf("store: enqueue %s request: %w", kind, err)
	}
	return id, nil
}

// TakeRequests claims the pending requests, oldest first, and returns them taken: however many
// leaders call it at once, each request goes to one of them. A request whose taker has died
// (judged as MarkInterrupted judges a run's process), or that was taken over an hour ago and never
// finished, is taken again, with Attempts counting the takes.
func (s *Store) TakeRequests(ctx context.Context) ([]Request, error) {
	fail := func(err error) error { return fmt.Errorf("store: take requests: %w", err) }
	// A leader polls often and mostly finds nothing: a read spares the writers' turn.
	var open int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM requests WHERE state IN (?, ?)`, RequestPending, RequestTaken).
		Scan(&open); err != nil {
		return nil, fail(err)
	}
	if open == 0 {
		return nil, nil
	}
	session, err := s.sessionToken(ctx)
	if err != nil {
		return nil, fail(err)
	}
	me, err := json.Marshal(taker{process: s.self, Session: session})
	if err != nil {
		return nil, fail(err)
	}
	var out []Request
	err = s.inTx(ctx, func(tx *txn) error {
		out = nil
		now := s.now()
		retake, err := s.abandonedRequests(ctx, tx, now)
		if err != nil {
			return err
		}
		args := []any{RequestTaken, formatTime(now), string(me), RequestPending}
		q := `UPDATE requests SET state = ?, taken_at = ?, taken_by = ?, attempts = attempts + 1 WHERE state = ?`
		if len(retake) > 0 {
			q += ` OR id IN (` + strings.TrimSuffix(strings.Repeat("?, ", len(retake)), ", ") + `)`
			for _, id := range retake {
				args = append(args, id)
			}
		}
		rows, err := tx.QueryContext(ctx, q+` RETURNING `+requestColumns, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanRequest(rows)
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fail(err)
	}
	slices.SortFunc(out, func(a, b Request) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// abandonedRequests are the taken requests whose taker has died or that were taken too long ago.
func (s *Store) abandonedRequests(ctx context.Context, tx *txn, now time.Time) ([]string, error) {
	type held struct {
		id, by string
		at     time.Time
	}
	var taken []held
	rows, err := tx.QueryContext(ctx, `SELECT id, taken_by, taken_at FROM requests WHERE state = ?`, RequestTaken)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var h held
		var at sql.NullString
		if err := rows.Scan(&h.id, &h.by, &at); err != nil {
			rows.Close()
			return nil, err
		}
		if h.at, err = parseNullTime(at); err != nil {
			rows.Close()
			return nil, err
		}
		taken = append(taken, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []string
	for _, h := range taken {
		var t taker
		_ = json.Unmarshal([]byte(h.by), &t) // an unreadable taker is judged by age alone
		v, _, err := s.judge(ctx, tx, t.process, t.Session)
		if err != nil {
			return nil, err
		}
		if v == dead || now.Sub(h.at) > requestRetakeAge {
			out = append(out, h.id)
		}
	}
	return out, nil
}

// FinishRequest records the result of a taken request: it is done. ErrNotFound when there is no
// such request; finishing one that is pending or already done is an error.
func (s *Store) FinishRequest(ctx context.Context, id, result string) error {
	err := s.inTx(ctx, func(tx *txn) error {
		var state string
		err := tx.QueryRowContext(ctx, `SELECT state FROM requests WHERE id = ?`, id).Scan(&state)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if state != RequestTaken {
			return fmt.Errorf("it is %s, not taken", state)
		}
		_, err = tx.ExecContext(ctx, `UPDATE requests SET state = ?, result = ?, done_at = ? WHERE id = ?`,
			RequestDone, result, formatTime(s.now()), id)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: finish request %s: %w", id, err)
	}
	return nil
}

// Request returns one request, to poll for its outcome; ErrNotFound when there is none.
func (s *Store) Request(ctx context.Context, id string) (Request, error) {
	r, err := scanRequest(s.db.QueryRowContext(ctx, `SELECT `+requestColumns+` FROM requests WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Request{}, fmt.Errorf("store: request %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Request{}, fmt.Errorf("store: request %s: %w", id, err)
	}
	return r, nil
}

const requestColumns = `id, kind, arg, state, result, created_at, taken_at, done_at, attempts`

func scanRequest(row scanner) (Request, error) {
	var r Request
	var created string
	var taken, done sql.NullString
	if err := row.Scan(&r.ID, &r.Kind, &r.Arg, &r.State, &r.Result, &created, &taken, &done, &r.Attempts); err != nil {
		return Request{}, err
	}
	var err error
	if r.Created, err = parseTime(created); err != nil {
		return Request{}, err
	}
	if r.Taken, err = parseNullTime(taken); err != nil {
		return Request{}, err
	}
	if r.Done, err = parseNullTime(done); err != nil {
		return Request{}, err
	}
	return r, nil
}
