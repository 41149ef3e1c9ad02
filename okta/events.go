package okta

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// The System Log as a poller reads it (DESIGN.md §10, reference/okta-sdk-and-api.md §4): a
// polling request (no until, sortOrder=ASCENDING) returns events in the order Okta stored them
// and always carries a next link, even on an empty page, so the next link is the cursor and a
// restart that resumes from it neither misses nor repeats a window.

var _ core.EventLog = (*Client)(nil)

const (
	opPollEvents = "poll system log"
	logsPath     = "/api/v1/logs"

	// MaxEventPageLimit is Okta's largest System Log page, and the default: the bucket of
	// /api/v1/logs is small (20 to 120 calls a minute by plan), so each call should bring all it
	// can.
	MaxEventPageLimit = 1000
	// maxEventPages bounds the pages one poll follows while they come full: a burst of
	// 10,000 events is drained in one poll, a larger one over the next, and a poll never holds
	// more than 10 pages' events.
	maxEventPages = 10
	// oktaDefaultLogLimit is the page Okta serves when a link names no limit.
	oktaDefaultLogLimit = 100
	// publishedLayout is how Okta writes timestamps, and how since is sent.
	publishedLayout = "2006-01-02T15:04:05.000Z"
)

// Events reads the System Log events of core.EventTypes after cursor, a next link an earlier
// call returned, or, with an empty cursor, those stored since since (GET
// /api/v1/logs?since=...&sortOrder=ASCENDING&limit=...&filter=eventType eq "..." or ...). It
// follows next links while pages come full, at most 10 pages, and returns the events in the
// order Okta stored them with the last page's next link, the cursor of the next call.
//
// A page that is not a JSON array of events, an event without its uuid, type or a valid
// published time, more events than the limit asked for, a missing next link (a polling request
// always has one), or a next link that leaves the org, the System Log or polling, or repeats,
// fails the call: it returns no events and no cursor, so the caller keeps its own. Errors are
// *APIError and match the core sentinels as the other reads do; a cursor that is not a System
// Log link fails before any request.
func (c *Client) Events(ctx context.Context, cursor string, since time.Time) ([]core.Event, string, error) {
	request := "GET " + logsPath
	first := cursor
	if first == "" {
		if since.IsZero() {
			return nil, "", fmt.Errorf("okta: %s: neither a cursor nor a start time", opPollEvents)
		}
		first = logsPath + "?" + url.Values{
			"since":     {since.UTC().Format(publishedLayout)},
			"sortOrder": {"ASCENDING"},
			"limit":     {strconv.Itoa(c.eventPageLimit)},
			"filter":    {EventFilter(core.EventTypes)},
		}.Encode()
	} else if err := checkLogLink(cursor); err != nil {
		return nil, "", fmt.Errorf("okta: %s: the stored cursor %w: %s", opPollEvents, err, quote(cursor))
	}

	var events []core.Event
	seen := map[string]bool{canonical(first): true}
	next := first
	for n := 1; n <= maxEventPages; n++ {
		limit := linkLimit(next)
		p, status, err := c.get(ctx, next, true)
		if err != nil {
			return nil, "", c.callError(opPollEvents, request, n, status, err)
		}
		got := 0
		err = decodeEvents(p.body, func(ev core.Event) error {
			if got++; got > limit {
				return fmt.Errorf("more than the %d events asked for", limit)
			}
			events = append(events, ev)
			return nil
		})
		if err != nil {
			return nil, "", c.malformed(opPollEvents, request, n, "%w", err)
		}
		if p.nextLink == nil {
			return nil, "", c.malformed(opPollEvents, request, n, "no next link: a polling request always has one, and the cursor would be lost")
		}
		// Checked as sent (on the org's origin, which the transport made sure of), before
		// anything carries over.
		sent := p.nextLink.EscapedPath() + "?" + p.nextLink.RawQuery
		if err := checkLogLink(sent); err != nil {
			return nil, "", c.malformed(opPollEvents, request, n, "the next link %w: %s", err, quote(sent))
		}
		cur := cursorOf(p.nextLink, p.asked)
		if got < limit {
			return events, cur, nil // caught up: the rest comes with later polls
		}
		if seen[canonical(cur)] {
			return nil, "", c.malformed(opPollEvents, request, n, "a full page's next link repeats an earlier one: %s", quote(sent))
		}
		seen[canonical(cur)] = true
		next = cur
	}
	return events, next, nil
}

// EventFilter is the System Log filter expression selecting the given event types:
// eventType eq "a" or eventType eq "b" ...
func EventFilter(types []string) string {
	var b strings.Builder
	for i, t := range types {
		if i > 0 {
			b.WriteString(" or ")
		}
		b.WriteString(`eventType eq "` + quoteSearch(t) + `"`)
	}
	return b.String()
}

// cursorOf is a next link as the path and query of the next request. The parameters that
// select what a poll reads (filter, limit, sortOrder) carry over from the page it came from
// should Okta's link leave them out, as the SDK carries them; since and until never do: after
// the first page the link's own position is the start, and until would end polling.
func cursorOf(next, from *url.URL) string {
	q := next.Query()
	carried := false
	for _, k := range []string{"filter", "limit", "sortOrder"} {
		if !q.Has(k) && from.Query().Has(k) {
			q[k] = from.Query()[k]
			carried = true
		}
	}
	if !carried {
		return next.EscapedPath() + "?" + next.RawQuery
	}
	return next.EscapedPath() + "?" + q.Encode()
}

// checkLogLink refuses a link that is not a polling request of the System Log under the org:
// a path and query only (the org URL is prefixed), the path /api/v1/logs, and neither until
// nor a descending order, which would make it a bounded request whose pages end.
func checkLogLink(link string) error {
	u, err := url.Parse(link)
	switch {
	case err != nil:
		return errors.New("does not parse")
	case u.Scheme != "" || u.Host != "" || u.User != nil || u.Fragment != "":
		return errors.New("is not a path and query under the org URL")
	case u.Path != logsPath:
		return fmt.Errorf("is not a page of %s", logsPath)
	}
	q := u.Query()
	switch {
	case q.Has("until"):
		return errors.New("has until: a bounded request, not a poll")
	case q.Has("sortOrder") && q.Get("sortOrder") != "ASCENDING":
		return errors.New("is not sorted ASCENDING: not a poll")
	}
	if _, err := strconv.Atoi(q.Get("limit")); q.Has("limit") && err != nil {
		return errors.New("has a limit that is not a number")
	}
	return nil
}

// linkLimit is the page size a request asks for; Okta's default when it names none.
func linkLimit(pathAndQuery string) int {
	u, err := url.Parse(pathAndQuery)
	if err != nil {
		return oktaDefaultLogLimit
	}
	n, err := strconv.Atoi(u.Query().Get("limit"))
	if err != nil || n < 1 {
		return oktaDefaultLogLimit
	}
	return n
}
