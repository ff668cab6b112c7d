package file

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/cairnflags/cairn/publisher"
)

// Put writes body at key if opts' preconditions hold. Writers take the
// store's lock, so the check and the rename are one step for every writer
// of the directory; readers take no lock and see whole files only.
func (s *Store) Put(ctx context.Context, key string, body []byte, opts publisher.PutOptions) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if opts.IfMatch != "" && opts.IfNotExists {
		return "", fmt.Errorf("put %s: both if-match and if-not-exists", key)
	}
	dst, err := s.path(key)
	if err != nil {
		return "", fmt.Errorf("put %s: %w", key, err)
	}
	if err := s.ensureDirs(); err != nil {
		return "", fmt.Errorf("put %s: %w", key, err)
	}
	unlock, err := s.lock(ctx)
	if err != nil {
		return "", fmt.Errorf("put %s: %w", key, err)
	}
	defer unlock()

	if err := s.checkPrecondition(key, dst, opts); err != nil {
		return "", err
	}
	token := tokenOf(body)
	meta, err := encodeSidecar(opts.Meta, token)
	if err != nil {
		return "", fmt.Errorf("put %s: %w", key, err)
	}
	// The sidecar goes first: until the object is renamed in, its hash
	// does not match and readers ignore it.
	if err := s.writeFile(s.metaPath(key), meta, false); err != nil {
		return "", fmt.Errorf("put %s: metadata: %w", key, err)
	}
	if err := s.writeFile(dst, body, opts.IfNotExists); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return "", fmt.Errorf("put %s: exists: %w", key, publisher.ErrConflict)
		}
		return "", fmt.Errorf("put %s: %w", key, err)
	}
	return token, nil
}

func (s *Store) checkPrecondition(key, dst string, opts publisher.PutOptions) error {
	switch {
	case opts.IfNotExists:
		if _, err := os.Lstat(dst); err == nil {
			return fmt.Errorf("put %s: exists: %w", key, publisher.ErrConflict)
		}
	case opts.IfMatch != "":
		cur, err := os.ReadFile(dst)
		if err != nil && !isNotFile(err) {
			return fmt.Errorf("put %s: %w", key, err)
		}
		if err != nil || tokenOf(cur) != opts.IfMatch {
			return fmt.Errorf("put %s: not the version read: %w", key, publisher.ErrConflict)
		}
	}
	return nil
}

// writeFile makes dst hold data durably: temp file, fsync, then rename, or
// link when exclusive (a link fails if dst exists, like O_EXCL), then fsync
// of dst's directory so the new name survives a crash too.
func (s *Store) writeFile(dst string, data []byte, exclusive bool) error {
	dir := filepath.Dir(dst)
	if err := s.mkdirAll(dir); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Join(s.root, internalDir, "tmp"), "put-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if exclusive {
		err = os.Link(tmp.Name(), dst)
	} else {
		err = os.Rename(tmp.Name(), dst)
	}
	if err != nil {
		return err
	}
	return syncDir(dir)
}

// mkdirAll creates dir and any missing parents, syncing each parent so the
// new directories survive a crash.
func (s *Store) mkdirAll(dir string) error {
	if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
		return nil
	}
	parent := filepath.Dir(dir)
	if parent != dir {
		if err := s.mkdirAll(parent); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	return syncDir(parent)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
