//go:build !unix

package file

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// lockPoll is how often a writer retries a held lock.
const lockPoll = 2 * time.Millisecond

// lock takes the store-wide write lock by creating the lock file
// exclusively. Without flock a crashed writer leaves it behind; delete
// .cairn/lock.excl by hand after making sure no writer runs.
func (s *Store) lock(ctx context.Context) (func(), error) {
	name := filepath.Join(s.root, internalDir, "lock.excl")
	for {
		f, err := os.OpenFile(name, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err == nil {
			f.Close()
			return func() { os.Remove(name) }, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("lock: %w", err)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("lock: %w", ctx.Err())
		case <-time.After(lockPoll):
		}
	}
}
