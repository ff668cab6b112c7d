package sdk

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// deadURL is a server that has gone away: every fetch fails at once.
func deadURL(t *testing.T) string {
	o := newOrigin(t, nil)
	o.Close()
	return o.URL
}

func TestDiskCacheColdStartDuringOutage(t *testing.T) {
	dir := t.TempDir()
	o := newOrigin(t, marshal(t, testDoc("prod", 3)))
	c1 := newClient(t, o.URL, fastOptions(WithCacheDir(dir))...)
	waitReady(t, c1)
	c1.Close()
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) != 1 || !strings.HasPrefix(filepath.Base(files[0]), "cairn-ruleset-") {
		t.Fatalf("cache dir holds %v, want one cache file and no temp files", files)
	}

	// Same URL, origin down: the cache serves real flags from New on.
	o.Close()
	c2 := newClient(t, o.URL, fastOptions(WithCacheDir(dir))...)
	if got := c2.String("color", nil, "default"); got != "v3" {
		t.Fatalf("color = %q, want v3 from the cache", got)
	}
	st := c2.Status()
	if st.State != StateStale || st.Version != 3 || !strings.HasPrefix(st.Origin, "cache ") {
		t.Fatalf("status = %+v", st)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	if err := c2.WaitReady(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("WaitReady = %v, want a timeout: the network never answered", err)
	}
}

func TestNewerOfCacheAndBootstrapWins(t *testing.T) {
	for _, tc := range []struct {
		name          string
		boot, cache   int64
		want          string
		wantOriginPfx string
	}{
		{"cache newer", 2, 3, "v3", "cache "},
		{"bootstrap newer", 5, 3, "v5", "bootstrap"},
		{"no cache", 2, 0, "v2", "bootstrap"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cacheFile := filepath.Join(t.TempDir(), "cache.json")
			if tc.cache > 0 {
				if err := os.WriteFile(cacheFile, marshal(t, testDoc("prod", tc.cache)), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			c := newClient(t, deadURL(t), fastOptions(WithCacheFile(cacheFile), WithBootstrap(marshal(t, testDoc("prod", tc.boot))))...)
			if got := c.String("color", nil, ""); got != tc.want {
				t.Fatalf("color = %q, want %s", got, tc.want)
			}
			if st := c.Status(); !strings.HasPrefix(st.Origin, tc.wantOriginPfx) || st.State != StateStale {
				t.Fatalf("status = %+v", st)
			}
		})
	}
}

func TestBootstrapFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "boot.json.gz")
	if err := os.WriteFile(path, gzipped(marshal(t, testDoc("prod", 7))), 0o644); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, deadURL(t), fastOptions(WithBootstrapFile(path))...)
	if got := c.String("color", nil, ""); got != "v7" {
		t.Fatalf("color = %q", got)
	}
}

func TestBadBootstrapIsReportedNotFatal(t *testing.T) {
	// No URL: nothing polls, so no fetch error replaces the local one.
	c := newClient(t, "", fastOptions(
		WithEnvironment("prod"),
		WithBootstrap(marshal(t, testDoc("staging", 9))),
		WithBootstrapFile(filepath.Join(t.TempDir(), "missing.json")),
	)...)
	st := c.Status()
	if st.State != StateNotReady || !errors.Is(st.LastError, ErrWrongEnvironment) || !errors.Is(st.LastError, os.ErrNotExist) {
		t.Fatalf("status = %+v", st)
	}
}

func TestBootstrapOnlyNeverPolls(t *testing.T) {
	c := newClient(t, "", WithBootstrap(marshal(t, testDoc("prod", 1))))
	waitReady(t, c)
	if st := c.Status(); st.State != StateReady || c.String("color", nil, "") != "v1" {
		t.Fatalf("status = %+v", st)
	}
}

// TestCacheRefusesOlderNetwork: a cached v3 is not replaced by a v2 that a
// stale edge serves, and the cache file keeps v3.
func TestCacheRefusesOlderNetwork(t *testing.T) {
	cacheFile := filepath.Join(t.TempDir(), "cache.json")
	v3 := marshal(t, testDoc("prod", 3))
	if err := os.WriteFile(cacheFile, v3, 0o644); err != nil {
		t.Fatal(err)
	}
	o := newOrigin(t, marshal(t, testDoc("prod", 2)))
	c := newClient(t, o.URL, fastOptions(WithCacheFile(cacheFile))...)
	eventually(t, "failures", func() bool { return c.Status().ConsecutiveFailures >= 2 })
	if got := c.String("color", nil, ""); got != "v3" {
		t.Fatalf("color = %q", got)
	}
	if data, _ := os.ReadFile(cacheFile); string(data) != string(v3) {
		t.Fatal("cache file overwritten")
	}
}

func TestFileURL(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ruleset.json")
	if err := os.WriteFile(path, marshal(t, testDoc("dev", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, "file://"+path, fastOptions()...)
	waitReady(t, c)
	if got := c.String("color", nil, ""); got != "v1" {
		t.Fatalf("color = %q", got)
	}
	if err := os.WriteFile(path, marshal(t, testDoc("dev", 2)), 0o644); err != nil {
		t.Fatal(err)
	}
	// Same size, possibly the same mtime on coarse clocks: move it on.
	future := time.Now().Add(time.Hour)
	if err := os.Chtimes(path, future, future); err != nil {
		t.Fatal(err)
	}
	eventually(t, "v2", func() bool { return c.String("color", nil, "") == "v2" })
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	eventually(t, "failure", func() bool { return c.Status().State == StateStale })
	if !errors.Is(c.Status().LastError, os.ErrNotExist) || c.String("color", nil, "") != "v2" {
		t.Fatalf("status = %+v", c.Status())
	}
}
