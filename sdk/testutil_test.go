package sdk

import (
	"bytes"
	"encoding/json"
)

func jsonCompact(data []byte) ([]byte, error) {
	var buf bytes.Buffer
	err := json.Compact(&buf, data)
	return buf.Bytes(), err
}
