package sync

import (
	"context"
	"errors"
	"fmt"
	"sort"
	gosync "sync"
)

// applyTeams carries out the team entries once every user write is done, so a user created in
// this run can join its Teams. Each Team's entries run in order (create or rename before
// membership, as Okta's own push does); different Teams run concurrently.
func applyTeams(ctx context.Context, tw TeamWorkspace, entries []Entry, n int, done func(*Entry)) {
	created := make(map[string]string) // Okta user id -> ClickUp id, from this run's creates
	byTeam := make(map[string][]*Entry)
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
		byTeam[k] = append(byTeam[k], e)
	}
	var (
		wg  gosync.WaitGroup
		sem = make(chan struct{}, n)
	)
	for _, k := range order {
		select {
		case <-ctx.Done():
		case sem <- struct{}{}:
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func(es []*Entry) {
			defer wg.Done()
			defer func() { <-sem }()
			applyTeam(context.WithoutCancel(ctx), tw, es, created, done)
		}(byTeam[k])
	}
	wg.Wait()
}

func applyTeam(ctx context.Context, tw TeamWorkspace, es []*Entry, created map[string]string, done func(*Entry)) {
	finish := func(e *Entry, err error) {
		if err != nil {
			e.Outcome, e.Error = OutcomeFailed, err.Error()
		} else {
			e.Outcome = OutcomeApplied
		}
		done(e)
	}
	var teamID string
	var members []*Entry
	for _, e := range es {
		switch e.Action {
		case ActionCreateTeam:
			ids := append([]string(nil), e.Team.Members...)
			for _, o := range e.Team.Pending {
				if c := created[o]; c != "" {
					ids = append(ids, c)
				}
			}
			t, err := tw.CreateTeam(ctx, e.Team.Name, ids)
			if err == nil {
				e.Team.ClickUpTeamID, teamID = t.ID, t.ID
			}
			finish(e, wrapTeam("create team", e.Team.Name, err))
		case ActionRenameTeam:
			teamID = e.Team.ClickUpTeamID
			finish(e, wrapTeam("rename team", e.Team.ClickUpTeamID, tw.RenameTeam(ctx, e.Team.ClickUpTeamID, e.Team.Name)))
		case ActionDeleteTeam:
			finish(e, wrapTeam("delete team", e.Team.ClickUpTeamID, tw.DeleteTeam(ctx, e.Team.ClickUpTeamID)))
		case ActionUpdateTeamMembers:
			teamID = e.Team.ClickUpTeamID
			members = append(members, e)
		}
	}
	if len(members) == 0 {
		return
	}
	var add, remove []string
	var ready []*Entry
	for _, e := range members {
		id := e.ClickUpUserID
		if id == "" {
			id = created[e.OktaUserID]
			if id == "" {
				finish(e, errors.New("not added: the user was not created"))
				continue
			}
			e.ClickUpUserID = id
		}
		if e.Team.Remove {
			remove = append(remove, id)
		} else {
			add = append(add, id)
		}
		ready = append(ready, e)
	}
	if len(ready) == 0 {
		return
	}
	sort.Strings(add)
	sort.Strings(remove)
	// One call per Team; the adapter splits it into requests the service accepts.
	err := wrapTeam("update members of team", teamID, tw.UpdateTeamMembers(ctx, teamID, add, remove))
	for _, e := range ready {
		finish(e, err)
	}
}

func wrapTeam(op, team string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s %s: %w", op, team, err)
}
