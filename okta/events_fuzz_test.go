package okta

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/okta-clickup-sync/okta-clickup-sync/internal/httpretry"
	"github.com/okta-clickup-sync/okta-clickup-sync/internal/httpretry/httpretrytest"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// FuzzSystemLogEvents feeds arbitrary bytes to the LogEvent decoding three ways: as a System Log
// page through the whole client, as the data.events of an event hook delivery, and as a whole
// delivery. Nothing may panic; a page or a delivery is taken only when it is a JSON array of
// events with the fields Okta requires, each event then as complete as the decoding promises,
// the page and the delivery agreeing; anything else is malformed, with a short message, and
// returns neither events nor a cursor.
func FuzzSystemLogEvents(f *testing.F) {
	ev := `{"uuid":"f790999f-fe87-467a-9880-6982a583986c","published":"2026-03-01T12:00:00.777Z","eventType":"application.user_membership.add",` +
		`"actor":{"id":"00u1","type":"User"},"outcome":{"result":"SUCCESS"},"target":[{"id":"0oa1","type":"AppInstance","alternateId":"ClickUp","detailEntry":null},` +
		`{"id":"00u2","type":"User","alternateId":"ada@example.com","displayName":"Ada"}]}`
	for _, s := range []string{
		"[" + ev + "]", "[" + ev + "," + ev + "]", "[]", "", "null", "{}", `"[]"`, "[] []", "[null]", "[1]", "[[]]",
		`[{"uuid":"u","eventType":"t","published":"2026-03-01T12:00:00Z","target":null}]`,
		`[{"uuid":"u","eventType":"t","published":"2026-03-01T12:00:00+05:30","target":[]}]`,
		`[{"uuid":"u","eventType":"t","published":"2017-09-31T22:23:07.777Z"}]`,
		`[{"uuid":"u","eventType":"t","published":1}]`,
		`[{"uuid":"u","eventType":"t","published":"2026-03-01T12:00:00Z","target":[null]}]`,
		`[{"uuid":"u","eventType":"t","published":"2026-03-01T12:00:00Z","target":{"id":"x"}}]`,
		`[{"UUID":"u","EVENTTYPE":"t","Published":"2026-03-01T12:00:00Z","target":[{"ID":"x","Type":"User"}]}]`,
		`[{"uuid":"u","uuid":"","eventType":"t","published":"2026-03-01T12:00:00Z"}]`,
		`[{"uuid":"\ud800","eventType":"t","published":"2026-03-01T12:00:00Z"}]`,
		`{"eventType":"com.okta.event_hook","data":{"events":[` + ev + `]}}`,
		`{"eventType":"com.okta.event_hook","data":{"events":null}}`,
		`[{"uuid":`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var page []core.Event
		perr := decodeEvents(body, func(e core.Event) error { page = append(page, e); return nil })
		var entries []json.RawMessage
		isArray := json.Unmarshal(body, &entries) == nil && kindOf(body) == kindArray
		if perr == nil && (!isArray || len(page) != len(entries)) {
			t.Fatalf("body %q decoded into %d events, but it is not an array of as many", body, len(page))
		}
		if perr != nil && len(perr.Error()) > 600 {
			t.Fatalf("body %q: error of %d bytes", body, len(perr.Error()))
		}
		for _, e := range page {
			checkEvent(t, body, e)
		}

		// Through the client, as a page of a poll with a valid next link.
		c := fuzzLogClient(t, body)
		events, cursor, err := c.Events(context.Background(), "", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
		switch {
		case err == nil && perr != nil, err != nil && perr == nil && len(page) < MaxEventPageLimit:
			t.Fatalf("body %q: the poll says %v, the decoding %v", body, err, perr)
		case err != nil && (!errors.Is(err, core.ErrMalformed) || events != nil || cursor != "" || len(err.Error()) > 600):
			t.Fatalf("body %q: poll = %d events, %q, %v; want only a short ErrMalformed", body, len(events), cursor, err)
		case err == nil && (!reflect.DeepEqual(events, page) || !strings.HasPrefix(cursor, logsPath+"?")):
			t.Fatalf("body %q: poll = %+v, %q; want %+v", body, events, cursor, page)
		}

		// As a delivery's data.events, and as a delivery.
		hook := append(append([]byte(`{"eventType":"com.okta.event_hook","data":{"events":`), body...), "}}"...)
		for _, b := range [][]byte{hook, body} {
			hevents, herr := ParseEventHook(bytes.NewReader(b))
			if herr != nil && (!errors.Is(herr, core.ErrMalformed) || hevents != nil || len(herr.Error()) > 600) {
				t.Fatalf("delivery %q: %d events, error %v; want only a short ErrMalformed", b, len(hevents), herr)
			}
			for _, e := range hevents {
				checkEvent(t, b, e)
			}
		}
		if hevents, herr := ParseEventHook(bytes.NewReader(hook)); perr == nil && (herr != nil || len(hevents) != len(page) || len(page) > 0 && !reflect.DeepEqual(hevents, page)) {
			t.Fatalf("body %q: a page of %d events, but as data.events %d, %v", body, len(page), len(hevents), herr)
		}
	})
}

func checkEvent(t *testing.T, body []byte, e core.Event) {
	t.Helper()
	if e.UUID == "" || e.Type == "" || e.Published.IsZero() {
		t.Fatalf("body %q: event %+v without uuid, type or published", body, e)
	}
	for _, tg := range e.Targets {
		if tg.ID == "" || tg.Type == "" {
			t.Fatalf("body %q: target %+v without id or type", body, tg)
		}
	}
}

// fuzzLogClient answers every System Log request in memory with body and a next link.
func fuzzLogClient(t *testing.T, body []byte) *Client {
	t.Helper()
	c, err := New(context.Background(), Options{OrgURL: "https://acme.okta.com", AppID: "0oa1", Token: "t",
		Retry: httpretry.Policy{Sleep: httpretrytest.NoSleep},
		HTTPClient: &http.Client{Transport: roundTripper(func(r *http.Request) *http.Response {
			return answer(r, `<https://acme.okta.com/api/v1/logs?after=1_1&limit=1000&sortOrder=ASCENDING>; rel="next"`, string(body))
		})}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
