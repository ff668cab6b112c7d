package gcs_test

import (
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/api/option"

	"github.com/cairnflags/cairn/publisher"
	"github.com/cairnflags/cairn/publisher/gcs"
	"github.com/cairnflags/cairn/publisher/storetest"
)

// stores numbers the prefixes of one test run, so each store starts empty.
var stores atomic.Int64

// newStore connects to the fake-gcs-server that scripts/realparts.sh
// starts, under a prefix no other test uses.
func newStore(t *testing.T) publisher.Store {
	endpoint := os.Getenv("CAIRN_TEST_GCS_ENDPOINT")
	if endpoint == "" {
		t.Skip("CAIRN_TEST_GCS_ENDPOINT is not set; run scripts/realparts.sh start and source its env file")
	}
	bucket := os.Getenv("CAIRN_TEST_GCS_BUCKET")
	prefix := fmt.Sprintf("test-%d-%d", time.Now().UnixNano(), stores.Add(1))
	s, err := gcs.New(t.Context(), bucket, prefix,
		option.WithEndpoint(endpoint+"/storage/v1/"), option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) { storetest.Run(t, newStore) }

func TestProtocol(t *testing.T) { storetest.RunProtocol(t, newStore) }
