// Package file is the local-directory publisher.Store, the default backend:
// a publish target such as file:///srv/flags, and a directory any static web
// server can serve.
//
// Objects are plain files at <root>/<key>. Everything else lives under
// <root>/.cairn: each object's metadata (Content-Type, Content-Encoding,
// Cache-Control) in a sidecar at .cairn/meta/<key>.json, so that `cairn
// serve` can send it back; temp files in .cairn/tmp; and the lock that
// serializes writers, including writers in other processes.
//
// Every write is crash-safe: temp file, fsync, rename (or link, for
// IfNotExists), fsync of the directory. A token is the SHA-256 of the
// object's bytes.
package file

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/cairnflags/cairn/publisher"
)

// internalDir holds the store's own files; keys may not start with it.
const internalDir = ".cairn"

var _ publisher.Store = (*Store)(nil)

// Store is a publisher.Store in a local directory. Any number of Stores, in
// any number of processes on one machine, may share a directory.
type Store struct {
	root string
}

// New returns a Store rooted at dir. The directory is created by the first
// write, so opening a store only to read it leaves no trace.
func New(dir string) (*Store, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("file store %s: %w", dir, err)
	}
	return &Store{root: abs}, nil
}

// ensureDirs creates the store's directories on its first write, not in
// New: a read-only command pointed at a mistyped directory must report
// that nothing is published there, not leave an empty store behind.
func (s *Store) ensureDirs() error {
	for _, d := range []string{filepath.Join(s.root, internalDir, "tmp"), filepath.Join(s.root, internalDir, "meta")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("file store: %w", err)
		}
	}
	return nil
}

// Root is the absolute directory the store writes to.
func (s *Store) Root() string { return s.root }

// PreferGzip is false: files stay plain JSON, so any static server and any
// person with cat can read them. `cairn serve` compresses on the fly.
func (s *Store) PreferGzip() bool { return false }

// Close does nothing; the store holds no resources between calls.
func (s *Store) Close() error { return nil }

func (s *Store) path(key string) (string, error) {
	if err := publisher.CheckKey(key); err != nil {
		return "", err
	}
	if key == internalDir || strings.HasPrefix(key, internalDir+"/") {
		return "", fmt.Errorf("key %q: %s/ is reserved for the store's own files", key, internalDir)
	}
	return filepath.Join(s.root, filepath.FromSlash(key)), nil
}

func (s *Store) metaPath(key string) string {
	return filepath.Join(s.root, internalDir, "meta", filepath.FromSlash(key)+".json")
}

// Get reads the object at key and its metadata.
func (s *Store) Get(ctx context.Context, key string) (*publisher.Object, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p, err := s.path(key)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", key, err)
	}
	body, err := os.ReadFile(p)
	if err != nil {
		if isNotFile(err) {
			return nil, fmt.Errorf("get %s: %w", key, fs.ErrNotExist)
		}
		return nil, fmt.Errorf("get %s: %w", key, err)
	}
	token := tokenOf(body)
	return &publisher.Object{Body: body, Token: token, Meta: s.readMeta(key, token, body)}, nil
}

// isNotFile reports whether err means there is no object: nothing at the
// path, a directory there (a prefix, not an object), or a file where a
// directory would be.
func isNotFile(err error) bool {
	var pe *fs.PathError
	return errors.Is(err, fs.ErrNotExist) ||
		(errors.As(err, &pe) && (errors.Is(pe.Err, syscall.EISDIR) || errors.Is(pe.Err, syscall.ENOTDIR)))
}

func tokenOf(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}
