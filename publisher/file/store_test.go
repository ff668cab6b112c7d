package file_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/cairnflags/cairn/publisher"
	"github.com/cairnflags/cairn/publisher/file"
	"github.com/cairnflags/cairn/publisher/storetest"
)

func newStore(t *testing.T) publisher.Store {
	s, err := file.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) { storetest.Run(t, newStore) }

func TestProtocol(t *testing.T) { storetest.RunProtocol(t, newStore) }

func TestNewCreatesNothingUntilTheFirstWrite(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "typo")
	s, err := file.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(t.Context(), "production/ruleset.json"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Get on a missing store: %v, want fs.ErrNotExist", err)
	}
	if keys, err := s.List(t.Context(), "production/versions/"); err != nil || len(keys) != 0 {
		t.Fatalf("List on a missing store: %v, %v", keys, err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("reading created the directory: %v", err)
	}
	if _, err := s.Put(t.Context(), "production/ruleset.json", []byte("{}"), publisher.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(t.Context(), "production/ruleset.json"); err != nil {
		t.Fatalf("Get after Put: %v", err)
	}
}
