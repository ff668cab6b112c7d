package open

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cairnflags/cairn/publisher/file"
)

func TestOpenFile(t *testing.T) {
	dir := t.TempDir()
	realDir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	for _, tc := range []struct{ target, want string }{
		{"file://" + filepath.Join(dir, "abs"), filepath.Join(dir, "abs")},
		{"file://./rel", filepath.Join(dir, "rel")},
		{"file:rel2", filepath.Join(dir, "rel2")},
		{"file://rel3/sub", filepath.Join(dir, "rel3", "sub")},
		{"./plain", filepath.Join(dir, "plain")},
	} {
		s, err := Open(t.Context(), tc.target)
		if err != nil {
			t.Fatalf("open %s: %v", tc.target, err)
		}
		fs, ok := s.(*file.Store)
		if !ok {
			t.Fatalf("open %s: %T, want *file.Store", tc.target, s)
		}
		// The directory does not exist yet (the first write creates it),
		// so compare paths below the test directory, which may be reached
		// through a symbolic link.
		got := fs.Root()
		for _, base := range []string{realDir, dir} {
			got = strings.TrimPrefix(got, base)
		}
		if want := strings.TrimPrefix(tc.want, dir); got != want {
			t.Errorf("open %s: root %s, want %s", tc.target, fs.Root(), tc.want)
		}
		if _, err := os.Stat(tc.want); err == nil {
			t.Errorf("open %s created %s before any write", tc.target, tc.want)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	for _, target := range []string{
		"ftp://host/x", "gs:///prefix", "s3:///prefix", "s3://b/p?path_style=maybe",
		"s3://b/p?regoin=eu-west-1", "gs://b/p?region=x", "file:///tmp/x?mode=1", "file:",
	} {
		if s, err := Open(t.Context(), target); err == nil {
			s.Close()
			t.Errorf("open %s: no error", target)
		}
	}
}

func TestOpenCloud(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	for _, target := range []string{
		"gs://bucket/prefix?endpoint=http://127.0.0.1:1",
		"s3://bucket/prefix?region=eu-west-1&endpoint=http://127.0.0.1:1&path_style=true",
		"s3://bucket",
	} {
		s, err := Open(t.Context(), target)
		if err != nil {
			t.Errorf("open %s: %v", target, err)
			continue
		}
		s.Close()
	}
}
