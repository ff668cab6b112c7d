package ruleset

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Marshal encodes doc in its canonical form: indented JSON that a person can
// read with curl, map keys sorted, no HTML escaping, one trailing newline. The
// same Document always gives the same bytes, so ETags and diffs are stable.
func Marshal(doc *Document) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("encode ruleset: %w", err)
	}
	return buf.Bytes(), nil
}
