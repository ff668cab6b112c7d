package adminapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/cairnflags/cairn/publisher/adminapi"
)

// TestAPI runs every endpoint against every backend.
func TestAPI(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			a := startAPI(t, b.open(t))
			t.Run("endpoints", func(t *testing.T) { testEndpoints(t, a.with(t)) })
			t.Run("auth", func(t *testing.T) { testAuth(t, a.with(t)) })
			t.Run("hostile", func(t *testing.T) { testHostile(t, a.with(t)) })
			t.Run("concurrent", func(t *testing.T) { testConcurrentToggles(t, a.with(t)) })
		})
	}
}

func publishFiles(t *testing.T, a *api, env string) map[string]any {
	t.Helper()
	code, body := a.do("POST", "/v1/environments/"+env+"/publish", prodTok, adminapi.PublishRequest{Files: flagFiles, Commit: "abc123", Message: "first"})
	if code != http.StatusOK {
		t.Fatalf("publish: %d %v", code, body)
	}
	return body
}

func testEndpoints(t *testing.T, a *api) {
	// Publish: a dry run writes nothing, then the real one.
	code, body := a.do("POST", "/v1/environments/production/publish", prodTok, adminapi.PublishRequest{Files: flagFiles, DryRun: true})
	if code != 200 || a.version("production") != 0 || body["diff"] == nil {
		t.Fatalf("dry run: %d %v", code, body)
	}
	body = publishFiles(t, a, "production")
	if body["version"].(float64) != 1 || a.version("production") != 1 {
		t.Fatalf("publish: %v", body)
	}

	get := func(path string) map[string]any {
		t.Helper()
		code, body := a.do("GET", path, readTok, nil)
		if code != 200 {
			t.Fatalf("GET %s: %d %v", path, code, body)
		}
		return body
	}
	if envs := get("/v1/environments")["environments"].([]any); len(envs) != 1 || envs[0] != "production" {
		t.Fatalf("environments: %v", envs)
	}
	if e := get("/v1/environments/production"); e["version"].(float64) != 1 || e["flags"].(float64) != 2 {
		t.Fatalf("environment: %v", e)
	}
	if fl := get("/v1/environments/production/flags")["flags"].([]any); len(fl) != 2 {
		t.Fatalf("flags: %v", fl)
	}
	if f := get("/v1/environments/production/flags/checkout")["flag"].(map[string]any); f["enabled"] != true {
		t.Fatalf("flag: %v", f)
	}

	// Out-of-band edits.
	change := func(path string, req any, want int64) map[string]any {
		t.Helper()
		code, body := a.do("POST", path, prodTok, req)
		if code != 200 || a.version("production") != want {
			t.Fatalf("POST %s: %d %v (version %d, want %d)", path, code, body, a.version("production"), want)
		}
		return body
	}
	change("/v1/environments/production/flags/checkout/toggle", map[string]any{"enabled": false}, 2)
	change("/v1/environments/production/flags/checkout/rollout", map[string]any{"percent": 25.5}, 3)
	change("/v1/environments/production/flags/banner/serve", map[string]any{"variation": "green"}, 4)
	if b := change("/v1/environments/production/flags/banner/serve", map[string]any{"variation": "green"}, 4); b["unchanged"] != true {
		t.Fatalf("same serve again: %v", b)
	}
	doc, err := a.pub.Current(t.Context(), "production")
	if err != nil {
		t.Fatal(err)
	}
	if w := doc.Flags["checkout"].Default.Split; len(w) != 2 || w[0].Variation != "on" || w[0].Weight != 2550 {
		t.Fatalf("rollout: %+v", doc.Flags["checkout"].Default)
	}
	if len(doc.Source.OutOfBand) != 3 || doc.Source.OutOfBand[0].By != "oncall" {
		t.Fatalf("out-of-band records: %+v", doc.Source.OutOfBand)
	}

	// The drift guard: publishing the files again would undo the edits.
	code, body = a.do("POST", "/v1/environments/production/publish", prodTok, adminapi.PublishRequest{Files: flagFiles})
	if code != http.StatusConflict || errCode(body) != "out_of_band_edits" || a.version("production") != 4 {
		t.Fatalf("publish over edits: %d %v", code, body)
	}

	// History, one version, diff, rollback, audit.
	if vs := get("/v1/environments/production/versions?limit=2")["versions"].([]any); len(vs) != 2 || vs[0].(map[string]any)["current"] != true {
		t.Fatalf("versions: %v", vs)
	}
	if v := get("/v1/environments/production/versions/1"); v["version"].(float64) != 1 {
		t.Fatalf("version 1: %v", v)
	}
	if d := get("/v1/environments/production/diff?from=1&to=2"); !strings.Contains(d["text"].(string), "checkout") {
		t.Fatalf("diff: %v", d)
	}
	if d := get("/v1/environments/production/diff?from=1"); d["to"].(float64) != 4 {
		t.Fatalf("diff to current: %v", d)
	}
	change("/v1/environments/production/rollback", map[string]any{"version": 1, "message": "undo"}, 5)
	recs := get("/v1/environments/production/audit")["records"].([]any)
	if len(recs) != 5 {
		t.Fatalf("audit: %d records, want 5: %v", len(recs), recs)
	}
	newest := recs[0].(map[string]any)
	if newest["action"] != "rollback" || newest["who"] != "oncall" || newest["before"].(float64) != 4 || newest["after"].(float64) != 5 {
		t.Fatalf("newest audit record: %v", newest)
	}

	// Not found.
	for _, p := range []string{"/v1/environments/nowhere", "/v1/environments/production/flags/nope", "/v1/environments/production/versions/99", "/v1/nothing"} {
		if code, body := a.do("GET", p, readTok, nil); code != 404 || errCode(body) != "not_found" {
			t.Errorf("GET %s: %d %v", p, code, body)
		}
	}
	// The OpenAPI document needs no token.
	if code, body := a.do("GET", "/openapi.json", "", nil); code != 200 || body["openapi"] != "3.1.0" {
		t.Fatalf("openapi: %d", code)
	}
}

// testAuth: every endpoint without a token is 401, with a bad token 401;
// every write with a read token, or one for another environment, 403.
func testAuth(t *testing.T, a *api) {
	before := a.version("production")
	for _, rt := range adminapi.Routes() {
		if rt.Path == "/openapi.json" {
			continue
		}
		path := strings.NewReplacer("{env}", "production", "{flag}", "checkout", "{version}", "1").Replace(rt.Path)
		for _, tok := range []string{"", "not-a-token-at-all-000"} {
			if code, body := a.do(rt.Method, path, tok, "{}"); code != 401 || errCode(body) != "unauthorized" {
				t.Errorf("%s %s token %q: %d %v", rt.Method, path, tok, code, body)
			}
		}
		if !rt.Write {
			continue
		}
		for _, tok := range []string{readTok, stagingTok} {
			if code, body := a.do(rt.Method, path, tok, "{}"); code != 403 || errCode(body) != "forbidden" {
				t.Errorf("%s %s with a token that may not write production: %d %v", rt.Method, path, code, body)
			}
		}
	}
	if a.version("production") != before {
		t.Fatal("a refused request published")
	}
}

// testHostile: malformed, oversized and hostile bodies are 4xx and
// publish nothing.
func testHostile(t *testing.T, a *api) {
	before := a.version("production")
	toggle := "/v1/environments/production/flags/checkout/toggle"
	deep := strings.Repeat("[", 100000) + strings.Repeat("]", 100000)
	cases := []struct {
		name, path, body string
		want             int
	}{
		{"not json", toggle, "enabled=false", 400},
		{"empty", toggle, "", 400},
		{"wrong type", toggle, `{"enabled":"no"}`, 400},
		{"missing field", toggle, `{}`, 400},
		{"unknown field", toggle, `{"enabled":false,"admin":true}`, 400},
		{"two values", toggle, `{"enabled":false}{"enabled":true}`, 400},
		{"deep nesting", toggle, deep, 413},
		{"deep nesting, small", toggle, `{"enabled":` + strings.Repeat("[", 1000) + strings.Repeat("]", 1000) + `}`, 400},
		{"huge string", toggle, `{"enabled":"` + strings.Repeat("x", 1<<20) + `"}`, 413},
		{"null", toggle, `null`, 400},
		{"rollout over 100", "/v1/environments/production/flags/checkout/rollout", `{"percent":101}`, 400},
		{"rollout 3 decimals", "/v1/environments/production/flags/checkout/rollout", `{"percent":1.234}`, 400},
		{"rollout NaN", "/v1/environments/production/flags/checkout/rollout", `{"percent":"NaN"}`, 400},
		{"serve unknown variation", "/v1/environments/production/flags/banner/serve", `{"variation":"purple"}`, 422},
		{"rollout string flag without variation", "/v1/environments/production/flags/banner/rollout", `{"percent":5}`, 422},
		{"rollback to nothing", "/v1/environments/production/rollback", `{"version":999}`, 404},
		{"rollback negative", "/v1/environments/production/rollback", `{"version":-1}`, 400},
		{"publish no files", "/v1/environments/production/publish", `{"files":{}}`, 400},
		{"publish files wrong type", "/v1/environments/production/publish", `{"files":["cairn.yaml"]}`, 400},
		{"publish oversized", "/v1/environments/production/publish", `{"files":{"cairn.yaml":"` + strings.Repeat("x", 300<<10) + `"}}`, 413},
		{"publish escaping name", "/v1/environments/production/publish", `{"files":{"../cairn.yaml":"environments: [production]"}}`, 422},
		{"publish unknown env", "/v1/environments/production/publish", `{"files":{"cairn.yaml":"environments: [staging]"}}`, 422},
	}
	for _, c := range cases {
		code, body := a.do("POST", c.path, prodTok, c.body)
		if code != c.want {
			t.Errorf("%s: %d, want %d: %v", c.name, code, c.want, body)
		}
	}

	// Invalid flag files: every problem, located, and nothing published.
	bad := map[string]string{
		"cairn.yaml": "environments: [production]\n",
		"flags.yaml": "flags:\n  checkout:\n    environments:\n      production:\n        enabled: yes-please\n",
	}
	code, body := a.do("POST", "/v1/environments/production/publish", prodTok, adminapi.PublishRequest{Files: bad})
	probs, _ := body["error"].(map[string]any)["problems"].([]any)
	if code != 422 || len(probs) == 0 {
		t.Fatalf("invalid files: %d %v", code, body)
	}
	p := probs[0].(map[string]any)
	if p["file"] != "flags.yaml" || p["line"].(float64) != 5 || p["message"] == "" {
		t.Fatalf("problem: %v", p)
	}
	if a.version("production") != before {
		t.Fatalf("hostile input published: version %d, was %d", a.version("production"), before)
	}
}

// testConcurrentToggles: two racing changes both land as versions.
func testConcurrentToggles(t *testing.T, a *api) {
	before := a.version("production")
	if doc, _ := a.pub.Current(t.Context(), "production"); !doc.Flags["checkout"].Enabled || !doc.Flags["banner"].Enabled {
		t.Fatal("both flags must start enabled")
	}
	var wg sync.WaitGroup
	codes := make([]int, 2)
	for i, flag := range []string{"checkout", "banner"} {
		wg.Go(func() {
			codes[i], _ = a.do("POST", fmt.Sprintf("/v1/environments/production/flags/%s/toggle", flag), prodTok, map[string]any{"enabled": false})
		})
	}
	wg.Wait()
	if codes[0] != 200 || codes[1] != 200 {
		t.Fatalf("codes %v", codes)
	}
	// Each landed as its own version. A loser that wrote a version file
	// before losing the race for ruleset.json leaves it behind, so numbers
	// may skip: the protocol's orphan versions.
	doc, err := a.pub.Current(t.Context(), "production")
	if err != nil {
		t.Fatal(err)
	}
	if doc.Flags["checkout"].Enabled || doc.Flags["banner"].Enabled {
		t.Fatal("one toggle was lost")
	}
	versions := map[string]int64{}
	for _, e := range doc.Source.OutOfBand {
		if e.Version > before {
			versions[e.Flag] = e.Version
		}
	}
	if len(versions) != 2 || versions["checkout"] == versions["banner"] || doc.Version != max(versions["checkout"], versions["banner"]) {
		t.Fatalf("out-of-band records of the two toggles: %v (current %d, was %d)", versions, doc.Version, before)
	}
}

// Every route of the mux is in the OpenAPI document, with its method.
func TestOpenAPICoversRoutes(t *testing.T) {
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(adminapi.OpenAPIDocument(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi %q", doc.OpenAPI)
	}
	n := 0
	for _, rt := range adminapi.Routes() {
		if _, ok := doc.Paths[rt.Path][strings.ToLower(rt.Method)]; !ok {
			t.Errorf("%s %s is not in openapi.json", rt.Method, rt.Path)
		}
		n++
	}
	documented := 0
	for _, ops := range doc.Paths {
		documented += len(ops)
	}
	if documented != n {
		t.Errorf("openapi.json documents %d operations, the mux has %d", documented, n)
	}
}

func TestParseTokens(t *testing.T) {
	for _, bad := range []string{
		"a:short:read",
		"a:0123456789abcdef:admin",
		"a:0123456789abcdef",
		"a:0123456789abcdef:write=",
		"a:sha256=xyz:read",
		"a:0123456789abcdef:read\na:fedcba9876543210:read",
		"# only comments",
	} {
		if _, err := adminapi.ParseTokens([]byte(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		} else if strings.Contains(err.Error(), "0123456789abcdef") {
			t.Errorf("error reveals the secret: %v", err)
		}
	}
	// sha256= form: sha256("read-token-0123456789").
	ts, err := adminapi.ParseTokens([]byte("h:sha256=" + adminapi.Sha256Hex(readTok) + ":read"))
	if err != nil || ts.Names()[0] != "h" {
		t.Fatal(err)
	}
}
