package cloudfront_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sdkcf "github.com/aws/aws-sdk-go-v2/service/cloudfront"

	"github.com/cairnflags/cairn/publisher/purge/cloudfront"
)

// The real client against a server that plays CloudFront: the request on
// the wire is what AWS would receive.
func TestCreateInvalidation(t *testing.T) {
	var method, path, body, auth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, _ := io.ReadAll(r.Body)
		method, path, body, auth = r.Method, r.URL.Path, string(data), r.Header.Get("Authorization")
		w.Header().Set("Content-Type", "text/xml")
		w.Header().Set("Location", "https://cloudfront.amazonaws.com/2020-05-31/distribution/E2EXAMPLE/invalidation/I1")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `<?xml version="1.0"?><Invalidation xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Id>I1</Id><Status>InProgress</Status></Invalidation>`)
	}))
	defer srv.Close()

	client := sdkcf.New(sdkcf.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		HTTPClient:   srv.Client(),
	})
	at := time.Unix(1700000000, 42)
	p := &cloudfront.Purger{Client: client, DistributionID: "E2EXAMPLE", Prefix: "flags", Now: func() time.Time { return at }}
	if err := p.Purge(t.Context(), "production", []string{"production/ruleset.json"}); err != nil {
		t.Fatal(err)
	}
	if method != http.MethodPost || path != "/2020-05-31/distribution/E2EXAMPLE/invalidation" {
		t.Fatalf("got %s %s", method, path)
	}
	for _, want := range []string{
		"<CallerReference>cairn-production-1700000000000000042</CallerReference>",
		"<Items><Path>/flags/production/ruleset.json</Path></Items>",
		"<Quantity>1</Quantity>",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %s:\n%s", want, body)
		}
	}
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/") {
		t.Errorf("request not signed: Authorization %q", auth)
	}
}
