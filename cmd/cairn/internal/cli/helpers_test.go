package cli

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// testNow is the clock of every test: fixed, so output is reproducible.
var testNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// result is what one run of the command line gave.
type result struct {
	code           int
	stdout, stderr string
}

// syncBuffer is a bytes.Buffer safe for a serve goroutine and a test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testEnv is an Env with a fixed clock, fixed source metadata and no git.
func testEnv(stdout, stderr *syncBuffer) Env {
	vars := map[string]string{"CAIRN_COMMIT": "0123456789abcdef0123456789abcdef01234567", "CAIRN_AUTHOR": "ann@example.com"}
	return Env{
		Stdin:  strings.NewReader(""),
		Stdout: stdout,
		Stderr: stderr,
		Now:    func() time.Time { return testNow },
		Getenv: func(k string) string { return vars[k] },
	}
}

// cairn runs the command line with args in the working directory.
func cairn(t *testing.T, args ...string) result {
	t.Helper()
	return cairnCtx(t, context.Background(), nil, args...)
}

func cairnCtx(t *testing.T, ctx context.Context, listening func(string), args ...string) result {
	t.Helper()
	var stdout, stderr syncBuffer
	e := testEnv(&stdout, &stderr)
	e.Listening = listening
	code := Main(ctx, args, e)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// inProject makes a temporary working directory holding a copy of
// testdata/project as ./flags, and changes to it.
func inProject(t *testing.T) {
	t.Helper()
	src, err := filepath.Abs("testdata/project")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "flags"), os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	golden, err := filepath.Abs("testdata/golden")
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	t.Setenv("CAIRN_TEST_GOLDEN", golden)
}

// checkGolden compares got with testdata/golden/name, or rewrites it with
// -update.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join(os.Getenv("CAIRN_TEST_GOLDEN"), name)
	if os.Getenv("CAIRN_TEST_GOLDEN") == "" {
		path = filepath.Join("testdata", "golden", name)
	}
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden file: %v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it)\n--- got\n%s--- want\n%s", name, got, want)
	}
}

// writeFile writes a file under the working directory, creating parents.
func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
