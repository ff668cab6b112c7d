package cdnharness_test

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/cairnflags/cairn/internal/cdnharness"
	"github.com/cairnflags/cairn/publisher"
	"github.com/cairnflags/cairn/publisher/open"
	"github.com/cairnflags/cairn/publisher/purge"
)

// TestObjectStoresThroughVarnish runs the delivery measurement with the
// real object stores as Varnish's origin: MinIO (S3) and fake-gcs-server
// (GCS, which answers path-style requests only for its public Host).
func TestObjectStoresThroughVarnish(t *testing.T) {
	varnishd(t)
	prefix := fmt.Sprintf("cdn-%d", time.Now().UnixNano())
	t.Run("s3", func(t *testing.T) {
		endpoint := os.Getenv("CAIRN_TEST_S3_ENDPOINT")
		if endpoint == "" {
			t.Skip("CAIRN_TEST_S3_ENDPOINT is not set; run scripts/realparts.sh start and source its env file")
		}
		bucket := os.Getenv("CAIRN_TEST_S3_BUCKET")
		t.Setenv("AWS_ACCESS_KEY_ID", os.Getenv("CAIRN_TEST_S3_ACCESS_KEY"))
		t.Setenv("AWS_SECRET_ACCESS_KEY", os.Getenv("CAIRN_TEST_S3_SECRET_KEY"))
		store := openStore(t, fmt.Sprintf("s3://%s/%s?endpoint=%s&path_style=true&region=%s", bucket, prefix, endpoint, os.Getenv("CAIRN_TEST_S3_REGION")))
		host := mustHost(t, endpoint)
		for _, withPurge := range []bool{false, true} {
			v := startVarnish(t, host, host)
			base := v.URL() + "/" + bucket + "/" + prefix
			var pg publisher.Purger
			if withPurge {
				pg = &purge.Varnish{Endpoint: v.URL(), Prefix: "/" + bucket + "/" + prefix}
			}
			runStore(t, store, base, v, pg)
		}
	})
	t.Run("gcs", func(t *testing.T) {
		endpoint := os.Getenv("CAIRN_TEST_GCS_ENDPOINT")
		if endpoint == "" {
			t.Skip("CAIRN_TEST_GCS_ENDPOINT is not set; run scripts/realparts.sh start and source its env file")
		}
		bucket := os.Getenv("CAIRN_TEST_GCS_BUCKET")
		store := openStore(t, fmt.Sprintf("gs://%s/%s?endpoint=%s", bucket, prefix, endpoint))
		host := mustHost(t, endpoint)
		v := startVarnish(t, host, host)
		runStore(t, store, v.URL()+"/"+bucket+"/"+prefix, v, nil)
	})
}

func openStore(t *testing.T, target string) open.Store {
	t.Helper()
	s, err := open.Open(t.Context(), target)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func runStore(t *testing.T, store publisher.Store, base string, v *cdnharness.Varnish, pg publisher.Purger) {
	t.Helper()
	name := "ttl"
	if pg != nil {
		name = "purge"
	}
	r, err := cdnharness.Run(t.Context(), cdnharness.Config{
		Name: name, Clients: ciClients, TTL: ciTTL, Poll: ciPoll, Jitter: ciJitter, Versions: 3,
		Store: store, BaseURL: base, Env: freshEnv("store"), Purger: pg, Stats: v.Stats, Log: testLogger(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	checkRun(t, r)
	if r.Wire[304].Responses == 0 {
		t.Errorf("no 304s reached the clients: %v", r.Wire)
	}
}
