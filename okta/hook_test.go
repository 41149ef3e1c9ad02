package okta_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/okta-clickup-sync/okta-clickup-sync/okta"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// hookBody is an event hook delivery shaped like Okta's documented sample, with two events.
const hookBody = `{
  "eventType": "com.okta.event_hook",
  "eventTypeVersion": "1.0",
  "cloudEventsVersion": "0.1",
  "contentType": "application/json",
  "eventId": "b5a188b9-5ece-4636-b041-482ffda96311",
  "eventTime": "2019-03-27T16:59:53.032Z",
  "source": "https://acme.okta.com/api/v1/eventHooks/whoql0HfiLGPWc8Jx0g3",
  "data": {
    "events": [
      {
        "version": "0", "severity": "INFO",
        "client": {"zone": "OFF_NETWORK", "device": "Unknown", "userAgent": {"os": "Unknown", "browser": "UNKNOWN", "rawUserAgent": "UNKNOWN-DOWNLOAD"}, "ipAddress": "12.97.85.90"},
        "actor": {"id": "00u1qw6mqitPHM8AJ0g7", "type": "User", "alternateId": "admin@example.com", "displayName": "Example Admin"},
        "outcome": {"result": "SUCCESS"},
        "uuid": "f790999f-fe87-467a-9880-6982a583986c",
        "published": "2019-03-27T16:59:52.777Z",
        "eventType": "application.user_membership.add",
        "displayMessage": "Add user to application membership",
        "transaction": {"type": "WEB", "id": "V04Oy4ubUOc5UuG6s9DyNQAABtc"},
        "target": [
          {"id": "0ua1xyz", "type": "AppUser", "alternateId": "ada@example.com", "displayName": "Ada", "detailEntry": null},
          {"id": "0oaclickup", "type": "AppInstance", "alternateId": "ClickUp", "displayName": "ClickUp", "detailEntry": null},
          {"id": "00uada00000000000001", "type": "User", "alternateId": "ada@example.com", "displayName": "Ada", "detailEntry": null}
        ]
      },
      {"uuid": "5b0a1c6e-0000-4000-8000-000000000002", "published": "2019-03-27T16:59:50+02:00", "eventType": "user.session.start", "target": null}
    ]
  }
}`

func TestParseEventHook(t *testing.T) {
	events, err := okta.ParseEventHook(strings.NewReader(hookBody))
	if err != nil {
		t.Fatal(err)
	}
	want := []core.Event{
		{UUID: "f790999f-fe87-467a-9880-6982a583986c", Type: "application.user_membership.add",
			Published: time.Date(2019, 3, 27, 16, 59, 52, 777e6, time.UTC),
			Targets: []core.EventTarget{
				{ID: "0ua1xyz", Type: "AppUser", AlternateID: "ada@example.com"},
				{ID: "0oaclickup", Type: "AppInstance", AlternateID: "ClickUp"},
				{ID: "00uada00000000000001", Type: "User", AlternateID: "ada@example.com"},
			}},
		{UUID: "5b0a1c6e-0000-4000-8000-000000000002", Type: "user.session.start",
			Published: time.Date(2019, 3, 27, 14, 59, 50, 0, time.UTC)},
	}
	if len(events) != len(want) {
		t.Fatalf("events %+v", events)
	}
	for i := range want {
		if !eventsEqual(events[i], want[i]) {
			t.Errorf("event %d: %+v, want %+v", i, events[i], want[i])
		}
	}
	events, err = okta.ParseEventHook(strings.NewReader(`{"eventType":"com.okta.event_hook","data":{"events":[]}}`))
	if err != nil || events == nil || len(events) != 0 {
		t.Errorf("no events: %v, %v; want an empty list", events, err)
	}
}

func eventsEqual(a, b core.Event) bool {
	if a.UUID != b.UUID || a.Type != b.Type || !a.Published.Equal(b.Published) || len(a.Targets) != len(b.Targets) {
		return false
	}
	for i := range a.Targets {
		if a.Targets[i] != b.Targets[i] {
			return false
		}
	}
	return true
}

// What a hostile or broken sender could post: each is refused as malformed, with a short
// message, and no events.
func TestParseEventHook_Hostile(t *testing.T) {
	wrap := func(events string) string {
		return `{"eventType":"com.okta.event_hook","data":{"events":` + events + `}}`
	}
	ev := func(fields string) string {
		return wrap(`[{"uuid":"u1","eventType":"t","published":"2026-01-01T00:00:00.000Z"` + fields + `}]`)
	}
	long := strings.Repeat("x", 70<<10)
	for _, tc := range []struct{ name, body, want string }{
		{"Empty", "", "the body is empty"},
		{"Null", "null", "the body is null"},
		{"Array", "[]", "want an object"},
		{"String", `"x"`, "want an object"},
		{"NotJSON", "<html>", "invalid character"},
		{"Truncated", hookBody[:len(hookBody)/2], "unexpected end"},
		{"Trailing", hookBody + " {}", "after top-level value"},
		{"OtherEventType", `{"eventType":"com.okta.import.transaction","data":{"events":[]}}`, `"com.okta.import.transaction"`},
		{"NoEventType", `{"data":{"events":[]}}`, "eventType"},
		{"NoData", `{"eventType":"com.okta.event_hook"}`, "missing data"},
		{"DataNull", `{"eventType":"com.okta.event_hook","data":null}`, "missing data"},
		{"DataArray", `{"eventType":"com.okta.event_hook","data":[]}`, "want an object"},
		{"NoEvents", `{"eventType":"com.okta.event_hook","data":{}}`, "missing data.events"},
		{"EventsNull", wrap("null"), "data.events is null"},
		{"EventsObject", wrap(`{"uuid":"u1"}`), "data.events is an object"},
		{"EventNull", wrap("[null]"), "event at position 1: is null"},
		{"EventString", wrap(`["u1"]`), "want an object"},
		{"NoUUID", wrap(`[{"eventType":"t","published":"2026-01-01T00:00:00Z"}]`), "missing uuid"},
		{"NoType", wrap(`[{"uuid":"u1","published":"2026-01-01T00:00:00Z"}]`), `event "u1": missing eventType`},
		{"NoPublished", wrap(`[{"uuid":"u1","eventType":"t"}]`), "missing published"},
		{"BadPublished", ev(`,"published":"2017-09-31T22:23:07.777Z"`), "is not an RFC 3339 time"},
		{"PublishedNumber", ev(`,"published":1700000000`), "published"},
		{"UUIDNumber", wrap(`[{"uuid":7,"eventType":"t","published":"2026-01-01T00:00:00Z"}]`), "uuid"},
		{"TargetObject", ev(`,"target":{"id":"x","type":"User"}`), "target"},
		{"TargetNullEntry", ev(`,"target":[null]`), "target 1: missing id"},
		{"TargetNoID", ev(`,"target":[{"type":"User"}]`), "target 1: missing id"},
		{"TargetNoType", ev(`,"target":[{"id":"00u1"}]`), "target 1: missing type"},
		{"TargetIDNumber", ev(`,"target":[{"id":1,"type":"User"}]`), "target"},
		{"LongString", ev(`,"displayMessage":"` + long + `"`), "a string of more than 65536 bytes"},
		{"LongUUID", wrap(`[{"uuid":"` + long + `"}]`), "a string of more than 65536 bytes"},
		{"Deep", wrap(strings.Repeat("[", 20000) + strings.Repeat("]", 20000)), "exceeded max depth"},
		{"TooLarge", wrap("[" + strings.Repeat(`{"uuid":"u","eventType":"t","published":"2026-01-01T00:00:00Z"},`, okta.MaxEventHookBytes/60) + "{}]"), "more than 4194304 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			events, err := okta.ParseEventHook(strings.NewReader(tc.body))
			if err == nil || events != nil {
				t.Fatalf("parsed into %d events", len(events))
			}
			if !errors.Is(err, core.ErrMalformed) || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "okta: parse event hook: ") {
				t.Errorf("error %q, want ErrMalformed containing %q", err, tc.want)
			}
			if n := len(err.Error()); n > 400 {
				t.Errorf("error of %d bytes", n)
			}
		})
	}
}

// A body that fails to arrive is a read error, not a malformed delivery.
func TestParseEventHook_ReadError(t *testing.T) {
	cause := errors.New("connection reset")
	_, err := okta.ParseEventHook(io.MultiReader(strings.NewReader(hookBody[:100]), iotest.ErrReader(cause)))
	if !errors.Is(err, cause) || errors.Is(err, core.ErrMalformed) {
		t.Errorf("error %v, want the read error", err)
	}
	// The daemon bounds the body as it likes; its bound's error comes through as it is.
	w := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodPost, "/hooks/okta", strings.NewReader(hookBody))
	_, err = okta.ParseEventHook(http.MaxBytesReader(w, r.Body, 64))
	if mbe := (*http.MaxBytesError)(nil); !errors.As(err, &mbe) {
		t.Errorf("error %v, want the MaxBytesError", err)
	}
}

func TestVerifyChallenge(t *testing.T) {
	for _, tc := range []struct {
		name   string
		values []string
		ok     bool
	}{
		{"One", []string{"Ab3-x_Y.z~"}, true},
		{"None", nil, false},
		{"Empty", []string{""}, false},
		{"Two", []string{"a", "b"}, false},
		{"Control", []string{"a\x01b"}, false},
		{"NonASCII", []string{"é"}, false},
		{"Long", []string{strings.Repeat("a", 1025)}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/hooks/okta", nil)
			for _, v := range tc.values {
				r.Header.Add("X-Okta-Verification-Challenge", v)
			}
			got, ok := okta.VerifyChallenge(r)
			if ok != tc.ok || ok && got != tc.values[0] || !ok && got != "" {
				t.Errorf("VerifyChallenge = %q, %t", got, ok)
			}
		})
	}
	for _, c := range []string{"abc", `a"b\c</script>`} {
		var v map[string]string
		if err := json.Unmarshal(okta.VerificationResponse(c), &v); err != nil || len(v) != 1 || v["verification"] != c {
			t.Errorf("VerificationResponse(%q) = %s", c, okta.VerificationResponse(c))
		}
	}
}

func TestHookAuthorized(t *testing.T) {
	const secret = "Bearer s3cr3t-value"
	for _, tc := range []struct {
		name   string
		values []string
		secret string
		ok     bool
	}{
		{"Equal", []string{secret}, secret, true},
		{"Different", []string{"Bearer s3cr3t-valuf"}, secret, false},
		{"Prefix", []string{"Bearer s3cr3t"}, secret, false},
		{"Longer", []string{secret + "x"}, secret, false},
		{"Case", []string{strings.ToUpper(secret)}, secret, false},
		{"None", nil, secret, false},
		{"Two", []string{secret, secret}, secret, false},
		{"EmptySecret", []string{""}, "", false},
		{"NoneEmptySecret", nil, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/hooks/okta", nil)
			for _, v := range tc.values {
				r.Header.Add("Authorization", v)
			}
			if got := okta.HookAuthorized(r, tc.secret); got != tc.ok {
				t.Errorf("HookAuthorized = %t, want %t", got, tc.ok)
			}
		})
	}
}
