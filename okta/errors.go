package okta

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"

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
			b.WriteString(" " + e.Code)
		}
		b.WriteString(": ")
	}
	if e.Err != nil {
		b.WriteString(e.Err.Error())
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

// callError describes a failed SDK call. resp is nil on transport errors, on decoding errors and
// when the SDK gave up after its 429 retries.
func (c *Client) callError(op, request string, page int, resp *sdk.Response, err error) *APIError {
	e := &APIError{Op: op, Request: request, Page: page, Err: err, token: c.token}
	var oe *sdk.Error
	if errors.As(err, &oe) {
		e.Code = oe.ErrorCode
		// The OAuth token endpoint answers in RFC 6749 terms (invalid_client, invalid_scope), and
		// the SDK fails the request before sending it, with no response: it is still a refusal of
		// our credentials.
		if e.Code == "" && oe.ErrorMessage != "" && (resp == nil || resp.Response == nil) {
			e.Code, e.Kind = oe.ErrorMessage, core.ErrUnauthorized
		}
	}
	if resp != nil && resp.Response != nil {
		e.Status = resp.StatusCode
		switch resp.StatusCode {
		case http.StatusUnauthorized, http.StatusForbidden:
			e.Kind = core.ErrUnauthorized
		case http.StatusNotFound:
			e.Kind = core.ErrNotFound
		case http.StatusTooManyRequests:
			e.Kind = core.ErrRateLimited
		}
		return e
	}
	var (
		syntax    *json.SyntaxError
		typeError *json.UnmarshalTypeError
	)
	switch msg := err.Error(); {
	// The SDK reports exhausted 429 retries with a bare errors.New and no response.
	case msg == "too many requests":
		e.Kind, e.Status = core.ErrRateLimited, http.StatusTooManyRequests
	// A 429 without usable Date or X-Rate-Limit-Reset headers fails at once; it still means
	// the org is throttling us.
	case strings.Contains(msg, "X-Rate-Limit-Reset header is missing or invalid"),
		strings.Contains(msg, "date header is missing or invalid"):
		e.Kind, e.Status = core.ErrRateLimited, http.StatusTooManyRequests
	// A truncated body, whether cut in transit or sent short, cannot be trusted either.
	case errors.As(err, &syntax), errors.As(err, &typeError), errors.Is(err, io.ErrUnexpectedEOF),
		strings.HasPrefix(msg, "could not build a response for type"):
		e.Kind = core.ErrMalformed
	}
	return e
}

// malformed reports a response that decoded but cannot be trusted.
func (c *Client) malformed(op, request string, page int, format string, args ...any) *APIError {
	return &APIError{
		Op: op, Request: request, Page: page,
		Kind: core.ErrMalformed, Err: fmt.Errorf(format, args...), token: c.token,
	}
}
