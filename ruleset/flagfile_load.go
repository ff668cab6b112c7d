package ruleset

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
)

// LoadProject reads every flag file (.yaml, .yml, .json) under the root of
// fsys, walking directories recursively in lexical order and skipping hidden
// files and directories (names starting with "."), then validates them
// together.
//
// When files are invalid the error is Problems, listing every problem in
// every file; an I/O failure is returned as a wrapped error instead.
func LoadProject(fsys fs.FS) (*Project, error) {
	var files []*flagFile
	var probs Problems
	err := fs.WalkDir(fsys, ".", func(name string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if name != "." && strings.HasPrefix(de.Name(), ".") {
			if de.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if de.IsDir() || !IsFlagFileName(name) {
			return nil
		}
		info, err := de.Info()
		if err != nil {
			return err
		}
		if info.Size() > MaxFlagFileSize {
			probs = append(probs, Problem{File: name, Message: fmt.Sprintf("file is %d bytes, more than the limit of %d", info.Size(), MaxFlagFileSize)})
			return nil
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		f, fp := parseFlagFile(name, data)
		probs = append(probs, fp...)
		files = append(files, f)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read flag files: %w", err)
	}
	p, pp := assembleProject(files)
	probs = append(probs, pp...)
	if len(probs) > 0 {
		sortProblems(probs)
		return nil, probs
	}
	return p, nil
}

// NewProject validates parsed files together, as LoadProject does, and
// returns the project. Exactly one file must be the project file, named
// cairn.yaml, cairn.yml or cairn.json. On invalid input the error is Problems.
func NewProject(files ...*FlagFile) (*Project, error) {
	ff := make([]*flagFile, len(files))
	for i, f := range files {
		if f == nil {
			return nil, errors.New("new project: nil flag file")
		}
		ff[i] = f.f
	}
	p, probs := assembleProject(ff)
	if len(probs) > 0 {
		sortProblems(probs)
		return nil, probs
	}
	return p, nil
}

// assembleProject runs the checks that need every file: one project file,
// keys unique across files, environments and segments that exist.
func assembleProject(files []*flagFile) (*Project, Problems) {
	var probs Problems
	addAt := func(l Location, path, format string, args ...any) {
		probs = append(probs, Problem{File: l.File, Line: l.Line, Col: l.Col, Path: path, Message: fmt.Sprintf(format, args...)})
	}
	p := &Project{}
	var projectFile string
	flagAt := map[string]Location{}
	segAt := map[string]Location{}
	for _, f := range files {
		if f.project != nil {
			switch {
			case strings.Contains(f.name, "/"):
				addAt(Location{File: f.name}, "", "the project file must be at the root of the flag directory")
			case projectFile != "":
				addAt(Location{File: f.name}, "", "a second project file; the project file is %s", projectFile)
			default:
				projectFile = f.name
				p.settings = Settings{
					Environments:  f.project.Environments,
					RequireOwner:  f.project.RequireOwner,
					RequireExpiry: f.project.RequireExpiry,
					MaxExpiryDays: f.project.MaxExpiryDays,
					At:            f.project.at.loc(""),
				}
			}
		}
		for _, fl := range f.flags {
			if prev, dup := flagAt[fl.Key]; dup {
				addAt(fl.at.loc(""), fl.path, "flag %q is already defined at %s", fl.Key, locString(prev))
				continue
			}
			flagAt[fl.Key] = fl.at.loc("")
			p.flags = append(p.flags, fl)
		}
		for _, s := range f.segments {
			if prev, dup := segAt[s.Key]; dup {
				addAt(s.at.loc(""), s.path, "segment %q is already defined at %s", s.Key, locString(prev))
				continue
			}
			segAt[s.Key] = s.at.loc("")
			p.segments = append(p.segments, s)
		}
	}
	if projectFile == "" {
		addAt(Location{}, "", "no project file: add %s with the list of environments at the root of the flag directory", projectFileNames[0])
		return nil, probs
	}
	slices.SortFunc(p.flags, func(a, b *flagSpec) int { return strings.Compare(a.Key, b.Key) })
	slices.SortFunc(p.segments, func(a, b *segmentSpec) int { return strings.Compare(a.Key, b.Key) })
	envs := p.settings.Environments
	segKeys := make([]string, len(p.segments))
	for i, s := range p.segments {
		segKeys[i] = s.Key
	}
	for _, fl := range p.flags {
		for _, e := range fl.Envs {
			if !containsString(envs, e.Name) {
				addAt(e.at.loc(""), e.path, "unknown environment %q (have: %s)", clip(e.Name), strings.Join(envs, ", "))
			}
			for _, r := range e.Rules {
				for _, c := range r.When {
					if c.Op != OpInSegment && c.Op != OpNotInSegment {
						continue
					}
					for i, v := range c.Values {
						s, _ := v.(string)
						if containsString(segKeys, s) {
							continue
						}
						path, l := c.path+".segment", c.at.loc("segment")
						if c.valueField != "segment" {
							path, l = operandAt(c, i)
						}
						have := strings.Join(segKeys, ", ")
						if have == "" {
							have = "none"
						}
						addAt(l, path, "unknown segment %q (have: %s)", clip(s), have)
					}
				}
			}
		}
	}
	return p, probs
}

// operandAt returns the path and location of a condition's i-th operand.
func operandAt(c *condSpec, i int) (string, Location) {
	if c.valueField == "values" {
		return fmt.Sprintf("%s.values[%d]", c.path, i), c.at.loc(fmt.Sprintf("values[%d]", i))
	}
	return c.path + "." + c.valueField, c.at.loc(c.valueField)
}

func locString(l Location) string {
	return strings.TrimSuffix(Problem{File: l.File, Line: l.Line, Col: l.Col}.String(), ": ")
}
