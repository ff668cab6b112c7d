package ruleset

import (
	"fmt"
	"slices"
	"strings"
)

// Compile builds the wire ruleset of one environment. Every flag of the
// project appears in it (a flag with no settings for env is disabled there),
// and every segment. Schema is SchemaVersion and Source is src; Version and
// PublishedAt are left zero for the publisher to set.
//
// The same project and arguments always give a Document that Marshal encodes
// to the same bytes. The Document shares nothing with the project.
func (p *Project) Compile(env string, src Source) (*Document, error) {
	if !containsString(p.settings.Environments, env) {
		return nil, fmt.Errorf("compile: unknown environment %q (have: %s)", env, strings.Join(p.settings.Environments, ", "))
	}
	doc := &Document{
		Schema:      SchemaVersion,
		Environment: env,
		Source:      src,
		Flags:       make(map[string]Flag, len(p.flags)),
		Segments:    make(map[string]Segment, len(p.segments)),
	}
	for _, f := range p.flags {
		doc.Flags[f.Key] = f.compile(env)
	}
	for _, s := range p.segments {
		doc.Segments[s.Key] = s.compile()
	}
	return doc, nil
}

// compile returns the flag as it is in env. The flag must be valid.
func (f *flagSpec) compile(env string) Flag {
	out := Flag{
		Key:          f.Key,
		Type:         f.Type,
		Description:  f.Description,
		Owner:        f.Owner,
		Tags:         slices.Clone(f.Tags),
		Expires:      f.Expires,
		Variations:   make([]Variation, len(f.Variations)),
		OffVariation: f.offVariation(),
		Salt:         f.Salt,
		BucketBy:     f.BucketBy,
	}
	if out.Salt == "" {
		out.Salt = f.Key
	}
	for i, v := range f.Variations {
		out.Variations[i] = Variation{Key: v.Key, Value: slices.Clone(v.Value)}
	}
	e := f.env(env)
	if e == nil {
		out.Default = Serve{Variation: out.OffVariation}
		return out
	}
	out.Enabled = e.Enabled
	if e.OffVariation != "" {
		out.OffVariation = e.OffVariation
	}
	out.Default = f.defaultServe(e, out.OffVariation)
	for _, r := range e.Rules {
		out.Rules = append(out.Rules, Rule{Name: r.Name, Conditions: compileConditions(r.When), Serve: f.compileServe(r.Serve)})
	}
	for _, s := range e.Schedule {
		out.Schedule = append(out.Schedule, ScheduleStep{At: s.At, Enabled: s.Enabled})
	}
	return out
}

// offVariation is the flag-level off variation: as written, else a boolean
// flag's false variation.
func (f *flagSpec) offVariation() string {
	if f.OffVariation != "" {
		return f.OffVariation
	}
	return f.valueVariation("false")
}

// defaultServe is what env serves when no rule matches: as written, else a
// boolean flag's true variation, else (for a flag that is never on) off.
func (f *flagSpec) defaultServe(e *envSpec, off string) Serve {
	if e.Default != nil {
		return f.compileServe(e.Default)
	}
	if v := f.valueVariation("true"); v != "" {
		return Serve{Variation: v}
	}
	return Serve{Variation: off}
}

// compileServe lays a split out in the order the flag lists its variations,
// so that raising one share only ever adds contexts to it.
func (f *flagSpec) compileServe(s *serveSpec) Serve {
	switch {
	case s.Split != nil:
		out := Serve{Split: make([]Weighted, 0, len(s.Split))}
		for _, v := range f.Variations {
			for _, w := range s.Split {
				if w.Variation == v.Key {
					out.Split = append(out.Split, Weighted{Variation: v.Key, Weight: w.Weight})
				}
			}
		}
		return out
	case s.Progressive != nil:
		g := s.Progressive
		return Serve{Progressive: &Progressive{
			Variation: g.Variation, Rest: g.Rest, Start: g.Start, End: g.End, FromWeight: g.From, ToWeight: g.To,
		}}
	}
	return Serve{Variation: s.Variation}
}

func compileConditions(conds []*condSpec) []Condition {
	out := make([]Condition, len(conds))
	for i, c := range conds {
		out[i] = Condition{Attribute: c.Attribute, Op: c.Op, Values: slices.Clone(c.Values)}
	}
	return out
}

func (s *segmentSpec) compile() Segment {
	out := Segment{
		Key:         s.Key,
		Description: s.Description,
		Included:    slices.Clone(s.Included),
		Excluded:    slices.Clone(s.Excluded),
	}
	for _, r := range s.Rules {
		out.Rules = append(out.Rules, SegmentRule{Conditions: compileConditions(r.When)})
	}
	return out
}
