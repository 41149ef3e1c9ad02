package sync

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"golang.org/x/sync/errgroup"
)

// applyTeams carries out the team entries once every user write is done, so a user created in
// this run can join its Teams. Each Team's entries run in order (create or rename before
// membership, as Okta's own push does); different Teams run concurrently.
func applyTeams(ctx context.Context, tw TeamWorkspace, entries []Entry, n int, j *journal) {
	created := make(map[string]string) // Okta user id -> ClickUp id, from this run's creates
	byTeam := make(map[string][]int)
	var order []string
	for i := range entries {
		e := &entries[i]
		if e.Action == ActionCreateUser && e.Outcome == OutcomeApplied {
			created[e.OktaUserID] = e.ClickUpUserID
		}
		if !e.Action.isTeam() || e.Outcome != OutcomePlanned {
			continue
		}
		k := e.Team.OktaGroupID
		if _, ok := byTeam[k]; !ok {
			order = append(order, k)
		}
		byTeam[k] = append(byTeam[k], i)
	}
	var g errgroup.Group
	g.SetLimit(n)
	for _, k := range order {
		if ctx.Err() != nil {
			break
		}
		g.Go(func() error {
			if ctx.Err() == nil {
				t := teamApply{tw: tw, entries: entries, created: created, j: j}
				// A panic fails the Team's entries that had not finished, not the process.
				if p := j.recover(func() { t.apply(sendContext(ctx), byTeam[k]) }); p != nil {
					for _, i := range byTeam[k] {
						if entries[i].Outcome == OutcomePlanned {
							entries[i].Outcome, entries[i].Error = OutcomeFailed, p.Error()
							j.done(i)
						}
					}
				}
			}
			return nil
		})
	}
	_ = g.Wait() // outcomes are in the entries
}

// teamApply applies the entries of one Team.
type teamApply struct {
	tw      TeamWorkspace
	entries []Entry
	created map[string]string
	j       *journal
}

// finish records the outcome of entry i, unless the journal refused to let it start.
func (t teamApply) finish(i int, err error) {
	e := &t.entries[i]
	if err != nil {
		e.Outcome, e.Error = OutcomeFailed, err.Error()
	} else {
		e.Outcome = OutcomeApplied
	}
	t.j.done(i)
}

func (t teamApply) apply(ctx context.Context, idx []int) {
	var teamID string
	var members []int
	for _, i := range idx {
		e := &t.entries[i]
		if e.Action == ActionUpdateTeamMembers {
			teamID = e.Team.ClickUpTeamID
			members = append(members, i)
			continue
		}
		if t.j.start(i) != nil {
			t.j.done(i)
			continue
		}
		switch e.Action {
		case ActionCreateTeam:
			ids := append([]string(nil), e.Team.Members...)
			for _, o := range e.Team.Pending {
				if c := t.created[o]; c != "" {
					ids = append(ids, c)
				}
			}
			created, err := t.tw.CreateTeam(ctx, e.Team.Name, ids)
			if err == nil {
				e.Team.ClickUpTeamID, teamID = created.ID, created.ID
			}
			t.finish(i, wrapTeam("create team", e.Team.Name, err))
		case ActionRenameTeam:
			teamID = e.Team.ClickUpTeamID
			t.finish(i, wrapTeam("rename team", e.Team.ClickUpTeamID, t.tw.RenameTeam(ctx, e.Team.ClickUpTeamID, e.Team.Name)))
		case ActionDeleteTeam:
			t.finish(i, wrapTeam("delete team", e.Team.ClickUpTeamID, t.tw.DeleteTeam(ctx, e.Team.ClickUpTeamID)))
		}
	}
	if len(members) > 0 {
		t.updateMembers(ctx, teamID, members)
	}
}

// updateMembers makes one call for all of a Team's member changes; the adapter splits it into
// requests the service accepts.
func (t teamApply) updateMembers(ctx context.Context, teamID string, members []int) {
	var add, remove []string
	var ready []int
	for _, i := range members {
		e := &t.entries[i]
		id := e.ClickUpUserID
		if id == "" {
			if id = t.created[e.OktaUserID]; id == "" {
				t.finish(i, errors.New("not added: the user was not created"))
				continue
			}
			e.ClickUpUserID = id
		}
		if t.j.start(i) != nil {
			t.j.done(i)
			continue
		}
		if e.Team.Remove {
			remove = append(remove, id)
		} else {
			add = append(add, id)
		}
		ready = append(ready, i)
	}
	if len(ready) == 0 {
		return
	}
	sort.Strings(add)
	sort.Strings(remove)
	err := wrapTeam("update members of team", teamID, t.tw.UpdateTeamMembers(ctx, teamID, add, remove))
	for _, i := range ready {
		t.finish(i, err)
	}
}

func wrapTeam(op, team string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s %s: %w", op, team, err)
}
