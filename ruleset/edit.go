package ruleset

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// The edit functions change one value of a flag file in place, for the CLI
// (cairn flag enable|disable|rollout|serve) and for cairn sync. They replace
// only the bytes of the value they change, or add lines for a value that was
// not written, so comments, order and formatting survive and a git diff
// shows just the changed lines. name is the file's name as for ParseFile
// (.json files are edited as JSON). The result is parsed and validated before
// it is returned; an edit that would make the file invalid returns an error
// (Problems for a validation failure) and no bytes.

// SetEnabled returns data with flag flagKey switched on or off in env. A flag
// without settings for env is already off there, so switching it off changes
// nothing; switching it on adds "enabled: true" for env.
func SetEnabled(name string, data []byte, flagKey, env string, on bool) ([]byte, error) {
	t, loc, err := locateEnv(name, data, flagKey, env)
	if err != nil {
		return nil, err
	}
	val := "false"
	if on {
		val = "true"
	}
	var out []byte
	switch _, cur := mapValue(loc.env, "enabled"); {
	case loc.env == nil && !on:
		return data, nil
	case loc.env == nil:
		out, err = t.insertEnv(loc, "enabled", func(string) string { return " " + val }, val)
	case cur != nil:
		out, err = t.replaceScalar(cur, val)
	default:
		out, err = t.insertEntry(loc.env, "enabled", func(string) string { return " " + val }, val)
	}
	return checkEdit(name, out, err, flagKey, env)
}

// SetDefaultServe returns data with what flagKey serves in env when no rule
// matches replaced by s (in wire form: split weights in buckets, written back
// as percentages). A split over the same variations as the one written only
// has its numbers changed; anything else replaces the old value, keeping its
// style (one line, or a block).
func SetDefaultServe(name string, data []byte, flagKey, env string, s Serve) ([]byte, error) {
	if n := btoi(s.Variation != "") + btoi(s.Split != nil) + btoi(s.Progressive != nil); n != 1 {
		return nil, fmt.Errorf("set default of %s in %s: a serve needs exactly one of variation, split or progressive", flagKey, env)
	}
	t, loc, err := locateEnv(name, data, flagKey, env)
	if err != nil {
		return nil, err
	}
	var out []byte
	switch key, cur := mapValue(loc.env, "default"); {
	case loc.env == nil:
		out, err = t.insertEnv(loc, "default", t.blockServe(s), t.flowServe(s))
	case cur == nil:
		out, err = t.insertEntry(loc.env, "default", t.blockServe(s), t.flowServe(s))
	default:
		out, err = t.replaceServe(key, cur, s)
	}
	return checkEdit(name, out, err, flagKey, env)
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// checkEdit validates an edited file.
func checkEdit(name string, out []byte, err error, flagKey, env string) ([]byte, error) {
	if err != nil {
		return nil, fmt.Errorf("edit %s: flag %s in %s: %w", name, flagKey, env, err)
	}
	if _, err := ParseFile(name, out); err != nil {
		return nil, fmt.Errorf("edit %s: flag %s in %s would make the file invalid: %w", name, flagKey, env, err)
	}
	return out, nil
}

// locateEnv parses data and finds the flag, its environments mapping and
// the settings of env in it; the last two are nil when not written.
func locateEnv(name string, data []byte, flagKey, env string) (t *sourceText, loc envLocation, err error) {
	if _, err := ParseFile(name, data); err != nil {
		return nil, loc, fmt.Errorf("edit %s: the file is invalid before the edit: %w", name, err)
	}
	root, err := parseYAMLDocument(data)
	if err != nil {
		return nil, loc, fmt.Errorf("edit %s: %w", name, err)
	}
	_, flags := mapValue(root, "flags")
	_, loc.flag = mapValue(flags, flagKey)
	if loc.flag == nil {
		return nil, loc, fmt.Errorf("edit %s: no flag %q in the file", name, flagKey)
	}
	_, loc.envs = mapValue(loc.flag, "environments")
	_, loc.env = mapValue(loc.envs, env)
	loc.name = env
	return newSourceText(data, strings.HasSuffix(name, ".json")), loc, nil
}

// envLocation is where a flag's settings for one environment are, or would
// go.
type envLocation struct {
	name string
	flag *yaml.Node
	envs *yaml.Node // nil when the flag has no environments
	env  *yaml.Node // nil when env has no settings
}

// insertEnv adds settings for an environment the flag has none for, holding
// one field.
func (t *sourceText) insertEnv(l envLocation, field string, block func(indent string) string, flow string) ([]byte, error) {
	const step = "  "
	fieldFlow := "{" + t.scalar(field) + ": " + flow + "}"
	if l.envs != nil {
		return t.insertEntry(l.envs, l.name, func(indent string) string {
			return "\n" + indent + step + field + ":" + block(indent+step)
		}, fieldFlow)
	}
	return t.insertEntry(l.flag, "environments", func(indent string) string {
		return "\n" + indent + step + t.scalar(l.name) + ":" + "\n" + indent + step + step + field + ":" + block(indent+step+step)
	}, "{"+t.scalar(l.name)+": "+fieldFlow+"}")
}

// replaceScalar replaces the text of scalar n with repl.
func (t *sourceText) replaceScalar(n *yaml.Node, repl string) ([]byte, error) {
	from, err := t.start(n)
	if err != nil {
		return nil, err
	}
	to, err := t.end(n)
	if err != nil {
		return nil, err
	}
	return t.splice(from, to, repl), nil
}

// replaceServe replaces the serve cur (the value of key) with s.
func (t *sourceText) replaceServe(key, cur *yaml.Node, s Serve) ([]byte, error) {
	if out, ok, err := t.replaceSplitWeights(cur, s); ok || err != nil {
		return out, err
	}
	if cur.Kind == yaml.MappingNode && cur.Style&yaml.FlowStyle == 0 {
		// A block: replace everything after "key:" up to the block's end.
		keyEnd, err := t.end(key)
		if err != nil {
			return nil, err
		}
		colon := bytes.IndexByte(t.src[keyEnd:], ':')
		to, err := t.end(cur)
		if err != nil {
			return nil, err
		}
		if colon < 0 || keyEnd+colon >= to {
			return nil, fmt.Errorf("no colon after %q: %w", key.Value, errNotInPlace)
		}
		return t.splice(keyEnd+colon+1, to, t.blockServe(s)(strings.Repeat(" ", key.Column-1))), nil
	}
	from, err := t.start(cur)
	if err != nil {
		return nil, err
	}
	to, err := t.end(cur)
	if err != nil {
		return nil, err
	}
	return t.splice(from, to, t.flowServe(s)), nil
}

// replaceSplitWeights rewrites only the numbers of a written split when the
// new split has the same variations; ok is false when it does not apply.
func (t *sourceText) replaceSplitWeights(cur *yaml.Node, s Serve) (out []byte, ok bool, err error) {
	_, split := mapValue(cur, "split")
	if s.Split == nil || split == nil || split.Kind != yaml.MappingNode || len(split.Content) != 2*len(s.Split) {
		return nil, false, nil
	}
	type change struct {
		from, to int
		text     string
	}
	var changes []change
	for i := 0; i+1 < len(split.Content); i += 2 {
		k, v := split.Content[i], split.Content[i+1]
		j := slices.IndexFunc(s.Split, func(w Weighted) bool { return w.Variation == k.Value })
		if j < 0 {
			return nil, false, nil
		}
		from, err := t.start(v)
		if err != nil {
			return nil, false, err
		}
		to, err := t.end(v)
		if err != nil {
			return nil, false, err
		}
		changes = append(changes, change{from, to, bucketsToPercent(s.Split[j].Weight)})
	}
	out = t.src
	for i := len(changes) - 1; i >= 0; i-- {
		c := changes[i]
		out = (&sourceText{src: out}).splice(c.from, c.to, c.text)
	}
	return out, true, nil
}

// blockServe renders s as the text after "default:" whose key is at indent.
func (t *sourceText) blockServe(s Serve) func(indent string) string {
	return func(indent string) string {
		in1, in2 := indent+"  ", indent+"    "
		var b strings.Builder
		switch {
		case s.Variation != "":
			return " " + t.scalar(s.Variation)
		case s.Split != nil:
			b.WriteString("\n" + in1 + "split:")
			for _, w := range s.Split {
				b.WriteString("\n" + in2 + t.scalar(w.Variation) + ": " + bucketsToPercent(w.Weight))
			}
		case s.Progressive != nil:
			b.WriteString("\n" + in1 + "progressive:")
			for _, f := range t.progressiveFields(s.Progressive) {
				b.WriteString("\n" + in2 + f[0] + ": " + f[1])
			}
		}
		return b.String()
	}
}

// flowServe renders s on one line.
func (t *sourceText) flowServe(s Serve) string {
	var parts []string
	switch {
	case s.Variation != "":
		return t.scalar(s.Variation)
	case s.Split != nil:
		for _, w := range s.Split {
			parts = append(parts, t.scalar(w.Variation)+": "+bucketsToPercent(w.Weight))
		}
		return "{" + t.scalar("split") + ": {" + strings.Join(parts, ", ") + "}}"
	case s.Progressive != nil:
		for _, f := range t.progressiveFields(s.Progressive) {
			parts = append(parts, t.scalar(f[0])+": "+f[1])
		}
		return "{" + t.scalar("progressive") + ": {" + strings.Join(parts, ", ") + "}}"
	}
	return ""
}

func (t *sourceText) progressiveFields(p *Progressive) [][2]string {
	when := func(tm time.Time) string {
		s := tm.UTC().Format(time.RFC3339Nano)
		if t.json {
			return `"` + s + `"`
		}
		return s
	}
	return [][2]string{
		{"variation", t.scalar(p.Variation)},
		{"rest", t.scalar(p.Rest)},
		{"start", when(p.Start)},
		{"end", when(p.End)},
		{"from", bucketsToPercent(p.FromWeight)},
		{"to", bucketsToPercent(p.ToWeight)},
	}
}
