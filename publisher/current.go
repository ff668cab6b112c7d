package publisher

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/cairnflags/cairn/ruleset"
	"github.com/cairnflags/cairn/ruleset/envelope"
)

// current is the published ruleset a publish starts from. Only its envelope
// is decoded up front: a publish from git needs the version and the source,
// and decoding ten thousand flags it never looks at costs a fifth of the
// publish.
type current struct {
	Version int64          `json:"version"`
	Source  ruleset.Source `json:"source"`

	data []byte
	doc  *ruleset.Document
	// wrap says how the stored object was signed and encrypted.
	wrap envelope.Info
}

// decodeCurrent decodes the envelope of a stored ruleset's JSON. In the
// canonical encoding the envelope is everything before the flags, so only
// those bytes are parsed; other encodings are parsed whole.
func decodeCurrent(data []byte) (*current, error) {
	c := &current{data: data}
	envelope := data
	if i := bytes.Index(data, contentStart); i > 0 && data[i-1] == ',' {
		envelope = append(data[:i-1:i-1], '}')
	}
	if err := json.Unmarshal(envelope, c); err != nil {
		return nil, fmt.Errorf("decode ruleset: %w", err)
	}
	return c, nil
}

// document decodes the whole ruleset, once.
func (c *current) document() (*ruleset.Document, error) {
	if c.doc == nil {
		var d ruleset.Document
		if err := json.Unmarshal(c.data, &d); err != nil {
			return nil, fmt.Errorf("decode current ruleset: %w", err)
		}
		c.doc = &d
	}
	return c.doc, nil
}
