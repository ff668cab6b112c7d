package publisher

import (
	"io"
	"log/slog"
	"time"

	"github.com/cairnflags/cairn/ruleset/envelope"
)

// Default Cache-Control values (DESIGN.md, "The published layout"): the
// current ruleset is cached briefly and may be served stale while the origin
// is down; a version never changes once written.
const (
	DefaultCurrentCacheControl = "public, max-age=30, stale-while-revalidate=30, stale-if-error=86400"
	DefaultVersionCacheControl = "public, max-age=31536000, immutable"
)

// ContentType is the media type of every object the publisher writes.
const ContentType = "application/json"

// Publisher publishes, lists, rolls back and edits the rulesets of any number
// of environments in one Store. It keeps no state between calls, so any
// number of Publishers, in any number of processes, may share a store: the
// store's preconditions decide races. It is safe for concurrent use.
type Publisher struct {
	store        Store
	log          *slog.Logger
	now          func() time.Time
	tool         string
	cacheCurrent string
	cacheVersion string
	gzip         bool
	purger       Purger
	purgeTimeout time.Duration

	// Signing and encryption (sign.go).
	signers       []envelope.PrivateKey
	encKeys       map[string]envelope.EncryptionKey
	allowUnsigned bool
}

// Option configures a Publisher.
type Option func(*Publisher)

// WithLogger sets the logger for progress messages; the default discards.
func WithLogger(l *slog.Logger) Option { return func(p *Publisher) { p.log = l } }

// WithClock sets the clock that stamps PublishedAt and out-of-band edits; the
// default is time.Now.
func WithClock(now func() time.Time) Option { return func(p *Publisher) { p.now = now } }

// WithTool names the program recorded as Source.Tool of edits and rollbacks
// when the caller gives none; the default is "cairn".
func WithTool(name string) Option { return func(p *Publisher) { p.tool = name } }

// WithCacheControl sets the Cache-Control of <env>/ruleset.json and of
// <env>/versions/<N>.json; an empty string keeps that default.
func WithCacheControl(current, versions string) Option {
	return func(p *Publisher) {
		if current != "" {
			p.cacheCurrent = current
		}
		if versions != "" {
			p.cacheVersion = versions
		}
	}
}

// WithGzip says whether to store rulesets gzip-compressed with
// Content-Encoding: gzip. The default comes from the store (GzipPreferrer),
// else on.
func WithGzip(on bool) Option { return func(p *Publisher) { p.gzip = on } }

// New returns a Publisher that writes to store.
func New(store Store, opts ...Option) *Publisher {
	p := &Publisher{
		store:        store,
		log:          slog.New(slog.NewTextHandler(io.Discard, nil)),
		now:          time.Now,
		tool:         "cairn",
		cacheCurrent: DefaultCurrentCacheControl,
		cacheVersion: DefaultVersionCacheControl,
		gzip:         true,
	}
	if gp, ok := store.(GzipPreferrer); ok {
		p.gzip = gp.PreferGzip()
	}
	for _, o := range opts {
		o(p)
	}
	return p
}
