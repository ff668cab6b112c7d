package ruleset

import (
	"encoding/json"
	"time"
)

// SchemaVersion is the wire-format version this package writes and fully
// understands. A ruleset with a higher schema still loads: flags that use
// anything this version does not know are quarantined (see Load).
const SchemaVersion = 1

// Buckets is the number of buckets a split divides users into. Weights on the
// wire are in buckets, so 1 bucket is 0.01% of users.
const Buckets = 10000

// Document is the wire form of one environment's ruleset: the JSON published as
// <env>/ruleset.json and <env>/versions/<N>.json. It is a contract with SDKs in
// every language; docs/ruleset-format.md describes it field by field.
//
// Maps marshal with sorted keys, so the same Document always encodes to the
// same bytes (see Marshal).
type Document struct {
	Schema      int                `json:"schema"`
	Environment string             `json:"environment"`
	Version     int64              `json:"version"`
	PublishedAt time.Time          `json:"published_at,omitzero"`
	Source      Source             `json:"source"`
	Flags       map[string]Flag    `json:"flags"`
	Segments    map[string]Segment `json:"segments"`
}

// Source says where a published ruleset came from.
type Source struct {
	// Kind is SourceGit, SourceEdit or SourceRollback.
	Kind    string `json:"kind"`
	Commit  string `json:"commit,omitempty"`
	Author  string `json:"author,omitempty"`
	Tool    string `json:"tool,omitempty"`
	Message string `json:"message,omitempty"`
	// RollbackOf is the version whose content a rollback republished.
	RollbackOf int64 `json:"rollback_of,omitempty"`
	// OutOfBand lists the edits made directly to the published ruleset (not
	// from git) that the flag files have not caught up with yet. A publish
	// from git that would undo one of them must be told to.
	OutOfBand []OutOfBandEdit `json:"out_of_band,omitempty"`
}

// Source kinds.
const (
	SourceGit      = "git"
	SourceEdit     = "edit"
	SourceRollback = "rollback"
)

// OutOfBandEdit records one change made to a published ruleset outside git,
// such as an emergency kill switch.
type OutOfBandEdit struct {
	Flag    string    `json:"flag"`
	Change  string    `json:"change"`
	By      string    `json:"by,omitempty"`
	At      time.Time `json:"at,omitzero"`
	Version int64     `json:"version"`
}

// FlagType is the type of a flag's values.
type FlagType string

// Flag types.
const (
	TypeBoolean FlagType = "boolean"
	TypeString  FlagType = "string"
	TypeNumber  FlagType = "number"
	TypeJSON    FlagType = "json"
)

// Flag is one flag as it is in one environment.
type Flag struct {
	Key         string      `json:"key"`
	Type        FlagType    `json:"type"`
	Description string      `json:"description,omitempty"`
	Owner       string      `json:"owner,omitempty"`
	Tags        []string    `json:"tags,omitempty"`
	Expires     time.Time   `json:"expires,omitzero"`
	Variations  []Variation `json:"variations"`
	// Enabled is the on/off switch; Schedule can override it over time.
	Enabled bool `json:"enabled"`
	// OffVariation is served, with reason OFF, while the flag is disabled.
	OffVariation string `json:"off_variation"`
	// Salt seeds bucketing; it defaults to the flag key so that flags are
	// independent of each other.
	Salt string `json:"salt"`
	// BucketBy names the attribute whose value is bucketed; empty means the
	// targeting key.
	BucketBy string         `json:"bucket_by,omitempty"`
	Rules    []Rule         `json:"rules,omitempty"`
	Default  Serve          `json:"default"`
	Schedule []ScheduleStep `json:"schedule,omitempty"`
}

// Variation is one named value a flag can serve. Value is JSON of the flag's
// type.
type Variation struct {
	Key   string          `json:"key"`
	Value json.RawMessage `json:"value"`
}

// Rule serves a variation or split to contexts that meet all its conditions.
// Rules are tried in order; the first that matches decides.
type Rule struct {
	Name       string      `json:"name,omitempty"`
	Conditions []Condition `json:"conditions"`
	Serve      Serve       `json:"serve"`
}

// Condition tests one attribute of the context (or segment membership).
// Values holds the operands: strings, numbers or booleans; segment keys for
// the segment operators; none for OpExists.
type Condition struct {
	Attribute string   `json:"attribute,omitempty"`
	Op        Operator `json:"op"`
	Values    []any    `json:"values,omitempty"`
}

// Operator names a condition's test.
type Operator string

// Operators.
const (
	OpEquals       Operator = "eq"
	OpNotEquals    Operator = "neq"
	OpIn           Operator = "in"
	OpNotIn        Operator = "not_in"
	OpContains     Operator = "contains"
	OpStartsWith   Operator = "starts_with"
	OpEndsWith     Operator = "ends_with"
	OpMatches      Operator = "matches"
	OpLess         Operator = "lt"
	OpLessEq       Operator = "lte"
	OpGreater      Operator = "gt"
	OpGreaterEq    Operator = "gte"
	OpSemverEq     Operator = "semver_eq"
	OpSemverLess   Operator = "semver_lt"
	OpSemverLessEq Operator = "semver_lte"
	OpSemverGt     Operator = "semver_gt"
	OpSemverGtEq   Operator = "semver_gte"
	OpBefore       Operator = "before"
	OpAfter        Operator = "after"
	OpInSegment    Operator = "in_segment"
	OpNotInSegment Operator = "not_in_segment"
	OpExists       Operator = "exists"
)

// Serve says what a rule or the default serves: exactly one of a single
// Variation, a weighted Split, or a Progressive rollout.
type Serve struct {
	Variation   string       `json:"variation,omitempty"`
	Split       []Weighted   `json:"split,omitempty"`
	Progressive *Progressive `json:"progressive,omitempty"`
}

// Weighted is one variation's share of a split, in buckets (out of Buckets).
// The weights of a split add up to Buckets. Ranges are laid out in the order
// the flag lists its variations, so raising one weight only adds users to it.
type Weighted struct {
	Variation string `json:"variation"`
	Weight    int    `json:"weight"`
}

// Progressive ramps the share of Variation linearly from FromWeight at Start
// to ToWeight at End (in buckets); everyone else gets Rest. Before Start the
// share is FromWeight, after End it is ToWeight. Variation holds the low
// buckets, so a growing share only adds users.
type Progressive struct {
	Variation  string    `json:"variation"`
	Rest       string    `json:"rest"`
	Start      time.Time `json:"start"`
	End        time.Time `json:"end"`
	FromWeight int       `json:"from_weight"`
	ToWeight   int       `json:"to_weight"`
}

// ScheduleStep switches the flag on or off from At on. Steps are in strictly
// increasing time order; the last step at or before now decides Enabled.
type ScheduleStep struct {
	At      time.Time `json:"at"`
	Enabled bool      `json:"enabled"`
}

// Segment is a reusable audience. A context is in the segment when its key is
// Included, or it is not Excluded and at least one rule matches (all of a
// rule's conditions hold). Segment rules cannot refer to other segments.
type Segment struct {
	Key         string        `json:"key"`
	Description string        `json:"description,omitempty"`
	Included    []string      `json:"included,omitempty"`
	Excluded    []string      `json:"excluded,omitempty"`
	Rules       []SegmentRule `json:"rules,omitempty"`
}

// SegmentRule is one way into a segment: all conditions must hold.
type SegmentRule struct {
	Conditions []Condition `json:"conditions"`
}
