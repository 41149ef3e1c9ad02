// Package clickup is the ClickUp adapter: a SCIM 2.0 client that reads and writes the Workspace's
// users and Teams (core.Workspace, core.TeamWorkspace), reads single ones for on-demand runs
// (core.UserFinder, core.TeamReader), and a REST API v2 client that reads the custom role
// catalogue and the Workspace owner (core.Roles).
//
// Every answer is validated strictly before the core sees it, and decoded with
// github.com/go-json-experiment/json: a body that is empty, null, not an object, over 64 MiB or
// holding a value over 64 KiB is malformed (DESIGN.md §7). A listing that cannot be trusted in
// full (a counter that is not an integer, a short page, a duplicate id) fails as a whole with an
// error wrapping core.ErrMalformed, because the core must never plan from a partial state. Service
// errors come back as *APIError, which also wraps the core sentinel for its status; an error
// quotes at most 256 bytes of what the service sent.
//
// The SCIM client keeps, per user it has read, what a later PUT of that user must send back
// (readusers.go); the core's types carry none of the adapter's raw form.
//
// ClickUp publishes no SCIM reference, so Discover reads what the service announces (RFC 7644
// §4, DESIGN.md §11) before users are read or written: the schema and names of the role
// attributes, the role values' spelling, and whether PATCH, filters and Groups are there. What is
// not announced keeps the defaults of DESIGN.md §4; CarriedRole tells the planner which roles the
// announced schema can hold, and CheckService gives check its "SCIM service" section.
package clickup
