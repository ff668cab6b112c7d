package file_test

import (
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
