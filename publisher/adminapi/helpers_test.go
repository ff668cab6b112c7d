package adminapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cairnflags/cairn/publisher"
	"github.com/cairnflags/cairn/publisher/adminapi"
	"github.com/cairnflags/cairn/publisher/file"
	"github.com/cairnflags/cairn/publisher/open"
)

// Secrets of the test tokens.
const (
	readTok    = "read-token-0123456789"
	prodTok    = "prod-token-0123456789"
	stagingTok = "stag-token-0123456789"
)

const tokensFile = `# name:secret:scope
viewer:` + readTok + `:read
oncall:` + prodTok + `:write=production
qa:` + stagingTok + `:write=staging
`

var flagFiles = map[string]string{
	"cairn.yaml": "environments: [staging, production]\n",
	"flags.yaml": `flags:
  checkout:
    description: The new checkout.
    environments:
      staging:
        enabled: true
      production:
        enabled: true
        default:
          split: {on: 10, off: 90}
  banner:
    type: string
    variations: {blue: "blue", green: "green", red: "red"}
    off_variation: blue
    environments:
      production:
        enabled: true
        default: blue
`,
}

// backend opens a fresh, empty store of one kind.
type backend struct {
	name string
	open func(t *testing.T) publisher.Store
}

var prefixes atomic.Int64

func uniquePrefix() string {
	return fmt.Sprintf("adminapi-%d-%d", time.Now().UnixNano(), prefixes.Add(1))
}

// backends are the file store, always, and MinIO and fake-gcs-server when
// scripts/realparts.sh has started them.
func backends() []backend {
	return []backend{
		{"file", func(t *testing.T) publisher.Store {
			s, err := file.New(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			return s
		}},
		{"s3", func(t *testing.T) publisher.Store {
			ep := os.Getenv("CAIRN_TEST_S3_ENDPOINT")
			if ep == "" {
				t.Skip("CAIRN_TEST_S3_ENDPOINT is not set; run scripts/realparts.sh start and source /tmp/cairn-realparts/env")
			}
			t.Setenv("AWS_ACCESS_KEY_ID", os.Getenv("CAIRN_TEST_S3_ACCESS_KEY"))
			t.Setenv("AWS_SECRET_ACCESS_KEY", os.Getenv("CAIRN_TEST_S3_SECRET_KEY"))
			u := fmt.Sprintf("s3://%s/%s?endpoint=%s&region=%s&path_style=true", os.Getenv("CAIRN_TEST_S3_BUCKET"), uniquePrefix(),
				url.QueryEscape(ep), os.Getenv("CAIRN_TEST_S3_REGION"))
			return openStore(t, u)
		}},
		{"gcs", func(t *testing.T) publisher.Store {
			ep := os.Getenv("CAIRN_TEST_GCS_ENDPOINT")
			if ep == "" {
				t.Skip("CAIRN_TEST_GCS_ENDPOINT is not set; run scripts/realparts.sh start and source /tmp/cairn-realparts/env")
			}
			u := fmt.Sprintf("gs://%s/%s?endpoint=%s", os.Getenv("CAIRN_TEST_GCS_BUCKET"), uniquePrefix(), url.QueryEscape(ep))
			return openStore(t, u)
		}},
	}
}

func openStore(t *testing.T, u string) publisher.Store {
	s, err := open.Open(t.Context(), u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// api is a running server over real HTTP and what it publishes to.
type api struct {
	t     *testing.T
	url   string
	pub   *publisher.Publisher
	store publisher.Store
}

func startAPI(t *testing.T, store publisher.Store, opts ...publisher.Option) *api {
	t.Helper()
	tokens, err := adminapi.ParseTokens([]byte(tokensFile))
	if err != nil {
		t.Fatal(err)
	}
	pub := publisher.New(store, opts...)
	srv, err := adminapi.New(adminapi.Config{Publisher: pub, Store: store, Tokens: tokens, MaxBody: 4 << 10, MaxUpload: 256 << 10})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return &api{t: t, url: hs.URL, pub: pub, store: store}
}

// with returns a copy of a that reports to t, for a subtest.
func (a *api) with(t *testing.T) *api {
	c := *a
	c.t = t
	return &c
}

// do sends a request and decodes the JSON answer into a map.
func (a *api) do(method, path, token string, body any) (int, map[string]any) {
	a.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewReader([]byte(b))
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			a.t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(a.t.Context(), method, a.url+path, rd)
	if err != nil {
		a.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		a.t.Fatalf("%s %s: Content-Type %q", method, path, ct)
	}
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		a.t.Fatalf("%s %s: %d, body is not a JSON object: %v", method, path, resp.StatusCode, err)
	}
	return resp.StatusCode, out
}

// version is env's current version, 0 before the first publish.
func (a *api) version(env string) int64 {
	a.t.Helper()
	doc, err := a.pub.Current(a.t.Context(), env)
	if err != nil {
		return 0
	}
	return doc.Version
}

func errCode(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}
