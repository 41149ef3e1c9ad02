package sync

import "errors"

// Errors the adapters translate service answers into, so the core and main can decide with
// errors.Is without knowing HTTP.
var (
	ErrUnauthorized = errors.New("unauthorized")
	ErrNotFound     = errors.New("not found")
	ErrConflict     = errors.New("conflict")
	ErrRateLimited  = errors.New("rate limited")
	// ErrMalformed marks a response that could be read but not trusted: bad JSON, missing required
	// fields, inconsistent counters, a repeated next link. The run stops before any write.
	ErrMalformed = errors.New("malformed response")
)
