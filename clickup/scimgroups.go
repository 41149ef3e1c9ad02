package clickup

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

const schemaGroup = "urn:ietf:params:scim:schemas:core:2.0:Group"

// MaxGroupChanges is the most membership changes one request carries: a create's members, or a
// PATCH's removed plus added members. ClickUp publishes no limit; 100 is its batch size elsewhere
// (the REST and SCIM page cap), and the fake enforces it, so a client that ignores it fails in
// tests rather than against a Workspace that has a limit.
const MaxGroupChanges = 100

var _ core.TeamWorkspace = (*SCIMClient)(nil)

func (c *SCIMClient) groupList() resourceList[groupRead] {
	return resourceList[groupRead]{
		path: "/Groups", noun: "group", decode: decodeGroup,
		id: func(g groupRead) string { return g.ID },
	}
}

// ListTeams returns every SCIM group of the Workspace in listing order, read as strictly and in
// the same way as ListUsers: any doubt about any page fails the listing and returns no teams.
func (c *SCIMClient) ListTeams(ctx context.Context) ([]core.ClickUpTeam, error) {
	l, err := listAll(ctx, c, c.groupList(), "")
	if err != nil {
		return nil, fmt.Errorf("list teams: %w", err)
	}
	c.keepGroups(l.items, true)
	teams := make([]core.ClickUpTeam, len(l.items))
	for i, g := range l.items {
		teams[i] = g.ClickUpTeam
	}
	return teams, nil
}

// CreateTeam creates a group the way Okta's Group Push does (POST /Groups) and returns it as
// ClickUp answered it. Members beyond MaxGroupChanges are added by UpdateTeamMembers afterwards.
//
// A POST is never sent twice: after an unclear failure (timeout, reset, 5xx) or a 409 the group is
// looked up by displayName, and a single group with exactly this name is taken as the one this
// create made (its answer was lost, or a previous run's was); it then gets the members it lacks.
// Otherwise the POST's error is returned, a 409 still wrapping core.ErrConflict.
func (c *SCIMClient) CreateTeam(ctx context.Context, name string, members []string) (core.ClickUpTeam, error) {
	g, err := c.createTeam(ctx, name, members)
	if err != nil {
		return core.ClickUpTeam{}, fmt.Errorf("create team %q: %w", name, err)
	}
	return g, nil
}

func (c *SCIMClient) createTeam(ctx context.Context, name string, members []string) (core.ClickUpTeam, error) {
	if strings.TrimSpace(name) == "" {
		return core.ClickUpTeam{}, errors.New("displayName is empty")
	}
	if err := checkMemberIDs("member", members, nil); err != nil {
		return core.ClickUpTeam{}, err
	}
	first := members[:min(len(members), MaxGroupChanges)]
	body, err := json.Marshal(groupCreate{Schemas: []string{schemaGroup}, DisplayName: name, Members: memberRefs(first)})
	if err != nil {
		return core.ClickUpTeam{}, err
	}
	// 201 is what RFC 7644 and Okta expect; 200 is tolerated because the body is checked anyway.
	cl := call{method: http.MethodPost, path: "/Groups", body: body, ok: []int{http.StatusCreated, http.StatusOK}}
	r, err := c.ep.do(ctx, cl)
	var g core.ClickUpTeam
	if err == nil {
		doc, err := c.groupAnswer(cl, r, "", "created group")
		if err != nil {
			return core.ClickUpTeam{}, err
		}
		if !doc.membersShown {
			// Okta allows a group answer without members; the 201 says the group was made as sent.
			doc.Members, doc.membersShown = slices.Clone(first), true
		}
		c.keepGroups([]groupRead{doc}, false)
		g = doc.ClickUpTeam
	} else {
		if !errors.Is(err, core.ErrConflict) && !unclear(err) {
			return core.ClickUpTeam{}, err
		}
		found, ferr := c.findGroupByName(ctx, name)
		switch {
		case ferr != nil:
			return core.ClickUpTeam{}, fmt.Errorf("%w; looking the group up afterwards failed too: %w", err, ferr)
		case len(found) == 0:
			return core.ClickUpTeam{}, fmt.Errorf("%w (and no group has displayName %q)", err, name)
		case len(found) > 1:
			return core.ClickUpTeam{}, fmt.Errorf("%w (and %d groups have displayName %q)", err, len(found), name)
		}
		g = found[0]
	}

	// Whatever the answer says the group holds is the starting point, so that an adopted group
	// and a create cut short by the batch limit end the same way: with every member asked for.
	has := make(map[string]bool, len(g.Members))
	for _, m := range g.Members {
		has[m] = true
	}
	var missing []string
	for _, m := range members {
		if !has[m] {
			missing = append(missing, m)
		}
	}
	if len(missing) > 0 {
		if err := c.updateTeamMembers(ctx, g.ID, missing, nil); err != nil {
			return core.ClickUpTeam{}, fmt.Errorf("group %s was created, adding its remaining members failed: %w", g.ID, err)
		}
		g.Members = append(g.Members, missing...)
	}
	return g, nil
}

// findGroupByName returns the groups the filter displayName eq "<name>" answers whose name is
// exactly name. RFC 7643 makes displayName caseExact false, so a server may answer a name that
// differs in case; that is another team, which this client must not take as its own.
func (c *SCIMClient) findGroupByName(ctx context.Context, name string) ([]core.ClickUpTeam, error) {
	lit, err := json.Marshal(name)
	if err != nil {
		return nil, err
	}
	var p listing[groupRead]
	if c.svc.noFilter {
		// The service cannot filter (DESIGN.md §11): the listing is read and searched instead.
		if p, err = listAll(ctx, c, c.groupList(), ""); err != nil {
			return nil, err
		}
		p.items = slices.DeleteFunc(p.items, func(g groupRead) bool { return !strings.EqualFold(g.DisplayName, name) })
		p.total = len(p.items)
	} else {
		enc := strings.ReplaceAll(url.QueryEscape("displayName eq "+string(lit)), "+", "%20")
		p, err = readListPage(ctx, c, c.groupList(), enc, 1, c.pageSize)
		if isStatus(err, http.StatusNotFound) {
			return nil, nil // Okta reads a 404 to a filter as "no such resource"
		}
		if err != nil {
			return nil, err
		}
	}
	if p.total != len(p.items) {
		return nil, c.ep.malformed(p.first, "%d groups have displayName %q but the page holds %d", p.total, name, len(p.items))
	}
	var exact []groupRead
	for _, g := range p.items {
		switch {
		case g.DisplayName == name:
			exact = append(exact, g)
		case !strings.EqualFold(g.DisplayName, name):
			return nil, c.ep.malformed(p.first, "the filter answered group %s with displayName %q", shown(g.ID), shown(g.DisplayName))
		}
	}
	c.keepGroups(exact, false)
	teams := make([]core.ClickUpTeam, len(exact))
	for i, g := range exact {
		teams[i] = g.ClickUpTeam
	}
	return teams, nil
}

// RenameTeam sets the group's displayName with Okta's path-less replace, which carries the id too.
func (c *SCIMClient) RenameTeam(ctx context.Context, id, name string) error {
	if err := c.renameTeam(ctx, id, name); err != nil {
		return fmt.Errorf("rename team %s to %q: %w", id, name, err)
	}
	return nil
}

func (c *SCIMClient) renameTeam(ctx context.Context, id, name string) error {
	switch {
	case id == "":
		return errors.New("team has no id")
	case strings.TrimSpace(name) == "":
		return errors.New("displayName is empty")
	case c.svc.noPatch:
		return c.putGroup(ctx, id, func(g *keptGroup) { g.displayName = name })
	}
	type renameValue struct {
		ID          string `json:"id"`
		DisplayName string `json:"displayName"`
	}
	body, err := json.Marshal(patchRequest{
		Schemas:    []string{schemaPatchOp},
		Operations: []patchItem{{Op: "replace", Value: renameValue{ID: id, DisplayName: name}}},
	})
	if err != nil {
		return err
	}
	cl := c.groupPatch(id, body)
	g, ok, err := c.sendGroupPatch(ctx, cl, id)
	switch {
	case err != nil:
		return err
	case ok && g.DisplayName != name:
		return c.ep.malformed(cl, "answered with displayName %q after asking for %q", shown(g.DisplayName), name)
	}
	return nil
}

// UpdateTeamMembers removes and adds members in PATCH requests of at most MaxGroupChanges changes
// each, removals first and in the order given, so the same input always makes the same requests.
// Each PATCH is safe to resend after an unclear failure: adding a member twice and removing a
// non-member change nothing, which is why the retry layer may treat it as idempotent.
func (c *SCIMClient) UpdateTeamMembers(ctx context.Context, id string, add, remove []string) error {
	if err := c.updateTeamMembers(ctx, id, add, remove); err != nil {
		return fmt.Errorf("update members of team %s: %w", id, err)
	}
	return nil
}

func (c *SCIMClient) updateTeamMembers(ctx context.Context, id string, add, remove []string) error {
	if id == "" {
		return errors.New("team has no id")
	}
	if err := checkMemberIDs("removed member", remove, nil); err != nil {
		return err
	}
	if err := checkMemberIDs("added member", add, remove); err != nil {
		return err
	}
	if c.svc.noPatch {
		return c.putMembers(ctx, id, add, remove)
	}
	for _, b := range memberBatches(add, remove) {
		ops := make([]memberOp, 0, len(b.remove)+1)
		for _, m := range b.remove {
			// The member id goes in as a JSON string literal, so quotes in it cannot end the filter.
			lit, err := json.Marshal(m)
			if err != nil {
				return err
			}
			ops = append(ops, memberOp{Op: "remove", Path: "members[value eq " + string(lit) + "]"})
		}
		if len(b.add) > 0 {
			ops = append(ops, memberOp{Op: "add", Path: "members", Value: memberRefs(b.add)})
		}
		body, err := json.Marshal(memberPatch{Schemas: []string{schemaPatchOp}, Operations: ops})
		if err != nil {
			return err
		}
		cl := c.groupPatch(id, body)
		g, ok, err := c.sendGroupPatch(ctx, cl, id)
		if err != nil {
			return err
		}
		if !ok || g.Members == nil {
			continue // no resource, or members not shown: nothing to check the change against
		}
		for _, m := range b.add {
			if !slices.Contains(g.Members, m) {
				return c.ep.malformed(cl, "answered without member %s after adding it", m)
			}
		}
		for _, m := range b.remove {
			if slices.Contains(g.Members, m) {
				return c.ep.malformed(cl, "answered with member %s after removing it", m)
			}
		}
	}
	return nil
}

// memberPatch is a membership PATCH in Okta's shape, where a remove carries no value at all.
type memberPatch struct {
	Schemas    []string   `json:"schemas"`
	Operations []memberOp `json:"Operations"`
}

type memberOp struct {
	Op    string      `json:"op"`
	Path  string      `json:"path"`
	Value []memberRef `json:"value,omitempty"`
}

type memberBatch struct{ add, remove []string }

// memberBatches cuts the changes, removals first, into batches of at most MaxGroupChanges.
// Removals go first so that a group near a size limit makes room before it grows.
func memberBatches(add, remove []string) []memberBatch {
	var out []memberBatch
	for len(add)+len(remove) > 0 {
		var b memberBatch
		n := min(len(remove), MaxGroupChanges)
		b.remove, remove = remove[:n], remove[n:]
		n = min(len(add), MaxGroupChanges-len(b.remove))
		b.add, add = add[:n], add[n:]
		out = append(out, b)
	}
	return out
}

// DeleteTeam deletes the group. A group that is gone already fails with an error wrapping
// core.ErrNotFound, which callers deleting it may take as done.
func (c *SCIMClient) DeleteTeam(ctx context.Context, id string) error {
	if id == "" {
		return errors.New("delete team: team has no id")
	}
	cl := call{method: http.MethodDelete, path: "/Groups/" + url.PathEscape(id), ok: []int{http.StatusNoContent, http.StatusOK}}
	r, err := c.ep.do(ctx, cl)
	if err == nil && r.status == http.StatusOK {
		// RFC 7644 §3.6 answers 204; a 200 must carry an object, as every 200 here does.
		if cerr := checkJSON(r.body, '{'); cerr != nil {
			err = c.ep.malformed(cl, "deleted group: %v", cerr)
		}
	}
	if err != nil {
		return fmt.Errorf("delete team %s: %w", id, err)
	}
	return nil
}

func (c *SCIMClient) groupPatch(id string, body []byte) call {
	return call{method: http.MethodPatch, path: "/Groups/" + url.PathEscape(id), body: body, ok: []int{http.StatusOK, http.StatusNoContent}}
}

// sendGroupPatch sends a PATCH and, when the answer carries the group (200 with a body; Okta also
// accepts 204), returns it with ok true after checking it is the group asked about.
func (c *SCIMClient) sendGroupPatch(ctx context.Context, cl call, id string) (core.ClickUpTeam, bool, error) {
	r, err := c.ep.do(ctx, cl)
	if err != nil || r.status == http.StatusNoContent {
		return core.ClickUpTeam{}, false, err
	}
	doc, err := c.groupAnswer(cl, r, id, "patched group")
	if err != nil {
		return core.ClickUpTeam{}, false, err
	}
	g := doc.ClickUpTeam
	if !doc.membersShown {
		g.Members = nil
	}
	return g, true, nil
}

// checkMemberIDs refuses empty and repeated ids, and ids also in other: each is a caller's bug
// that the service would answer in its own way, or not at all.
func checkMemberIDs(what string, ids, other []string) error {
	seen := make(map[string]bool, len(ids)+len(other))
	for _, id := range other {
		seen[id] = true
	}
	for _, id := range ids {
		switch {
		case id == "":
			return fmt.Errorf("%s id is empty", what)
		case seen[id] && slices.Contains(other, id):
			return fmt.Errorf("member %s is both added and removed", id)
		case seen[id]:
			return fmt.Errorf("%s %s is given twice", what, id)
		}
		seen[id] = true
	}
	return nil
}

type groupCreate struct {
	Schemas     []string    `json:"schemas"`
	DisplayName string      `json:"displayName"`
	Members     []memberRef `json:"members"`
}

type memberRef struct {
	Value string `json:"value"`
}

// memberRefs always returns a list, never nil: Okta sends "members":[] for an empty group.
func memberRefs(ids []string) []memberRef {
	out := make([]memberRef, 0, len(ids))
	for _, id := range ids {
		out = append(out, memberRef{Value: id})
	}
	return out
}

func decodeGroup(raw jsontext.Value) (groupRead, keptUser, error) {
	d, err := parseGroup(raw)
	return d, keptUser{}, err
}

// groupAnswer reads a single group answered to a request, which must be the group asked about
// when id is given.
func (c *SCIMClient) groupAnswer(cl call, r reply, id, what string) (groupRead, error) {
	if err := checkJSON(r.body, '{'); err != nil {
		return groupRead{}, c.ep.malformed(cl, "%s: %v", what, err)
	}
	g, err := parseGroup(r.body)
	switch {
	case err != nil:
		return groupRead{}, c.ep.malformed(cl, "%s: %v", what, err)
	case id != "" && g.ID != id:
		return groupRead{}, c.ep.malformed(cl, "answered with group %s", shown(g.ID))
	}
	return g, nil
}

type groupRead struct {
	core.ClickUpTeam
	membersShown bool           // members was a list, not null or absent
	rest         jsontext.Value // the other attributes but meta, for a PUT of the group
}

// parseGroup reads one SCIM group. members null or absent is an empty group, as Okta reads it;
// the types are exact, and a member without a value or listed twice fails the decode.
func parseGroup(raw jsontext.Value) (groupRead, error) {
	var d struct {
		ID          *string `json:"id"`
		DisplayName *string `json:"displayName"`
		Members     *[]*struct {
			Value *string `json:"value"`
		} `json:"members"`
		Meta jsontext.Value `json:"meta"` // read-only (RFC 7643 §3.1): never sent back
		Rest jsontext.Value `json:",unknown"`
	}
	if err := decodeValue(raw, &d); err != nil {
		return groupRead{}, err
	}
	switch {
	case deref(d.ID) == "":
		return groupRead{}, errors.New("group has no id")
	case deref(d.DisplayName) == "":
		return groupRead{}, fmt.Errorf("group %s has no displayName", shown(*d.ID))
	}
	g := groupRead{ClickUpTeam: core.ClickUpTeam{ID: *d.ID, DisplayName: *d.DisplayName, Members: []string{}}, rest: d.Rest}
	if d.Members == nil {
		return g, nil
	}
	members := *d.Members
	g.membersShown = true
	seen := make(map[string]bool, len(members))
	for i, m := range members {
		switch {
		case m == nil || deref(m.Value) == "":
			return groupRead{}, fmt.Errorf("group %s: members[%d] has no value", shown(g.ID), i)
		case seen[*m.Value]:
			return groupRead{}, fmt.Errorf("group %s: member %s is listed twice", shown(g.ID), shown(*m.Value))
		}
		seen[*m.Value] = true
		g.Members = append(g.Members, *m.Value)
	}
	return g, nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
