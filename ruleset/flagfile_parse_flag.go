package ruleset

import (
	"encoding/json"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// implicitBoolVariations are the variations of a boolean flag that lists
// none.
func implicitBoolVariations() []*variationSpec {
	return []*variationSpec{
		{Key: "on", Value: json.RawMessage("true")},
		{Key: "off", Value: json.RawMessage("false")},
	}
}

func decodeFlag(d *nodeDecoder, fe mapEntry) *flagSpec {
	p := joinFieldPath("flags", fe.key)
	f := &flagSpec{Key: fe.key, Type: TypeBoolean, path: p, at: fieldAt{"": d.loc(fe.keyNode), "key": d.loc(fe.keyNode)}}
	m, ok := d.fieldsAt(fe.val, p, "a flag", f.at, flagFields...)
	if !ok {
		return f
	}
	str := func(field string, dst *string) {
		if e, ok := m[field]; ok {
			*dst, _ = d.str(e.val, joinFieldPath(p, field))
		}
	}
	str("description", &f.Description)
	str("owner", &f.Owner)
	str("off_variation", &f.OffVariation)
	str("salt", &f.Salt)
	str("bucket_by", &f.BucketBy)
	if e, ok := m["type"]; ok {
		t, _ := d.str(e.val, joinFieldPath(p, "type"))
		f.Type = FlagType(t)
	}
	if e, ok := m["tags"]; ok {
		tags, at, _ := d.strList(e.val, joinFieldPath(p, "tags"), "tags")
		f.Tags = tags
		for k, v := range at {
			f.at[k] = v
		}
	}
	if e, ok := m["expires"]; ok {
		f.Expires, _ = d.instant(e.val, joinFieldPath(p, "expires"))
	}
	if e, ok := m["variations"]; ok {
		f.Variations = decodeVariations(d, f, e.val)
	} else if f.Type == TypeBoolean {
		f.Variations = implicitBoolVariations()
		f.implicitVariations = true
	}
	if e, ok := m["environments"]; ok {
		ep := joinFieldPath(p, "environments")
		if entries, ok := d.entries(e.val, ep, "environments keyed by name"); ok {
			for _, ee := range entries {
				f.Envs = append(f.Envs, decodeEnv(d, joinFieldPath(ep, ee.key), ee))
			}
		}
	}
	return f
}

func decodeVariations(d *nodeDecoder, f *flagSpec, n *yaml.Node) []*variationSpec {
	vp := joinFieldPath(f.path, "variations")
	entries, ok := d.entries(n, vp, "variations keyed by name")
	if !ok {
		return nil
	}
	out := make([]*variationSpec, 0, len(entries))
	for _, e := range entries {
		p := joinFieldPath(vp, e.key)
		v := &variationSpec{Key: e.key, path: p, at: fieldAt{"": d.loc(e.keyNode), "key": d.loc(e.keyNode)}}
		var ok bool
		v.Value, ok = decodeVariationValue(d, f.Type, e.val, p)
		if ok {
			out = append(out, v)
		}
	}
	return out
}

// decodeVariationValue encodes a variation's value as JSON of the flag's
// type. A flag with an unknown type is reported by validation; its values
// are not checked.
func decodeVariationValue(d *nodeDecoder, t FlagType, n *yaml.Node, p string) (json.RawMessage, bool) {
	want := func(what string) (json.RawMessage, bool) {
		hint := ""
		if t == TypeString && n.Kind == yaml.ScalarNode {
			hint = " (quote it to make it a string)"
		}
		d.addf(n, p, "a %s flag's variation must be %s, got %s%s", t, what, describeNode(n), hint)
		return nil, false
	}
	switch t {
	case TypeBoolean:
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
			return want("true or false")
		}
		return json.RawMessage(strings.ToLower(n.Value)), true
	case TypeString:
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
			return want("a string")
		}
		raw, err := json.Marshal(n.Value)
		return raw, err == nil
	case TypeNumber:
		if n.Kind != yaml.ScalarNode || (n.ShortTag() != "!!int" && n.ShortTag() != "!!float") {
			return want("a number")
		}
		num, ok := yamlNumber(n)
		if !ok {
			return want("a finite number")
		}
		raw, err := json.Marshal(num)
		return raw, err == nil
	case TypeJSON:
		return d.jsonValue(n, p)
	}
	return nil, false
}

func decodeEnv(d *nodeDecoder, p string, ee mapEntry) *envSpec {
	env := &envSpec{Name: ee.key, path: p, at: fieldAt{"": d.loc(ee.keyNode), "name": d.loc(ee.keyNode)}}
	m, ok := d.fieldsAt(ee.val, p, "environment settings", env.at, envFields...)
	if !ok {
		return env
	}
	if e, ok := m["enabled"]; ok {
		env.Enabled, _ = d.boolean(e.val, joinFieldPath(p, "enabled"))
	}
	if e, ok := m["off_variation"]; ok {
		env.OffVariation, _ = d.str(e.val, joinFieldPath(p, "off_variation"))
	}
	if e, ok := m["default"]; ok {
		env.Default = decodeServe(d, joinFieldPath(p, "default"), e.val)
	}
	if e, ok := m["rules"]; ok {
		rp := joinFieldPath(p, "rules")
		if items, ok := d.seq(e.val, rp, "rules"); ok {
			for i, it := range items {
				env.Rules = append(env.Rules, decodeRule(d, fmt.Sprintf("%s[%d]", rp, i), it))
			}
		}
	}
	if e, ok := m["schedule"]; ok {
		sp := joinFieldPath(p, "schedule")
		if items, ok := d.seq(e.val, sp, "schedule steps"); ok {
			for i, it := range items {
				if s := decodeStep(d, fmt.Sprintf("%s[%d]", sp, i), it); s != nil {
					env.Schedule = append(env.Schedule, s)
				}
			}
		}
	}
	return env
}

func decodeRule(d *nodeDecoder, p string, n *yaml.Node) *ruleSpec {
	r := &ruleSpec{path: p, at: fieldAt{"": d.loc(n)}}
	m, ok := d.fieldsAt(n, p, "a rule", r.at, ruleFields...)
	if !ok {
		return r
	}
	if e, ok := m["name"]; ok {
		r.Name, _ = d.str(e.val, joinFieldPath(p, "name"))
	}
	if e, ok := m["when"]; ok {
		r.When = decodeConditions(d, joinFieldPath(p, "when"), e.val)
	}
	if e, ok := m["serve"]; ok {
		r.Serve = decodeServe(d, joinFieldPath(p, "serve"), e.val)
	}
	return r
}

func decodeConditions(d *nodeDecoder, p string, n *yaml.Node) []*condSpec {
	items, ok := d.seq(n, p, "conditions")
	if !ok {
		return nil
	}
	out := make([]*condSpec, 0, len(items))
	for i, it := range items {
		if c := decodeCondition(d, fmt.Sprintf("%s[%d]", p, i), it); c != nil {
			out = append(out, c)
		}
	}
	return out
}

func decodeCondition(d *nodeDecoder, p string, n *yaml.Node) *condSpec {
	c := &condSpec{path: p, at: fieldAt{"": d.loc(n)}}
	m, ok := d.fieldsAt(n, p, "a condition", c.at, condFields...)
	if !ok {
		return nil
	}
	if e, ok := m["segment"]; ok {
		// "segment: beta" is short for "op: in_segment, value: beta".
		for _, k := range []string{"attribute", "op", "value", "values"} {
			if o, ok := m[k]; ok {
				d.addf(o.keyNode, joinFieldPath(p, k), "a segment condition takes no %s (write op: not_in_segment with values for other tests)", k)
			}
		}
		s, ok := d.str(e.val, joinFieldPath(p, "segment"))
		if !ok {
			return nil
		}
		c.Op, c.Values, c.valueField = OpInSegment, []any{s}, "segment"
		c.at["op"] = c.at["segment"]
		return c
	}
	if e, ok := m["attribute"]; ok {
		c.Attribute, _ = d.str(e.val, joinFieldPath(p, "attribute"))
	}
	if e, ok := m["op"]; ok {
		op, _ := d.str(e.val, joinFieldPath(p, "op"))
		c.Op = Operator(op)
	}
	v, hasValue := m["value"]
	vs, hasValues := m["values"]
	switch {
	case hasValue && hasValues:
		d.addf(vs.keyNode, joinFieldPath(p, "values"), "write either value or values, not both")
	case hasValue:
		c.valueField = "value"
		if x, ok := d.operand(v.val, joinFieldPath(p, "value")); ok {
			c.Values = []any{x}
		}
	case hasValues:
		c.valueField = "values"
		vp := joinFieldPath(p, "values")
		if items, ok := d.seq(vs.val, vp, "values"); ok {
			for i, it := range items {
				ip := fmt.Sprintf("%s[%d]", vp, i)
				c.at[fmt.Sprintf("values[%d]", i)] = d.loc(it)
				if x, ok := d.operand(it, ip); ok {
					c.Values = append(c.Values, x)
				}
			}
		}
	}
	return c
}

func decodeServe(d *nodeDecoder, p string, n *yaml.Node) *serveSpec {
	s := &serveSpec{path: p, at: fieldAt{"": d.loc(n)}}
	if n.Kind == yaml.ScalarNode {
		if v, ok := d.str(n, p); ok {
			s.Variation = v
		}
		return s
	}
	if n.Kind != yaml.MappingNode {
		d.addf(n, p, "want a variation name, split: or progressive:, got %s", describeNode(n))
		return s
	}
	m, ok := d.fields(n, p, "a serve (a variation name, split: or progressive:)", serveFields...)
	if !ok {
		return s
	}
	split, hasSplit := m["split"]
	prog, hasProg := m["progressive"]
	switch {
	case hasSplit && hasProg:
		d.addf(prog.keyNode, joinFieldPath(p, "progressive"), "serve either a split or a progressive rollout, not both")
	case hasSplit:
		sp := joinFieldPath(p, "split")
		s.at["split"] = d.loc(split.val)
		if entries, ok := d.entries(split.val, sp, "percentages keyed by variation"); ok {
			if len(entries) == 0 {
				d.addf(split.val, sp, "a split needs at least one variation")
			}
			for _, e := range entries {
				w, ok := d.percent(e.val, joinFieldPath(sp, e.key))
				if ok {
					s.Split = append(s.Split, splitSpec{Variation: e.key, Weight: w})
					s.at["split."+e.key] = d.loc(e.keyNode)
				}
			}
		}
	case hasProg:
		s.Progressive = decodeProgressive(d, joinFieldPath(p, "progressive"), prog.val)
	default:
		d.addf(n, p, "want a variation name, split: or progressive:")
	}
	return s
}

func decodeProgressive(d *nodeDecoder, p string, n *yaml.Node) *progressiveSpec {
	g := &progressiveSpec{path: p, at: fieldAt{"": d.loc(n)}, To: Buckets}
	m, ok := d.fieldsAt(n, p, "a progressive rollout", g.at, progFields...)
	if !ok {
		return g
	}
	if e, ok := m["variation"]; ok {
		g.Variation, _ = d.str(e.val, joinFieldPath(p, "variation"))
	}
	if e, ok := m["rest"]; ok {
		g.Rest, _ = d.str(e.val, joinFieldPath(p, "rest"))
	}
	if e, ok := m["start"]; ok {
		g.Start, _ = d.instant(e.val, joinFieldPath(p, "start"))
	}
	if e, ok := m["end"]; ok {
		g.End, _ = d.instant(e.val, joinFieldPath(p, "end"))
	}
	if e, ok := m["from"]; ok {
		g.From, _ = d.percent(e.val, joinFieldPath(p, "from"))
	}
	if e, ok := m["to"]; ok {
		g.To, _ = d.percent(e.val, joinFieldPath(p, "to"))
	}
	return g
}

func decodeStep(d *nodeDecoder, p string, n *yaml.Node) *stepSpec {
	s := &stepSpec{path: p, at: fieldAt{"": d.loc(n)}}
	m, ok := d.fieldsAt(n, p, "a schedule step", s.at, stepFields...)
	if !ok {
		return nil
	}
	if e, ok := m["at"]; ok {
		s.At, _ = d.instant(e.val, joinFieldPath(p, "at"))
	}
	if e, ok := m["enabled"]; ok {
		s.Enabled, _ = d.boolean(e.val, joinFieldPath(p, "enabled"))
	} else {
		d.addf(n, joinFieldPath(p, "enabled"), "a schedule step needs enabled: true or false")
	}
	return s
}

func decodeSegment(d *nodeDecoder, se mapEntry) *segmentSpec {
	p := joinFieldPath("segments", se.key)
	s := &segmentSpec{Key: se.key, path: p, at: fieldAt{"": d.loc(se.keyNode), "key": d.loc(se.keyNode)}}
	m, ok := d.fieldsAt(se.val, p, "a segment", s.at, segmentFields...)
	if !ok {
		return s
	}
	if e, ok := m["description"]; ok {
		s.Description, _ = d.str(e.val, joinFieldPath(p, "description"))
	}
	for _, field := range []string{"included", "excluded"} {
		e, ok := m[field]
		if !ok {
			continue
		}
		keys, at, _ := d.strList(e.val, joinFieldPath(p, field), "context keys")
		for k, v := range at {
			s.at[k] = v
		}
		if field == "included" {
			s.Included = keys
		} else {
			s.Excluded = keys
		}
	}
	if e, ok := m["rules"]; ok {
		rp := joinFieldPath(p, "rules")
		if items, ok := d.seq(e.val, rp, "rules"); ok {
			for i, it := range items {
				ip := fmt.Sprintf("%s[%d]", rp, i)
				r := &segmentRuleSpec{path: ip, at: fieldAt{"": d.loc(it)}}
				if rm, ok := d.fields(it, ip, "a segment rule", segRuleFields...); ok {
					if w, ok := rm["when"]; ok {
						r.at["when"] = d.loc(w.val)
						r.When = decodeConditions(d, joinFieldPath(ip, "when"), w.val)
					}
				}
				s.Rules = append(s.Rules, r)
			}
		}
	}
	return s
}
