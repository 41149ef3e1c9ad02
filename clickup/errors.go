package clickup

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// APIError is a non-2xx answer from ClickUp. It unwraps to the core sentinel for its status
// (core.ErrUnauthorized for 401 and 403, core.ErrNotFound, core.ErrConflict, core.ErrRateLimited),
// so callers decide with errors.Is and read the details with errors.As.
type APIError struct {
	Service  string // "clickup scim" or "clickup rest"
	Method   string
	Path     string // relative to the base URL, with the query
	Status   int    // the HTTP status
	SCIMType string // SCIM error scimType (RFC 7644 §3.12), e.g. "uniqueness"
	Detail   string // SCIM detail, or the REST "err" text
	Code     string // REST ECODE, e.g. "OAUTH_027"
	// Body is a short excerpt of an answer that is not an error document (a proxy's HTML page).
	Body string
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s: status %d", e.Service, e.Method, e.Path, e.Status)
	if t := http.StatusText(e.Status); t != "" {
		b.WriteString(" " + t)
	}
	if e.SCIMType != "" {
		b.WriteString(", scimType " + e.SCIMType)
	}
	if e.Code != "" {
		b.WriteString(", code " + e.Code)
	}
	if e.Detail != "" {
		b.WriteString(": " + e.Detail)
	}
	if e.Body != "" {
		fmt.Fprintf(&b, ", body %q", e.Body)
	}
	return b.String()
}

// Unwrap returns the core sentinel for the status, or nil when there is none.
func (e *APIError) Unwrap() error {
	switch e.Status {
	case http.StatusUnauthorized, http.StatusForbidden:
		return core.ErrUnauthorized
	case http.StatusNotFound:
		return core.ErrNotFound
	case http.StatusConflict:
		return core.ErrConflict
	case http.StatusTooManyRequests:
		return core.ErrRateLimited
	}
	return nil
}

// What an APIError quotes of the answer, together at most maxQuoted bytes: the detail and the
// two codes of an error document, or an excerpt of anything else.
const (
	maxExcerpt = 200
	maxDetail  = 200
	maxCode    = 24
)

func (e *apiEndpoint) apiError(c call, r reply) *APIError {
	ae := &APIError{Service: e.service, Method: c.method, Path: c.path, Status: r.status}
	if d, ok := parseErrorBody(r.body); ok {
		ae.SCIMType = redact(truncate(d.scimType, maxCode), e.token)
		ae.Detail = redact(truncate(d.detail, maxDetail), e.token)
		ae.Code = redact(truncate(d.code, maxCode), e.token)
	} else {
		ae.Body = redact(truncate(strings.TrimSpace(string(r.body)), maxExcerpt), e.token)
	}
	return ae
}

type errorDoc struct{ scimType, detail, code string }

// parseErrorBody reads a SCIM error ({"status","scimType","detail"}, status a string per RFC 7644
// or an integer as in Okta's examples) or a REST error ({"err","ECODE"}). Anything else is not an
// error document and is shown as an excerpt instead.
func parseErrorBody(b []byte) (errorDoc, bool) {
	var doc struct {
		Status   jsontext.Value `json:"status"`
		SCIMType string         `json:"scimType"`
		Detail   string         `json:"detail"`
		Err      string         `json:"err"`
		ECODE    string         `json:"ECODE"`
	}
	if err := decodeObject(b, &doc); err != nil {
		return errorDoc{}, false
	}
	if !validStatus(doc.Status) {
		return errorDoc{}, false
	}
	d := errorDoc{scimType: doc.SCIMType, detail: doc.Detail, code: doc.ECODE}
	if d.detail == "" {
		d.detail = doc.Err
	}
	if d.detail == "" && d.scimType == "" && d.code == "" {
		return errorDoc{}, false
	}
	return d, true
}

// validStatus accepts an absent or null status, an integer, or a string holding one.
func validStatus(v jsontext.Value) bool {
	switch v.Kind() {
	case '"':
		var s string
		if decodeValue(v, &s) != nil {
			return false
		}
		_, err := strconv.Atoi(s)
		return err == nil
	case '0':
		_, err := jsonInt(v)
		return err == nil
	}
	return isNull(v)
}
