package ruleset

import (
	"slices"
	"strings"
	"time"
)

// Limits on flag-file input. They bound the work a hostile or broken file can
// cause; real projects stay far below them.
const (
	// MaxFlagFileSize is the largest flag file ParseFile accepts, in bytes.
	MaxFlagFileSize = 16 << 20
	// maxValueDepth bounds the nesting of a json flag's values.
	maxValueDepth = 64
)

// projectFileNames are the names the project settings file may have. It sits
// at the root of the flag directory; exactly one must exist.
var projectFileNames = []string{"cairn.yaml", "cairn.yml", "cairn.json"}

// Location is where something is written: a file and a 1-based line and
// column (0 when unknown).
type Location struct {
	File string
	Line int
	Col  int
}

// Settings are the project-wide settings from the project file.
type Settings struct {
	// Environments lists the environment names, in the order written.
	Environments []string
	// RequireOwner and RequireExpiry ask lint to insist that every flag
	// names an owner and an expiry date.
	RequireOwner  bool
	RequireExpiry bool
	// MaxExpiryDays, when positive, asks lint to insist that no flag expires
	// more than this many days after the day lint runs.
	MaxExpiryDays int
	// At is where the project file starts.
	At Location
}

// FlagInfo is what a flag file says about a flag, for lint, listings and
// pointing people at the right line.
type FlagInfo struct {
	Key         string
	Type        FlagType
	Description string
	Owner       string
	Tags        []string
	// Expires is zero when the flag has no expiry date.
	Expires time.Time
	// At is where the flag's key is written.
	At Location
	// Segments lists the segments its rules refer to, sorted, without
	// duplicates.
	Segments []string
	// Environments has one entry per project environment, in project order.
	Environments []EnvInfo
}

// EnvInfo is a flag's state in one environment.
type EnvInfo struct {
	Name string
	// Declared reports whether the flag file has a block for this
	// environment; a flag without one is disabled there.
	Declared bool
	Enabled  bool
	// Scheduled reports whether a schedule switches the flag over time.
	Scheduled bool
	// ServesAll is the variation every context gets, whatever its
	// attributes, when that does not depend on the context or on time
	// (a flag that is fully rolled out, or off); empty otherwise.
	ServesAll string
}

// SegmentInfo is what a flag file says about a segment.
type SegmentInfo struct {
	Key         string
	Description string
	At          Location
	// UsedBy lists the flags whose rules refer to the segment, sorted.
	UsedBy []string
}

// Project is a validated flag directory: settings, flags and segments. It is
// immutable once built; Compile may be called concurrently.
type Project struct {
	settings Settings
	flags    []*flagSpec    // sorted by key
	segments []*segmentSpec // sorted by key
}

// Settings returns the project settings. The caller must not modify the
// returned slices.
func (p *Project) Settings() Settings { return p.settings }

// Environments returns the environment names in the order the project file
// lists them.
func (p *Project) Environments() []string { return slices.Clone(p.settings.Environments) }

// Flags describes every flag, sorted by key.
func (p *Project) Flags() []FlagInfo {
	out := make([]FlagInfo, len(p.flags))
	for i, f := range p.flags {
		out[i] = f.info(p.settings.Environments)
	}
	return out
}

// Flag describes one flag; ok is false when the project has no such flag.
func (p *Project) Flag(key string) (info FlagInfo, ok bool) {
	i, found := slices.BinarySearchFunc(p.flags, key, func(f *flagSpec, k string) int { return strings.Compare(f.Key, k) })
	if !found {
		return FlagInfo{}, false
	}
	return p.flags[i].info(p.settings.Environments), true
}

// Segments describes every segment, sorted by key.
func (p *Project) Segments() []SegmentInfo {
	used := map[string][]string{}
	for _, f := range p.flags {
		for _, s := range f.segmentRefs() {
			used[s] = append(used[s], f.Key)
		}
	}
	out := make([]SegmentInfo, len(p.segments))
	for i, s := range p.segments {
		out[i] = SegmentInfo{Key: s.Key, Description: s.Description, At: s.at.loc(""), UsedBy: used[s.Key]}
	}
	return out
}
