package okta

import (
	"fmt"
	"time"

	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// logEvent is what the adapter reads of a System Log LogEvent, in a System Log page and in an
// event hook's data.events alike: who it points at, nothing of how it came about.
type logEvent struct {
	UUID      string      `json:"uuid"`
	EventType string      `json:"eventType"`
	Published string      `json:"published"`
	Target    []logTarget `json:"target"` // absent or null on events without targets
}

type logTarget struct {
	ID          string `json:"id"`
	Type        string `json:"type"`
	AlternateID string `json:"alternateId"`
}

// decodeEvents decodes body, a JSON array of LogEvents, and hands each to each in order. The
// fields Okta documents as required (uuid, eventType, published; a target's id and type) must
// be there: an event without them cannot be told apart from another or pointed at anyone, and
// an answer that drops them is not to be trusted for the rest either.
func decodeEvents(body []byte, each func(core.Event) error) error {
	return decodeList(body, func(i int, le *logEvent, typeErr error) error {
		ev, err := eventOf(le, typeErr)
		switch {
		case err != nil && le != nil && le.UUID != "":
			return fmt.Errorf("event %s: %w", quote(le.UUID), err)
		case err != nil:
			return fmt.Errorf("event at position %d: %w", i+1, err)
		}
		return each(ev)
	})
}

func eventOf(le *logEvent, typeErr error) (core.Event, error) {
	switch {
	case le == nil:
		return core.Event{}, fmt.Errorf("is null")
	case typeErr != nil:
		return core.Event{}, typeErr
	case le.UUID == "":
		return core.Event{}, fmt.Errorf("missing uuid")
	case le.EventType == "":
		return core.Event{}, fmt.Errorf("missing eventType")
	case le.Published == "":
		return core.Event{}, fmt.Errorf("missing published")
	}
	published, err := time.Parse(time.RFC3339Nano, le.Published)
	if err != nil {
		return core.Event{}, fmt.Errorf("published %s is not an RFC 3339 time", quote(le.Published))
	}
	ev := core.Event{UUID: le.UUID, Type: le.EventType, Published: published}
	if len(le.Target) > 0 {
		ev.Targets = make([]core.EventTarget, len(le.Target))
	}
	for i, t := range le.Target {
		switch {
		case t.ID == "":
			return core.Event{}, fmt.Errorf("target %d: missing id", i+1)
		case t.Type == "":
			return core.Event{}, fmt.Errorf("target %d: missing type", i+1)
		}
		ev.Targets[i] = core.EventTarget{ID: t.ID, Type: t.Type, AlternateID: t.AlternateID}
	}
	return ev, nil
}
