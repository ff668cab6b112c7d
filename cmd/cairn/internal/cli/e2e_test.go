package cli

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cairnflags/cairn/ruleset"
	"github.com/cairnflags/cairn/sdk"
)

// TestEndToEnd walks the whole flow in one process, on 127.0.0.1 only:
// init → validate → publish (file://) → serve → an SDK client sees the flags
// → edit the files (rollout, disable) → publish → the client sees each change
// → rollback → the client sees the old value again.
func TestEndToEnd(t *testing.T) {
	t.Chdir(t.TempDir())
	site, err := filepath.Abs("site")
	if err != nil {
		t.Fatal(err)
	}
	target := "file://" + site
	must := func(args ...string) string {
		t.Helper()
		r := cairn(t, args...)
		if r.code != 0 {
			t.Fatalf("cairn %s: exit %d: %s", strings.Join(args, " "), r.code, r.stderr)
		}
		return r.stdout
	}
	must("init", "flags")
	must("validate", "flags")
	if out := must("publish", "flags", "--env", "production", "--to", target); !strings.Contains(out, "published version 1") {
		t.Fatalf("publish: %s", out)
	}

	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan string, 1)
	served := make(chan result, 1)
	go func() {
		served <- cairnCtx(t, ctx, func(a string) { addrc <- a }, "serve", "site", "--addr", "127.0.0.1:0")
	}()
	defer func() {
		cancel()
		if r := <-served; r.code != 0 {
			t.Errorf("serve: exit %d: %s", r.code, r.stderr)
		}
	}()
	var addr string
	select {
	case addr = <-addrc:
	case r := <-served:
		t.Fatalf("serve stopped: exit %d: %s", r.code, r.stderr)
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not start")
	}

	client, err := sdk.New(fmt.Sprintf("http://%s/production/ruleset.json", addr),
		sdk.WithPollInterval(20*time.Millisecond), sdk.WithJitter(0), sdk.WithEnvironment("production"))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	if err := client.WaitReady(wctx); err != nil {
		t.Fatal(err)
	}

	// expectOn waits for version v and checks that exactly the users whose
	// bucket is below onBuckets get new-checkout (on is the first variation,
	// so it holds the low buckets).
	users := make([]string, 500)
	for i := range users {
		users[i] = fmt.Sprintf("user-%d", i)
	}
	expectOn := func(v int64, onBuckets int) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for client.Status().Version < v {
			if time.Now().After(deadline) {
				t.Fatalf("the client still has version %d, want %d (%v)", client.Status().Version, v, client.Status().LastError)
			}
			time.Sleep(10 * time.Millisecond)
		}
		if got := client.Status().Version; got != v {
			t.Fatalf("client has version %d, want %d", got, v)
		}
		for _, u := range users {
			want := ruleset.Bucket("new-checkout", u) < onBuckets
			if got := client.Bool("new-checkout", sdk.NewContext(u, nil), !want); got != want {
				t.Fatalf("version %d: %s gets %t, want %t", v, u, got, want)
			}
		}
	}
	expectOn(1, 1000)

	must("flag", "rollout", "new-checkout", "60", "--env", "production", "flags")
	if out := must("publish", "flags", "--env", "production", "--to", target); !strings.Contains(out, "moves 50.00% of users from off to on") {
		t.Errorf("publish does not show the shift:\n%s", out)
	}
	expectOn(2, 6000)

	must("flag", "disable", "new-checkout", "--env", "production", "flags")
	must("publish", "flags", "--env", "production", "--to", target)
	expectOn(3, 0)

	must("rollback", "--env", "production", "--to", target, "--version", "2")
	expectOn(4, 6000)

	// The rollback is out of band: publishing the files (flag off) again
	// must stop rather than silently undo it.
	if r := cairn(t, "publish", "flags", "--env", "production", "--to", target); r.code != ExitConflict {
		t.Errorf("publish over the rollback: exit %d, want %d: %s", r.code, ExitConflict, r.stderr)
	}
	must("sync", "flags", "--env", "production", "--to", target)
	// Now git agrees with the rollback: the publish only clears the record.
	if out := must("publish", "flags", "--env", "production", "--to", target); !strings.Contains(out, "flag files now agree with the out-of-band edit of new-checkout") {
		t.Errorf("publish after sync: %s", out)
	}
	expectOn(5, 6000)
}
