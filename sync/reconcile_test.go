package sync

import (
	"context"
	"errors"
	"reflect"
	"testing"
)

type staticDirectory struct {
	users []OktaUser
	err   error
}

func (d staticDirectory) ListAppUsers(context.Context) ([]OktaUser, error) { return d.users, d.err }

type listingWorkspace struct {
	recordingWorkspace
	users []ClickUpUser
	err   error
}

func (w *listingWorkspace) ListUsers(context.Context) ([]ClickUpUser, error) { return w.users, w.err }

type memLinks struct{ m map[string]string }

func (l *memLinks) Links(context.Context) (map[string]string, error) {
	out := map[string]string{}
	for k, v := range l.m {
		out[k] = v
	}
	return out, nil
}
func (l *memLinks) SaveLinks(_ context.Context, m map[string]string) error {
	for k, v := range m {
		l.m[k] = v
	}
	return nil
}
func (l *memLinks) DeleteLink(_ context.Context, k string) error { delete(l.m, k); return nil }

func TestReconcilerReadFailureWritesNothing(t *testing.T) {
	for _, tc := range []struct {
		name string
		dir  staticDirectory
		err  error
	}{
		{"okta fails", staticDirectory{err: ErrMalformed}, nil},
		{"clickup fails", staticDirectory{users: []OktaUser{ok("00u1", "a@x.io", "")}}, ErrUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ws := &listingWorkspace{err: tc.err}
			r := &Reconciler{Directory: tc.dir, Workspace: ws, Rails: Rails{MaxDeactivations: 10, MaxDeactivationPercent: 100}}
			_, err := r.Reconcile(t.Context(), false)
			if !errors.Is(err, ErrRead) || len(ws.calls) != 0 {
				t.Fatalf("err %v, writes %q", err, ws.calls)
			}
		})
	}
}

func TestReconcilerKeepsLinks(t *testing.T) {
	links := &memLinks{m: map[string]string{"00u1": "7", "00u9": "99"}}
	ws := &listingWorkspace{users: []ClickUpUser{named(cu("7", "", "other@x.io", true, RoleMember), "F00u1")}}
	r := &Reconciler{
		Directory: staticDirectory{users: []OktaUser{ok("00u1", "ann@x.io", ""), ok("00u2", "new@x.io", "")}},
		Workspace: ws, Links: links,
		Rails: Rails{MaxDeactivations: 10, MaxDeactivationPercent: 100},
	}
	p, err := r.Reconcile(t.Context(), false)
	if err != nil {
		t.Fatal(err)
	}
	// The stored link wins over a userName that no longer matches: no create for ann.
	if p.Summarize().Actions[ActionCreateUser] != 1 {
		t.Fatalf("plan %q", compact(p))
	}
	want := map[string]string{"00u1": "7", "00u2": "new-new@x.io"}
	if !reflect.DeepEqual(links.m, want) {
		t.Fatalf("links %v, want %v (the vanished link to 99 forgotten)", links.m, want)
	}
}
