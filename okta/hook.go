package okta

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// Okta event hooks (DESIGN.md §10): Okta POSTs batches of the same LogEvents the System Log
// serves to an HTTPS endpoint, best effort and at least once, after a one-time verification GET.
// The daemon serves the endpoint; these are the parts of it that read what Okta sends.

const (
	// MaxEventHookBytes bounds an event hook request's body. Okta documents no batch size (events
	// "that occur within a short time of each other are amalgamated"); a LogEvent is 1 to 5 KB,
	// so this holds about a thousand of them, and a body beyond it is refused, not truncated.
	MaxEventHookBytes = 4 << 20
	// eventHookType is the eventType of every event hook delivery.
	eventHookType = "com.okta.event_hook"
	// VerificationHeader carries the one-time verification challenge.
	VerificationHeader = "X-Okta-Verification-Challenge"
	// maxChallengeBytes bounds the challenge echoed back; Okta's is a few dozen characters.
	maxChallengeBytes = 1024
)

// ParseEventHook reads an event hook delivery, Okta's JSON object
// {"eventType":"com.okta.event_hook", ..., "data":{"events":[LogEvent, ...]}}, and returns its
// events in the order sent. The whole body is read, at most MaxEventHookBytes, with strings of at
// most 64 KiB. A body that is not such an object, or an event without its uuid, eventType or
// published time, is an error matching core.ErrMalformed, quoting at most 256 bytes of it; no
// events come back with an error.
func ParseEventHook(body io.Reader) ([]core.Event, error) {
	b, err := readBounded(body, -1, true, MaxEventHookBytes)
	if err != nil {
		if errors.Is(err, core.ErrMalformed) {
			return nil, hookMalformed(err)
		}
		return nil, fmt.Errorf("okta: parse event hook: read the body: %w", err)
	}
	var p struct {
		EventType string `json:"eventType"`
		Data      *struct {
			Events json.RawMessage `json:"events"`
		} `json:"data"`
	}
	if err := decodeObject(b, &p); err != nil {
		return nil, hookMalformed(err)
	}
	switch {
	case p.EventType != eventHookType:
		return nil, hookMalformed(fmt.Errorf("eventType is %s, not %s", quote(p.EventType), eventHookType))
	case p.Data == nil:
		return nil, hookMalformed(errors.New("missing data"))
	}
	switch k := kindOf(p.Data.Events); k {
	case kindNone:
		return nil, hookMalformed(errors.New("missing data.events"))
	case kindArray:
	default:
		return nil, hookMalformed(fmt.Errorf("data.events is %s, want an array", k))
	}
	events := []core.Event{}
	if err := decodeEvents(p.Data.Events, func(ev core.Event) error {
		events = append(events, ev)
		return nil
	}); err != nil {
		return nil, hookMalformed(fmt.Errorf("data.events: %w", err))
	}
	return events, nil
}

func hookMalformed(err error) error {
	return fmt.Errorf("okta: parse event hook: %w: %s", core.ErrMalformed, clip(err.Error(), maxQuote))
}

// VerifyChallenge returns the challenge of Okta's one-time verification request, the value of
// its X-Okta-Verification-Challenge header; ok is false when the request carries none, several,
// an empty one, or one that is no short printable ASCII string (which Okta never sends, and
// which is not to be echoed).
func VerifyChallenge(r *http.Request) (challenge string, ok bool) {
	vals := r.Header.Values(VerificationHeader)
	if len(vals) != 1 || vals[0] == "" || len(vals[0]) > maxChallengeBytes {
		return "", false
	}
	for i := 0; i < len(vals[0]); i++ {
		if c := vals[0][i]; c < 0x20 || c > 0x7e {
			return "", false
		}
	}
	return vals[0], true
}

// VerificationResponse is the JSON body answering a verification challenge:
// {"verification":"<challenge>"}, to send with Content-Type application/json.
func VerificationResponse(challenge string) []byte {
	b, _ := json.Marshal(struct {
		Verification string `json:"verification"`
	}{challenge}) // a struct of one string always encodes
	return b
}

// HookAuthorized reports whether r carries exactly one Authorization header equal to secret,
// the value the event hook was registered with. The comparison takes the same time whatever the
// header holds, its length included, and an empty secret authorizes nothing.
func HookAuthorized(r *http.Request, secret string) bool {
	vals := r.Header.Values("Authorization")
	if secret == "" || len(vals) != 1 {
		return false
	}
	got, want := sha256.Sum256([]byte(vals[0])), sha256.Sum256([]byte(secret))
	return subtle.ConstantTimeCompare(got[:], want[:]) == 1
}
