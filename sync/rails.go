package sync

import (
	"errors"
	"fmt"
)

// Rails are the safety settings checked between planning and applying.
type Rails struct {
	// AllowEmptySource lets a run proceed when Okta lists no entitled user while ClickUp has
	// managed active users. Off by default: an empty listing is far more often a wrong app id,
	// a scope change or an outage than a real mass offboarding.
	AllowEmptySource bool
	// MaxDeactivations and MaxDeactivationPercent (of managed active users) cap the deactivations
	// of one run; above either, all deactivations are held for approval and the rest applies.
	// Zero holds every deactivation.
	MaxDeactivations       int
	MaxDeactivationPercent float64
}

// ErrEmptySource refuses a run whose source lists nobody while ClickUp has managed users.
var ErrEmptySource = errors.New("okta lists no entitled user while ClickUp has managed active users; refusing to deactivate everyone (set SYNC_ALLOW_EMPTY_SOURCE=true if this is intended)")

// CheckRails applies the rails to a plan: it refuses the run with ErrEmptySource, or returns the
// plan with deactivations held when there are too many. held reports the latter.
func CheckRails(d Desired, a Actual, p Plan, r Rails, links map[string]string) (out Plan, held bool, err error) {
	// Links are looked at only for the active users without an externalId, usually none: a set
	// of every linked id would be 100,000 entries.
	managedActive := 0
	unlinked := make(map[string]int) // ClickUp id -> active users with it and no externalId
	for i := range a.Users {
		switch u := &a.Users[i]; {
		case !u.Active:
		case u.ExternalID != "":
			managedActive++
		default:
			unlinked[u.ID]++
		}
	}
	if len(unlinked) > 0 {
		for _, cu := range links {
			managedActive += unlinked[cu]
			delete(unlinked, cu)
		}
	}
	entitled := 0
	for _, u := range d.Users {
		if u.Entitled() {
			entitled++
		}
	}
	if entitled == 0 && managedActive > 0 && !r.AllowEmptySource {
		return p, false, ErrEmptySource
	}

	// Deleting a Team loses as much as a deactivation does; both share the cap.
	destructive := func(a Action) bool { return a == ActionDeactivate || a == ActionDeleteTeam }
	n := 0
	for _, e := range p.Entries {
		if destructive(e.Action) {
			n++
		}
	}
	if n == 0 || !overCap(n, managedActive, r) {
		return p, false, nil
	}
	out = p.withEntries(append([]Entry(nil), p.Entries...))
	for i := range out.Entries {
		if e := &out.Entries[i]; destructive(e.Action) {
			e.Outcome = OutcomeHeld
			e.Reason = fmt.Sprintf("%s; held: %d deactivations exceed the cap (%d, or %.4g%% of %d managed active users)",
				e.Reason, n, r.MaxDeactivations, r.MaxDeactivationPercent, managedActive)
		}
	}
	return out, true, nil
}

func overCap(n, managedActive int, r Rails) bool {
	if n > r.MaxDeactivations {
		return true
	}
	if managedActive == 0 {
		return false
	}
	return float64(n)*100/float64(managedActive) > r.MaxDeactivationPercent
}

// Approve narrows a fresh plan to the held deactivations an admin approved: those of held that
// the plan still warrants (same ClickUp user, still a deactivation). Everything else is dropped,
// so approving a run can never do more than that run asked for.
func Approve(fresh Plan, held []Entry) Plan {
	ok := make(map[string]bool, len(held))
	key := func(e Entry) string {
		if e.Action == ActionDeleteTeam {
			return "team:" + e.User // held entries come back from the store without the TeamRef
		}
		return "user:" + e.ClickUpUserID
	}
	for _, e := range held {
		if e.Action == ActionDeactivate || e.Action == ActionDeleteTeam {
			ok[key(e)] = true
		}
	}
	out := fresh.withEntries(nil)
	for _, e := range fresh.Entries {
		if (e.Action == ActionDeactivate || e.Action == ActionDeleteTeam) && ok[key(e)] {
			e.Outcome = OutcomePlanned
			out.Entries = append(out.Entries, e)
		}
	}
	return out
}
