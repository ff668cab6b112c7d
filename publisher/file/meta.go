package file

import (
	"bytes"
	"encoding/json"
	"os"
	"path"

	"github.com/cairnflags/cairn/publisher"
)

// sidecar is the metadata file stored beside an object. SHA256 ties it to
// the exact bytes it describes: object and sidecar are two renames, and a
// crash between them must not serve the new bytes with the old headers.
type sidecar struct {
	ContentType     string `json:"content_type,omitempty"`
	ContentEncoding string `json:"content_encoding,omitempty"`
	CacheControl    string `json:"cache_control,omitempty"`
	SHA256          string `json:"sha256"`
}

// readMeta returns the object's metadata; when the sidecar is missing or
// belongs to other bytes, it infers what it can from the bytes and the name.
func (s *Store) readMeta(key, token string, body []byte) publisher.Meta {
	if b, err := os.ReadFile(s.metaPath(key)); err == nil {
		var sc sidecar
		if json.Unmarshal(b, &sc) == nil && sc.SHA256 == token {
			return publisher.Meta{ContentType: sc.ContentType, ContentEncoding: sc.ContentEncoding, CacheControl: sc.CacheControl}
		}
	}
	var m publisher.Meta
	if path.Ext(key) == ".json" {
		m.ContentType = publisher.ContentType
	}
	if bytes.HasPrefix(body, []byte{0x1f, 0x8b}) {
		m.ContentEncoding = "gzip"
	}
	return m
}

func encodeSidecar(m publisher.Meta, token string) ([]byte, error) {
	return json.Marshal(sidecar{
		ContentType: m.ContentType, ContentEncoding: m.ContentEncoding,
		CacheControl: m.CacheControl, SHA256: token,
	})
}
