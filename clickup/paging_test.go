package clickup_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/okta-clickup-sync/okta-clickup-sync/clickup"
	"github.com/okta-clickup-sync/okta-clickup-sync/clickup/clickuptest"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// starts returns the startIndex of every listing request, in order of arrival.
func starts(t *testing.T, s *clickuptest.Server) []int {
	t.Helper()
	var out []int
	for _, r := range s.Requests() {
		q, _ := url.ParseQuery(r.RawQuery)
		if !q.Has("startIndex") {
			continue
		}
		n, err := strconv.Atoi(q.Get("startIndex"))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	return out
}

// wantEveryUserOnce fails unless users are the fake's users, in order, each once.
func wantEveryUserOnce(t *testing.T, s *clickuptest.Server, users []core.ClickUpUser) {
	t.Helper()
	want := s.Users()
	if len(users) != len(want) {
		t.Fatalf("%d users, want %d", len(users), len(want))
	}
	for i, u := range users {
		if u.ID != want[i].ID {
			t.Fatalf("user %d is %s, want %s", i, u.ID, want[i].ID)
		}
	}
}

func seed(s *clickuptest.Server, n int) {
	for i := range n {
		s.AddUser(clickuptest.User{UserName: fmt.Sprintf("u%03d@x.io", i), Active: true})
	}
}

func TestPaging_AnnouncedCap(t *testing.T) {
	s, c, info := discovered(t, clickuptest.Options{MaxCount: 40}, clickup.SCIMOptions{})
	if info.PageSize != 40 || info.PageSizeSource != clickup.SourceDiscovered || info.MaxResults != 40 {
		t.Fatalf("page size %d (%s), maxResults %d", info.PageSize, info.PageSizeSource, info.MaxResults)
	}
	seed(s, 265)
	s.ResetRequests()
	users, err := c.ListUsers(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	wantEveryUserOnce(t, s, users)
	got := starts(t, s)
	slices.Sort(got)
	var want []int
	for i := 1; i <= 265; i += 40 {
		want = append(want, i)
	}
	if !slices.Equal(got, want) {
		t.Errorf("startIndexes %v, want %v: each page once", got, want)
	}
	for _, r := range s.Requests() {
		if q, _ := url.ParseQuery(r.RawQuery); q.Get("count") != "40" {
			t.Errorf("asked %s, want count=40 as announced", r.RawQuery)
		}
	}
}

func TestPaging_UnannouncedCap(t *testing.T) {
	s, c, info := discovered(t, clickuptest.Options{MaxCount: 40, AnnouncedMaxResults: 1000}, clickup.SCIMOptions{})
	if info.PageSize != 100 {
		t.Fatalf("page size %d, want the default: the service claims more", info.PageSize)
	}
	seed(s, 265)
	s.ResetRequests()
	users, err := c.ListUsers(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	wantEveryUserOnce(t, s, users)
	got := starts(t, s)
	slices.Sort(got)
	if want := []int{1, 41, 81, 121, 161, 201, 241}; !slices.Equal(got, want) {
		t.Errorf("startIndexes %v, want %v", got, want)
	}
}

// TestPaging_IrregularPages has a server whose pages hold 1 to 3 resources whatever was asked:
// the listing must still cover every index exactly once.
func TestPaging_IrregularPages(t *testing.T) {
	const total = 23
	var mu sync.Mutex
	covered := map[int]int{}
	h := func(w http.ResponseWriter, r *http.Request) {
		start, _ := strconv.Atoi(r.URL.Query().Get("startIndex"))
		count, _ := strconv.Atoi(r.URL.Query().Get("count"))
		n := min(count, 1+start%3, total-start+1)
		var rs []string
		mu.Lock()
		for i := start; i < start+n; i++ {
			covered[i]++
			rs = append(rs, res(strconv.Itoa(i)))
		}
		mu.Unlock()
		fmt.Fprint(w, list(strconv.Itoa(total), strconv.Itoa(start), strconv.Itoa(n), rs...))
	}
	c := newHandlerWith(t, h, clickup.SCIMOptions{RoleSchema: extURN, PageSize: 5})
	users, err := c.ListUsers(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for i, u := range users {
		if u.ID != strconv.Itoa(i+1) {
			t.Fatalf("user %d is %s", i, u.ID)
		}
	}
	for i := 1; i <= total; i++ {
		if covered[i] != 1 {
			t.Errorf("index %d was read %d times", i, covered[i])
		}
	}
}

func TestPaging_TotalChangesOnce(t *testing.T) {
	s, c, _ := discovered(t, clickuptest.Options{}, clickup.SCIMOptions{})
	seed(s, 250)
	s.ChangeTotalBetweenPages(1)
	s.ResetRequests()
	users, err := c.ListUsers(t.Context())
	if err != nil {
		t.Fatalf("a listing that changed once must be read again and succeed: %v", err)
	}
	wantEveryUserOnce(t, s, users)
	if len(users) != 251 {
		t.Errorf("%d users, want the one invited meanwhile too", len(users))
	}
	if n := slices.Index(starts(t, s)[1:], 1); n < 0 {
		t.Errorf("the listing was not read again from the start: %v", starts(t, s))
	}
	if w := s.Writes(); len(w) != 0 {
		t.Errorf("writes %+v", w)
	}
}

func TestPaging_TotalChangesTwice(t *testing.T) {
	s, c, _ := discovered(t, clickuptest.Options{}, clickup.SCIMOptions{})
	seed(s, 250)
	s.ChangeTotalBetweenPages(2)
	users, err := c.ListUsers(t.Context())
	if users != nil {
		t.Errorf("returned %d users with the error", len(users))
	}
	wantMalformed(t, err, "totalResults changed", "again when the listing was read once more")
	if w := s.Writes(); len(w) != 0 {
		t.Errorf("writes %+v", w)
	}
	// A user found through the failed listing must not be writable from it either.
	if _, err := c.ReplaceUser(t.Context(), core.ClickUpUser{ID: s.Users()[0].ID, UserName: "u000@x.io"}); err == nil {
		t.Error("a user of a failed listing was kept for a PUT")
	}
}
