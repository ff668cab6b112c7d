package sdk

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
)

// ErrTooLarge reports a ruleset bigger than the configured maximum size
// (see WithMaxSize), on the wire or once decompressed.
var ErrTooLarge = errors.New("ruleset too large")

// readLimited reads all of r, failing with ErrTooLarge past max bytes, so
// that an oversized body is never used, even partly.
func readLimited(r io.Reader, max int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, max)
	}
	return data, nil
}

// gzipMagic starts every gzip stream; JSON never starts with it.
var gzipMagic = []byte{0x1f, 0x8b}

// maybeGunzip decompresses data when it is gzip, whatever the headers said:
// buckets sometimes hold gzip bytes without Content-Encoding, and transports
// sometimes decompress on their own. The output is bounded by max as well,
// so a small compressed body can't expand without limit.
func maybeGunzip(data []byte, max int64) ([]byte, error) {
	if !bytes.HasPrefix(data, gzipMagic) {
		return data, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	out, err := readLimited(zr, max)
	if err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	return out, nil
}
