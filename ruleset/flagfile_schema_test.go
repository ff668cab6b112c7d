package ruleset

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

func compileFlagFileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(FlagFileSchema()))
	if err != nil {
		t.Fatalf("schema is not JSON: %v", err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("flagfile.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("flagfile.schema.json")
	if err != nil {
		t.Fatalf("compile schema: %v", err)
	}
	return s
}

// flagFileAsJSON converts a flag file to the JSON instance the schema
// describes, the way ParseFile reads it.
func flagFileAsJSON(t *testing.T, name string, data []byte) any {
	t.Helper()
	root, err := parseYAMLDocument(bytes.ReplaceAll(data, []byte("\t"), []byte(" ")))
	if err != nil || root == nil {
		t.Fatalf("%s: not YAML: %v", name, err)
	}
	d := &nodeDecoder{file: name}
	raw, err := json.Marshal(d.plainValue(root, "", 0))
	if err != nil || len(d.probs) > 0 {
		t.Fatalf("%s: %v %v", name, err, d.probs)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return inst
}

func TestSchemaAcceptsExamples(t *testing.T) {
	s := compileFlagFileSchema(t)
	err := filepath.WalkDir("testdata/flagfiles", func(name string, de fs.DirEntry, err error) error {
		if err != nil || de.IsDir() || !IsFlagFileName(name) || strings.Contains(name, "invalid") {
			return err
		}
		data, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		if err := s.Validate(flagFileAsJSON(t, name, data)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestSchemaRejectsInvalidExamples(t *testing.T) {
	s := compileFlagFileSchema(t)
	names, _ := filepath.Glob("testdata/flagfiles/invalid/*.yaml")
	if len(names) == 0 {
		t.Fatal("no invalid examples")
	}
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Validate(flagFileAsJSON(t, name, data)); err == nil {
			t.Errorf("%s: the schema accepts it", name)
		}
		if _, err := ParseFile(filepath.Base(name), data); err == nil {
			t.Errorf("%s: ParseFile accepts it", name)
		}
	}
}

var yamlBlock = regexp.MustCompile("(?s)```yaml\n(.*?)```")

// TestDocExamples checks every YAML example in docs/flag-files.md against
// the schema and the parser: the docs show only files that work.
func TestDocExamples(t *testing.T) {
	s := compileFlagFileSchema(t)
	doc, err := os.ReadFile("../docs/flag-files.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := yamlBlock.FindAllSubmatch(doc, -1)
	if len(blocks) < 5 {
		t.Fatalf("found %d yaml examples in docs/flag-files.md", len(blocks))
	}
	for i, m := range blocks {
		data := m[1]
		name := "example.yaml"
		if bytes.Contains(data, []byte("# cairn.yaml")) {
			name = "cairn.yaml"
		}
		if err := s.Validate(flagFileAsJSON(t, name, data)); err != nil {
			t.Errorf("example %d: schema: %v\n%s", i+1, err, data)
		}
		if _, err := ParseFile(name, data); err != nil {
			t.Errorf("example %d: %v\n%s", i+1, err, data)
		}
	}
}
