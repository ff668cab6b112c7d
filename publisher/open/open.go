// Package open turns a target URL into a publisher.Store. It is the one
// place that knows every backend, so it is the one package that compiles
// every cloud SDK; import publisher/file alone to avoid them.
//
// Target URLs:
//
//	file:///srv/flags              an absolute directory
//	file://./flags, file:flags     a directory relative to the working directory
//	/srv/flags, ./flags            a plain path means file
//	gs://bucket/prefix             Google Cloud Storage
//	  ?endpoint=http://host:port   a GCS emulator such as fake-gcs-server (no auth)
//	s3://bucket/prefix             Amazon S3 or an S3-compatible store
//	  ?region=eu-west-1            the region (default: AWS config, else us-east-1)
//	  &endpoint=http://host:port   an S3-compatible endpoint (MinIO, R2, GCS XML API)
//	  &path_style=true             path-style addressing, needed by most of those
//
// Credentials are never part of a URL: each backend uses its SDK's standard
// chain (Application Default Credentials for GCS; environment, shared config,
// SSO or instance role for S3).
package open

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"

	"google.golang.org/api/option"

	"github.com/cairnflags/cairn/publisher"
	"github.com/cairnflags/cairn/publisher/file"
	"github.com/cairnflags/cairn/publisher/gcs"
	"github.com/cairnflags/cairn/publisher/s3"
)

// Store is a publisher.Store that may hold connections until closed.
type Store interface {
	publisher.Store
	io.Closer
}

// Open returns the Store a target URL names (see the package doc). Unknown
// schemes and query parameters are errors, so a typo never publishes
// somewhere unexpected.
func Open(ctx context.Context, target string) (Store, error) {
	if !strings.Contains(target, ":") {
		return openFile(target)
	}
	u, err := url.Parse(target)
	if err != nil {
		return nil, fmt.Errorf("target %q: %w", target, err)
	}
	switch u.Scheme {
	case "file":
		if err := onlyParams(u); err != nil {
			return nil, err
		}
		return openFile(filePath(u))
	case "gs":
		return openGCS(ctx, u)
	case "s3":
		return openS3(ctx, u)
	}
	return nil, fmt.Errorf("target %q: unknown scheme %q (want file, gs or s3)", target, u.Scheme)
}

func openFile(dir string) (Store, error) {
	if dir == "" {
		return nil, fmt.Errorf("file target: empty path")
	}
	return file.New(dir)
}

// filePath reads file:///abs, file://./rel, file://rel/dir and file:rel:
// a host part is the start of a relative path, since file URLs name local
// directories only.
func filePath(u *url.URL) string {
	if u.Opaque != "" {
		return u.Opaque
	}
	if u.Host != "" {
		return u.Host + u.Path
	}
	return u.Path
}

func openGCS(ctx context.Context, u *url.URL) (Store, error) {
	if u.Host == "" {
		return nil, fmt.Errorf("gs target %q: missing bucket", u.Redacted())
	}
	if err := onlyParams(u, "endpoint"); err != nil {
		return nil, err
	}
	var opts []option.ClientOption
	if ep := u.Query().Get("endpoint"); ep != "" {
		opts = append(opts, option.WithEndpoint(strings.TrimSuffix(ep, "/")+"/storage/v1/"), option.WithoutAuthentication())
	}
	return gcs.New(ctx, u.Host, u.Path, opts...)
}

func openS3(ctx context.Context, u *url.URL) (Store, error) {
	if u.Host == "" {
		return nil, fmt.Errorf("s3 target %q: missing bucket", u.Redacted())
	}
	if err := onlyParams(u, "region", "endpoint", "path_style"); err != nil {
		return nil, err
	}
	q := u.Query()
	cfg := s3.Config{Bucket: u.Host, Prefix: u.Path, Region: q.Get("region"), Endpoint: q.Get("endpoint")}
	if ps := q.Get("path_style"); ps != "" {
		b, err := strconv.ParseBool(ps)
		if err != nil {
			return nil, fmt.Errorf("s3 target: path_style=%q: %w", ps, err)
		}
		cfg.PathStyle = b
	}
	return s3.New(ctx, cfg)
}

// onlyParams refuses query parameters other than allowed.
func onlyParams(u *url.URL, allowed ...string) error {
	for k := range u.Query() {
		ok := false
		for _, a := range allowed {
			ok = ok || k == a
		}
		if !ok {
			return fmt.Errorf("%s target: unknown parameter %q", u.Scheme, k)
		}
	}
	return nil
}
