// Package sync is the core of okta-clickup-sync: the domain types, the pure planner that turns the
// desired state (Okta) and the actual state (ClickUp) into a Plan, and Apply, which carries a plan
// out through the small interfaces declared here. It imports no adapter.
//
// The name shadows the standard library's sync; callers that need both import this one as core.
package sync
