// Package cloudfront purges Amazon CloudFront with CreateInvalidation. It
// is its own package so that only programs that purge CloudFront compile
// the CloudFront client.
package cloudfront

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront/types"

	"github.com/cairnflags/cairn/publisher"
	"github.com/cairnflags/cairn/publisher/purge"
)

// API is the part of *cloudfront.Client the Purger calls.
type API interface {
	CreateInvalidation(ctx context.Context, in *cloudfront.CreateInvalidationInput, opts ...func(*cloudfront.Options)) (*cloudfront.CreateInvalidationOutput, error)
}

// Purger invalidates paths of one distribution. The caller's credentials
// need cloudfront:CreateInvalidation on that distribution
// (docs/operations.md). CloudFront charges for invalidation paths beyond
// 1,000 a month, so it sends exactly the keys published, never a wildcard.
type Purger struct {
	Client         API
	DistributionID string
	// Prefix is the URL path before a store key, such as "/flags" when the
	// distribution's origin path does not already include it.
	Prefix string
	// Now stamps the caller reference that makes a retried request
	// idempotent; nil means time.Now.
	Now func() time.Time
}

var _ publisher.Purger = (*Purger)(nil)

// Purge creates one invalidation for keys and returns once CloudFront has
// accepted it; it does not wait for it to complete at every edge.
func (p *Purger) Purge(ctx context.Context, env string, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	now := time.Now
	if p.Now != nil {
		now = p.Now
	}
	paths := make([]string, len(keys))
	for i, k := range keys {
		paths[i] = purge.JoinPath(p.Prefix, k)
	}
	_, err := p.Client.CreateInvalidation(ctx, &cloudfront.CreateInvalidationInput{
		DistributionId: aws.String(p.DistributionID),
		InvalidationBatch: &types.InvalidationBatch{
			CallerReference: aws.String("cairn-" + env + "-" + strconv.FormatInt(now().UnixNano(), 10)),
			Paths:           &types.Paths{Quantity: aws.Int32(int32(len(paths))), Items: paths},
		},
	})
	if err != nil {
		return fmt.Errorf("cloudfront invalidate %s in %s: %w", strings.Join(paths, ", "), p.DistributionID, err)
	}
	return nil
}
