package sdk

import (
	"context"
	"errors"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestCloseLeavesNoGoroutine starts clients with every background part
// (poller, dispatcher, exposure logger) and checks that Close takes them all
// down, HTTP connections included.
func TestCloseLeavesNoGoroutine(t *testing.T) {
	o := newOrigin(t, marshal(t, testDoc("prod", 1)))
	before := runtime.NumGoroutine()
	for range 3 {
		c, err := New(o.URL, fastOptions(WithExposureLogger(func(Exposure) {}))...)
		if err != nil {
			t.Fatal(err)
		}
		c.OnChange(func(Change) {})
		waitReady(t, c)
		c.Bool("enabled", nil, false)
		c.Close()
		c.Close() // idempotent
		if err := c.WaitReady(context.Background()); err != nil {
			t.Fatalf("WaitReady after ready and Close = %v", err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines, want <= %d:\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestWaitReadyAfterClose(t *testing.T) {
	o := newOrigin(t, nil)
	o.set("500", nil)
	c := newClient(t, o.URL, fastOptions()...)
	c.Close()
	if err := c.WaitReady(context.Background()); !errors.Is(err, ErrClosed) {
		t.Fatalf("WaitReady = %v", err)
	}
}

// TestDependencies proves that importing sdk compiles neither a cloud SDK
// nor OpenFeature.
func TestDependencies(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	out, err := exec.Command(gobin, "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Skipf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		for _, banned := range []string{"cloud.google.com", "github.com/aws", "open-feature", "google.golang.org"} {
			if strings.Contains(pkg, banned) {
				t.Errorf("sdk depends on %s", pkg)
			}
		}
	}
}
