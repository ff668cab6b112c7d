package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// TestSignedPublishVerifyEval: keys generate, publish --sign-key, then
// verify and eval read the signed ruleset; a foreign key fails verify.
func TestSignedPublishVerifyEval(t *testing.T) {
	inProject(t)
	for _, args := range [][]string{
		{"keys", "generate", "--id", "ci-2026", "--out", "keys"},
		{"keys", "generate", "--id", "other", "--out", "keys"},
		{"keys", "generate", "--encryption", "--id", "prod", "--out", "keys"},
	} {
		if r := cairn(t, args...); r.code != 0 {
			t.Fatalf("%v: %d %s", args, r.code, r.stderr)
		}
	}
	for _, f := range []string{"keys/ci-2026.key", "keys/prod.aes"} {
		if st, err := os.Stat(f); err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("%s: mode %v, %v", f, st.Mode(), err)
		}
	}
	if r := cairn(t, "keys", "generate", "--id", "ci-2026", "--out", "keys"); r.code != ExitUsage {
		t.Fatalf("overwrote a key: %d", r.code)
	}

	if r := cairn(t, "publish", "flags", "--env", "production", "--to", "site", "--sign-key", "keys/ci-2026.key"); r.code != 0 {
		t.Fatalf("publish: %d %s", r.code, r.stderr)
	}
	body := readFile(t, "site/production/ruleset.json")
	if !strings.HasPrefix(body, `{"payload":`) {
		t.Fatalf("not an envelope: %.80s", body)
	}
	r := cairn(t, "verify", "site/production/ruleset.json", "--key", "keys/ci-2026.pub", "--env", "production", "--output", "json")
	var res verifyResult
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &res) != nil || !res.Verified || res.KeyID != "ci-2026" || res.Version != 1 {
		t.Fatalf("verify: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if r := cairn(t, "verify", "site/production/versions/1.json", "--key", "keys/other.pub"); r.code != ExitInvalid || !strings.Contains(r.stderr, "no valid signature") {
		t.Fatalf("verify with a foreign key: %d %s", r.code, r.stderr)
	}
	if r := cairn(t, "verify", "site/production/ruleset.json", "--key", "keys/ci-2026.pub", "--env", "staging"); r.code != ExitInvalid {
		t.Fatalf("verify for another environment: %d", r.code)
	}
	if r := cairn(t, "eval", "new-checkout", "--ruleset", "site/production/ruleset.json", "--key", "u1"); r.code != 0 {
		t.Fatalf("eval of a signed ruleset: %d %s", r.code, r.stderr)
	}
	// Reading commands unwrap: history and diff work on the signed store.
	if r := cairn(t, "history", "--env", "production", "--to", "site"); r.code != 0 {
		t.Fatalf("history: %d %s", r.code, r.stderr)
	}
	// An edit without the key is refused rather than published unsigned.
	if r := cairn(t, "flag", "disable", "new-checkout", "--env", "production", "--to", "site"); r.code == 0 || !strings.Contains(r.stderr, "signing key") {
		t.Fatalf("unsigned edit over a signed ruleset: %d %s", r.code, r.stderr)
	}

	// Encrypted and signed.
	if r := cairn(t, "publish", "flags", "--env", "staging", "--to", "site", "--sign-key", "keys/ci-2026.key", "--encrypt-key", "keys/prod.aes"); r.code != 0 {
		t.Fatalf("encrypted publish: %d %s", r.code, r.stderr)
	}
	if strings.Contains(readFile(t, "site/staging/ruleset.json"), "new-checkout") {
		t.Fatal("flag names in clear in an encrypted ruleset")
	}
	if r := cairn(t, "verify", "site/staging/ruleset.json", "--key", "keys/ci-2026.pub"); r.code != ExitInvalid || !strings.Contains(r.stderr, "encrypted") {
		t.Fatalf("verify without the decryption key: %d %s", r.code, r.stderr)
	}
	r = cairn(t, "verify", "site/staging/ruleset.json", "--key", "keys/ci-2026.pub", "--decrypt-key", "keys/prod.aes")
	if r.code != 0 || !strings.Contains(r.stdout, "encrypted:   yes") || !strings.Contains(r.stdout, "valid, key ci-2026") {
		t.Fatalf("verify encrypted: %d %s %s", r.code, r.stdout, r.stderr)
	}
}

// TestAdminServe starts the admin API on a free port, calls it, and stops
// it with the context, as SIGINT would.
func TestAdminServe(t *testing.T) {
	inProject(t)
	if r := cairn(t, "publish", "flags", "--env", "production", "--to", "site"); r.code != 0 {
		t.Fatalf("publish: %d %s", r.code, r.stderr)
	}
	writeFile(t, "tokens", "oncall:secret-secret-secret:write=production\n")
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	done := make(chan result, 1)
	go func() {
		done <- cairnCtx(t, ctx, func(a string) { addr <- a }, "admin", "serve", "--to", "site", "--addr", "127.0.0.1:0", "--tokens", "tokens")
	}()
	var base string
	select {
	case a := <-addr:
		base = "http://" + a
	case r := <-done:
		t.Fatalf("admin serve stopped: %d %s", r.code, r.stderr)
	case <-time.After(10 * time.Second):
		t.Fatal("admin serve did not start")
	}
	req, _ := http.NewRequest("POST", base+"/v1/environments/production/flags/new-checkout/toggle", strings.NewReader(`{"enabled":false}`))
	req.Header.Set("Authorization", "Bearer secret-secret-secret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"version": 2`) {
		t.Fatalf("toggle: %d %s", resp.StatusCode, b)
	}
	resp, err = http.Get(base + "/v1/environments")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("no token: %d", resp.StatusCode)
	}
	cancel()
	if r := <-done; r.code != 0 {
		t.Fatalf("shutdown: %d %s", r.code, r.stderr)
	}
	if r := cairn(t, "admin", "serve", "--to", "site"); r.code != ExitUsage {
		t.Fatalf("no tokens: %d %s", r.code, fmt.Sprint(r.stderr))
	}
}
