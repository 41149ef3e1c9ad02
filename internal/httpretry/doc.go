// Package httpretry is what the Okta and ClickUp clients share to stay polite and to ride out
// transient failures (DESIGN.md §7): a limiter per service fed by the rate-limit headers of its
// answers, waits until the reset after a 429, and bounded exponential backoff with jitter for 5xx
// answers, connection resets and timeouts of idempotent requests.
//
// Every wait goes through Policy.Sleep and every reading of the clock through Policy.Now, so
// tests replace time instead of spending it.
package httpretry
