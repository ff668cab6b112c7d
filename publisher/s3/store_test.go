package s3_test

import (
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cairnflags/cairn/publisher"
	"github.com/cairnflags/cairn/publisher/s3"
	"github.com/cairnflags/cairn/publisher/storetest"
)

// stores numbers the prefixes of one test run, so each store starts empty.
var stores atomic.Int64

// newStore connects to the MinIO that scripts/realparts.sh starts, under a
// prefix no other test uses. Credentials go through the SDK's standard
// chain, from the environment, as they would in CI.
func newStore(t *testing.T) publisher.Store {
	endpoint := os.Getenv("CAIRN_TEST_S3_ENDPOINT")
	if endpoint == "" {
		t.Skip("CAIRN_TEST_S3_ENDPOINT is not set; run scripts/realparts.sh start and source its env file")
	}
	t.Setenv("AWS_ACCESS_KEY_ID", os.Getenv("CAIRN_TEST_S3_ACCESS_KEY"))
	t.Setenv("AWS_SECRET_ACCESS_KEY", os.Getenv("CAIRN_TEST_S3_SECRET_KEY"))
	t.Setenv("AWS_SESSION_TOKEN", "")
	s, err := s3.New(t.Context(), s3.Config{
		Bucket:    os.Getenv("CAIRN_TEST_S3_BUCKET"),
		Prefix:    fmt.Sprintf("test-%d-%d", time.Now().UnixNano(), stores.Add(1)),
		Region:    os.Getenv("CAIRN_TEST_S3_REGION"),
		Endpoint:  endpoint,
		PathStyle: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) { storetest.Run(t, newStore) }

func TestProtocol(t *testing.T) { storetest.RunProtocol(t, newStore) }
