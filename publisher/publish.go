package publisher

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/cairnflags/cairn/ruleset"
	"github.com/cairnflags/cairn/ruleset/envelope"
)

// PublishOptions are the choices a caller makes for one Publish.
type PublishOptions struct {
	// Overwrite lets a publish from git replace flags that were edited out
	// of band since (see OutOfBandError). Without it such a publish stops.
	Overwrite bool
}

// Result says what a publish, rollback or edit did.
type Result struct {
	Environment string
	// Version is the version now current: the new one, or the one that was
	// already current when Unchanged.
	Version int64
	// Previous is the version that was current before; 0 when there was none.
	Previous int64
	// Unchanged is true when the flags and segments were already exactly the
	// published ones: nothing was written.
	Unchanged bool
	// Key is the current ruleset's key; VersionKey the new version's (empty
	// when Unchanged).
	Key        string
	VersionKey string
	// Bytes is the size of the stored object (compressed when gzipped).
	Bytes int
	// ClearedOutOfBand lists flags whose out-of-band edits git has caught up
	// with, so their records were dropped.
	ClearedOutOfBand []string
	// Overwritten lists flags whose out-of-band edits this publish undid
	// because PublishOptions.Overwrite was set.
	Overwritten []string
	// Document is what is now current.
	Document *ruleset.Document
	// Purged is true when a Purger (see WithPurger) dropped the old ruleset
	// from the CDN; PurgeError says why it could not. The publish itself
	// succeeded either way.
	Purged     bool
	PurgeError error
}

// Publish validates doc and publishes it as the next version of
// doc.Environment with the protocol of DESIGN.md. It sets doc's Version and
// PublishedAt on a copy; the caller's doc is not modified.
//
// An empty Source.Kind means ruleset.SourceGit. A publish from git compares
// itself with the published out-of-band edits: it fails with *OutOfBandError
// if it would undo one (unless opts.Overwrite), and clears the records git
// already agrees with. Other kinds are published with their Source as given.
//
// When flags and segments equal the current ones Publish writes nothing and
// returns Result.Unchanged. It returns *InvalidError for an invalid ruleset
// and *ConflictError (matching ErrConflict) when another publisher won a
// race; then a retry reads the new state and may succeed.
func (p *Publisher) Publish(ctx context.Context, doc *ruleset.Document, opts PublishOptions) (Result, error) {
	if doc == nil {
		return Result{}, errors.New("publish: nil ruleset")
	}
	src := doc.Source
	if src.Kind == "" {
		src.Kind = ruleset.SourceGit
	}
	return p.publish(ctx, doc.Environment, func(cur *current, _ int64, res *Result) (*ruleset.Document, error) {
		next := &ruleset.Document{
			Schema: doc.Schema, Environment: doc.Environment, Source: src,
			Flags: doc.Flags, Segments: doc.Segments,
		}
		if src.Kind != ruleset.SourceGit {
			return next, nil
		}
		next.Source.OutOfBand = nil
		if cur == nil || len(cur.Source.OutOfBand) == 0 {
			return next, nil
		}
		curDoc, err := cur.document()
		if err != nil {
			return nil, err
		}
		cleared, undone, err := reconcileOutOfBand(doc.Environment, curDoc, next, opts.Overwrite)
		if err != nil {
			return nil, err
		}
		res.ClearedOutOfBand, res.Overwritten = cleared, undone
		return next, nil
	})
}

// buildFunc makes the document to publish from the current one (nil when
// none is published) and the version it will get.
type buildFunc func(cur *current, next int64, res *Result) (*ruleset.Document, error)

// publish runs the protocol: read the current ruleset and its token, pick
// the next version above every version ever written, build and validate,
// write the version if it does not exist, then replace the current ruleset
// if it is still the one read.
func (p *Publisher) publish(ctx context.Context, env string, build buildFunc) (Result, error) {
	if err := checkEnv(env); err != nil {
		return Result{}, fmt.Errorf("publish: %w", err)
	}
	cur, token, err := p.readCurrent(ctx, env)
	if err != nil {
		return Result{}, err
	}
	if err := p.checkSigning(env, cur); err != nil {
		return Result{}, err
	}
	// A crash or a lost race can leave versions/<N+1>.json written while
	// ruleset.json still says N, so the next version is above both.
	highest, err := p.highestVersion(ctx, env)
	if err != nil {
		return Result{}, err
	}
	res := Result{Environment: env, Key: CurrentKey(env)}
	if cur != nil {
		res.Previous = cur.Version
	}
	next := max(res.Previous, highest) + 1
	doc, err := build(cur, next, &res)
	if err != nil {
		return Result{}, err
	}
	if doc.Schema == 0 {
		doc.Schema = ruleset.SchemaVersion
	}
	doc.Environment, doc.Version, doc.PublishedAt = env, next, p.now().UTC()
	data, err := ruleset.Marshal(doc)
	if err != nil {
		return Result{}, fmt.Errorf("publish %s: %w", env, err)
	}
	if cur != nil && sameContent(cur.data, data) && sameJSON(cur.Source.OutOfBand, doc.Source.OutOfBand) && p.sameWrapping(env, cur) {
		if res.Document, err = cur.document(); err != nil {
			return Result{}, err
		}
		res.Version, res.Unchanged = cur.Version, true
		p.log.InfoContext(ctx, "ruleset unchanged, nothing published", "environment", env, "version", cur.Version)
		return res, nil
	}
	if err := validate(env, data); err != nil {
		return Result{}, err
	}
	sealed, err := p.seal(env, next, data)
	if err != nil {
		return Result{}, fmt.Errorf("publish %s: %w", env, err)
	}
	body, meta, err := p.encode(sealed)
	if err != nil {
		return Result{}, fmt.Errorf("publish %s: %w", env, err)
	}

	res.VersionKey = VersionKey(env, next)
	vopts := PutOptions{Meta: meta, IfNotExists: true}
	vopts.CacheControl = p.cacheVersion
	if _, err := p.store.Put(ctx, res.VersionKey, body, vopts); err != nil {
		return Result{}, p.putError(env, next, res.VersionKey, err)
	}
	copts := PutOptions{Meta: meta, IfMatch: token, IfNotExists: token == ""}
	copts.CacheControl = p.cacheCurrent
	if _, err := p.store.Put(ctx, res.Key, body, copts); err != nil {
		return Result{}, p.putError(env, next, res.Key, err)
	}
	res.Version, res.Bytes, res.Document = next, len(body), doc
	p.log.InfoContext(ctx, "published ruleset", "environment", env, "version", next,
		"previous", res.Previous, "source", doc.Source.Kind, "bytes", len(body))
	p.purge(ctx, &res)
	return res, nil
}

func (p *Publisher) putError(env string, version int64, key string, err error) error {
	if errors.Is(err, ErrConflict) {
		return &ConflictError{Environment: env, Version: version, Key: key, Err: err}
	}
	return fmt.Errorf("publish %s version %d: %w", env, version, err)
}

func (p *Publisher) encode(data []byte) ([]byte, Meta, error) {
	meta := Meta{ContentType: ContentType}
	if !p.gzip {
		return data, meta, nil
	}
	gz, err := encodeGzip(data)
	if err != nil {
		return nil, Meta{}, err
	}
	meta.ContentEncoding = "gzip"
	return gz, meta, nil
}

// readCurrent returns the current ruleset and its token; nil and an empty
// token when none is published. An unreadable current ruleset returns its
// token and nil, so that the next publish replaces it instead of failing
// forever.
func (p *Publisher) readCurrent(ctx context.Context, env string) (*current, string, error) {
	obj, err := p.store.Get(ctx, CurrentKey(env))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("read current %s ruleset: %w", env, err)
	}
	data, wrap, err := p.unpack(env, obj)
	if errors.Is(err, envelope.ErrEncrypted) || errors.Is(err, envelope.ErrWrongKey) || errors.Is(err, envelope.ErrDecrypt) {
		// Replacing what cannot be read here would drop the environment's
		// encryption, or someone else's edits, unseen.
		return nil, "", fmt.Errorf("read current %s ruleset: %w", env, err)
	}
	var cur *current
	if err == nil {
		cur, err = decodeCurrent(data)
	}
	if err == nil {
		cur.wrap = wrap
	}
	if err != nil {
		p.log.WarnContext(ctx, "current ruleset is unreadable; the publish will replace it",
			"environment", env, "key", CurrentKey(env), "error", err)
		return nil, obj.Token, nil
	}
	return cur, obj.Token, nil
}

// highestVersion is the highest version number under the environment's
// versions/ prefix, 0 when there is none.
func (p *Publisher) highestVersion(ctx context.Context, env string) (int64, error) {
	keys, err := p.store.List(ctx, VersionsPrefix(env))
	if err != nil {
		return 0, fmt.Errorf("list %s versions: %w", env, err)
	}
	var highest int64
	for _, k := range keys {
		if v, ok := parseVersionKey(env, k); ok && v > highest {
			highest = v
		}
	}
	return highest, nil
}

// contentStart begins the flags and segments in the canonical encoding
// (ruleset.Marshal): they are the Document's last fields, so everything from
// here on is content, and everything before it envelope. The sequence cannot
// occur inside a string, where a newline is escaped.
var contentStart = []byte("\n  \"flags\": ")

// sameContent reports whether two canonically encoded rulesets serve the
// same flags and segments, whatever their version, time and source. Bytes
// from another encoder compare as different: at worst a publish that
// changes nothing.
func sameContent(a, b []byte) bool {
	i, j := bytes.Index(a, contentStart), bytes.Index(b, contentStart)
	return i >= 0 && j >= 0 && bytes.Equal(a[i:], b[j:])
}
