package clickup

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	gosync "sync"

	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// maxCounter keeps a counter within int on any platform.
const maxCounter = 1<<31 - 1

// page is one validated ListResponse.
type page struct {
	total int
	users []core.ClickUpUser
}

// ListUsers returns every SCIM user, inactive ones included, in listing order. The first page
// gives totalResults; the remaining pages are then read concurrently. Any doubt about any page
// fails the whole listing and returns no users, because the core must not plan from a part.
func (c *SCIMClient) ListUsers(ctx context.Context) ([]core.ClickUpUser, error) {
	users, err := c.listUsers(ctx)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return users, nil
}

func (c *SCIMClient) listUsers(ctx context.Context) ([]core.ClickUpUser, error) {
	first, firstCall, err := c.readPage(ctx, "", 1, c.pageSize)
	if err != nil {
		return nil, err
	}
	total, size := first.total, len(first.users)
	switch {
	case total > maxPlausibleTotals:
		return nil, c.ep.malformed(firstCall, "totalResults %d is implausible (more than %d)", total, maxPlausibleTotals)
	case size > total:
		return nil, c.ep.malformed(firstCall, "%d users on the page but totalResults is %d", size, total)
	case size == 0 && total > 0:
		return nil, c.ep.malformed(firstCall, "no users on the page but totalResults is %d", total)
	case size == total:
		if err := c.checkUniqueIDs(firstCall, first.users); err != nil {
			return nil, err
		}
		return first.users, nil
	}

	// The server may cap the page size below what was asked; its first page tells the size that
	// every further page must have, so the page boundaries can be fixed before reading them.
	n := (total - 1) / size // pages after the first
	pages := make([][]core.ClickUpUser, n)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       gosync.WaitGroup
		once     gosync.Once
		firstErr error
		next     = make(chan int)
	)
	fail := func(err error) {
		once.Do(func() { firstErr = err; cancel() })
	}
	for range min(c.concurrency, n) {
		wg.Go(func() {
			for i := range next {
				start := 1 + size*(i+1)
				want := min(size, total-start+1)
				p, cl, err := c.readPage(ctx, "", start, size)
				switch {
				case err != nil:
					fail(err)
				case p.total != total:
					fail(c.ep.malformed(cl, "totalResults changed from %d to %d between pages", total, p.total))
				case len(p.users) != want:
					fail(c.ep.malformed(cl, "%d users on the page, want %d of totalResults %d", len(p.users), want, total))
				default:
					pages[i] = p.users
				}
			}
		})
	}
feed:
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	all := make([]core.ClickUpUser, 0, total)
	all = append(all, first.users...)
	for _, p := range pages {
		all = append(all, p...)
	}
	if len(all) != total {
		return nil, c.ep.malformed(firstCall, "read %d users, totalResults is %d", len(all), total)
	}
	if err := c.checkUniqueIDs(firstCall, all); err != nil {
		return nil, err
	}
	return all, nil
}

func (c *SCIMClient) checkUniqueIDs(cl call, users []core.ClickUpUser) error {
	seen := make(map[string]bool, len(users))
	for _, u := range users {
		if seen[u.ID] {
			return c.ep.malformed(cl, "user id %s is listed twice", u.ID)
		}
		seen[u.ID] = true
	}
	return nil
}

// readPage fetches and validates one ListResponse; filter is an already encoded query part. It
// returns the call so that callers can name the request in their own errors.
func (c *SCIMClient) readPage(ctx context.Context, filter string, start, count int) (page, call, error) {
	q := "startIndex=" + strconv.Itoa(start) + "&count=" + strconv.Itoa(count)
	if filter != "" {
		q = "filter=" + filter + "&" + q
	}
	cl := call{method: http.MethodGet, path: "/Users?" + q, ok: []int{http.StatusOK}}
	r, err := c.ep.do(ctx, cl)
	if err != nil {
		return page{}, cl, err
	}
	var doc struct {
		TotalResults json.RawMessage   `json:"totalResults"`
		StartIndex   json.RawMessage   `json:"startIndex"`
		ItemsPerPage json.RawMessage   `json:"itemsPerPage"`
		Resources    []json.RawMessage `json:"Resources"`
	}
	if err := json.Unmarshal(r.body, &doc); err != nil {
		return page{}, cl, c.ep.malformed(cl, "decode list response: %v", err)
	}
	counter := func(name string, raw json.RawMessage) (int, error) {
		n, err := jsonInt(raw)
		switch {
		case err != nil:
			return 0, c.ep.malformed(cl, "%s is %v", name, err)
		case n < 0 || n > maxCounter:
			return 0, c.ep.malformed(cl, "%s is %d", name, n)
		}
		return int(n), nil
	}
	total, err := counter("totalResults", doc.TotalResults)
	if err != nil {
		return page{}, cl, err
	}
	gotStart, err := counter("startIndex", doc.StartIndex)
	if err != nil {
		return page{}, cl, err
	}
	items, err := counter("itemsPerPage", doc.ItemsPerPage)
	if err != nil {
		return page{}, cl, err
	}
	switch {
	case gotStart != start:
		return page{}, cl, c.ep.malformed(cl, "startIndex is %d, asked for %d", gotStart, start)
	case items != len(doc.Resources):
		return page{}, cl, c.ep.malformed(cl, "itemsPerPage is %d but the page holds %d resources", items, len(doc.Resources))
	case items > count:
		return page{}, cl, c.ep.malformed(cl, "%d resources on the page, asked for at most %d", items, count)
	}
	p := page{total: total, users: make([]core.ClickUpUser, 0, len(doc.Resources))}
	for i, raw := range doc.Resources {
		u, err := c.decodeUser(raw)
		if err != nil {
			return page{}, cl, c.ep.malformed(cl, "resource %d: %v", i, err)
		}
		p.users = append(p.users, u)
	}
	return p, cl, nil
}
