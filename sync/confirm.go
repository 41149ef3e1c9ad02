package sync

import (
	"context"
	"fmt"

	"golang.org/x/sync/errgroup"
)

// confirmConcurrency bounds the confirmation reads in flight; there are at most as many as the
// listing had pages, so a few at a time finish quickly without crowding Okta's rate limit.
const confirmConcurrency = 4

// Confirm checks every planned deactivation of a user absent from the Okta listing against an
// independent read made after the plan (DESIGN.md §7): a listing that is short, or wrong in a way
// no check can see, would otherwise lock out everyone it left out. Each such user is read back
// (GET /api/v1/apps/{appId}/users/{userId}); when they outnumber listingPages, one second full
// listing is cheaper and is read instead. A deactivation is confirmed when the read finds the user
// unassigned or not entitled; otherwise it becomes an unconfirmed_deactivation, which writes
// nothing and fails the run. A failed read fails the whole run before any write, like any read.
func Confirm(ctx context.Context, p Plan, dir Directory, users UserReader, listingPages int) (Plan, error) {
	var todo []int
	for i, e := range p.Entries {
		if e.Action == ActionDeactivate && e.Confirm && e.Outcome == OutcomePlanned {
			todo = append(todo, i)
		}
	}
	if len(todo) == 0 {
		return p, nil
	}
	found := make([]*OktaUser, len(todo)) // what the read says of each; nil: not assigned
	if len(todo) > max(listingPages, 1) {
		again, err := dir.ListAppUsers(ctx)
		if err != nil {
			return Plan{}, fmt.Errorf("confirm %d deactivations with a second listing: %w", len(todo), err)
		}
		byID := make(map[string]*OktaUser, len(again))
		for i := range again {
			byID[again[i].ID] = &again[i]
		}
		for j, i := range todo {
			found[j] = byID[p.Entries[i].OktaUserID]
		}
	} else {
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(confirmConcurrency)
		for j, i := range todo {
			id := p.Entries[i].OktaUserID
			g.Go(func() error {
				var u OktaUser
				var ok bool
				err := Safely(func() (err error) {
					u, ok, err = users.AppUser(gctx, id)
					return err
				})
				if err != nil {
					return fmt.Errorf("confirm deactivation of %s: %w", id, err)
				}
				if ok {
					found[j] = &u
				}
				return nil
			})
		}
		if err := g.Wait(); err != nil {
			return Plan{}, err
		}
	}

	out := p.withEntries(append([]Entry(nil), p.Entries...))
	for j, i := range todo {
		e := &out.Entries[i]
		switch u := found[j]; {
		case u == nil:
			e.Reason += " (confirmed: not assigned)"
		case !u.Entitled():
			e.Reason = notEntitledReason(*u) + " (confirmed)"
		default:
			e.Action, e.Outcome, e.Confirm = ActionUnconfirmedDeactivation, OutcomeFailed, false
			e.Reason = fmt.Sprintf("absent from the app-user listing, but a second read finds the user assigned and entitled (app user %s, user %s); not deactivated",
				u.AppStatus, u.UserStatus)
		}
	}
	out.sort()
	return out, nil
}
