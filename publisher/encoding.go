package publisher

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"

	"github.com/cairnflags/cairn/ruleset"
)

// maxDecoded caps a decompressed ruleset so that a hostile object in the
// store cannot exhaust memory.
const maxDecoded = 256 << 20

// encodeGzip compresses b. The header carries no name or time, so the same
// input always gives the same bytes and the same ETag.
func encodeGzip(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	return buf.Bytes(), nil
}

// decodeBody returns an object's JSON, decompressing it when its metadata or
// its first bytes say gzip (a store may have dropped the metadata).
func decodeBody(obj *Object) ([]byte, error) {
	gz := obj.Meta.ContentEncoding == "gzip" ||
		(len(obj.Body) >= 2 && obj.Body[0] == 0x1f && obj.Body[1] == 0x8b)
	if !gz {
		return obj.Body, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(obj.Body))
	if err != nil {
		return nil, fmt.Errorf("gunzip: %w", err)
	}
	out, err := io.ReadAll(io.LimitReader(zr, maxDecoded+1))
	if err != nil {
		return nil, fmt.Errorf("gunzip: %w", err)
	}
	if len(out) > maxDecoded {
		return nil, fmt.Errorf("gunzip: more than %d bytes", maxDecoded)
	}
	return out, nil
}

// decodeDocument parses a stored ruleset, signed, encrypted or plain.
func (p *Publisher) decodeDocument(env string, obj *Object) (*ruleset.Document, error) {
	data, _, err := p.unpack(env, obj)
	if err != nil {
		return nil, err
	}
	var doc ruleset.Document
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("decode ruleset: %w", err)
	}
	return &doc, nil
}

// sameJSON reports whether a and b encode to the same JSON. Maps encode with
// sorted keys, so equal content always compares equal.
func sameJSON(a, b any) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(ja, jb)
}
