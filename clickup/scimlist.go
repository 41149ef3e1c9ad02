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

// resourceList is what the paged listing needs to know of one SCIM resource type, so Users and
// Groups are read by the same strict code.
type resourceList[T any] struct {
	path   string // "/Users"
	noun   string // "user", for errors
	decode func(json.RawMessage) (T, error)
	id     func(T) string
}

func (c *SCIMClient) userList() resourceList[core.ClickUpUser] {
	return resourceList[core.ClickUpUser]{
		path: "/Users", noun: "user", decode: c.decodeUser,
		id: func(u core.ClickUpUser) string { return u.ID },
	}
}

// listPage is one validated ListResponse.
type listPage[T any] struct {
	total int
	items []T
}

// page is a page of users, the form the user lookups read.
type page struct {
	total int
	users []core.ClickUpUser
}

// ListUsers returns every SCIM user, inactive ones included, in listing order. The first page
// gives totalResults; the remaining pages are then read concurrently. Any doubt about any page
// fails the whole listing and returns no users, because the core must not plan from a part.
func (c *SCIMClient) ListUsers(ctx context.Context) ([]core.ClickUpUser, error) {
	users, err := listAll(ctx, c, c.userList())
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return users, nil
}

func listAll[T any](ctx context.Context, c *SCIMClient, rl resourceList[T]) ([]T, error) {
	first, firstCall, err := readListPage(ctx, c, rl, "", 1, c.pageSize)
	if err != nil {
		return nil, err
	}
	total, size := first.total, len(first.items)
	switch {
	case total > maxPlausibleTotals:
		return nil, c.ep.malformed(firstCall, "totalResults %d is implausible (more than %d)", total, maxPlausibleTotals)
	case size > total:
		return nil, c.ep.malformed(firstCall, "%d %ss on the page but totalResults is %d", size, rl.noun, total)
	case size == 0 && total > 0:
		return nil, c.ep.malformed(firstCall, "no %ss on the page but totalResults is %d", rl.noun, total)
	case size == total:
		if err := checkUniqueIDs(c, rl, firstCall, first.items); err != nil {
			return nil, err
		}
		return first.items, nil
	}

	// The server may cap the page size below what was asked; its first page tells the size that
	// every further page must have, so the page boundaries can be fixed before reading them.
	n := (total - 1) / size // pages after the first
	// Each page is copied into place as it arrives, so no page outlives its decoding.
	all := make([]T, total)
	copy(all, first.items)
	first.items = nil
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
				p, cl, err := readListPage(ctx, c, rl, "", start, size)
				switch {
				case err != nil:
					fail(err)
				case p.total != total:
					fail(c.ep.malformed(cl, "totalResults changed from %d to %d between pages", total, p.total))
				case len(p.items) != want:
					fail(c.ep.malformed(cl, "%d %ss on the page, want %d of totalResults %d", len(p.items), rl.noun, want, total))
				default:
					copy(all[start-1:], p.items)
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

	if err := checkUniqueIDs(c, rl, firstCall, all); err != nil {
		return nil, err
	}
	return all, nil
}

func checkUniqueIDs[T any](c *SCIMClient, rl resourceList[T], cl call, items []T) error {
	seen := make(map[string]bool, len(items))
	for _, it := range items {
		id := rl.id(it)
		if seen[id] {
			return c.ep.malformed(cl, "%s id %s is listed twice", rl.noun, id)
		}
		seen[id] = true
	}
	return nil
}

// readPage reads one page of users; see readListPage.
func (c *SCIMClient) readPage(ctx context.Context, filter string, start, count int) (page, call, error) {
	p, cl, err := readListPage(ctx, c, c.userList(), filter, start, count)
	return page{total: p.total, users: p.items}, cl, err
}

// readListPage fetches and validates one ListResponse; filter is an already encoded query part.
// It returns the call so that callers can name the request in their own errors.
func readListPage[T any](ctx context.Context, c *SCIMClient, rl resourceList[T], filter string, start, count int) (listPage[T], call, error) {
	q := "startIndex=" + strconv.Itoa(start) + "&count=" + strconv.Itoa(count)
	if filter != "" {
		q = "filter=" + filter + "&" + q
	}
	cl := call{method: http.MethodGet, path: rl.path + "?" + q, ok: []int{http.StatusOK}}
	r, err := c.ep.do(ctx, cl)
	if err != nil {
		return listPage[T]{}, cl, err
	}
	var doc struct {
		TotalResults json.RawMessage   `json:"totalResults"`
		StartIndex   json.RawMessage   `json:"startIndex"`
		ItemsPerPage json.RawMessage   `json:"itemsPerPage"`
		Resources    []json.RawMessage `json:"Resources"`
	}
	if err := json.Unmarshal(r.body, &doc); err != nil {
		return listPage[T]{}, cl, c.ep.malformed(cl, "decode list response: %v", err)
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
		return listPage[T]{}, cl, err
	}
	gotStart, err := counter("startIndex", doc.StartIndex)
	if err != nil {
		return listPage[T]{}, cl, err
	}
	items, err := counter("itemsPerPage", doc.ItemsPerPage)
	if err != nil {
		return listPage[T]{}, cl, err
	}
	switch {
	case gotStart != start:
		return listPage[T]{}, cl, c.ep.malformed(cl, "startIndex is %d, asked for %d", gotStart, start)
	case items != len(doc.Resources):
		return listPage[T]{}, cl, c.ep.malformed(cl, "itemsPerPage is %d but the page holds %d resources", items, len(doc.Resources))
	case items > count:
		return listPage[T]{}, cl, c.ep.malformed(cl, "%d resources on the page, asked for at most %d", items, count)
	}
	p := listPage[T]{total: total, items: make([]T, 0, len(doc.Resources))}
	for i, raw := range doc.Resources {
		it, err := rl.decode(raw)
		if err != nil {
			return listPage[T]{}, cl, c.ep.malformed(cl, "resource %d: %v", i, err)
		}
		p.items = append(p.items, it)
	}
	return p, cl, nil
}
