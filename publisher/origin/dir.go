package origin

import (
	"context"
	"fmt"
	"io/fs"
	"os"

	"github.com/cairnflags/cairn/publisher"
	"github.com/cairnflags/cairn/publisher/file"
)

// Tree is a published tree in a local directory, as the file backend lays it
// out, confined to that directory: a symbolic link that leads outside it is
// not followed.
type Tree struct {
	store *file.Store
	root  *os.Root
}

// OpenTree opens the published tree in dir, which must exist.
func OpenTree(dir string) (*Tree, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("serve: %s is not a directory", dir)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	store, err := file.New(dir)
	if err != nil {
		root.Close()
		return nil, fmt.Errorf("serve: %w", err)
	}
	return &Tree{store: store, root: root}, nil
}

// Get returns the object at key with the metadata it was published with.
// A key that leads outside the tree, or to a directory, is not found.
func (t *Tree) Get(ctx context.Context, key string) (*publisher.Object, error) {
	st, err := t.root.Stat(key)
	if err != nil || !st.Mode().IsRegular() {
		return nil, fmt.Errorf("get %s: %w", key, fs.ErrNotExist)
	}
	return t.store.Get(ctx, key)
}

// Root is the tree's absolute directory.
func (t *Tree) Root() string { return t.store.Root() }

// Close releases the directory.
func (t *Tree) Close() error { return t.root.Close() }
