package sync

import (
	"errors"
	"fmt"
	"sort"
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

// RailState is what the rails know beyond one plan: the store's links, the holds still open, and,
// for the small runs of DESIGN.md §10 (on-demand and event runs), what earlier small runs did.
type RailState struct {
	// Links and OrgExternalIDs are the planner's (Options), to tell managed users apart.
	Links          map[string]string
	OrgExternalIDs map[string]bool
	// Holds maps the HoldKey of each open (sticky) hold to the run that first held it.
	Holds map[string]string
	// Small marks an on-demand or event run: it read a few users, so the empty-source rail does
	// not apply and its caps are taken across the window below.
	Small bool
	// Earlier counts the deactivations written by small runs within SYNC_CAP_WINDOW before
	// this one; they count toward its caps.
	Earlier int
	// Base is the managed active users the percent cap of a small run is taken of: those of the
	// last full run, or 0 when none is recorded (then the count cap alone applies).
	Base int
}

// Checked is a plan once the rails have been applied.
type Checked struct {
	Plan Plan
	// Held lists the entries held in this run, new holds and sticky ones alike: the run's held
	// plan, which approve RUN_ID applies.
	Held []Entry
	// Release lists the keys of open holds that this plan no longer warrants.
	Release []string
	// ManagedActive counts the managed active ClickUp users the run saw (full runs).
	ManagedActive int
}

// ErrEmptySource refuses a run whose source lists nobody while ClickUp has managed users.
var ErrEmptySource = errors.New("okta lists no entitled user while ClickUp has managed active users; refusing to deactivate everyone (set SYNC_ALLOW_EMPTY_SOURCE=true if this is intended)")

// HoldKey names what a held entry would change, so a hold outlives the run that made it: the
// ClickUp user of a deactivation, the Team of a deletion.
func HoldKey(e Entry) string {
	if e.Action == ActionDeleteTeam {
		return "team:" + e.User // held entries come back from the store without the TeamRef
	}
	return "user:" + e.ClickUpUserID
}

// destructive reports whether an action loses access; deleting a Team loses as much as a
// deactivation does, and both share the cap.
func destructive(a Action) bool { return a == ActionDeactivate || a == ActionDeleteTeam }

// CheckRails applies the rails to a plan (DESIGN.md §7): it refuses the run with ErrEmptySource,
// holds again every deactivation an earlier run held and nobody approved (holds are sticky, and
// are not counted again), and holds the others when they exceed the caps.
func CheckRails(d Desired, a Actual, p Plan, r Rails, st RailState) (Checked, error) {
	c := Checked{Plan: p, ManagedActive: managedActive(a.Users, st)}
	if !st.Small && c.ManagedActive > 0 && !r.AllowEmptySource && !anyEntitled(d.Users) {
		return c, ErrEmptySource
	}
	planned := make(map[string]bool)
	for _, e := range p.Entries {
		if destructive(e.Action) {
			planned[HoldKey(e)] = true
		}
	}
	for k := range st.Holds {
		if !planned[k] {
			c.Release = append(c.Release, k)
		}
	}
	sort.Strings(c.Release)
	if len(planned) == 0 {
		return c, nil
	}

	out := p.withEntries(append([]Entry(nil), p.Entries...))
	n := st.Earlier
	for i := range out.Entries {
		e := &out.Entries[i]
		if !destructive(e.Action) || e.Outcome != OutcomePlanned {
			continue
		}
		if run, ok := st.Holds[HoldKey(*e)]; ok {
			e.Outcome = OutcomeHeld
			e.Reason += "; held since run " + run + ", awaiting approval"
			continue
		}
		n++
	}
	base := c.ManagedActive
	if st.Small {
		base = st.Base
	}
	if n > st.Earlier && overCap(n, base, r) {
		for i := range out.Entries {
			if e := &out.Entries[i]; destructive(e.Action) && e.Outcome == OutcomePlanned {
				e.Outcome = OutcomeHeld
				e.Reason = fmt.Sprintf("%s; held: %d deactivations exceed the cap (%d, or %.4g%% of %d managed active users)",
					e.Reason, n, r.MaxDeactivations, r.MaxDeactivationPercent, base)
			}
		}
	}
	for _, e := range out.Entries {
		if e.Outcome == OutcomeHeld {
			c.Held = append(c.Held, e)
		}
	}
	c.Plan = out
	return c, nil
}

// managedActive counts the active ClickUp users this product manages: linked by the store, or
// carrying an externalId of this Okta org (one shaped like an Okta id and not known foreign).
func managedActive(users []ClickUpUser, st RailState) int {
	linked := make(map[string]bool, len(st.Links))
	for _, c := range st.Links {
		linked[c] = true
	}
	n := 0
	for i := range users {
		u := &users[i]
		if !u.Active {
			continue
		}
		exists, checked := st.OrgExternalIDs[u.ExternalID]
		if linked[u.ID] || LooksLikeOktaUserID(u.ExternalID) && (!checked || exists) {
			n++
		}
	}
	return n
}

func anyEntitled(users []OktaUser) bool {
	for _, u := range users {
		if u.Entitled() {
			return true
		}
	}
	return false
}

// overCap reports whether n deactivations exceed the count cap, or the percent cap of base managed
// active users (skipped without a base).
func overCap(n, base int, r Rails) bool {
	if n > r.MaxDeactivations {
		return true
	}
	if base == 0 {
		return false
	}
	return float64(n)*100/float64(base) > r.MaxDeactivationPercent
}

// Approve narrows a fresh plan to the held deactivations an admin approved: those of held that
// the plan still warrants (same ClickUp user, still a deactivation). Everything else is dropped,
// so approving a run can never do more than that run asked for.
func Approve(fresh Plan, held []Entry) Plan {
	ok := make(map[string]bool, len(held))
	for _, e := range held {
		if destructive(e.Action) {
			ok[HoldKey(e)] = true
		}
	}
	out := fresh.withEntries(nil)
	for _, e := range fresh.Entries {
		if destructive(e.Action) && ok[HoldKey(e)] {
			e.Outcome = OutcomePlanned
			out.Entries = append(out.Entries, e)
		}
	}
	return out
}
