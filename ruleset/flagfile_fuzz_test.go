package ruleset

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// FuzzParseFlagFile checks that parsing never panics, and that a file that
// parses also compiles, deterministically, to a ruleset the evaluator loads.
func FuzzParseFlagFile(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/flagfiles/shop/*/*")
	more, _ := filepath.Glob("testdata/flagfiles/shop/*.yaml")
	for _, name := range append(seeds, more...) {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(filepath.Base(name), data)
		}
	}
	f.Add("a.yaml", []byte(editSample))
	f.Add("a.yaml", []byte("flags: {x: {environments: {production: {enabled: true, default: {split: {on: 1.5, off: 98.5}}}}}}"))
	f.Add("a.json", []byte(`{"flags": {"x": {"type": "json", "variations": {"a": {"b": [1, null]}}, "off_variation": "a"}}}`))
	f.Add("a.yaml", []byte("a: &a [*a]\n"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		if !IsFlagFileName(name) || isProjectFileName(name) {
			name = "fuzz.yaml"
		}
		ff, err := ParseFile(name, data)
		if err != nil {
			return
		}
		// Give the file a project with every environment it names.
		envs := map[string]bool{"production": true}
		for _, fl := range ff.f.flags {
			for _, e := range fl.Envs {
				envs[e.Name] = true
			}
		}
		project := "environments:\n"
		for e := range envs {
			project += "  - " + strconv.Quote(e) + "\n"
		}
		pf, err := ParseFile("cairn.yaml", []byte(project))
		if err != nil {
			t.Fatalf("project file: %v", err)
		}
		p, err := NewProject(pf, ff)
		if err != nil {
			return // e.g. a segment the file refers to but does not define
		}
		for _, env := range p.Environments() {
			doc, err := p.Compile(env, Source{Kind: SourceGit})
			if err != nil {
				t.Fatalf("Compile(%s): %v", env, err)
			}
			a, err := Marshal(doc)
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			doc2, _ := p.Compile(env, Source{Kind: SourceGit})
			if b, _ := Marshal(doc2); !bytes.Equal(a, b) {
				t.Fatal("compile is not deterministic")
			}
			if _, err := Load(a); err != nil {
				t.Fatalf("a valid flag file compiled to a ruleset Load refuses: %v\n%s", err, a)
			}
		}
		_ = p.Flags()
		_ = p.Segments()
	})
}
