package publisher

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"slices"

	"github.com/cairnflags/cairn/publisher/diff"
	"github.com/cairnflags/cairn/ruleset"
)

// Toggle switches flagKey on or off in env's published ruleset, directly,
// outside git: the emergency kill switch. It removes the flag's schedule,
// which would otherwise override the switch at its next step. who is
// recorded as the author. See EditFlag for what is published.
func (p *Publisher) Toggle(ctx context.Context, env, flagKey string, on bool, who string) (Result, error) {
	change := fmt.Sprintf("enabled=%t", on)
	return p.EditFlag(ctx, env, flagKey, who, change, func(f *ruleset.Flag) error {
		f.Schedule = nil
		f.Enabled = on
		return nil
	})
}

// SetServe replaces flagKey's default serve (what users no rule matches
// get) in env's published ruleset, directly, outside git. See EditFlag.
func (p *Publisher) SetServe(ctx context.Context, env, flagKey string, serve ruleset.Serve, who string) (Result, error) {
	change := "default=" + diff.DescribeServe(serve)
	return p.EditFlag(ctx, env, flagKey, who, change, func(f *ruleset.Flag) error {
		f.Default = serve
		return nil
	})
}

// EditFlag applies edit to a copy of flagKey in env's current ruleset,
// validates the result and publishes it as a new version with Source.Kind
// "edit", Source.Author who, and an OutOfBandEdit{Flag, Change: change}
// appended to the records already there. A later publish from git that
// would undo it stops with *OutOfBandError.
//
// An edit that changes nothing returns Result.Unchanged. A missing ruleset
// or flag is an error matching fs.ErrNotExist; a race lost to another
// publisher is a *ConflictError, and calling EditFlag again re-reads and
// re-applies the edit.
func (p *Publisher) EditFlag(ctx context.Context, env, flagKey, who, change string, edit func(*ruleset.Flag) error) (Result, error) {
	return p.publish(ctx, env, func(c *current, next int64, _ *Result) (*ruleset.Document, error) {
		if c == nil {
			return nil, fmt.Errorf("edit %s in %s: no ruleset published: %w", flagKey, env, fs.ErrNotExist)
		}
		cur, err := c.document()
		if err != nil {
			return nil, fmt.Errorf("edit %s in %s: %w", flagKey, env, err)
		}
		old, ok := cur.Flags[flagKey]
		if !ok {
			return nil, fmt.Errorf("edit %s in %s: no such flag: %w", flagKey, env, fs.ErrNotExist)
		}
		f, err := cloneFlag(old)
		if err != nil {
			return nil, fmt.Errorf("edit %s in %s: %w", flagKey, env, err)
		}
		if err := edit(&f); err != nil {
			return nil, fmt.Errorf("edit %s in %s: %w", flagKey, env, err)
		}
		doc := *cur
		doc.Flags = maps.Clone(cur.Flags)
		doc.Flags[flagKey] = f
		if sameJSON(f, old) {
			return &doc, nil
		}
		doc.Source = ruleset.Source{
			Kind: ruleset.SourceEdit, Author: who, Tool: p.tool,
			Message: flagKey + ": " + change,
			OutOfBand: append(slices.Clone(cur.Source.OutOfBand), ruleset.OutOfBandEdit{
				Flag: flagKey, Change: change, By: who, At: p.now().UTC(), Version: next,
			}),
		}
		return &doc, nil
	})
}

// cloneFlag deep-copies a flag so that an edit cannot reach into the
// current document through shared slices.
func cloneFlag(f ruleset.Flag) (ruleset.Flag, error) {
	b, err := json.Marshal(f)
	if err != nil {
		return ruleset.Flag{}, fmt.Errorf("copy flag: %w", err)
	}
	var out ruleset.Flag
	if err := json.Unmarshal(b, &out); err != nil {
		return ruleset.Flag{}, fmt.Errorf("copy flag: %w", err)
	}
	return out, nil
}
