package sync

import "sort"

// Action is the kind of a plan entry. Write actions change ClickUp; the others report drift or a
// reason for not writing.
type Action string

const (
	ActionCreateUser          Action = "create_user"
	ActionUpdateRole          Action = "update_role"
	ActionReactivate          Action = "reactivate"
	ActionDeactivate          Action = "deactivate"
	ActionProfileDriftIgnored Action = "profile_drift_ignored"
	ActionUnmanagedUser       Action = "unmanaged_user"
	ActionInvalidRole         Action = "invalid_role"
	ActionAmbiguousMatch      Action = "ambiguous_match"
	ActionProtected           Action = "protected"
	ActionCreateTeam          Action = "create_team"
	ActionRenameTeam          Action = "rename_team"
	ActionUpdateTeamMembers   Action = "update_team_members"
	ActionDeleteTeam          Action = "delete_team"
	ActionTeamMemberDrift     Action = "team_member_drift"
)

// actionOrder is the order of a plan: writes first, in the order they are safest to apply (new
// access before lost access), then the entries an admin should read.
var actionOrder = map[Action]int{
	ActionCreateUser:          0,
	ActionReactivate:          1,
	ActionUpdateRole:          2,
	ActionDeactivate:          3,
	ActionCreateTeam:          4,
	ActionRenameTeam:          5,
	ActionUpdateTeamMembers:   6,
	ActionDeleteTeam:          7,
	ActionInvalidRole:         8,
	ActionAmbiguousMatch:      9,
	ActionProtected:           10,
	ActionUnmanagedUser:       11,
	ActionTeamMemberDrift:     12,
	ActionProfileDriftIgnored: 13,
}

// Known reports whether a is one of the actions a plan can hold.
func (a Action) Known() bool {
	_, ok := actionOrder[a]
	return ok
}

// IsWrite reports whether the action changes ClickUp.
func (a Action) IsWrite() bool {
	switch a {
	case ActionCreateUser, ActionUpdateRole, ActionReactivate, ActionDeactivate,
		ActionCreateTeam, ActionRenameTeam, ActionUpdateTeamMembers, ActionDeleteTeam:
		return true
	}
	return false
}

// isTeam reports whether the action writes a Team; those run after every user write.
func (a Action) isTeam() bool {
	switch a {
	case ActionCreateTeam, ActionRenameTeam, ActionUpdateTeamMembers, ActionDeleteTeam:
		return true
	}
	return false
}

// IsFailure reports whether the entry alone makes the run fail: something Okta asks for cannot be
// done until an admin fixes the data.
func (a Action) IsFailure() bool {
	return a == ActionInvalidRole || a == ActionAmbiguousMatch
}

// Outcome is what became of an entry.
type Outcome string

const (
	OutcomePlanned Outcome = "planned"
	OutcomeApplied Outcome = "applied"
	OutcomeFailed  Outcome = "failed"
	OutcomeHeld    Outcome = "held"
	OutcomeIgnored Outcome = "ignored"
	// OutcomeUnknown is a write whose request was sent (or about to be) but whose result was
	// never recorded: the process died in between. The next run's fresh read settles it.
	OutcomeUnknown Outcome = "unknown"
)

// Entry is one line of a plan: a change to make, or a difference that is reported but not written.
type Entry struct {
	Action        Action  `json:"action"`
	OktaUserID    string  `json:"okta_user_id,omitempty"`
	ClickUpUserID string  `json:"clickup_user_id,omitempty"`
	User          string  `json:"user"`
	Field         string  `json:"field,omitempty"`
	From          string  `json:"from,omitempty"`
	To            string  `json:"to,omitempty"`
	Reason        string  `json:"reason,omitempty"`
	Outcome       Outcome `json:"outcome"`
	Error         string  `json:"error,omitempty"`

	// What Apply needs; not part of the rendered plan.
	NewUser *NewUser     `json:"-"` // create_user
	Target  *ClickUpUser `json:"-"` // update_role, reactivate: the user as listed
	Role    *Role        `json:"-"` // update_role, reactivate: the role to set
	Team    *TeamRef     `json:"-"` // team actions
}

// TeamRef is what a team entry needs to be applied.
type TeamRef struct {
	OktaGroupID   string
	ClickUpTeamID string // empty until create_team succeeds
	Name          string
	// create_team: members known when planning, and Okta ids of users this run creates.
	Members []string
	Pending []string
	// update_team_members: whether the entry's member is removed (else added).
	Remove bool
}

// Plan is the ordered list of entries for one run. It is data: rendering and applying it never
// re-read either side.
type Plan struct {
	Entries []Entry `json:"entries"`
	// Links maps each matched Okta user id to its ClickUp user id, for the store to keep.
	Links map[string]string `json:"-"`
	// GroupLinks maps each matched Okta group id to its ClickUp team id.
	GroupLinks map[string]string `json:"-"`
	// Vanished maps Okta user ids to stored links whose ClickUp user no longer exists; those
	// users were matched again (or not) without the link.
	Vanished map[string]string `json:"-"`
}

// AppliedLinks returns Links plus the users this plan created, once applied.
func (p Plan) AppliedLinks() map[string]string {
	out := make(map[string]string, len(p.Links))
	for o, c := range p.Links {
		out[o] = c
	}
	for _, e := range p.Entries {
		if e.Action == ActionCreateUser && e.Outcome == OutcomeApplied && e.ClickUpUserID != "" {
			out[e.OktaUserID] = e.ClickUpUserID
		}
	}
	return out
}

// AppliedGroupLinks returns GroupLinks plus the Teams this plan created, once applied.
func (p Plan) AppliedGroupLinks() map[string]string {
	out := make(map[string]string, len(p.GroupLinks))
	for o, c := range p.GroupLinks {
		out[o] = c
	}
	for _, e := range p.Entries {
		if e.Action == ActionCreateTeam && e.Outcome == OutcomeApplied && e.Team != nil && e.Team.ClickUpTeamID != "" {
			out[e.Team.OktaGroupID] = e.Team.ClickUpTeamID
		}
	}
	return out
}

// withEntries returns a plan with the same links and these entries.
func (p Plan) withEntries(entries []Entry) Plan {
	p.Entries = entries
	return p
}

func (p *Plan) sort() {
	sort.SliceStable(p.Entries, func(i, j int) bool {
		a, b := &p.Entries[i], &p.Entries[j] // not copies: an Entry is ~200 bytes, and a first run sorts 100,000
		if actionOrder[a.Action] != actionOrder[b.Action] {
			return actionOrder[a.Action] < actionOrder[b.Action]
		}
		if a.User != b.User {
			return a.User < b.User
		}
		if a.ClickUpUserID != b.ClickUpUserID {
			return a.ClickUpUserID < b.ClickUpUserID
		}
		return a.Field < b.Field
	})
}

// Writes returns the number of entries that change ClickUp.
func (p Plan) Writes() int {
	n := 0
	for _, e := range p.Entries {
		if e.Action.IsWrite() {
			n++
		}
	}
	return n
}

// Summary counts entries by action and by outcome.
type Summary struct {
	Actions  map[Action]int  `json:"actions"`
	Outcomes map[Outcome]int `json:"outcomes"`
	Writes   int             `json:"writes"`
	Failures int             `json:"failures"`
}

// Summarize counts the plan's entries.
func (p Plan) Summarize() Summary {
	s := Summary{Actions: map[Action]int{}, Outcomes: map[Outcome]int{}}
	for _, e := range p.Entries {
		s.Actions[e.Action]++
		s.Outcomes[e.Outcome]++
		if e.Action.IsWrite() {
			s.Writes++
		}
		if e.Outcome == OutcomeFailed {
			s.Failures++
		}
	}
	return s
}
