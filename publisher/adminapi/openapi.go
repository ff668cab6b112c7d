package adminapi

import (
	"bytes"
	_ "embed"
	"net/http"
)

//go:embed openapi.json
var openAPI []byte

// OpenAPIDocument returns a copy of the API's OpenAPI 3.1 document, the one
// served at /openapi.json.
func OpenAPIDocument() []byte { return bytes.Clone(openAPI) }

func (s *Server) openAPI(w http.ResponseWriter, _ *http.Request, _ *Token) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	_, err := w.Write(openAPI)
	return err
}
