package sync

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Desired is the state Okta asks for.
type Desired struct {
	Users []OktaUser
	// Groups are the pushed Okta groups with their members.
	Groups []OktaGroup
}

// Actual is the state ClickUp is in.
type Actual struct {
	Users []ClickUpUser
	// CustomRoles is the Workspace's custom role catalogue; nil when it was not read (no REST
	// token). Without it, custom roles are passed through as given and ClickUp validates them.
	CustomRoles []CustomRole
	// OwnerID is the Workspace owner's ClickUp id, when known.
	OwnerID string
	// Teams are the Workspace's SCIM groups; read only when groups are pushed.
	Teams []ClickUpTeam
}

// Options are the planner's settings.
type Options struct {
	// Protected lists emails or ClickUp ids that are never written.
	Protected []string
	// Links maps Okta user ids to ClickUp user ids, from the store.
	Links map[string]string
	// GroupLinks maps Okta group ids to ClickUp team ids, from the store.
	GroupLinks map[string]string
	// DeleteUnpushedTeams deletes the Team of a group that was pushed (it has a group link) and
	// no longer is.
	DeleteUnpushedTeams bool
	// Scoped plans only the Okta users given and the ClickUp users read for them, as an
	// on-demand or event run does (DESIGN.md §10): ClickUp users no given Okta user matched are
	// someone else's business (no unmanaged_user), and Teams change only in these users'
	// memberships, never by create, rename or delete.
	Scoped bool
	// CarryRole, when set, returns a resolved role as the Workspace will hold it once written,
	// or an error when it cannot hold it (RoleCarrier): the planner compares and writes that,
	// so a role the service cannot store becomes invalid_role instead of a write every run.
	CarryRole func(Role) (Role, error)
	// OrgExternalIDs holds externalIds shaped like Okta user ids that are not in the listing,
	// checked against the Okta org (GET /api/v1/users/{id}): true when the org has that user,
	// false when it answered 404 (the id came from another org). See Plan.Unverified.
	OrgExternalIDs map[string]bool
}

// Diff computes the plan that makes actual match desired, following the rules of DESIGN.md §6.
// It is pure: the same inputs always give the same plan, in the same order. It never changes
// desired or actual, but the plan may point into actual.Users (Entry.Target) rather than copy
// them, so the caller must not change actual.Users while the plan is in use.
//
// When the plan depends on whether an externalId belongs to this Okta org, it says so in
// Plan.Unverified: the caller checks those ids and plans again with Options.OrgExternalIDs.
func Diff(desired Desired, actual Actual, opt Options) Plan {
	okta := sortedByID(desired.Users)
	m := matchUsers(okta, actual.Users, opt)
	d := differ{
		carry:     opt.CarryRole,
		catalogue: actual.CustomRoles,
		protected: identityKeys(opt.Protected...),
		ownerID:   actual.OwnerID,
		m:         m,
	}
	d.plan.Links = make(map[string]string, len(okta))
	for o, c := range opt.Links {
		if _, ok := m.clickupByID[c]; !ok {
			if d.plan.Vanished == nil {
				d.plan.Vanished = make(map[string]string)
			}
			d.plan.Vanished[o] = c
		}
	}
	for o := range okta {
		mt := m.matches[o]
		if mt.user != nil {
			d.plan.Links[okta[o].ID] = mt.user.ID
		}
		d.user(okta[o], mt)
	}
	for c := range actual.Users {
		if !m.considered[c] && !opt.Scoped {
			d.unmatched(c)
		}
	}
	if opt.Scoped {
		d.scopedTeams(desired, actual, opt)
	} else {
		d.teams(desired, actual, opt)
	}
	d.plan.Unverified = m.unverifiedIDs()
	d.plan.sort()
	return d.plan
}

// sortedByID returns users in id order, copied only when they are not in it already: the Okta
// adapter lists them sorted, and a copy is 16 MB at 100,000 users. Repeated ids are copied and
// sorted too, so their order is the one sort.Slice gives them.
func sortedByID(users []OktaUser) []OktaUser {
	for i := 1; i < len(users); i++ {
		if users[i-1].ID >= users[i].ID {
			okta := append([]OktaUser(nil), users...)
			sort.Slice(okta, func(i, j int) bool { return okta[i].ID < okta[j].ID })
			return okta
		}
	}
	return users
}

type differ struct {
	carry     func(Role) (Role, error)
	catalogue []CustomRole
	protected []string
	ownerID   string
	m         *matcher
	plan      Plan
}

func (d *differ) add(e Entry) {
	switch {
	case e.Action.IsWrite():
		e.Outcome = OutcomePlanned
	case e.Action.IsFailure():
		e.Outcome = OutcomeFailed
	default:
		e.Outcome = OutcomeIgnored
	}
	d.plan.Entries = append(d.plan.Entries, e)
}

// protectedReason says why u must never be written, or "" when it may be.
func (d *differ) protectedReason(u *ClickUpUser) string {
	if u.ID == d.ownerID || u.Role.Base == RoleOwner {
		return "Workspace owner"
	}
	for _, k := range identityKeys(u.ID, u.UserName, u.Email) {
		if containsString(d.protected, k) {
			return "protected user (SYNC_PROTECTED_USERS)"
		}
	}
	return ""
}

func (d *differ) user(o OktaUser, m match) {
	label := o.Login
	if label == "" {
		label = o.Email
	}
	if m.kind == ambiguous {
		if !o.Entitled() && !d.anyActive(m.candidates) {
			return // nothing would be written whichever candidate is the right one
		}
		d.add(Entry{
			Action: ActionAmbiguousMatch, OktaUserID: o.ID, User: label,
			Reason: "several ClickUp users match (ids " + strings.Join(m.candidates, ", ") + "); fix the duplicate in ClickUp or link the user by externalId",
		})
		return
	}
	u := m.user
	if !o.Entitled() {
		if u == nil {
			return
		}
		deactivate := Entry{
			Action: ActionDeactivate, OktaUserID: o.ID, ClickUpUserID: u.ID, User: label,
			Field: "active", From: "true", To: "false", Reason: notEntitledReason(o),
		}
		switch {
		case u == nil || !u.Active:
		case m.managed() || d.protectedReason(u) != "":
			d.write(u, deactivate) // a protected account shows what was skipped
		default:
			d.notManaged(u, notEntitledReason(o)+", but the account was not created from Okta (no externalId of this org, no stored link); left as is")
		}
		return
	}

	role, err := d.resolve(o)
	if err == nil && d.carry != nil {
		role, err = d.carry(role)
	}
	if err != nil {
		if u != nil && d.protectedReason(u) != "" && strings.EqualFold(strings.TrimSpace(o.Role), string(RoleOwner)) && u.Role.Base == RoleOwner {
			return // Okta agrees the owner is the owner; nothing to say.
		}
		e := Entry{Action: ActionInvalidRole, OktaUserID: o.ID, User: label, Field: "role", To: rawRole(o), Reason: err.Error()}
		if u != nil {
			e.ClickUpUserID = u.ID
		}
		d.add(e)
		return
	}

	if u == nil {
		d.add(Entry{
			Action: ActionCreateUser, OktaUserID: o.ID, User: label, Field: "role", To: role.String(),
			Reason: "assigned in Okta, not in ClickUp",
			NewUser: &NewUser{
				ExternalID: o.ID, UserName: o.Login, Email: o.Email,
				GivenName: o.FirstName, FamilyName: o.LastName, Role: role,
			},
		})
		return
	}

	d.profileDrift(o, u, label)
	switch {
	case !u.Active:
		e := Entry{
			Action: ActionReactivate, OktaUserID: o.ID, ClickUpUserID: u.ID, User: label,
			Field: "active", From: "false", To: "true", Reason: "assigned in Okta again",
			Target: u, Role: rolePtr(role),
		}
		if !sameRole(role, u.Role) {
			e.Field, e.From, e.To = "active,role", "false,"+u.Role.String(), "true,"+role.String()
		}
		d.write(u, e)
	case !sameRole(role, u.Role):
		d.write(u, Entry{
			Action: ActionUpdateRole, OktaUserID: o.ID, ClickUpUserID: u.ID, User: label,
			Field: "role", From: u.Role.String(), To: role.String(), Reason: "role changed in Okta",
			Target: u, Role: rolePtr(role),
		})
	}
}

func (d *differ) anyActive(ids []string) bool {
	for _, id := range ids {
		if c, ok := d.m.clickupByID[id]; ok && d.m.clickup[c].Active {
			return true
		}
	}
	return false
}

// write adds e, or a protected entry in its place when u must not be written.
func (d *differ) write(u *ClickUpUser, e Entry) {
	if why := d.protectedReason(u); why != "" {
		e.Reason = why + ": " + string(e.Action) + " skipped"
		e.Action, e.NewUser, e.Target, e.Role = ActionProtected, nil, nil, nil
	}
	d.add(e)
}

// profileDrift reports, without writing, every profile field that differs: after creation only
// the role is pushed, so a name or email changed on either side stays as it is in ClickUp.
func (d *differ) profileDrift(o OktaUser, u *ClickUpUser, label string) {
	drift := func(field, have, want string) {
		if drifts(have, want) {
			d.add(Entry{
				Action: ActionProfileDriftIgnored, OktaUserID: o.ID, ClickUpUserID: u.ID, User: label,
				Field: field, From: have, To: want, Reason: "only the role is pushed after creation",
			})
		}
	}
	drift("userName", u.UserName, o.Login)
	drift("email", u.Email, o.Email)
	// The names are joined to be compared, and joined again only to be kept: joining them for
	// the entry alone would allocate twice for every one of 100,000 users.
	if drifts(strings.TrimSpace(u.GivenName+" "+u.FamilyName), o.DisplayName()) {
		drift("name", strings.TrimSpace(u.GivenName+" "+u.FamilyName), o.DisplayName())
	}
}

func drifts(have, want string) bool {
	return want != "" && !strings.EqualFold(strings.TrimSpace(have), strings.TrimSpace(want))
}

// rolePtr returns a pointer to a copy of r, so that only the entries that keep a role allocate
// one, not every user planned.
func rolePtr(r Role) *Role {
	return &r
}

// unmatched handles ClickUp user c, which no Okta app user matched: no longer assigned in Okta
// when it is managed, else someone else's account.
func (d *differ) unmatched(c int) {
	u := &d.m.clickup[c]
	if !u.Active {
		return
	}
	managed, oktaID, _ := d.m.managedWithoutMatch(c)
	if !managed {
		d.notManaged(u, "active in ClickUp, not assigned in Okta, and not created from Okta; left as is")
		return
	}
	d.write(u, Entry{
		Action: ActionDeactivate, ClickUpUserID: u.ID, OktaUserID: oktaID, User: u.UserName,
		Field: "active", From: "true", To: "false", Reason: "no longer assigned in Okta",
		// Absent from the listing is what a short or wrong listing also looks like: the
		// deactivation waits for an independent read to agree (DESIGN.md §7).
		Confirm: true,
	})
}

// notManaged reports an active account this product does not own, and never writes it. One whose
// externalId came from another system says so in the reason, as the drift log's vocabulary has it.
func (d *differ) notManaged(u *ClickUpUser, why string) {
	if d.protectedReason(u) != "" {
		return // never written either way; the owner is not drift
	}
	e := Entry{Action: ActionUnmanagedUser, ClickUpUserID: u.ID, User: u.UserName, Reason: why}
	if ext := u.ExternalID; ext != "" && d.m.foreign(ext) {
		e.Field, e.From, e.Reason = "externalId", ext, ReasonForeignExternalID
	}
	d.add(e)
}

func notEntitledReason(o OktaUser) string {
	return fmt.Sprintf("not entitled in Okta (app user %s, user %s)", o.AppStatus, o.UserStatus)
}

func rawRole(o OktaUser) string {
	switch {
	case o.CustomRoleID != "":
		return "customRoleId " + o.CustomRoleID
	case o.CustomRoleName != "":
		return "customRoleName " + o.CustomRoleName
	default:
		return o.Role
	}
}

// resolve applies customRoleId > customRoleName > role > member.
func (d *differ) resolve(o OktaUser) (Role, error) {
	id, name := strings.TrimSpace(o.CustomRoleID), strings.TrimSpace(o.CustomRoleName)
	switch {
	case id != "":
		if d.catalogue == nil {
			return Role{CustomRoleID: id}, nil
		}
		for _, r := range d.catalogue {
			if r.ID == id {
				return Role{Base: r.InheritedRole, CustomRoleID: r.ID, CustomRoleName: r.Name}, nil
			}
		}
		return Role{}, fmt.Errorf("custom role id %s does not exist in ClickUp", id)
	case name != "":
		if d.catalogue == nil {
			return Role{CustomRoleName: name}, nil
		}
		r, err := FindCustomRole(d.catalogue, name)
		switch {
		case errors.Is(err, ErrNoSuchCustomRole):
			return Role{}, fmt.Errorf("custom role %q does not exist in ClickUp (renamed?); map customRoleId instead of customRoleName", name)
		case err != nil:
			return Role{}, fmt.Errorf("custom role name %q is used by several ClickUp roles; map customRoleId instead", name)
		}
		return Role{Base: r.InheritedRole, CustomRoleID: r.ID, CustomRoleName: r.Name}, nil
	}
	base, err := ParseBaseRole(o.Role)
	if err != nil {
		return Role{}, err
	}
	return Role{Base: base}, nil
}

// sameRole compares at the precision the desired role was given: by custom role id when Okta
// names one, by custom role name when only that is known, else by built-in role with no custom
// role at all.
func sameRole(want, have Role) bool {
	switch {
	case want.CustomRoleID != "":
		return want.CustomRoleID == have.CustomRoleID
	case want.CustomRoleName != "":
		return strings.EqualFold(want.CustomRoleName, have.CustomRoleName)
	default:
		hb := have.Base
		if hb == "" {
			hb = RoleMember
		}
		return !have.IsCustom() && want.Base == hb
	}
}
