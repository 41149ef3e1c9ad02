package okta

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	sdk "github.com/okta/okta-sdk-golang/v2/okta"

	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// APIError is a failed Okta call: which operation and request, what Okta answered, and the
// sync sentinel it means, so callers decide with errors.Is (core.ErrUnauthorized, ErrNotFound,
// ErrRateLimited, ErrMalformed) and errors.As (*APIError, *sdk.Error) alike.
type APIError struct {
	Op      string // what the adapter was doing, e.g. "list app users"
	Request string // method and path, e.g. "GET /api/v1/apps/0oa1/users"
	Page    int    // 1-based page of a listing; 0 for a single call
	Status  int    // HTTP status; 0 when no response came back
	Code    string // Okta errorCode (E0000011, ...) when the body had one
	Kind    error  // a core sentinel, or nil
	Err     error  // the cause

	token string // scrubbed from the message; see Error
}

// maxQuote bounds what an error repeats of an answer (DESIGN.md §7): the cause's text is cut
// there, whatever in it came from Okta.
const maxQuote = 256

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "okta: %s: %s", e.Op, e.Request)
	if e.Page > 0 {
		fmt.Fprintf(&b, " page %d", e.Page)
	}
	b.WriteString(": ")
	if e.Kind != nil {
		b.WriteString(e.Kind.Error() + ": ")
	}
	if e.Status != 0 {
		fmt.Fprintf(&b, "HTTP %d", e.Status)
		if e.Code != "" {
			b.WriteString(" " + clip(e.Code, 32))
		}
		b.WriteString(": ")
	}
	if e.Err != nil {
		// Redacted before it is cut, so that a cut cannot leave half a token.
		b.WriteString(clip(redact(e.Err.Error(), e.token), maxQuote))
	}
	// The SDK's messages are not ours to vouch for; a token must never reach a log even if one
	// of them were to quote a request header.
	return redact(b.String(), e.token)
}

// Unwrap exposes both the sentinel and the cause.
func (e *APIError) Unwrap() []error {
	var errs []error
	if e.Kind != nil {
		errs = append(errs, e.Kind)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// clip cuts s after n bytes, at a character boundary, saying how long it was.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "… (" + strconv.Itoa(len(s)) + " bytes)"
}

// quote quotes s, a value Okta sent, for a message: at most maxQuote bytes of it.
func quote(s string) string { return strconv.Quote(clip(s, maxQuote)) }

// clientAssertion matches the signed JWT the SDK sends in the token request's query string: a
// transport error quotes that URL, and the assertion is a credential for as long as it lives.
var clientAssertion = regexp.MustCompile(`(client_assertion=)[^&\s"']+`)

func redact(s, token string) string {
	s = clientAssertion.ReplaceAllString(s, "${1}[REDACTED]")
	if token == "" {
		return s
	}
	return strings.ReplaceAll(s, token, "[REDACTED]")
}

// callError describes a failed call: status is 0 when no answer came (a transport error, an
// answer the transport refused, or the SDK failing to build the request).
func (c *Client) callError(op, request string, page, status int, err error) *APIError {
	e := &APIError{Op: op, Request: request, Page: page, Status: status, Err: err, token: c.token}
	var oe *sdk.Error
	if errors.As(err, &oe) {
		e.Code = oe.ErrorCode
		// The OAuth token endpoint answers in RFC 6749 terms (invalid_client, invalid_scope), and
		// the SDK fails the request before sending it, with no response: it is still a refusal of
		// our credentials.
		if e.Code == "" && oe.ErrorMessage != "" && status == 0 {
			e.Code, e.Kind = oe.ErrorMessage, core.ErrUnauthorized
		}
	}
	var (
		syntax    *json.SyntaxError
		typeError *json.UnmarshalTypeError
	)
	switch {
	case status == http.StatusUnauthorized, status == http.StatusForbidden:
		e.Kind = core.ErrUnauthorized
	case status == http.StatusNotFound:
		e.Kind = core.ErrNotFound
	case status == http.StatusTooManyRequests, errors.Is(err, core.ErrRateLimited):
		e.Kind = core.ErrRateLimited
	// A truncated body, whether cut in transit or sent short, cannot be trusted either.
	case errors.Is(err, core.ErrMalformed), errors.As(err, &syntax), errors.As(err, &typeError),
		errors.Is(err, io.ErrUnexpectedEOF):
		e.Kind = core.ErrMalformed
	}
	return e
}

// malformed reports an answer that decoded but cannot be trusted.
func (c *Client) malformed(op, request string, page int, format string, args ...any) *APIError {
	return &APIError{
		Op: op, Request: request, Page: page,
		Kind: core.ErrMalformed, Err: fmt.Errorf(format, args...), token: c.token,
	}
}
