package oktatest

import (
	"fmt"
	"net/http"
)

// apiError is Okta's error body. errorLink repeats the code, as Okta's does.
type apiError struct {
	ErrorCode    string       `json:"errorCode"`
	ErrorSummary string       `json:"errorSummary"`
	ErrorLink    string       `json:"errorLink"`
	ErrorID      string       `json:"errorId"`
	ErrorCauses  []errorCause `json:"errorCauses"`
}

type errorCause struct {
	ErrorSummary string `json:"errorSummary"`
}

func (s *Server) writeError(w http.ResponseWriter, status int, code, summary string, causes ...string) {
	s.mu.Lock()
	s.errorSeq++
	id := fmt.Sprintf("oaefake%015d", s.errorSeq)
	s.mu.Unlock()
	e := apiError{ErrorCode: code, ErrorSummary: summary, ErrorLink: code, ErrorID: id, ErrorCauses: []errorCause{}}
	for _, c := range causes {
		e.ErrorCauses = append(e.ErrorCauses, errorCause{ErrorSummary: c})
	}
	s.writeJSON(w, status, e)
}
