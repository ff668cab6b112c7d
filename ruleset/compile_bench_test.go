package ruleset

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
)

// sinkDocument keeps benchmark results alive so the work is not optimised
// away.
var sinkDocument *Document

// BenchmarkLoadCompile10000Flags loads a generated project of 10,000 flags
// in 100 files and compiles its production ruleset.
func BenchmarkLoadCompile10000Flags(b *testing.B) {
	fsys := fstest.MapFS{"cairn.yaml": {Data: []byte("environments: [staging, production]\n")}}
	fsys["segments.yaml"] = &fstest.MapFile{Data: []byte("segments:\n  staff:\n    rules:\n      - when: [{attribute: email, op: ends_with, value: \"@example.com\"}]\n")}
	for file := range 100 {
		var sb strings.Builder
		sb.WriteString("flags:\n")
		for i := range 100 {
			fmt.Fprintf(&sb, `  flag-%03d-%03d:
    description: Generated flag %d.
    owner: team-%d
    tags: [generated]
    expires: 2027-01-01
    environments:
      staging: {enabled: true}
      production:
        enabled: true
        rules:
          - name: staff
            when: [{segment: staff}]
            serve: on
          - when:
              - {attribute: country, op: in, values: [DE, FR]}
              - {attribute: app_version, op: semver_gte, value: 2.1.0}
            serve: off
        default:
          split: {on: 12.5, off: 87.5}
`, file, i, i, file)
		}
		fsys[fmt.Sprintf("flags/f%03d.yaml", file)] = &fstest.MapFile{Data: []byte(sb.String())}
	}
	b.ReportAllocs()
	for b.Loop() {
		p, err := LoadProject(fsys)
		if err != nil {
			b.Fatal(err)
		}
		doc, err := p.Compile("production", Source{Kind: SourceGit})
		if err != nil {
			b.Fatal(err)
		}
		sinkDocument = doc
	}
}
