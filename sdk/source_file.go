package sdk

import (
	"context"
	"fmt"
	"os"
	"strconv"
)

// fileSource polls a local file, for development and tests. A change of
// modification time or size means new content.
type fileSource struct {
	path      string
	maxSize   int64
	validator string
}

func (s *fileSource) String() string { return "file://" + s.path }

func (s *fileSource) accepted(validator string) { s.validator = validator }

func (s *fileSource) fetch(ctx context.Context) (fetched, error) {
	if err := ctx.Err(); err != nil {
		return fetched{}, err
	}
	fi, err := os.Stat(s.path)
	if err != nil {
		return fetched{}, err // *fs.PathError names the file
	}
	validator := strconv.FormatInt(fi.ModTime().UnixNano(), 10) + "-" + strconv.FormatInt(fi.Size(), 10)
	if s.validator != "" && validator == s.validator {
		return fetched{notModified: true}, nil
	}
	if fi.Size() > s.maxSize {
		return fetched{}, fmt.Errorf("read %s: %w: %d bytes, limit %d", s.path, ErrTooLarge, fi.Size(), s.maxSize)
	}
	f, err := os.Open(s.path)
	if err != nil {
		return fetched{}, err
	}
	defer f.Close()
	body, err := readLimited(f, s.maxSize)
	if err != nil {
		return fetched{}, fmt.Errorf("read %s: %w", s.path, err)
	}
	if body, err = maybeGunzip(body, s.maxSize); err != nil {
		return fetched{}, fmt.Errorf("read %s: %w", s.path, err)
	}
	return fetched{body: body, validator: validator}, nil
}
