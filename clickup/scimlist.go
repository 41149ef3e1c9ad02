package clickup

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/go-json-experiment/json/jsontext"
	"golang.org/x/sync/errgroup"

	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// maxCounter keeps a counter within int on any platform.
const maxCounter = 1<<31 - 1

// resourceList is what the paged listing needs to know of one SCIM resource type, so Users and
// Groups are read by the same strict code.
type resourceList[T any] struct {
	path string // "/Users"
	noun string // "user", for errors
	// decode reads one resource, and what a later PUT of it must send back ("" when none is
	// ever sent; see readUsers).
	decode func(jsontext.Value) (T, keptUser, error)
	id     func(T) string
}

func (c *SCIMClient) userList() resourceList[core.ClickUpUser] {
	return resourceList[core.ClickUpUser]{
		path: "/Users", noun: "user", decode: c.decodeUser,
		id: func(u core.ClickUpUser) string { return u.ID },
	}
}

// listing is a whole listing, or the part of it one page holds.
type listing[T any] struct {
	total int
	items []T
	kept  []keptUser // beside items: what decode kept of each
	first call       // the request of the first page, to name in errors
}

// ListUsers returns every SCIM user, inactive ones included, in listing order. The first page
// gives totalResults; the remaining pages are then read concurrently. Any doubt about any page
// fails the whole listing and returns no users, because the core must not plan from a part.
func (c *SCIMClient) ListUsers(ctx context.Context) ([]core.ClickUpUser, error) {
	if err := c.ready(); err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	l, err := listAll(ctx, c, c.userList(), "")
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	c.read.replace(l.items, l.kept)
	return l.items, nil
}

// listAll reads every page of a listing; filter is an already encoded query part, or "". A
// listing whose totalResults changes between its pages was read while someone changed the
// Workspace: it is read again, whole, once; a second change fails it (DESIGN.md §11).
func listAll[T any](ctx context.Context, c *SCIMClient, rl resourceList[T], filter string) (listing[T], error) {
	l, err := listOnce(ctx, c, rl, filter)
	var moved *totalChanged
	if !errors.As(err, &moved) {
		return l, err
	}
	l, err = listOnce(ctx, c, rl, filter)
	if errors.As(err, &moved) {
		return listing[T]{}, fmt.Errorf("%w, and again when the listing was read once more: the Workspace keeps changing", err)
	}
	return l, err
}

// totalChanged is a page whose totalResults is not the first page's. It is malformed like any
// page that contradicts the listing, but worth one more reading.
type totalChanged struct{ err error }

func (t *totalChanged) Error() string { return t.err.Error() }
func (t *totalChanged) Unwrap() error { return t.err }

// listOnce reads a listing: the first page, then the rest concurrently.
func listOnce[T any](ctx context.Context, c *SCIMClient, rl resourceList[T], filter string) (listing[T], error) {
	first, err := readListPage(ctx, c, rl, filter, 1, c.pageSize)
	if err != nil {
		return listing[T]{}, err
	}
	total, size := first.total, len(first.items)
	switch {
	case total > maxPlausibleTotals:
		return listing[T]{}, c.ep.malformed(first.first, "totalResults %d is implausible (more than %d)", total, maxPlausibleTotals)
	case size > total:
		return listing[T]{}, c.ep.malformed(first.first, "%d %ss on the page but totalResults is %d", size, rl.noun, total)
	case size == 0 && total > 0:
		return listing[T]{}, c.ep.malformed(first.first, "no %ss on the page but totalResults is %d", rl.noun, total)
	case size == total:
		return first, checkUniqueIDs(c, rl, first)
	}

	// The server may cap the page size below what was asked; its first page tells the size to
	// ask for, and so where each further range of the listing starts. Each range is copied into
	// place as it arrives, so no page outlives its decoding.
	all := listing[T]{total: total, items: make([]T, total), kept: make([]keptUser, total), first: first.first}
	copy(all.items, first.items)
	copy(all.kept, first.kept)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(c.concurrency)
	for start := 1 + size; start <= total && gctx.Err() == nil; start += size {
		g.Go(func() error { return readRange(gctx, c, rl, filter, &all, start, min(size, total-start+1), size) })
	}
	if err := g.Wait(); err != nil {
		return listing[T]{}, err
	}
	if err := ctx.Err(); err != nil {
		return listing[T]{}, err
	}
	return all, checkUniqueIDs(c, rl, all)
}

// readRange reads the want resources from start into all, asking for count of them first, as
// every page of the listing asks. A page may hold fewer than asked (RFC 7644 §3.4.2.4 lets a
// server return fewer); the next request then starts right after the last resource it held, so
// no index is skipped or read twice. An empty page cannot be followed.
func readRange[T any](ctx context.Context, c *SCIMClient, rl resourceList[T], filter string, all *listing[T], start, want, count int) error {
	for want > 0 {
		p, err := readListPage(ctx, c, rl, filter, start, count)
		switch {
		case err != nil:
			return err
		case p.total != all.total:
			return &totalChanged{c.ep.malformed(p.first, "totalResults changed from %d to %d between pages", all.total, p.total)}
		case len(p.items) == 0:
			return c.ep.malformed(p.first, "0 %ss on the page, want %d of totalResults %d", rl.noun, want, all.total)
		case len(p.items) > want:
			return c.ep.malformed(p.first, "%d %ss on the page, more than the %d left of totalResults %d", len(p.items), rl.noun, want, all.total)
		}
		copy(all.items[start-1:], p.items)
		copy(all.kept[start-1:], p.kept)
		start, want = start+len(p.items), want-len(p.items)
		count = want
	}
	return nil
}

func checkUniqueIDs[T any](c *SCIMClient, rl resourceList[T], l listing[T]) error {
	seen := make(map[string]bool, len(l.items))
	for _, it := range l.items {
		id := rl.id(it)
		if seen[id] {
			return c.ep.malformed(l.first, "%s id %s is listed twice", rl.noun, shown(id))
		}
		seen[id] = true
	}
	return nil
}

// listDoc is a ListResponse (RFC 7644 §3.4.2). The counters are kept raw so that their type is
// checked exactly, and Resources raw so that each is decoded on its own.
type listDoc struct {
	TotalResults jsontext.Value   `json:"totalResults"`
	StartIndex   jsontext.Value   `json:"startIndex"`
	ItemsPerPage jsontext.Value   `json:"itemsPerPage"`
	Resources    []jsontext.Value `json:"Resources"`
}

// readListPage fetches and validates one ListResponse; filter is an already encoded query part.
func readListPage[T any](ctx context.Context, c *SCIMClient, rl resourceList[T], filter string, start, count int) (listing[T], error) {
	cl := call{method: http.MethodGet, path: pagePath(rl.path, filter, start, count), ok: []int{http.StatusOK}}
	p := listing[T]{first: cl}
	r, err := c.ep.do(ctx, cl)
	if err != nil {
		return p, err
	}
	var doc listDoc
	if err := decodeObject(r.body, &doc); err != nil {
		return p, c.ep.malformed(cl, "decode list response: %v", err)
	}
	counter := func(name string, raw jsontext.Value) (int, error) {
		n, err := jsonInt(raw)
		switch {
		case err != nil:
			return 0, c.ep.malformed(cl, "%s is %v", name, err)
		case n < 0 || n > maxCounter:
			return 0, c.ep.malformed(cl, "%s is %d", name, n)
		}
		return int(n), nil
	}
	if p.total, err = counter("totalResults", doc.TotalResults); err != nil {
		return p, err
	}
	gotStart, err := counter("startIndex", doc.StartIndex)
	if err != nil {
		return p, err
	}
	items, err := counter("itemsPerPage", doc.ItemsPerPage)
	if err != nil {
		return p, err
	}
	switch {
	case doc.Resources == nil && p.total > 0:
		return p, c.ep.malformed(cl, "Resources is missing but totalResults is %d", p.total)
	case gotStart != start:
		return p, c.ep.malformed(cl, "startIndex is %d, asked for %d", gotStart, start)
	case items != len(doc.Resources):
		return p, c.ep.malformed(cl, "itemsPerPage is %d but the page holds %d resources", items, len(doc.Resources))
	case items > count:
		return p, c.ep.malformed(cl, "%d resources on the page, asked for at most %d", items, count)
	}
	p.items, p.kept = make([]T, 0, len(doc.Resources)), make([]keptUser, 0, len(doc.Resources))
	for i, raw := range doc.Resources {
		it, kept, err := rl.decode(raw)
		if err != nil {
			return p, c.ep.malformed(cl, "resource %d: %v", i, err)
		}
		p.items, p.kept = append(p.items, it), append(p.kept, kept)
	}
	return p, nil
}

// pagePath is the request of one listing page; filter is an already encoded query part, or "".
func pagePath(path, filter string, start, count int) string {
	q := "startIndex=" + strconv.Itoa(start) + "&count=" + strconv.Itoa(count)
	if filter != "" {
		q = "filter=" + filter + "&" + q
	}
	return path + "?" + q
}
