package sync

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// teams plans the pushed groups' Teams (DESIGN.md §6): create, rename, member changes, and,
// when enabled, deletion of Teams whose group is no longer pushed. It runs after the users were
// planned, because a Team's members are the group's entitled users that will be active in
// ClickUp once this plan is applied.
func (d *differ) teams(desired Desired, actual Actual, opt Options) {
	if len(desired.Groups) == 0 && !(opt.DeleteUnpushedTeams && len(opt.GroupLinks) > 0) {
		return
	}
	members := d.memberResolver()
	byID := make(map[string]*ClickUpTeam, len(actual.Teams))
	byName := make(map[string][]*ClickUpTeam)
	linkedTo := make(map[string]string, len(opt.GroupLinks)) // team id -> group id
	for i := range actual.Teams {
		t := &actual.Teams[i]
		byID[t.ID] = t
		byName[t.DisplayName] = append(byName[t.DisplayName], t)
	}
	for g, t := range opt.GroupLinks {
		linkedTo[t] = g
	}
	d.plan.GroupLinks = make(map[string]string)

	groups := append([]OktaGroup(nil), desired.Groups...)
	sort.Slice(groups, func(i, j int) bool { return groups[i].ID < groups[j].ID })
	pushed := make(map[string]bool, len(groups))
	for _, g := range groups {
		pushed[g.ID] = true
		var team *ClickUpTeam
		if id, ok := opt.GroupLinks[g.ID]; ok && byID[id] != nil {
			team = byID[id]
		} else {
			var cands []*ClickUpTeam
			for _, t := range byName[g.Name] {
				if other, ok := linkedTo[t.ID]; !ok || other == g.ID {
					cands = append(cands, t)
				}
			}
			if len(cands) > 1 {
				ids := make([]string, 0, len(cands))
				for _, t := range cands {
					ids = append(ids, t.ID)
				}
				sort.Strings(ids)
				d.add(Entry{Action: ActionAmbiguousMatch, User: g.Name, Field: "team",
					Reason: "several ClickUp Teams are named like Okta group " + g.ID + " (ids " + strings.Join(ids, ", ") + "); rename or delete the extra ones"})
				continue
			}
			if len(cands) == 1 {
				team = cands[0]
			}
		}
		want, pending := members.of(g)
		if team == nil {
			d.add(Entry{Action: ActionCreateTeam, User: g.Name, Field: "members", To: fmt.Sprintf("%d members", len(want)+len(pending)),
				Reason: "pushed Okta group " + g.ID + " has no Team",
				Team:   &TeamRef{OktaGroupID: g.ID, Name: g.Name, Members: want, Pending: pending}})
			continue
		}
		d.plan.GroupLinks[g.ID] = team.ID
		ref := func() *TeamRef { return &TeamRef{OktaGroupID: g.ID, ClickUpTeamID: team.ID, Name: g.Name} }
		if team.DisplayName != g.Name {
			d.add(Entry{Action: ActionRenameTeam, User: g.Name, Field: "displayName", From: team.DisplayName, To: g.Name,
				Reason: "Okta group " + g.ID + " was renamed", Team: ref()})
		}
		d.memberChanges(g, team, want, pending, members, ref)
	}

	if !opt.DeleteUnpushedTeams {
		return
	}
	var gone []string
	for g := range opt.GroupLinks {
		if !pushed[g] {
			gone = append(gone, g)
		}
	}
	sort.Strings(gone)
	for _, g := range gone {
		if t := byID[opt.GroupLinks[g]]; t != nil {
			d.add(Entry{Action: ActionDeleteTeam, User: t.DisplayName, Field: "team", From: "pushed", To: "deleted",
				Reason: "Okta group " + g + " is no longer pushed (SYNC_DELETE_UNPUSHED_TEAMS)",
				Team:   &TeamRef{OktaGroupID: g, ClickUpTeamID: t.ID, Name: t.DisplayName}})
		}
	}
}

// scopedTeams plans the Team memberships of the given users only: each pushed group arrives with
// the given users who are its members, and each linked Team as read by id. A group without a
// linked Team is left to the next full run, which creates it.
func (d *differ) scopedTeams(desired Desired, actual Actual, opt Options) {
	if len(desired.Groups) == 0 {
		return
	}
	members := d.memberResolver()
	teams := make(map[string]*ClickUpTeam, len(actual.Teams))
	for i := range actual.Teams {
		teams[actual.Teams[i].ID] = &actual.Teams[i]
	}
	inScope := make(map[string]bool) // ClickUp ids of the given users
	for _, c := range d.plan.Links {
		inScope[c] = true
	}
	d.plan.GroupLinks = make(map[string]string)
	groups := append([]OktaGroup(nil), desired.Groups...)
	sort.Slice(groups, func(i, j int) bool { return groups[i].ID < groups[j].ID })
	for _, g := range groups {
		team := teams[opt.GroupLinks[g.ID]]
		if team == nil {
			continue
		}
		d.plan.GroupLinks[g.ID] = team.ID
		if g.Name == "" {
			g.Name = team.DisplayName // a user's group listing gives ids; the Team names the change
		}
		want, pending := members.of(g)
		// Only the given users' memberships: the Team's other members are not this run's.
		scoped := *team
		scoped.Members = slices.DeleteFunc(append([]string(nil), team.Members...), func(m string) bool { return !inScope[m] })
		ref := func() *TeamRef { return &TeamRef{OktaGroupID: g.ID, ClickUpTeamID: team.ID, Name: team.DisplayName} }
		d.memberChanges(g, &scoped, want, pending, members, ref)
	}
}

func (d *differ) memberChanges(g OktaGroup, team *ClickUpTeam, want, pending []string, r memberResolver, ref func() *TeamRef) {
	// Sorted slices searched rather than sets: a Team can have thousands of members, and there
	// are as many Teams to compare as pushed groups. want is sorted and has no repeats.
	removed := append([]string(nil), team.Members...)
	sort.Strings(removed)
	for _, m := range want {
		if !sortedHas(removed, m) {
			e := Entry{Action: ActionUpdateTeamMembers, ClickUpUserID: m, OktaUserID: r.oktaOf(m), User: r.label(m),
				Field: "team " + g.Name, To: "member", Reason: "member of Okta group " + g.ID, Team: ref()}
			d.add(e)
		}
	}
	for _, o := range pending {
		d.add(Entry{Action: ActionUpdateTeamMembers, OktaUserID: o, User: r.oktaLabel(o),
			Field: "team " + g.Name, To: "member", Reason: "member of Okta group " + g.ID + "; added once created", Team: ref()})
	}
	var inGroup map[string]bool // built for the first member removed, which a steady run has none of
	for _, m := range removed {
		if sortedHas(want, m) {
			continue
		}
		if inGroup == nil {
			inGroup = make(map[string]bool, len(g.Members))
			for _, o := range g.Members {
				inGroup[o] = true
			}
		}
		o := r.oktaOf(m)
		reason := "no longer entitled or not active in ClickUp"
		if !inGroup[o] {
			reason = "not in Okta group " + g.ID
			// Okta is the source of truth for pushed groups: a member it does not have was
			// added by hand, and the drift is reported on its own line.
			d.add(Entry{Action: ActionTeamMemberDrift, ClickUpUserID: m, OktaUserID: o, User: r.label(m),
				Field: "team " + g.Name, From: "member", Reason: "added in ClickUp, not a member of the Okta group; removed"})
		}
		t := ref()
		t.Remove = true
		d.add(Entry{Action: ActionUpdateTeamMembers, ClickUpUserID: m, OktaUserID: o, User: r.label(m),
			Field: "team " + g.Name, From: "member", Reason: reason, Team: t})
	}
}

func sortedHas(sorted []string, v string) bool {
	i := sort.SearchStrings(sorted, v)
	return i < len(sorted) && sorted[i] == v
}

// memberResolver answers who of a group belongs in its Team, from the matching and the plan.
type memberResolver struct {
	m       *matcher
	active  []bool            // per ClickUp user: active once the plan is applied
	created map[string]bool   // Okta ids this plan creates
	links   map[string]string // Okta id -> ClickUp id
}

func (d *differ) memberResolver() memberResolver {
	m := d.m
	r := memberResolver{m: m, active: make([]bool, len(m.clickup)), created: map[string]bool{}, links: d.plan.Links}
	for c := range m.clickup {
		r.active[c] = m.clickup[c].Active
	}
	for _, e := range d.plan.Entries {
		switch e.Action {
		case ActionCreateUser:
			r.created[e.OktaUserID] = true
		case ActionReactivate:
			if c, ok := m.clickupByID[e.ClickUpUserID]; ok {
				r.active[c] = true
			}
		case ActionDeactivate:
			if c, ok := m.clickupByID[e.ClickUpUserID]; ok {
				r.active[c] = false
			}
		}
	}
	return r
}

// of returns the ClickUp ids of the group's members that belong in its Team, and the Okta ids
// of members this plan creates.
func (r memberResolver) of(g OktaGroup) (want, pending []string) {
	for _, o := range g.Members {
		if u := r.oktaUser(o); u == nil || !u.Entitled() {
			continue // a member not assigned the app is not pushed, as in Okta
		}
		if c, ok := r.links[o]; ok && r.isActive(c) {
			want = append(want, c)
		} else if r.created[o] {
			pending = append(pending, o)
		}
	}
	sort.Strings(want)
	sort.Strings(pending)
	return slices.Compact(want), pending
}

func (r memberResolver) isActive(clickupID string) bool {
	c, ok := r.m.clickupByID[clickupID]
	return ok && r.active[c]
}

// oktaUser returns the Okta user with this id, or nil.
func (r memberResolver) oktaUser(id string) *OktaUser {
	okta := r.m.okta
	i := sort.Search(len(okta), func(i int) bool { return okta[i].ID >= id })
	if i == len(okta) || okta[i].ID != id {
		return nil
	}
	return &okta[i]
}

func (r memberResolver) oktaLabel(id string) string {
	if u := r.oktaUser(id); u != nil {
		return u.Login
	}
	return ""
}

// oktaOf returns the id of the Okta user matched to this ClickUp user, or "".
func (r memberResolver) oktaOf(clickupID string) string {
	c, ok := r.m.clickupByID[clickupID]
	if !ok || r.m.claimedBy[c] == noOne {
		return ""
	}
	o := r.m.claimedBy[c]
	if r.m.matches[o].kind == ambiguous { // claimed, then contested by another Okta user
		return ""
	}
	return r.m.okta[o].ID
}

func (r memberResolver) label(clickupID string) string {
	if c, ok := r.m.clickupByID[clickupID]; ok && r.m.clickup[c].UserName != "" {
		return r.m.clickup[c].UserName
	}
	return clickupID
}
