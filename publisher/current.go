package publisher

import (
	"encoding/json"
	"fmt"

	"github.com/cairnflags/cairn/ruleset"
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
}

// decodeCurrent decodes the envelope of a stored ruleset's JSON.
func decodeCurrent(data []byte) (*current, error) {
	c := &current{data: data}
	if err := json.Unmarshal(data, c); err != nil {
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
