package oktatest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

const routeLogs routeKind = 400 // GET /api/v1/logs

// PathLogs is the System Log, as a pattern for fault rules.
const PathLogs = "/api/v1/logs"

// System Log limits (okta-developer-docs reference/api/system-log).
const (
	DefaultLogLimit = 100
	MaxLogLimit     = 1000
	// DefaultLogSince is how far back a request without since starts.
	DefaultLogSince = 7 * 24 * time.Hour
	// MaxLogSince is how far back since may be; Okta refuses more.
	MaxLogSince = 180 * 24 * time.Hour
)

// parseLogsRoute recognises /api/v1/logs; other paths keep rt.
func parseLogsRoute(path string, rt route) route {
	if path == PathLogs {
		return route{kind: routeLogs, bucket: "/api/v1/logs"}
	}
	return rt
}

// listLogs serves GET /api/v1/logs as a polling request: the events in the order recorded, from
// since (by when they were recorded) or after a cursor, that the filter selects, at most limit;
// and, always, a next link, even on an empty page, whose cursor is where the page stopped. The
// fake serves polling only: until (a bounded request), sortOrder=DESCENDING and q are refused
// as not supported.
func (s *Server) listLogs(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	for _, p := range []string{"until", "q"} {
		if q.Has(p) {
			s.writeError(w, http.StatusBadRequest, "E0000031", "Invalid search criteria.",
				p+": not supported by the fake org, which serves polling requests only")
			return
		}
	}
	switch order := q.Get("sortOrder"); {
	case !q.Has("sortOrder") || order == "ASCENDING":
	case order == "DESCENDING":
		s.writeError(w, http.StatusBadRequest, "E0000031", "Invalid search criteria.",
			"sortOrder: DESCENDING is not supported by the fake org, which serves polling requests only")
		return
	default:
		s.writeError(w, http.StatusBadRequest, "E0000001", "Api validation failed: sortOrder",
			"sortOrder: must be ASCENDING or DESCENDING")
		return
	}
	limit := DefaultLogLimit
	if q.Has("limit") {
		n, err := strconv.Atoi(q.Get("limit"))
		if err != nil || n < 0 || n > MaxLogLimit {
			s.writeError(w, http.StatusBadRequest, "E0000001", "Api validation failed: limit",
				fmt.Sprintf("limit: must be an integer between 0 and %d", MaxLogLimit))
			return
		}
		limit = n
	}
	match := func(*logEntry) bool { return true }
	if q.Has("filter") {
		m, code, err := parseLogFilter(q.Get("filter"))
		if err != nil {
			s.writeError(w, http.StatusBadRequest, code, fmt.Sprintf("Invalid filter '%s': %v", q.Get("filter"), err))
			return
		}
		match = m
	}
	var since time.Time
	if q.Has("since") {
		t, err := time.Parse(time.RFC3339Nano, q.Get("since"))
		if err != nil {
			s.writeError(w, http.StatusBadRequest, "E0000001",
				"Api validation failed: 'since': The date format in your query is not recognized. Please enter dates using ISO8601 string format.",
				"since: The date format in your query is not recognized. Please enter dates using ISO8601 string format.")
			return
		}
		since = t
	}

	s.mu.Lock()
	entries := s.log.entries
	now := s.now()
	var start int
	if q.Has("after") {
		// Okta's own next links carry since beside after; the cursor decides.
		pos, ok := s.logPosition(q.Get("after"))
		if !ok {
			s.mu.Unlock()
			s.writeError(w, http.StatusBadRequest, "E0000001", "Api validation failed: after", "after: unknown cursor")
			return
		}
		start = pos
	} else {
		if since.IsZero() {
			since = now.Add(-DefaultLogSince)
		}
		if since.Before(now.Add(-MaxLogSince)) {
			s.mu.Unlock()
			s.writeError(w, http.StatusBadRequest, "E0000053", "Invalid parameter: The since parameter is over 180 days prior to the current day.")
			return
		}
		start = len(entries)
		for i, e := range entries {
			if !e.persisted.Before(since) {
				start = i
				break
			}
		}
	}
	page := make([]logEventJSON, 0, min(limit, len(entries)-start))
	// A page that is not full has read the log to its end; a full one stops at its last event.
	end := start
	for ; end < len(entries) && len(page) < limit; end++ {
		if match(entries[end]) {
			page = append(page, renderLogEvent(entries[end]))
		}
	}
	cursor := s.logCursor(end)
	s.mu.Unlock()

	nq := url.Values{"after": {cursor}, "limit": {strconv.Itoa(limit)}, "sortOrder": {"ASCENDING"}}
	if q.Has("filter") {
		nq.Set("filter", q.Get("filter"))
	}
	w.Header().Add("Link", "<"+s.URL()+r.URL.RequestURI()+`>; rel="self"`)
	w.Header().Add("Link", "<"+s.URL()+PathLogs+"?"+nq.Encode()+`>; rel="next"`)
	s.writeJSON(w, http.StatusOK, page)
}

// logCursor is the after value of the position pos of the log (the events before it read):
// the persistence time of the last event read, in milliseconds, and pos, the way Okta's cursors
// look. It expects s.mu held.
func (s *Server) logCursor(pos int) string {
	var ms int64
	if pos > 0 {
		ms = s.log.entries[pos-1].persisted.UnixMilli()
	}
	return strconv.FormatInt(ms, 10) + "_" + strconv.Itoa(pos)
}

// logPosition reads a cursor logCursor made; anything else is unknown. It expects s.mu held.
func (s *Server) logPosition(after string) (int, bool) {
	msText, posText, ok := strings.Cut(after, "_")
	if !ok {
		return 0, false
	}
	pos, err := strconv.Atoi(posText)
	if err != nil || pos < 0 || pos > len(s.log.entries) {
		return 0, false
	}
	return pos, s.logCursor(pos) == msText+"_"+posText
}

// The LogEvent as Okta renders it. The parts the fake has nothing to say about are fixed, with
// the nulls Okta sends.
type logEventJSON struct {
	Actor                 logTargetJSON   `json:"actor"`
	Client                json.RawMessage `json:"client"`
	Device                json.RawMessage `json:"device"`
	AuthenticationContext json.RawMessage `json:"authenticationContext"`
	DisplayMessage        string          `json:"displayMessage"`
	EventType             string          `json:"eventType"`
	Outcome               struct {
		Result string  `json:"result"`
		Reason *string `json:"reason"`
	} `json:"outcome"`
	Published       string          `json:"published"`
	SecurityContext json.RawMessage `json:"securityContext"`
	Severity        string          `json:"severity"`
	DebugContext    json.RawMessage `json:"debugContext"`
	LegacyEventType *string         `json:"legacyEventType"`
	Transaction     struct {
		Type   string         `json:"type"`
		ID     string         `json:"id"`
		Detail map[string]any `json:"detail"`
	} `json:"transaction"`
	UUID    string          `json:"uuid"`
	Version string          `json:"version"`
	Request json.RawMessage `json:"request"`
	Target  []logTargetJSON `json:"target"` // null without targets
}

type logTargetJSON struct {
	ID          string  `json:"id"`
	Type        string  `json:"type"`
	AlternateID string  `json:"alternateId"`
	DisplayName string  `json:"displayName"`
	DetailEntry *string `json:"detailEntry"`
}

var (
	logClient          = json.RawMessage(`{"userAgent":{"rawUserAgent":"Mozilla/5.0 (oktatest)","os":"Mac OS X","browser":"CHROME"},"zone":"null","device":"Computer","id":null,"ipAddress":"127.0.0.1","geographicalContext":null}`)
	logNull            = json.RawMessage(`null`)
	logAuthContext     = json.RawMessage(`{"authenticationProvider":null,"credentialProvider":null,"credentialType":null,"issuer":null,"interface":null,"authenticationStep":0,"externalSessionId":"trsfakesession0000000001"}`)
	logSecurityContext = json.RawMessage(`{"asNumber":null,"asOrg":null,"isp":null,"domain":null,"isProxy":null}`)
	logDebugContext    = json.RawMessage(`{"debugData":{"requestUri":"/api/v1/oktatest"}}`)
	logRequest         = json.RawMessage(`{"ipChain":[{"ip":"127.0.0.1","geographicalContext":null,"version":"V4","source":null}]}`)
)

func renderTarget(t LogTarget) logTargetJSON {
	return logTargetJSON{ID: t.ID, Type: t.Type, AlternateID: t.AlternateID, DisplayName: t.DisplayName}
}

// renderLogEvent renders a recorded event; entries do not change once recorded.
func renderLogEvent(e *logEntry) logEventJSON {
	out := logEventJSON{
		Actor: renderTarget(*e.Actor), Client: logClient, Device: logNull, AuthenticationContext: logAuthContext,
		DisplayMessage: e.DisplayMessage, EventType: e.EventType, Published: timestamp(e.Published),
		SecurityContext: logSecurityContext, Severity: "INFO", DebugContext: logDebugContext,
		UUID: e.UUID, Version: "0", Request: logRequest,
	}
	out.Outcome.Result = "SUCCESS"
	out.Transaction.Type, out.Transaction.ID, out.Transaction.Detail = "WEB", "Xfake"+e.UUID, map[string]any{}
	for _, t := range e.Targets {
		out.Target = append(out.Target, renderTarget(t))
	}
	return out
}
