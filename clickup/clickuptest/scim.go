package clickuptest

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

const (
	schemaUser         = "urn:ietf:params:scim:schemas:core:2.0:User"
	schemaListResponse = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	schemaPatchOp      = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	schemaError        = "urn:ietf:params:scim:api:messages:2.0:Error"
	contentTypeSCIM    = "application/scim+json; charset=utf-8"
)

// scimError is an RFC 7644 §3.12 error. The fake sends status as a string, as the RFC says.
type scimError struct {
	status   int
	scimType string
	detail   string
}

func (e *scimError) Error() string { return e.detail }

func badRequest(scimType, format string, args ...any) *scimError {
	return &scimError{status: http.StatusBadRequest, scimType: scimType, detail: fmt.Sprintf(format, args...)}
}

func writeSCIMError(w http.ResponseWriter, e *scimError) {
	writeJSON(w, contentTypeSCIM, e.status, e.resource())
}

// errorResource is an RFC 7644 §3.12 error as the fake sends it.
type errorResource struct {
	Schemas  []string `json:"schemas"`
	Status   string   `json:"status"`
	SCIMType string   `json:"scimType,omitempty"`
	Detail   string   `json:"detail"`
}

func (e *scimError) resource() errorResource {
	return errorResource{Schemas: []string{schemaError}, Status: strconv.Itoa(e.status), SCIMType: e.scimType, Detail: e.detail}
}

// rateLimited is the SCIM answer to a request over the budget.
func rateLimited() *scimError {
	return &scimError{status: http.StatusTooManyRequests, detail: "Rate limit exceeded"}
}

func writeSCIMRateLimited(w http.ResponseWriter) { writeSCIMError(w, rateLimited()) }

func writeSCIM(w http.ResponseWriter, status int, v any) { writeJSON(w, contentTypeSCIM, status, v) }

// scimAuth accepts the SCIM token as "Bearer <token>" and, like reference §2.3 proposes, raw.
func (s *Server) scimAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := credential(r)
		switch {
		case !ok:
			writeSCIMError(w, &scimError{status: http.StatusUnauthorized, detail: "Authorization header required"})
		case !sameSecret(got, s.opt.SCIMToken):
			writeSCIMError(w, &scimError{status: http.StatusUnauthorized, detail: "Invalid SCIM token"})
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// credential returns the token from "Authorization: Bearer <t>" or "Authorization: <t>".
func credential(r *http.Request) (string, bool) {
	h := strings.TrimSpace(r.Header.Get("Authorization"))
	if h == "" {
		return "", false
	}
	if scheme, rest, ok := strings.Cut(h, " "); ok && strings.EqualFold(scheme, "Bearer") {
		return strings.TrimSpace(rest), true
	}
	return h, true
}

func sameSecret(got, want string) bool {
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func (s *Server) scimNotFound(w http.ResponseWriter, r *http.Request) {
	writeSCIMError(w, &scimError{status: http.StatusNotFound, detail: "No SCIM endpoint at " + r.URL.Path})
}

func (s *Server) scimMethodNotAllowed(w http.ResponseWriter, r *http.Request) {
	detail := r.Method + " is not supported on " + r.URL.Path
	if r.Method == http.MethodDelete {
		detail = "DELETE is not supported; deactivate users with PATCH active=false"
	}
	writeSCIMError(w, &scimError{status: http.StatusMethodNotAllowed, detail: detail})
}

// attrs is a JSON object by attribute name. SCIM attribute names are case-insensitive
// (RFC 7643 §2.1), so lookups are too.
type attrs map[string]json.RawMessage

func (a attrs) get(name string) (json.RawMessage, bool) {
	if v, ok := a[name]; ok {
		return v, true
	}
	for k, v := range a {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return nil, false
}

// readBody decodes the request body as one JSON object, refusing other media types, bad JSON and
// anything after the object.
func readBody(r *http.Request) (attrs, *scimError) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != "application/scim+json" && mt != "application/json") {
		return nil, &scimError{status: http.StatusUnsupportedMediaType,
			detail: fmt.Sprintf("Content-Type %q is not application/scim+json or application/json", r.Header.Get("Content-Type"))}
	}
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, badRequest("invalidSyntax", "read body: %v", err)
	}
	return parseAttrs(b)
}

func parseAttrs(b []byte) (attrs, *scimError) {
	dec := json.NewDecoder(bytes.NewReader(b))
	var a attrs
	if err := dec.Decode(&a); err != nil {
		return nil, badRequest("invalidSyntax", "body is not a JSON object: %v", err)
	}
	if a == nil {
		return nil, badRequest("invalidSyntax", "body is not a JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, badRequest("invalidSyntax", "data after the JSON object")
	}
	return a, nil
}

// requireSchemas checks that schemas lists every URN in want.
// readPatchOps reads a PatchOp request body: its schema and a non-empty list of operations.
func readPatchOps(r *http.Request) ([]patchOp, *scimError) {
	a, e := readBody(r)
	if e == nil {
		e = requireSchemas(a, schemaPatchOp)
	}
	if e != nil {
		return nil, e
	}
	var ops []patchOp
	raw, _ := a.get("Operations")
	if json.Unmarshal(raw, &ops) != nil || len(ops) == 0 {
		return nil, badRequest("invalidSyntax", "Operations must be a non-empty array of {op, path, value}")
	}
	return ops, nil
}

func requireSchemas(a attrs, want ...string) *scimError {
	raw, ok := a.get("schemas")
	var list []string
	if !ok || json.Unmarshal(raw, &list) != nil {
		return badRequest("invalidSyntax", "schemas must be an array of URNs including %s", want[0])
	}
	for _, w := range want {
		found := false
		for _, s := range list {
			found = found || strings.EqualFold(s, w)
		}
		if !found {
			return badRequest("invalidSyntax", "schemas must include %s", w)
		}
	}
	return nil
}

func optString(a attrs, name string) (string, bool, *scimError) {
	raw, ok := a.get(name)
	if !ok || isNull(raw) {
		return "", false, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false, badRequest("invalidValue", "%s must be a string", name)
	}
	return s, true, nil
}

func optBool(a attrs, name string) (bool, bool, *scimError) {
	raw, ok := a.get(name)
	if !ok || isNull(raw) {
		return false, false, nil
	}
	var v bool
	if err := json.Unmarshal(raw, &v); err != nil {
		return false, false, badRequest("invalidValue", "%s must be a boolean", name)
	}
	return v, true, nil
}

func isNull(raw json.RawMessage) bool {
	s := bytes.TrimSpace(raw)
	return len(s) == 0 || string(s) == "null"
}

// filter is a parsed `attribute eq "value"` expression, the only operator Okta uses (reference
// §3.2).
type filter struct {
	attr  string // userName, externalId or emails.value
	value string
}

var filterAttrs = []string{"userName", "externalId", "emails.value"}

func parseFilter(f string) (filter, *scimError) {
	invalid := func(why string) (filter, *scimError) {
		return filter{}, badRequest("invalidFilter", "filter %q: %s; supported: userName, externalId or emails.value eq \"value\"", f, why)
	}
	expr := strings.TrimSpace(f)
	// emails[value eq "x"] is the RFC 7644 value-path form of emails.value eq "x".
	if len(expr) > len("emails[]") && strings.EqualFold(expr[:7], "emails[") && strings.HasSuffix(expr, "]") {
		inner := strings.TrimSpace(expr[7 : len(expr)-1])
		if len(inner) < 5 || !strings.EqualFold(inner[:5], "value") {
			return invalid("unsupported value path")
		}
		expr = "emails." + inner
	}
	attr, rest, ok := strings.Cut(expr, " ")
	if !ok {
		return invalid("not an eq expression")
	}
	attr = strings.TrimPrefix(attr, schemaUser+":")
	op, lit, ok := strings.Cut(strings.TrimLeft(rest, " "), " ")
	if !ok || !strings.EqualFold(op, "eq") {
		return invalid("only the eq operator is supported")
	}
	value, ok := stringLiteral(lit)
	if !ok {
		return invalid("the value must be one quoted string")
	}
	for _, a := range filterAttrs {
		if strings.EqualFold(attr, a) {
			return filter{attr: a, value: value}, nil
		}
	}
	return invalid("unsupported attribute " + attr)
}

// stringLiteral reads a filter's comparison value, which must be one JSON string literal
// (RFC 7644 §3.4.2.2): anything after it ("and ...") fails the decode, and null, which
// encoding/json would read as "", is not a string.
func stringLiteral(lit string) (string, bool) {
	lit = strings.TrimSpace(lit)
	var value string
	if !strings.HasPrefix(lit, `"`) || json.Unmarshal([]byte(lit), &value) != nil {
		return "", false
	}
	return value, true
}

func (f filter) match(u *user) bool {
	switch f.attr {
	case "userName":
		return strings.EqualFold(u.userName, f.value) // caseExact false (RFC 7643 §4.1.1)
	case "externalId":
		return u.externalID == f.value // caseExact true
	case "emails.value":
		return u.email != "" && strings.EqualFold(u.email, f.value)
	}
	return false
}

// queryInt reads an optional integer query parameter.
func queryInt(r *http.Request, name string, def int) (int, *scimError) {
	v := r.URL.Query()
	if !v.Has(name) {
		return def, nil
	}
	n, err := strconv.Atoi(v.Get(name))
	if err != nil {
		return 0, badRequest("invalidValue", "%s %q is not an integer", name, v.Get(name))
	}
	return n, nil
}
