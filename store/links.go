package store

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// Link ties an Okta id to a ClickUp id (a user, or a group and its Team).
type Link struct {
	OktaID    string    `json:"okta_id"`
	ClickUpID string    `json:"clickup_id"`
	FirstSeen time.Time `json:"first_seen"` // when this pair was first saved
	LastSeen  time.Time `json:"last_seen"`  // when a run last saved it
}

// linkKind is one of the two link tables, which share their shape and their rules.
type linkKind struct {
	table string // a constant: table names cannot be bound parameters
	what  string // for errors
}

var (
	userLinks  = linkKind{table: "links", what: "links"}
	groupLinks = linkKind{table: "group_links", what: "group links"}
)

// Links returns the user links, Okta user id → ClickUp user id, for the planner (DESIGN.md §5).
func (s *Store) Links(ctx context.Context) (map[string]string, error) {
	return s.linkMap(ctx, userLinks)
}

// SaveLinks records the given user links, Okta user id → ClickUp user id. Existing links not in
// links are kept. A ClickUp user belongs to one Okta user only: linking it to another Okta user
// replaces the old link. Two Okta ids given with the same ClickUp id are refused, since only one
// of them can be right and the store cannot tell which.
func (s *Store) SaveLinks(ctx context.Context, links map[string]string) error {
	return s.saveLinks(ctx, userLinks, links)
}

// DeleteLink removes the link of an Okta user; ErrNotFound when there is none.
func (s *Store) DeleteLink(ctx context.Context, oktaID string) error {
	return s.deleteLink(ctx, userLinks, oktaID)
}

// GroupLinks returns the group links, Okta group id → ClickUp group (Team) id.
func (s *Store) GroupLinks(ctx context.Context) (map[string]string, error) {
	return s.linkMap(ctx, groupLinks)
}

// SaveGroupLinks is SaveLinks for groups: a ClickUp group is linked to one Okta group only.
func (s *Store) SaveGroupLinks(ctx context.Context, links map[string]string) error {
	return s.saveLinks(ctx, groupLinks, links)
}

func (s *Store) linkMap(ctx context.Context, k linkKind) (map[string]string, error) {
	all, err := s.linkList(ctx, k)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(all))
	for _, l := range all {
		out[l.OktaID] = l.ClickUpID
	}
	return out, nil
}

func (s *Store) linkList(ctx context.Context, k linkKind) ([]Link, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT okta_id, clickup_id, first_seen, last_seen FROM `+k.table+` ORDER BY okta_id`)
	if err != nil {
		return nil, fmt.Errorf("store: read %s: %w", k.what, err)
	}
	defer rows.Close()
	var out []Link
	for rows.Next() {
		var l Link
		var first, last string
		if err := rows.Scan(&l.OktaID, &l.ClickUpID, &first, &last); err != nil {
			return nil, fmt.Errorf("store: read %s: %w", k.what, err)
		}
		if l.FirstSeen, err = parseTime(first); err != nil {
			return nil, fmt.Errorf("store: read %s: %w", k.what, err)
		}
		if l.LastSeen, err = parseTime(last); err != nil {
			return nil, fmt.Errorf("store: read %s: %w", k.what, err)
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read %s: %w", k.what, err)
	}
	return out, nil
}

func (s *Store) saveLinks(ctx context.Context, k linkKind, links map[string]string) error {
	fail := func(err error) error { return fmt.Errorf("store: save %s: %w", k.what, err) }
	oktaIDs := make([]string, 0, len(links))
	byClickUp := make(map[string]string, len(links))
	for o, c := range links {
		if o == "" || c == "" {
			return fail(fmt.Errorf("empty id in link %q → %q", o, c))
		}
		if other, dup := byClickUp[c]; dup {
			a, b := min(o, other), max(o, other)
			return fail(fmt.Errorf("ClickUp id %s is given for both Okta ids %s and %s", c, a, b))
		}
		byClickUp[c] = o
		oktaIDs = append(oktaIDs, o)
	}
	if len(links) == 0 {
		return nil
	}
	sort.Strings(oktaIDs)
	now := formatTime(s.now())
	err := s.inTx(ctx, func(tx *txn) error {
		release, err := tx.PrepareContext(ctx, `DELETE FROM `+k.table+` WHERE clickup_id = ? AND okta_id <> ?`)
		if err != nil {
			return err
		}
		defer release.Close()
		// first_seen restarts when the Okta id moves to another ClickUp id: it is a new pair.
		upsert, err := tx.PrepareContext(ctx, `
INSERT INTO `+k.table+` (okta_id, clickup_id, first_seen, last_seen) VALUES (?, ?, ?, ?)
ON CONFLICT (okta_id) DO UPDATE SET
	first_seen = CASE WHEN `+k.table+`.clickup_id = excluded.clickup_id THEN `+k.table+`.first_seen ELSE excluded.first_seen END,
	clickup_id = excluded.clickup_id,
	last_seen = excluded.last_seen`)
		if err != nil {
			return err
		}
		defer upsert.Close()
		for _, o := range oktaIDs {
			c := links[o]
			if _, err := release.ExecContext(ctx, c, o); err != nil {
				return err
			}
			if _, err := upsert.ExecContext(ctx, o, c, now, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fail(err)
	}
	return nil
}

func (s *Store) deleteLink(ctx context.Context, k linkKind, oktaID string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM `+k.table+` WHERE okta_id = ?`, oktaID)
	if err != nil {
		return fmt.Errorf("store: delete %s: %w", k.what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: delete %s: %w", k.what, err)
	}
	if n == 0 {
		return fmt.Errorf("store: delete %s: okta id %s: %w", k.what, oktaID, ErrNotFound)
	}
	return nil
}
