package adminapi_test

import (
	"net/http"
	"testing"

	"github.com/cairnflags/cairn/publisher"
	"github.com/cairnflags/cairn/publisher/adminapi"
	"github.com/cairnflags/cairn/ruleset/envelope"
)

// On a signed store, an API server with the key signs its edits; one
// without it refuses them instead of publishing unsigned.
func TestAPISignedStore(t *testing.T) {
	store := backends()[0].open(t)
	k, err := envelope.GenerateKey("ci")
	if err != nil {
		t.Fatal(err)
	}
	signed := startAPI(t, store, publisher.WithSigner(k))
	if code, body := signed.do("POST", "/v1/environments/production/publish", prodTok, adminapi.PublishRequest{Files: flagFiles}); code != 200 {
		t.Fatalf("publish: %d %v", code, body)
	}
	if code, body := signed.do("POST", "/v1/environments/production/flags/checkout/toggle", prodTok, map[string]any{"enabled": false}); code != 200 {
		t.Fatalf("toggle: %d %v", code, body)
	}
	obj, err := store.Get(t.Context(), publisher.CurrentKey("production"))
	if err != nil {
		t.Fatal(err)
	}
	if _, id, err := envelope.Open(obj.Body, []envelope.PublicKey{k.Public()}); err != nil || id != "ci" {
		t.Fatalf("the edit is not signed: %v", err)
	}

	unsigned := startAPI(t, store)
	if code, _ := unsigned.do("GET", "/v1/environments/production/flags/checkout", readTok, nil); code != 200 {
		t.Fatalf("reading a signed store: %d", code)
	}
	code, body := unsigned.do("POST", "/v1/environments/production/flags/checkout/toggle", prodTok, map[string]any{"enabled": true})
	if code != http.StatusConflict || errCode(body) != "signing_key_required" || unsigned.version("production") != 2 {
		t.Fatalf("unsigned edit over a signed ruleset: %d %v", code, body)
	}
}
