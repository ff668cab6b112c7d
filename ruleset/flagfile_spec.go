package ruleset

import (
	"encoding/json"
	"slices"
	"time"
)

// The types in this file are flag files as written, after decoding and
// before compiling. The validate tags hold the structural rules; the checks
// that need more than one field live in validate_semantic.go. Each type
// records where its fields were written (fieldAt) so that every problem
// points at a line and column.

// fieldAt maps a field's file name ("owner", "tags[2]", "" for the node
// itself) to where its value is written.
type fieldAt map[string]Location

// flagFile is one parsed flag file.
type flagFile struct {
	name     string
	project  *projectSpec // nil unless the file holds project settings
	flags    []*flagSpec  // in file order
	segments []*segmentSpec
}

type projectSpec struct {
	Environments  []string `yaml:"environments" validate:"required,min=1,max=64,dive,cairnkey"`
	RequireOwner  bool     `yaml:"require_owner"`
	RequireExpiry bool     `yaml:"require_expiry"`
	MaxExpiryDays int      `yaml:"max_expiry_days" validate:"gte=0,lte=36500"`
	at            fieldAt
}

type flagSpec struct {
	Key          string   `yaml:"key" validate:"cairnkey"`
	Description  string   `yaml:"description" validate:"max=4096"`
	Owner        string   `yaml:"owner" validate:"max=256"`
	Tags         []string `yaml:"tags" validate:"max=64,dive,cairntag"`
	Type         FlagType `yaml:"type" validate:"oneof=boolean string number json"`
	OffVariation string   `yaml:"off_variation" validate:"omitempty,cairnkey"`
	Salt         string   `yaml:"salt" validate:"max=256"`
	BucketBy     string   `yaml:"bucket_by" validate:"omitempty,cairnattr"`
	Expires      time.Time
	Variations   []*variationSpec `validate:"-"`
	Envs         []*envSpec       `validate:"-"`
	// implicitVariations is set when a boolean flag leaves out variations
	// and gets on: true, off: false.
	implicitVariations bool
	path               string
	at                 fieldAt
}

type variationSpec struct {
	Key   string `yaml:"key" validate:"cairnkey"`
	Value json.RawMessage
	path  string
	at    fieldAt
}

type envSpec struct {
	Name         string      `yaml:"name" validate:"cairnkey"`
	Enabled      bool        `yaml:"enabled"`
	OffVariation string      `yaml:"off_variation" validate:"omitempty,cairnkey"`
	Rules        []*ruleSpec `yaml:"rules" validate:"max=1000"`
	Default      *serveSpec  `validate:"-"`
	Schedule     []*stepSpec `yaml:"schedule" validate:"max=1000"`
	path         string
	at           fieldAt
}

type ruleSpec struct {
	Name  string      `yaml:"name" validate:"max=256"`
	When  []*condSpec `yaml:"when" validate:"min=1,max=100"`
	Serve *serveSpec  `yaml:"serve" validate:"required"`
	path  string
	at    fieldAt
}

type condSpec struct {
	Attribute string   `yaml:"attribute" validate:"omitempty,cairnattr"`
	Op        Operator `yaml:"op" validate:"required,cairnop"`
	// Values are the operands: strings, float64s or booleans. Dates are
	// normalised to RFC 3339 in UTC.
	Values []any `validate:"-"`
	// valueField is "value" or "values", whichever was written.
	valueField string
	path       string
	at         fieldAt
}

// serveSpec holds exactly one of Variation, Split or Progressive once
// decoding succeeded.
type serveSpec struct {
	Variation   string
	Split       []splitSpec
	Progressive *progressiveSpec
	path        string
	at          fieldAt
}

type splitSpec struct {
	Variation string
	Weight    int // in buckets
}

type progressiveSpec struct {
	Variation string    `yaml:"variation" validate:"required"`
	Rest      string    `yaml:"rest"`
	Start     time.Time `yaml:"start" validate:"required"`
	End       time.Time `yaml:"end" validate:"required"`
	From      int       `yaml:"from"` // in buckets
	To        int       `yaml:"to"`   // in buckets
	path      string
	at        fieldAt
}

type stepSpec struct {
	At      time.Time `yaml:"at" validate:"required"`
	Enabled bool      `yaml:"enabled"`
	path    string
	at      fieldAt
}

type segmentSpec struct {
	Key         string             `yaml:"key" validate:"cairnkey"`
	Description string             `yaml:"description" validate:"max=4096"`
	Included    []string           `yaml:"included" validate:"max=100000,dive,required,max=256"`
	Excluded    []string           `yaml:"excluded" validate:"max=100000,dive,required,max=256"`
	Rules       []*segmentRuleSpec `yaml:"rules" validate:"max=1000"`
	path        string
	at          fieldAt
}

type segmentRuleSpec struct {
	When []*condSpec `yaml:"when" validate:"min=1,max=100"`
	path string
	at   fieldAt
}

// loc returns where field was written, falling back to the enclosing node.
func (a fieldAt) loc(field string) Location {
	if l, ok := a[field]; ok {
		return l
	}
	return a[""]
}

// variationKeys lists the flag's variation keys in order.
func (f *flagSpec) variationKeys() []string {
	keys := make([]string, len(f.Variations))
	for i, v := range f.Variations {
		keys[i] = v.Key
	}
	return keys
}

func (f *flagSpec) env(name string) *envSpec {
	for _, e := range f.Envs {
		if e.Name == name {
			return e
		}
	}
	return nil
}

// segmentRefs lists the segments the flag's rules refer to, sorted, without
// duplicates.
func (f *flagSpec) segmentRefs() []string {
	var refs []string
	for _, e := range f.Envs {
		for _, r := range e.Rules {
			for _, c := range r.When {
				if c.Op != OpInSegment && c.Op != OpNotInSegment {
					continue
				}
				for _, v := range c.Values {
					if s, ok := v.(string); ok {
						refs = append(refs, s)
					}
				}
			}
		}
	}
	slices.Sort(refs)
	return slices.Compact(refs)
}
