package clickup

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	gosync "sync"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// Writes for a service that announces patch.supported false (DESIGN.md §11): activation,
// deactivation and Team changes become a PUT of the resource as this client last read it, with
// only the one thing changed. A resource it never read is read first (GET by id), so that a PUT
// never wipes what it does not know.

// putActive sets active with a PUT of the user as read, role attributes included as the service
// spelled them: this write changes active and nothing else.
func (c *SCIMClient) putActive(ctx context.Context, id string, active bool) error {
	kept, ok := c.read.get(id)
	if !ok || kept.user == nil {
		if _, found, err := c.User(ctx, id); err != nil {
			return err
		} else if !found {
			return fmt.Errorf("%w: user %s does not exist", core.ErrNotFound, id)
		}
		if kept, ok = c.read.get(id); !ok || kept.user == nil {
			return errors.New("the user read has not been kept") // cannot happen: User keeps it
		}
	}
	u := *kept.user
	u.Active = active
	body, err := c.putBody(u, kept, true)
	if err != nil {
		return err
	}
	cl := call{method: http.MethodPut, path: "/Users/" + url.PathEscape(id), body: body, ok: []int{http.StatusOK}}
	r, err := c.ep.do(ctx, cl)
	if err != nil {
		return err
	}
	got, err := c.userAnswer(cl, r, id, "replaced user")
	switch {
	case err != nil:
		return err
	case got.Active != active:
		return c.ep.malformed(cl, "answered with active %t after asking for %t", got.Active, active)
	}
	return nil
}

// readGroups keeps, per group this client has read, what a PUT of it must send back when the
// service takes no PATCH. Groups are few, so each is kept whole; only then are they kept at all.
type readGroups struct {
	mu   gosync.Mutex
	byID map[string]keptGroup
	// write makes the group PUTs one at a time: each must start from the answer to the last.
	write gosync.Mutex
}

type keptGroup struct {
	displayName string
	members     []string
	rest        jsontext.Value // the other attributes as read, but meta; nil when none
}

func newReadGroups() *readGroups { return &readGroups{byID: map[string]keptGroup{}} }

// keepGroups keeps what was read of groups, or with replace exactly these; only without PATCH.
func (c *SCIMClient) keepGroups(gs []groupRead, replace bool) {
	if !c.svc.noPatch {
		return
	}
	r := c.groups
	r.mu.Lock()
	defer r.mu.Unlock()
	if replace {
		r.byID = make(map[string]keptGroup, len(gs))
	}
	for _, g := range gs {
		if !g.membersShown {
			// Nothing says who the members are: a PUT from this would empty the group.
			delete(r.byID, g.ID)
			continue
		}
		r.byID[g.ID] = keptGroup{displayName: g.DisplayName, members: slices.Clone(g.Members), rest: g.rest}
	}
}

func (r *readGroups) get(id string) (keptGroup, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	g, ok := r.byID[id]
	return g, ok
}

// putGroup changes a group with a PUT of it as read, edit applied; the answer, when it shows the
// group, must show the change.
func (c *SCIMClient) putGroup(ctx context.Context, id string, edit func(*keptGroup)) error {
	c.groups.write.Lock()
	defer c.groups.write.Unlock()
	g, ok := c.groups.get(id)
	if !ok {
		if err := c.readGroupForPut(ctx, id); err != nil {
			return err
		}
		if g, ok = c.groups.get(id); !ok {
			return fmt.Errorf("group %s was read without its members, so a PUT of it would lose them", id)
		}
	}
	edit(&g)
	body, err := groupPutBody(id, g)
	if err != nil {
		return err
	}
	cl := call{method: http.MethodPut, path: "/Groups/" + url.PathEscape(id), body: body, ok: []int{http.StatusOK}}
	r, err := c.ep.do(ctx, cl)
	if err != nil {
		return err
	}
	got, err := c.groupAnswer(cl, r, id, "replaced group")
	switch {
	case err != nil:
		return err
	case got.DisplayName != g.displayName:
		return c.ep.malformed(cl, "answered with displayName %q after sending %q", shown(got.DisplayName), g.displayName)
	case got.membersShown && !sameMembers(got.Members, g.members):
		return c.ep.malformed(cl, "answered with %d members after sending %d others", len(got.Members), len(g.members))
	case !got.membersShown:
		got.Members, got.membersShown = g.members, true // the 200 says the group is as sent
	}
	if got.rest == nil {
		got.rest = g.rest
	}
	c.keepGroups([]groupRead{got}, false)
	return nil
}

func (c *SCIMClient) readGroupForPut(ctx context.Context, id string) error {
	if _, found, err := c.Team(ctx, id); err != nil {
		return err
	} else if !found {
		return fmt.Errorf("%w: group %s does not exist", core.ErrNotFound, id)
	}
	return nil
}

// groupPutBody is the PUT of a group: its other attributes as read, then schemas (when it had
// none), id, displayName and the members.
func groupPutBody(id string, g keptGroup) ([]byte, error) {
	top := map[string]jsontext.Value{}
	if len(g.rest) > 0 {
		if err := decodeValue(g.rest, &top); err != nil {
			return nil, fmt.Errorf("group as read: %w", err)
		}
	}
	var err error
	hasSchemas := false
	for k := range top {
		hasSchemas = hasSchemas || strings.EqualFold(k, "schemas")
	}
	if !hasSchemas {
		if top["schemas"], err = json.Marshal([]string{schemaGroup}); err != nil {
			return nil, err
		}
	}
	if top["id"], err = json.Marshal(id); err != nil {
		return nil, err
	}
	if top["displayName"], err = json.Marshal(g.displayName); err != nil {
		return nil, err
	}
	if top["members"], err = json.Marshal(memberRefs(g.members)); err != nil {
		return nil, err
	}
	return json.Marshal(top, json.Deterministic(true))
}

func sameMembers(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

// putMembers is UpdateTeamMembers without PATCH: one PUT per batch of MaxGroupChanges changes,
// removals first, as with PATCH.
func (c *SCIMClient) putMembers(ctx context.Context, id string, add, remove []string) error {
	for _, b := range memberBatches(add, remove) {
		err := c.putGroup(ctx, id, func(g *keptGroup) {
			members := slices.DeleteFunc(slices.Clone(g.members), func(m string) bool { return slices.Contains(b.remove, m) })
			for _, m := range b.add {
				if !slices.Contains(members, m) {
					members = append(members, m)
				}
			}
			g.members = members
		})
		if err != nil {
			return err
		}
	}
	return nil
}
