package ruleset

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The fields each part of a flag file may have.
var (
	projectFields    = []string{"environments", "require_owner", "require_expiry", "max_expiry_days"}
	topFields        = append([]string{"flags", "segments"}, projectFields...)
	flagFields       = []string{"description", "owner", "tags", "expires", "type", "variations", "off_variation", "salt", "bucket_by", "environments"}
	envFields        = []string{"enabled", "off_variation", "rules", "default", "schedule"}
	ruleFields       = []string{"name", "when", "serve"}
	condFields       = []string{"attribute", "op", "value", "values", "segment"}
	serveFields      = []string{"split", "progressive"}
	progFields       = []string{"variation", "rest", "start", "end", "from", "to"}
	stepFields       = []string{"at", "enabled"}
	segmentFields    = []string{"description", "included", "excluded", "rules"}
	segRuleFields    = []string{"when"}
	flagFileSuffixes = []string{".yaml", ".yml", ".json"}
)

// IsFlagFileName reports whether name has a flag-file extension (.yaml, .yml
// or .json).
func IsFlagFileName(name string) bool {
	for _, s := range flagFileSuffixes {
		if strings.HasSuffix(name, s) {
			return true
		}
	}
	return false
}

// isProjectFileName reports whether name's base is one the project file may
// have.
func isProjectFileName(name string) bool {
	return containsString(projectFileNames, path.Base(name))
}

// ParseFile parses and validates one flag file on its own. name is used in
// problems and decides whether the file may hold project settings (only a
// file named cairn.yaml, cairn.yml or cairn.json may); .json files are read
// as JSON, which is YAML.
//
// The checks that need the whole project (unique keys across files,
// environments and segments that exist) are left to LoadProject and
// NewProject. On invalid input the error is Problems and the FlagFile is nil.
// ParseFile never panics, whatever data holds.
func ParseFile(name string, data []byte) (*FlagFile, error) {
	f, probs := parseFlagFile(name, data)
	if len(probs) > 0 {
		return nil, probs
	}
	return &FlagFile{f: f}, nil
}

// FlagFile is one parsed, valid flag file. Pass it to NewProject.
type FlagFile struct {
	f *flagFile
}

// Name is the name the file was parsed under.
func (ff *FlagFile) Name() string { return ff.f.name }

// FlagKeys lists the keys of the flags the file defines, in file order.
func (ff *FlagFile) FlagKeys() []string {
	keys := make([]string, len(ff.f.flags))
	for i, fl := range ff.f.flags {
		keys[i] = fl.Key
	}
	return keys
}

// parseFlagFile decodes and checks one file, returning what it could decode
// along with every problem found.
func parseFlagFile(name string, data []byte) (*flagFile, Problems) {
	d := &nodeDecoder{file: name}
	out := &flagFile{name: name}
	if len(data) > MaxFlagFileSize {
		d.addf(nil, "", "file is %d bytes, more than the limit of %d", len(data), MaxFlagFileSize)
		return out, d.result()
	}
	if strings.HasSuffix(name, ".json") {
		// JSON allows tabs where YAML does not; outside strings (where valid
		// JSON has no raw tabs) they are only whitespace, and one byte for
		// one keeps every column.
		data = bytes.ReplaceAll(data, []byte("\t"), []byte(" "))
	}
	root, err := parseYAMLDocument(data)
	if err != nil {
		d.addAt(yamlErrorLocation(name, err), "", "%s", yamlErrorMessage(err))
		return out, d.result()
	}
	if root == nil {
		return out, nil // an empty file (or only comments) defines nothing
	}
	if !checkPlainYAML(d, root) {
		return out, d.result()
	}
	decodeFlagFile(d, root, out)
	validateFlagFile(d, out)
	return out, d.result()
}

// parseYAMLDocument parses exactly one YAML document and returns its root
// node, nil for an empty document.
func parseYAMLDocument(data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, err
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		if err != nil {
			return nil, err
		}
		return nil, errors.New("yaml: line " + fmt.Sprint(extra.Line) + ": a flag file holds one YAML document; remove the \"---\" separator")
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, nil
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null" {
		return nil, nil
	}
	return root, nil
}

// checkPlainYAML refuses aliases and explicit tags anywhere in the tree.
// Aliases would let a small file expand into a huge one (and make a value's
// position ambiguous); flag files never need them.
func checkPlainYAML(d *nodeDecoder, root *yaml.Node) bool {
	before := len(d.probs)
	stack := []*yaml.Node{root}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		switch {
		case n.Kind == yaml.AliasNode:
			d.addf(n, "", "YAML aliases (*%s) are not supported in flag files; write the value out", clip(n.Value))
			continue
		case n.Tag != "" && n.Style&yaml.TaggedStyle != 0 && !strings.HasPrefix(n.ShortTag(), "!!") || n.ShortTag() == "!!binary" || n.ShortTag() == "!!merge":
			d.addf(n, "", "YAML tag %s is not supported in flag files", clip(n.ShortTag()))
			continue
		}
		stack = append(stack, n.Content...)
	}
	return len(d.probs) == before
}

func decodeFlagFile(d *nodeDecoder, root *yaml.Node, out *flagFile) {
	m, ok := d.fields(root, "", "a flag file", topFields...)
	if !ok {
		return
	}
	var hasProject bool
	for _, k := range projectFields {
		if _, ok := m[k]; ok {
			hasProject = true
		}
	}
	if isProjectFileName(d.file) || hasProject {
		out.project = decodeProject(d, root, m)
	}
	if e, ok := m["flags"]; ok {
		if entries, ok := d.entries(e.val, "flags", "flags keyed by flag key"); ok {
			for _, fe := range entries {
				out.flags = append(out.flags, decodeFlag(d, fe))
			}
		}
	}
	if e, ok := m["segments"]; ok {
		if entries, ok := d.entries(e.val, "segments", "segments keyed by segment key"); ok {
			for _, se := range entries {
				out.segments = append(out.segments, decodeSegment(d, se))
			}
		}
	}
}

func decodeProject(d *nodeDecoder, root *yaml.Node, m map[string]mapEntry) *projectSpec {
	p := &projectSpec{at: fieldAt{"": d.loc(root)}}
	if !isProjectFileName(d.file) {
		for _, k := range projectFields {
			if e, ok := m[k]; ok {
				d.addf(e.keyNode, k, "project settings belong in the project file (%s at the root of the flag directory)", projectFileNames[0])
			}
		}
		return nil
	}
	if e, ok := m["environments"]; ok {
		p.at["environments"] = d.loc(e.val)
		if envs, at, ok := d.strList(e.val, "environments", "environment names"); ok {
			p.Environments = envs
			for k, v := range at {
				p.at[k] = v
			}
		}
	}
	if e, ok := m["require_owner"]; ok {
		p.RequireOwner, _ = d.boolean(e.val, "require_owner")
	}
	if e, ok := m["require_expiry"]; ok {
		p.RequireExpiry, _ = d.boolean(e.val, "require_expiry")
	}
	if e, ok := m["max_expiry_days"]; ok {
		p.at["max_expiry_days"] = d.loc(e.val)
		p.MaxExpiryDays, _ = d.integer(e.val, "max_expiry_days")
	}
	return p
}

var yamlLinePattern = regexp.MustCompile(`^yaml: line ([0-9]+): `)

// yamlErrorLocation finds the line a yaml syntax error names, if any.
func yamlErrorLocation(file string, err error) Location {
	l := Location{File: file}
	if m := yamlLinePattern.FindStringSubmatch(err.Error()); m != nil {
		l.Line, _ = strconv.Atoi(m[1])
	}
	return l
}

// yamlErrorMessage strips the "yaml: line N: " prefix that the location
// already carries.
func yamlErrorMessage(err error) string {
	msg := yamlLinePattern.ReplaceAllString(err.Error(), "")
	msg = strings.TrimPrefix(msg, "yaml: ")
	return "invalid YAML: " + msg
}

// sortProblems orders problems by file, line and column, keeping the order
// of problems at the same place.
func sortProblems(ps Problems) {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		return cmp.Or(strings.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col))
	})
}
