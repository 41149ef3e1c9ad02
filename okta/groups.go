package okta

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/okta/okta-sdk-golang/v2/okta/query"
	"golang.org/x/sync/errgroup"

	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

const (
	opResolveGroups    = "resolve groups"
	opListGroups       = "list groups"
	opListGroupMembers = "list group members"

	groupsPath = "/api/v1/groups"
	// groupIDPrefix starts every Okta group id; a configured ref without it is a name.
	groupIDPrefix = "00g"
	// groupSearchChunk bounds the ids in one search expression, keeping the URL far below the
	// lengths proxies and Okta accept (100 ids are about 2.5 KB once encoded).
	groupSearchChunk = 100
	// groupSearchLimit is the page size of group searches: above groupSearchChunk, so a chunk
	// comes back in one page; the next links are still followed, in case Okta pages sooner.
	groupSearchLimit = 200
	// GroupMembersPageLimit is the page size of GET /api/v1/groups/{id}/users. Okta's default of
	// 1000 is "very high for historical reasons"; it recommends 200.
	GroupMembersPageLimit = 200
	// groupMembersConcurrency bounds the member listings in flight (errgroup.SetLimit). Each
	// listing is a cursor, so only listings can overlap: 100 pushed groups at 50 ms a page take
	// 1.25 s four at a time and 0.3 s at sixteen, which stays below the app-user listing beside
	// them. The pacer, fed by the bucket's headers, keeps the burst within the budget.
	groupMembersConcurrency = 16
)

var _ core.GroupDirectory = (*Client)(nil)

// ResolveGroups turns the configured groups (SYNC_PUSH_GROUPS), each an Okta group id (00g...)
// or an exact group name, into group ids, in the order of refs and without duplicates. An id
// costs no request: every run's ListGroups searches the ids and fails on one that does not exist,
// so a check here would only repeat it at start-up (a request per group per process). A name is
// looked up with one search,
// GET /api/v1/groups?search=profile.name eq "name", and must match exactly one group, case
// included: a name that matches none, or several (Okta lets an imported group share an Okta
// group's name), is an error naming it.
//
// The problems of all refs are reported together. A failure that is not about a ref (refused
// credentials, rate limit, transport) ends the resolution at once.
func (c *Client) ResolveGroups(ctx context.Context, refs []string) ([]string, error) {
	var (
		ids      []string
		problems []error
	)
	seen := make(map[string]bool)
	for _, ref := range refs {
		id, problem, err := c.resolveGroup(ctx, ref)
		if err != nil {
			return nil, errors.Join(append(problems, err)...)
		}
		if problem != nil {
			problems = append(problems, problem)
			continue
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	if len(problems) > 0 {
		return nil, errors.Join(problems...)
	}
	return ids, nil
}

// resolveGroup returns the id of one ref, or a problem with the ref, or an error that is not.
func (c *Client) resolveGroup(ctx context.Context, ref string) (id string, problem, _ error) {
	switch {
	case strings.TrimSpace(ref) == "":
		return "", errors.New("okta: an empty group (SYNC_PUSH_GROUPS) is neither an id nor a name"), nil
	case strings.HasPrefix(ref, groupIDPrefix) && isID(ref):
		return ref, nil, nil
	default:
		return c.findGroupByName(ctx, ref)
	}
}

func (c *Client) findGroupByName(ctx context.Context, name string) (_ string, problem, _ error) {
	search := `profile.name eq "` + quoteSearch(name) + `"`
	request := "GET " + groupsPath + "?search=" + search
	var matches []string
	err := c.searchGroups(ctx, opResolveGroups, request, search, func(_ int, g *group) error {
		// Okta's eq ignores case; the configuration names one group exactly.
		if g.Profile.Name == name {
			matches = append(matches, g.ID)
		}
		return nil
	})
	if err != nil {
		return "", nil, err
	}
	switch len(matches) {
	case 0:
		return "", fmt.Errorf("okta: group name %q (SYNC_PUSH_GROUPS) matches no Okta group: %w", name, core.ErrNotFound), nil
	case 1:
		return matches[0], nil, nil
	}
	slices.Sort(matches)
	return "", fmt.Errorf("okta: group name %q (SYNC_PUSH_GROUPS) matches several Okta groups: %s; use an id",
		name, strings.Join(matches, ", ")), nil
}

// quoteSearch escapes a string for a double-quoted literal of Okta's search expressions.
func quoteSearch(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s)
}

// group is what the adapter reads of an Okta group.
type group struct {
	ID      string `json:"id"`
	Profile struct {
		Name string `json:"name"`
	} `json:"profile"`
}

// decodeGroups decodes a page of groups and hands each, id checked, to each.
func decodeGroups(body []byte, each func(g *group) error) error {
	return decodeList(body, func(i int, g *group, typeErr error) error {
		switch {
		case g == nil:
			return fmt.Errorf("entry %d of the page is null", i+1)
		case typeErr != nil:
			return fmt.Errorf("group at position %d of the page: %w", i+1, typeErr)
		case g.ID == "":
			return fmt.Errorf("group at position %d of the page has no id", i+1)
		}
		return each(g)
	})
}

// searchGroups walks every page of GET /api/v1/groups?search=search and hands each group, id
// checked, to each.
func (c *Client) searchGroups(ctx context.Context, op, request, search string, each func(page int, g *group) error) error {
	first := groupsPath + query.NewQueryParams(query.WithSearch(search), query.WithLimit(groupSearchLimit)).String()
	return c.walk(ctx, op, request, groupsPath, first, func(page int, body []byte) error {
		var eachErr error
		err := decodeGroups(body, func(g *group) error {
			eachErr = each(page, g)
			return eachErr
		})
		switch {
		case eachErr != nil:
			return eachErr
		case err != nil:
			return c.malformed(op, request, page, "%w", err)
		}
		return nil
	})
}

// ListGroups returns the groups with these ids, in the order of ids (duplicates dropped), each
// with its members' Okta user ids, sorted. The cost is one search for all the names,
// GET /api/v1/groups?search=id eq "a" or id eq "b" ... (one per 100 ids), and one paginated
// listing per group, GET /api/v1/groups/{id}/users?limit=200, groupMembersConcurrency at a time.
//
// A group that no longer exists is an error, never an empty group: pushing it would strip its
// Team of every member. Any failed or malformed page fails the whole call and no groups are
// returned. Errors match core.ErrUnauthorized, ErrNotFound, ErrRateLimited or ErrMalformed.
func (c *Client) ListGroups(ctx context.Context, ids []string) ([]core.OktaGroup, error) {
	ids = dedupe(ids)
	if len(ids) == 0 {
		return nil, nil
	}
	for _, id := range ids {
		// The SDK pastes the id into the request path unescaped.
		if !isID(id) {
			return nil, fmt.Errorf("okta: %s: %q is not an Okta group id", opListGroups, id)
		}
	}
	names, err := c.groupNames(ctx, ids)
	if err != nil {
		return nil, err
	}

	groups := make([]core.OktaGroup, len(ids))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(groupMembersConcurrency)
	for i, id := range ids {
		g.Go(func() error {
			members, err := c.groupMembers(gctx, id)
			if err != nil {
				return err
			}
			groups[i] = core.OktaGroup{ID: id, Name: names[id], Members: members}
			return nil
		})
	}
	// The first failure is the one worth reporting; the listings it cancels would only add
	// "context canceled".
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return groups, nil
}

// groupNames finds the name of every group in ids with as few searches as the URL length allows.
// A group missing from the answer was deleted, and that is an error.
func (c *Client) groupNames(ctx context.Context, ids []string) (map[string]string, error) {
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	names := make(map[string]string, len(ids))
	for chunk := range slices.Chunk(ids, groupSearchChunk) {
		clauses := make([]string, len(chunk))
		for i, id := range chunk {
			clauses[i] = `id eq "` + quoteSearch(id) + `"`
		}
		request := fmt.Sprintf("GET %s?search=id eq ... (%d ids)", groupsPath, len(chunk))
		err := c.searchGroups(ctx, opListGroups, request, strings.Join(clauses, " or "), func(page int, g *group) error {
			switch {
			case !want[g.ID]:
				return c.malformed(opListGroups, request, page, "search returned group %s, which was not asked for", quote(g.ID))
			case names[g.ID] != "":
				return c.malformed(opListGroups, request, page, "group %s listed twice", g.ID)
			case g.Profile.Name == "":
				return c.malformed(opListGroups, request, page, "group %s has no profile.name", g.ID)
			}
			names[g.ID] = g.Profile.Name
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	var missing []error
	for _, id := range ids {
		if _, ok := names[id]; !ok {
			missing = append(missing, fmt.Errorf("okta: pushed group %s no longer exists: %w", id, core.ErrNotFound))
		}
	}
	if len(missing) > 0 {
		return nil, errors.Join(missing...)
	}
	return names, nil
}

// groupMembers lists the Okta user ids of the group's members, sorted. Only the ids are
// decoded: these listings run beside the app users listing, and decoding each member's profile
// would take CPU from it.
func (c *Client) groupMembers(ctx context.Context, id string) ([]string, error) {
	path := groupsPath + "/" + id + "/users"
	request := "GET " + path
	first := path + query.NewQueryParams(query.WithLimit(GroupMembersPageLimit)).String()
	seen := make(map[string]bool)
	err := c.walk(ctx, opListGroupMembers, request, path, first, func(page int, body []byte) error {
		err := decodeList(body, func(i int, u *struct {
			ID string `json:"id"`
		}, typeErr error) error {
			switch {
			case u == nil:
				return fmt.Errorf("entry %d of the page is null", i+1)
			case typeErr != nil:
				return fmt.Errorf("user at position %d of the page: %w", i+1, typeErr)
			case u.ID == "":
				return fmt.Errorf("user at position %d of the page: missing id", i+1)
			case seen[u.ID]:
				return fmt.Errorf("user %s listed twice", clip(u.ID, maxQuote))
			}
			seen[u.ID] = true
			return nil
		})
		if err != nil {
			return c.malformed(opListGroupMembers, request, page, "%w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	members := make([]string, 0, len(seen))
	for uid := range seen {
		members = append(members, uid)
	}
	slices.Sort(members)
	return members, nil
}

func dedupe(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
