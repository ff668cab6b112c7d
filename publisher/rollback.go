package publisher

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/cairnflags/cairn/ruleset"
)

// Rollback publishes the flags and segments of env's version `to` as a new,
// higher version with Source.Kind "rollback" and Source.RollbackOf `to`;
// src supplies the author, tool and message. Versions only grow, so SDKs
// that already hold a newer version accept it.
//
// Every flag the rollback changes is recorded as an out-of-band edit, so a
// later publish from git does not silently undo the rollback. Rolling back to
// content identical to the current one returns Result.Unchanged.
func (p *Publisher) Rollback(ctx context.Context, env string, to int64, src ruleset.Source) (Result, error) {
	old, err := p.Get(ctx, env, to)
	if err != nil {
		return Result{}, fmt.Errorf("roll back %s to version %d: %w", env, to, err)
	}
	return p.publish(ctx, env, func(c *current, next int64, _ *Result) (*ruleset.Document, error) {
		var cur *ruleset.Document
		if c != nil {
			if cur, err = c.document(); err != nil {
				return nil, fmt.Errorf("roll back %s to version %d: %w", env, to, err)
			}
		}
		doc := &ruleset.Document{Schema: old.Schema, Environment: env, Flags: old.Flags, Segments: old.Segments}
		if cur != nil && sameFlagsAndSegments(cur, doc) {
			doc.Source = cur.Source
			return doc, nil
		}
		src.Kind, src.RollbackOf = ruleset.SourceRollback, to
		if src.Tool == "" {
			src.Tool = p.tool
		}
		if src.Message == "" {
			src.Message = fmt.Sprintf("roll back to version %d", to)
		}
		src.OutOfBand = rollbackRecords(cur, doc, to, src.Author, next, p.now().UTC())
		doc.Source = src
		return doc, nil
	})
}

// rollbackRecords keeps the current out-of-band records of flags the
// rollback leaves alone and records one edit for every flag it changes.
func rollbackRecords(cur, doc *ruleset.Document, to int64, by string, next int64, at time.Time) []ruleset.OutOfBandEdit {
	empty := &ruleset.Document{}
	if cur == nil {
		cur = empty
	}
	changed := map[string]bool{}
	for _, flags := range []map[string]ruleset.Flag{cur.Flags, doc.Flags} {
		for k := range flags {
			if !sameFlag(cur, doc, k) {
				changed[k] = true
			}
		}
	}
	var out []ruleset.OutOfBandEdit
	for _, e := range cur.Source.OutOfBand {
		if !changed[e.Flag] {
			out = append(out, e)
		}
	}
	keys := make([]string, 0, len(changed))
	for k := range changed {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		out = append(out, ruleset.OutOfBandEdit{
			Flag: k, Change: fmt.Sprintf("rolled back to version %d", to), By: by, At: at, Version: next,
		})
	}
	return out
}
