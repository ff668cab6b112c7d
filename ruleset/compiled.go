package ruleset

import (
	"regexp"
	"slices"
	"time"

	"github.com/Masterminds/semver/v3"
)

// Ruleset is a loaded ruleset in its query-ready form: regexes compiled,
// versions and times parsed, membership lists turned into sets, bucket
// ranges laid out. It is immutable; any number of goroutines may evaluate it
// at once without locks.
//
// It does not keep the wire Document it was loaded from: what it keeps of
// it is the header, each flag's owner and expiry, and a fingerprint of each
// flag and segment (see SameContent and ChangedFlags). LoadDocument returns
// the Document for tools that need it.
type Ruleset struct {
	table flagTable // every flag, quarantined ones included
	// entries holds what is kept of each flag's wire form, quarantined
	// flags included, sorted by key.
	entries []flagEntry
	// segments holds each loaded segment's fingerprint, sorted by key.
	// Compiled segments are reached through the flags that use them.
	segments    []segmentEntry
	quarantined map[string]string
	schema      int
	environment string
	version     int64
	publishedAt time.Time
	source      Source
	header      uint64 // fingerprint of schema, environment, version, publishedAt, source
}

// flag is the compiled form of a Flag.
type flag struct {
	key        string
	typ        FlagType
	variations []variation
	enabled    bool
	off        int
	salt       string
	bucketBy   string
	rules      []rule
	def        serve
	schedule   []scheduleStep
	expires    int64 // Unix nanoseconds; 0 when the flag never expires
	// saltPad is salt + "/" zero-padded for bucketOf's fixed-size copies;
	// nil for flags that never bucket or whose salt is too long.
	saltPad *paddedSalt
	// static is the answer for every context and instant, for flags whose
	// result can't vary (no rules, no schedule, no expiry, one variation
	// served); nil otherwise.
	static *Detail
	// split is def.ranges with the result that each gives, for flags
	// whose answer is always their default split (see splitResults),
	// which evaluation serves without going through evaluate; nil
	// otherwise.
	split splitResults
	// plain is set by prepare for a flag with no quarantine, expiry date or
	// schedule, so evaluate tests one field instead of three.
	plain bool
	// needsTime is set when the result can depend on the instant: a
	// schedule, a progressive rollout or an expiry date.
	needsTime bool
	// quarantine is why this SDK can't evaluate the flag (it uses something
	// newer than this package knows); nil for a healthy flag.
	quarantine error
}

type variation struct {
	key   string
	value any
}

type rule struct {
	name  string
	conds []condition
	serve serve
}

type serveKind uint8

const (
	serveVariation serveKind = iota
	serveSplit
	serveProgressive
)

type serve struct {
	kind      serveKind
	variation int
	// ranges are the split's cumulative upper bucket bounds, in variation
	// order: bucket b goes to the first range with b < end.
	ranges []bucketRange
	prog   progressive
}

type bucketRange struct {
	end       int
	variation int
}

// splitResults are a split's bucket ranges with the result each gives.
type splitResults []splitResult

type splitResult struct {
	end    int
	detail Detail
}

type progressive struct {
	variation, rest int
	start, end      int64 // Unix milliseconds
	from, to        int
}

type scheduleStep struct {
	at      int64 // Unix nanoseconds
	enabled bool
}

type condition struct {
	attr     string
	attrHash uint32 // nameHash(attr), to skip most string comparisons
	// id is attr's attrID, set by prepare when it alone identifies the name
	// (at most 16 bytes, not "key"); zero sends lookups the general way.
	id attrID
	// code is the operator as a small integer: switching on it is a jump
	// table, where switching on the operator's name compares strings.
	code   opcode
	negate bool
	// Operands, by the form the operator needs.
	strs     []string
	strHash  []uint32 // nameHash of each of strs, for eq/in
	strSet   map[string]struct{}
	nums     []float64
	bools    []bool
	regexes  []*regexp.Regexp
	version  *semver.Version
	time     int64
	segments []*segment
}

type opcode uint8

const (
	codeEquals opcode = iota // eq, neq, in, not_in
	codeContains
	codeStartsWith
	codeEndsWith
	codeMatches
	codeLess
	codeLessEq
	codeGreater
	codeGreaterEq
	codeSemverEq
	codeSemverLess
	codeSemverLessEq
	codeSemverGt
	codeSemverGtEq
	codeBefore
	codeAfter
	codeSegment // in_segment, not_in_segment
	codeExists
)

var opcodes = map[Operator]opcode{
	OpEquals: codeEquals, OpNotEquals: codeEquals, OpIn: codeEquals, OpNotIn: codeEquals,
	OpContains: codeContains, OpStartsWith: codeStartsWith, OpEndsWith: codeEndsWith, OpMatches: codeMatches,
	OpLess: codeLess, OpLessEq: codeLessEq, OpGreater: codeGreater, OpGreaterEq: codeGreaterEq,
	OpSemverEq: codeSemverEq, OpSemverLess: codeSemverLess, OpSemverLessEq: codeSemverLessEq,
	OpSemverGt: codeSemverGt, OpSemverGtEq: codeSemverGtEq,
	OpBefore: codeBefore, OpAfter: codeAfter,
	OpInSegment: codeSegment, OpNotInSegment: codeSegment, OpExists: codeExists,
}

type segment struct {
	key      string
	included map[string]struct{}
	excluded map[string]struct{}
	rules    [][]condition
}

// Environment returns the environment the ruleset is for.
func (rs *Ruleset) Environment() string { return rs.environment }

// Version returns the published version number (0 before publishing).
func (rs *Ruleset) Version() int64 { return rs.version }

// PublishedAt returns when the ruleset was published (zero before).
func (rs *Ruleset) PublishedAt() time.Time { return rs.publishedAt }

// Schema returns the wire-format version the ruleset declared.
func (rs *Ruleset) Schema() int { return rs.schema }

// Source returns where the ruleset came from, as its publisher recorded it
// (tools such as cairn verify show it). It is a copy: the ruleset stays
// immutable.
func (rs *Ruleset) Source() Source {
	s := rs.source
	s.OutOfBand = slices.Clone(s.OutOfBand)
	return s
}

// FlagKeys returns the keys of every flag, quarantined ones included, sorted.
func (rs *Ruleset) FlagKeys() []string {
	keys := make([]string, len(rs.entries))
	for i := range rs.entries {
		keys[i] = rs.entries[i].key
	}
	return keys
}

// SegmentKeys returns the keys of the segments the ruleset loaded, sorted.
// A segment that uses something newer than this package knows is left out
// (the flags that use it are quarantined).
func (rs *Ruleset) SegmentKeys() []string {
	keys := make([]string, len(rs.segments))
	for i := range rs.segments {
		keys[i] = rs.segments[i].key
	}
	return keys
}

// FlagType returns a flag's type, or false when there is no such flag or it
// is quarantined.
func (rs *Ruleset) FlagType(key string) (FlagType, bool) {
	f := rs.table.get(key)
	if f == nil || f.quarantine != nil {
		return "", false
	}
	return f.typ, true
}

// Quarantined maps the key of every flag this package can't evaluate to why.
// Such flags serve the caller's default with ReasonError; the rest of the
// ruleset evaluates normally.
func (rs *Ruleset) Quarantined() map[string]string {
	out := make(map[string]string, len(rs.quarantined))
	for k, v := range rs.quarantined {
		out[k] = v
	}
	return out
}
