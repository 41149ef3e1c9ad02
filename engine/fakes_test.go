package engine

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	gosync "sync"
	"testing"

	"github.com/rs/zerolog"

	"github.com/okta-clickup-sync/okta-clickup-sync/store"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// oktaID makes a short test id ("1") into the shape of an Okta user id.
func oktaID(n string) string { return "00u" + strings.Repeat("0", 17-len(n)) + n }

// org is an in-memory Okta org: the listing, and the single reads that confirm it.
type org struct {
	mu       gosync.Mutex
	users    map[string]core.OktaUser // by id; AppStatus "" means not assigned
	hidden   map[string]bool          // assigned, but missing from the listing (a lying listing)
	listErr  error
	reads    int
	listings int
}

func newOrg() *org { return &org{users: map[string]core.OktaUser{}, hidden: map[string]bool{}} }

func (o *org) add(n, login, role, appStatus string) core.OktaUser {
	o.mu.Lock()
	defer o.mu.Unlock()
	u := core.OktaUser{ID: oktaID(n), Login: login, Email: login, FirstName: "F", LastName: "L",
		AppStatus: appStatus, UserStatus: "ACTIVE", Role: role}
	o.users[u.ID] = u
	return u
}

func (o *org) ListAppUsers(context.Context) ([]core.OktaUser, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.listings++
	if o.listErr != nil {
		return nil, o.listErr
	}
	var out []core.OktaUser
	for id, u := range o.users {
		if u.AppStatus != "" && !o.hidden[id] {
			out = append(out, u)
		}
	}
	slices.SortFunc(out, func(a, b core.OktaUser) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

func (o *org) AppUser(_ context.Context, id string) (core.OktaUser, bool, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.reads++
	u, ok := o.users[id]
	return u, ok && u.AppStatus != "", nil
}

func (o *org) User(_ context.Context, key string) (core.OktaUser, bool, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.reads++
	for _, u := range o.users {
		if u.ID == key || strings.EqualFold(u.Login, key) || strings.EqualFold(u.Email, key) {
			u.AppStatus, u.Role = "", ""
			return u, true, nil
		}
	}
	return core.OktaUser{}, false, nil
}

// workspace is an in-memory ClickUp Workspace that records its writes.
type workspace struct {
	mu     gosync.Mutex
	users  []core.ClickUpUser
	writes []string
	seq    int
	// panicOn makes the write to this user panic, like a bug in an adapter would.
	panicOn string
}

func (w *workspace) add(id, ext, userName string, active bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.users = append(w.users, core.ClickUpUser{ID: id, ExternalID: ext, UserName: userName, Email: userName,
		GivenName: "F", FamilyName: "L", Active: active, Role: core.Role{Base: core.RoleMember}})
}

func (w *workspace) ListUsers(context.Context) ([]core.ClickUpUser, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.users), nil
}

func (w *workspace) CreateUser(_ context.Context, u core.NewUser) (core.ClickUpUser, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if u.UserName == w.panicOn {
		panic("adapter bug")
	}
	w.seq++
	c := core.ClickUpUser{ID: fmt.Sprint(1000 + w.seq), ExternalID: u.ExternalID, UserName: u.UserName, Email: u.Email,
		GivenName: u.GivenName, FamilyName: u.FamilyName, Active: true, Role: u.Role}
	w.users = append(w.users, c)
	w.writes = append(w.writes, "create "+u.UserName)
	return c, nil
}

func (w *workspace) ReplaceUser(_ context.Context, u core.ClickUpUser) (core.ClickUpUser, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for i := range w.users {
		if w.users[i].ID == u.ID {
			w.users[i].Active, w.users[i].Role = u.Active, u.Role
		}
	}
	w.writes = append(w.writes, fmt.Sprintf("put %s active=%t role=%s", u.ID, u.Active, u.Role))
	return u, nil
}

func (w *workspace) SetActive(_ context.Context, id string, active bool) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if id == w.panicOn {
		panic("adapter bug")
	}
	for i := range w.users {
		if w.users[i].ID == id {
			w.users[i].Active = active
		}
	}
	w.writes = append(w.writes, fmt.Sprintf("patch %s active=%t", id, active))
	return nil
}

func (w *workspace) User(_ context.Context, id string) (core.ClickUpUser, bool, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, u := range w.users {
		if u.ID == id {
			return u, true, nil
		}
	}
	return core.ClickUpUser{}, false, nil
}

func (w *workspace) FindUsers(_ context.Context, key core.UserKey, value string) ([]core.ClickUpUser, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []core.ClickUpUser
	for _, u := range w.users {
		switch {
		case key == core.ByExternalID && u.ExternalID == value,
			key == core.ByUserName && strings.EqualFold(u.UserName, value),
			key == core.ByEmail && strings.EqualFold(u.Email, value):
			out = append(out, u)
		}
	}
	return out, nil
}

func (w *workspace) written() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.writes)
}

// testEngine wires an engine to the fakes and a real state file.
func testEngine(t *testing.T, o *org, w *workspace) (*Engine, *store.Store) {
	t.Helper()
	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "state.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &Engine{
		Directory: o, Users: o, Workspace: w, Finder: w, Store: st,
		Rails: core.Rails{MaxDeactivations: 10, MaxDeactivationPercent: 100},
		Log:   zerolog.Nop(), CapWindow: 60 * 60 * 1e9,
	}, st
}
