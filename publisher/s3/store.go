// Package s3 is the Amazon S3 publisher.Store, and that of S3-compatible
// stores (MinIO, Cloudflare R2, the GCS XML API) through a custom endpoint
// and path-style addressing. Credentials come from the AWS SDK's default
// chain; preconditions are conditional writes (If-None-Match: *, If-Match),
// and a token is the object's ETag.
package s3

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/cairnflags/cairn/publisher"
)

var _ publisher.Store = (*Store)(nil)

// Config says where a Store keeps its objects.
type Config struct {
	Bucket string
	// Prefix is prepended, with a slash, to every key.
	Prefix string
	// Region overrides the region from the environment and shared config.
	Region string
	// Endpoint is the URL of an S3-compatible server, such as
	// http://127.0.0.1:9000; empty means AWS.
	Endpoint string
	// PathStyle addresses buckets as <endpoint>/<bucket>/<key> instead of
	// <bucket>.<endpoint>/<key>; most S3-compatible servers need it.
	PathStyle bool
}

// Store is a publisher.Store in an S3 bucket, under a prefix.
type Store struct {
	client *s3.Client
	bucket string
	prefix string
}

// New returns a Store for cfg, with credentials and settings from the AWS
// SDK's default chain (environment, shared files, SSO, instance roles).
func New(ctx context.Context, cfg Config) (*Store, error) {
	var loadOpts []func(*config.LoadOptions) error
	if cfg.Region != "" {
		loadOpts = append(loadOpts, config.WithRegion(cfg.Region))
	}
	// An HTTP client must not be passed here: with AWS_CA_BUNDLE set the SDK
	// panics on a custom client. The default one is fine.
	awsCfg, err := config.LoadDefaultConfig(ctx, loadOpts...)
	if err != nil {
		return nil, fmt.Errorf("s3 config: %w", err)
	}
	if awsCfg.Region == "" {
		awsCfg.Region = "us-east-1"
	}
	client := s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		o.UsePathStyle = cfg.PathStyle
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
			// S3-compatible servers differ in their support of the newer
			// default checksums; send and check them only where required.
			o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
			o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
		}
	})
	return NewWithClient(client, cfg.Bucket, cfg.Prefix), nil
}

// NewWithClient returns a Store that uses client.
func NewWithClient(client *s3.Client, bucket, prefix string) *Store {
	return &Store{client: client, bucket: bucket, prefix: strings.Trim(prefix, "/")}
}

// Close does nothing: the SDK's client holds no resources to release.
func (s *Store) Close() error { return nil }

func (s *Store) name(key string) (string, error) { return publisher.PrefixedKey(s.prefix, key) }

// Get reads the object at key as stored (the SDK does not decompress).
func (s *Store) Get(ctx context.Context, key string) (*publisher.Object, error) {
	name, err := s.name(key)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", key, err)
	}
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.bucket, Key: &name})
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", key, mapError(err))
	}
	defer out.Body.Close()
	body, err := io.ReadAll(out.Body)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", key, err)
	}
	return &publisher.Object{
		Body:  body,
		Token: aws.ToString(out.ETag),
		Meta: publisher.Meta{
			ContentType:     aws.ToString(out.ContentType),
			ContentEncoding: aws.ToString(out.ContentEncoding),
			CacheControl:    aws.ToString(out.CacheControl),
		},
	}, nil
}

// Put writes body at key with a conditional PutObject.
func (s *Store) Put(ctx context.Context, key string, body []byte, opts publisher.PutOptions) (string, error) {
	name, err := s.name(key)
	if err != nil {
		return "", fmt.Errorf("put %s: %w", key, err)
	}
	if opts.IfMatch != "" && opts.IfNotExists {
		return "", fmt.Errorf("put %s: both if-match and if-not-exists", key)
	}
	in := &s3.PutObjectInput{
		Bucket: &s.bucket, Key: &name, Body: bytes.NewReader(body),
		ContentLength: aws.Int64(int64(len(body))),
		ContentType:   nonEmpty(opts.ContentType), ContentEncoding: nonEmpty(opts.ContentEncoding),
		CacheControl: nonEmpty(opts.CacheControl),
		IfMatch:      nonEmpty(opts.IfMatch),
	}
	if opts.IfNotExists {
		in.IfNoneMatch = aws.String("*")
	}
	out, err := s.client.PutObject(ctx, in)
	if err != nil {
		// S3 answers If-Match on a missing key with NoSuchKey: the object
		// read is gone, which is a conflict like any other change.
		var ae smithy.APIError
		if opts.IfMatch != "" && errors.As(err, &ae) && ae.ErrorCode() == "NoSuchKey" {
			return "", fmt.Errorf("put %s: %w: %v", key, publisher.ErrConflict, err)
		}
		return "", fmt.Errorf("put %s: %w", key, mapError(err))
	}
	return aws.ToString(out.ETag), nil
}

// List returns the keys under prefix in lexical order (S3 lists keys in
// UTF-8 byte order).
func (s *Store) List(ctx context.Context, prefix string) ([]string, error) {
	full := prefix
	if s.prefix != "" {
		full = s.prefix + "/" + prefix
	}
	var keys []string
	pages := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{Bucket: &s.bucket, Prefix: &full})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list %q: %w", prefix, mapError(err))
		}
		for _, o := range page.Contents {
			key := aws.ToString(o.Key)
			if s.prefix != "" {
				key = strings.TrimPrefix(key, s.prefix+"/")
			}
			keys = append(keys, key)
		}
	}
	return keys, nil
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// mapError turns S3's not-found into fs.ErrNotExist and a failed
// precondition (412, or 409 for a conditional write that raced another)
// into publisher.ErrConflict, keeping the original message.
func mapError(err error) error {
	var nsk *types.NoSuchKey
	var nf *types.NotFound
	if errors.As(err, &nsk) || errors.As(err, &nf) {
		return fmt.Errorf("%w: %v", fs.ErrNotExist, err)
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		switch re.HTTPStatusCode() {
		case http.StatusNotFound:
			return fmt.Errorf("%w: %v", fs.ErrNotExist, err)
		case http.StatusPreconditionFailed, http.StatusConflict:
			return fmt.Errorf("%w: %v", publisher.ErrConflict, err)
		}
	}
	return err
}
