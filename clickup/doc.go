// Package clickup is the ClickUp adapter: a SCIM 2.0 client that reads and writes the Workspace's
// users (core.Workspace) and a REST API v2 client that reads the custom role catalogue and the
// Workspace owner (core.Roles).
//
// Every answer is validated strictly before the core sees it. A listing that cannot be trusted in
// full (a counter that is not an integer, a short page, a duplicate id) fails as a whole with an
// error wrapping core.ErrMalformed, because the core must never plan from a partial state. Service
// errors come back as *APIError, which also wraps the core sentinel for its status.
package clickup
