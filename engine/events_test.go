package engine

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

const appID = "0oaclickup"

func ev(typ string, targets ...core.EventTarget) core.Event {
	return core.Event{UUID: typ + targets[0].ID, Type: typ, Targets: targets}
}

func user(id string) core.EventTarget  { return core.EventTarget{Type: "User", ID: id} }
func app(id string) core.EventTarget   { return core.EventTarget{Type: "AppInstance", ID: id} }
func group(id string) core.EventTarget { return core.EventTarget{Type: "UserGroup", ID: id} }

func TestEventFilter(t *testing.T) {
	linked := map[string]bool{"00ulinked": true}
	f := EventFilter{AppID: appID, PushGroups: []string{"00gpushed"},
		Linked: func(_ context.Context, ids []string) (map[string]bool, error) {
			out := map[string]bool{}
			for _, id := range ids {
				out[id] = linked[id]
			}
			return out, nil
		}}
	events := []core.Event{
		ev("application.user_membership.add", user("00uassigned"), app(appID)),
		ev("application.user_membership.remove", user("00uotherapp"), app("0oaslack")), // noise: another app
		ev("user.lifecycle.suspend", user("00ulinked")),
		ev("user.lifecycle.suspend", user("00ustranger")),                         // noise: not linked
		ev("group.user_membership.add", user("00ujoined"), group("00gpushed")),    // kept
		ev("group.user_membership.add", user("00unoise"), group("00gother")),      // noise: not pushed
		ev("application.user_membership.update", user("00uassigned"), app(appID)), // a duplicate user
		ev("user.account.update_password", user("00ulinked")),                     // not a type we act on
	}
	users, kept, err := f.Affected(t.Context(), events)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"00uassigned", "00ujoined", "00ulinked"}; !reflect.DeepEqual(users, want) {
		t.Fatalf("users %q, want %q", users, want)
	}
	if len(kept) != 4 {
		t.Errorf("kept %d events, want 4", len(kept))
	}
	none, _, err := f.Affected(t.Context(), []core.Event{events[1], events[3], events[5]})
	if err != nil || len(none) != 0 {
		t.Fatalf("noise led to users %q (err %v)", none, err)
	}
}

// eventLog serves pages of events behind opaque cursors, like Okta's polling next links.
type eventLog struct {
	pages [][]core.Event
	err   error
	polls []string // the cursors asked for
}

func (l *eventLog) Events(_ context.Context, cursor string, _ time.Time) ([]core.Event, string, error) {
	l.polls = append(l.polls, cursor)
	if l.err != nil {
		return nil, "", l.err
	}
	i := 0
	if cursor != "" {
		i = int(cursor[1] - '0')
	}
	if i >= len(l.pages) {
		return nil, cursor, nil // an empty page keeps the same next link
	}
	return l.pages[i], "c" + itoa(i+1), nil
}

func TestPoller(t *testing.T) {
	o, w := newOrg(), &workspace{}
	ann := o.add("1", "ann@x.io", "member", "ACTIVE")
	e, st := testEngine(t, o, w)
	log := &eventLog{pages: [][]core.Event{
		{ev("application.user_membership.add", user(ann.ID), app(appID))},
		{ev("application.user_membership.add", user(ann.ID), app(appID))}, // delivered again
	}}
	var runs int
	p := &Poller{Log: log, Store: st, Filter: EventFilter{AppID: appID},
		Run: func(ctx context.Context, s Spec) Result { runs++; return e.Run(ctx, s) }, Logger: e.Log}

	if err := p.Poll(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := w.written(); !reflect.DeepEqual(got, []string{"create ann@x.io"}) {
		t.Fatalf("writes %q", got)
	}
	// The duplicate is harmless: a fresh read finds nothing to do.
	if err := p.Poll(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := w.written(); len(got) != 1 || runs != 2 {
		t.Fatalf("writes %q after %d runs", got, runs)
	}

	// A failed poll leaves the cursor where it was.
	log.err = errors.New("okta is down")
	if err := p.Poll(t.Context()); err == nil {
		t.Fatal("want the poll's error")
	}
	log.err = nil
	// A new poller (a restart) resumes from the stored cursor.
	again := &Poller{Log: log, Store: st, Filter: EventFilter{AppID: appID}, Run: e.Run, Logger: e.Log}
	if err := again.Poll(t.Context()); err != nil {
		t.Fatal(err)
	}
	if want := []string{"", "c1", "c2", "c2"}; !reflect.DeepEqual(log.polls, want) {
		t.Fatalf("cursors polled %q, want %q", log.polls, want)
	}
}
