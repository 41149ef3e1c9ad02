// Package cost computes the fewest API requests a reconcile can make, given what the two APIs
// offer: the pages of each listing at the largest page size the service allows, one request per
// change, and nothing per user. The request-count test and the benchmark compare the fakes'
// request logs against it, so a regression (a per-user call, a repeated page, a start-up lookup
// that the run repeats anyway) shows as a difference rather than as a slower run.
package cost

import (
	"sort"
	"strings"
)

// Page sizes the lower bound assumes: the largest each endpoint serves.
const (
	OktaAppUsersPage     = 500 // GET /api/v1/apps/{id}/users?limit=500
	OktaGroupMembersPage = 200 // GET /api/v1/groups/{id}/users?limit=200, Okta's recommendation
	OktaGroupSearchIDs   = 100 // ids per GET /api/v1/groups?search=id eq ... or ...
	SCIMPage             = 100 // the SCIM count cap (ClickUp's, and the fake's MaxCount)
	SCIMGroupChanges     = 100 // members per POST /Groups or PATCH /Groups/{id}
)

// Workload is what a run faces.
type Workload struct {
	AppUsers     int   // Okta app assignments listed (entitled or not)
	GroupNames   int   // SYNC_PUSH_GROUPS entries given by name (ids cost nothing at start-up)
	GroupMembers []int // members of each pushed group, in Okta
	SCIMUsers    int   // SCIM users, inactive ones included, before the run
	SCIMGroups   int   // SCIM groups before the run (read only when groups are pushed)
	REST         bool  // a REST token: custom roles and the Workspace owner are read

	UserWrites int // creates, role changes, deactivations, reactivations: one request each
	// ExternalIDChecks are the externalIds shaped like Okta user ids, absent from the listing and
	// not linked, that a deactivation depends on: each is looked up once (GET /api/v1/users/{id}).
	ExternalIDChecks int
	// AbsentDeactivations are the deactivations of users absent from the listing, each confirmed
	// by a read of its app user, or all of them by one second listing when that is cheaper.
	AbsentDeactivations int
	// TeamCreates are the member counts of the Teams created (a POST carries the first 100,
	// then one PATCH per further 100); TeamPatches the member changes of each existing Team
	// plus one for each rename.
	TeamCreates []int
	TeamPatches int
}

// Bound is the lower bound, by endpoint ("METHOD path pattern").
type Bound map[string]int

// Total sums the requests of every endpoint.
func (b Bound) Total() int {
	n := 0
	for _, v := range b {
		n += v
	}
	return n
}

// Okta sums the endpoints under /api/v1.
func (b Bound) Okta() int { return b.sum("GET /api/v1") }

// Keys returns the endpoints in order.
func (b Bound) Keys() []string {
	keys := make([]string, 0, len(b))
	for k := range b {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (b Bound) sum(prefix string) int {
	n := 0
	for k, v := range b {
		if strings.HasPrefix(k, prefix) {
			n += v
		}
	}
	return n
}

// Endpoint names, as Classify returns them.
const (
	OktaAppUsers     = "GET /api/v1/apps/{id}/users"
	OktaAppUser      = "GET /api/v1/apps/{id}/users/{id}"
	OktaUser         = "GET /api/v1/users/{id}"
	OktaGroupSearch  = "GET /api/v1/groups?search"
	OktaGroupMembers = "GET /api/v1/groups/{id}/users"
	SCIMListUsers    = "GET /Users"
	SCIMListGroups   = "GET /Groups"
	SCIMWriteUsers   = "WRITE /Users"
	SCIMWriteGroups  = "WRITE /Groups"
	SCIMDiscovery    = "GET discovery" // /ServiceProviderConfig, /ResourceTypes, /Schemas
	RESTTeam         = "GET /team"
	RESTCustomRoles  = "GET /team/{id}/customroles"
)

// LowerBound is the fewest requests a run on w can make.
func LowerBound(w Workload) Bound {
	b := Bound{OktaAppUsers: pages(w.AppUsers, OktaAppUsersPage), SCIMListUsers: pages(w.SCIMUsers, SCIMPage),
		// What the SCIM service announces is read once at start (DESIGN.md §11).
		SCIMDiscovery: 3}
	if n := len(w.GroupMembers); n > 0 || w.GroupNames > 0 {
		// Names are searched one by one at start-up; every run then finds all the groups'
		// names with one search per 100 ids.
		b[OktaGroupSearch] = w.GroupNames + (n+OktaGroupSearchIDs-1)/OktaGroupSearchIDs
		for _, m := range w.GroupMembers {
			b[OktaGroupMembers] += pages(m, OktaGroupMembersPage)
		}
		b[SCIMListGroups] = pages(w.SCIMGroups, SCIMPage)
	}
	if w.REST {
		b[RESTTeam], b[RESTCustomRoles] = 1, 1
	}
	if w.UserWrites > 0 {
		b[SCIMWriteUsers] = w.UserWrites
	}
	if w.ExternalIDChecks > 0 {
		b[OktaUser] = w.ExternalIDChecks
	}
	// The confirmations of DESIGN.md §7: one read per user, or a second listing when the users
	// outnumber its pages.
	if n, listing := w.AbsentDeactivations, pages(w.AppUsers, OktaAppUsersPage); n > listing {
		b[OktaAppUsers] += listing
	} else if n > 0 {
		b[OktaAppUser] = n
	}
	g := w.TeamPatches
	for _, m := range w.TeamCreates {
		g += 1 + (max(0, m-SCIMGroupChanges)+SCIMGroupChanges-1)/SCIMGroupChanges
	}
	if g > 0 {
		b[SCIMWriteGroups] = g
	}
	return b
}

// pages is the requests a listing of n items takes at size per page: an empty listing is one
// request too.
func pages(n, size int) int { return max(1, (n+size-1)/size) }

// Classify names the endpoint of a request for Bound, so request logs can be compared with it.
func Classify(method, path, rawQuery string) string {
	filtered := strings.Contains(rawQuery, "filter=")
	switch {
	case method == "GET" && strings.HasPrefix(path, "/api/v1/apps/") && strings.HasSuffix(path, "/users"):
		return OktaAppUsers
	case method == "GET" && strings.HasPrefix(path, "/api/v1/apps/") && strings.Count(path, "/") == 6 && strings.Contains(path, "/users/"):
		return OktaAppUser
	case method == "GET" && strings.HasPrefix(path, "/api/v1/users/") && strings.Count(path, "/") == 4:
		return OktaUser
	case method == "GET" && path == "/api/v1/groups":
		return OktaGroupSearch
	case method == "GET" && strings.HasPrefix(path, "/api/v1/groups/") && strings.HasSuffix(path, "/users"):
		return OktaGroupMembers
	case strings.HasPrefix(path, "/api/v1/"):
		return method + " /api/v1/other"
	case strings.HasSuffix(path, "/customroles"):
		return RESTCustomRoles
	case strings.HasSuffix(path, "/team"):
		return RESTTeam
	case method == "GET" && (strings.HasSuffix(path, "/ServiceProviderConfig") || strings.HasSuffix(path, "/ResourceTypes") || strings.HasSuffix(path, "/Schemas")):
		return SCIMDiscovery
	}
	for _, kind := range []string{"/Users", "/Groups"} {
		i := strings.Index(path, kind)
		if i < 0 || (i+len(kind) < len(path) && path[i+len(kind)] != '/') {
			continue
		}
		switch {
		case method == "GET" && i+len(kind) == len(path) && filtered:
			return "GET " + kind + "?filter" // a lookup by name: per user, never on the normal path
		case method == "GET" && i+len(kind) == len(path):
			return "GET " + kind
		case method == "GET":
			return "GET " + kind + "/{id}"
		}
		return "WRITE " + kind
	}
	return method + " " + path
}
