package oktatest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
)

// maxPooledBuf bounds the buffers kept for reuse; a page of 500 app users is about 1.5 MB.
const maxPooledBuf = 32 << 20

// writeJSON writes v as the answer, always with the JSON content type (the SDK refuses to decode
// any other), encoded into one of the server's pooled buffers.
func (s *Server) writeJSON(w http.ResponseWriter, status int, v any) {
	buf, _ := s.bufs.Get().(*bytes.Buffer)
	if buf == nil {
		buf = new(bytes.Buffer)
	}
	buf.Reset()
	if err := json.NewEncoder(buf).Encode(v); err != nil {
		// Only the fake's own types are encoded here; failing loudly beats serving half a body.
		panic(fmt.Sprintf("oktatest: encode response: %v", err))
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
	if buf.Cap() <= maxPooledBuf {
		s.bufs.Put(buf)
	}
}
