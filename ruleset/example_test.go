package ruleset_test

import (
	"fmt"
	"testing/fstest"
	"time"

	"github.com/cairnflags/cairn/ruleset"
)

// Flag files in, a verdict out: load a project, compile production, load the
// wire form as an SDK would, and evaluate.
func Example() {
	files := fstest.MapFS{
		"cairn.yaml": {Data: []byte("environments: [staging, production]\n")},
		"flags/checkout.yaml": {Data: []byte(`flags:
  new-checkout:
    owner: team-checkout
    environments:
      production:
        enabled: true
        rules:
          - name: staff
            when:
              - {attribute: email, op: ends_with, value: "@shop.example"}
            serve: on
        default:
          split: {on: 25, off: 75}
`)},
	}
	project, err := ruleset.LoadProject(files)
	if err != nil {
		fmt.Println(err)
		return
	}
	doc, err := project.Compile("production", ruleset.Source{Kind: ruleset.SourceGit})
	if err != nil {
		fmt.Println(err)
		return
	}
	wire, _ := ruleset.Marshal(doc)
	rs, err := ruleset.Load(wire)
	if err != nil {
		fmt.Println(err)
		return
	}
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	staff := ruleset.NewContext("u-1", map[string]any{"email": "ana@shop.example"})
	d := rs.Evaluate("new-checkout", staff, now)
	fmt.Println(d.Value, d.Reason, d.RuleName)
	d = rs.Evaluate("no-such-flag", staff, now)
	fmt.Println(d.Value, d.Reason)
	// Output:
	// true TARGET_MATCH staff
	// <nil> FLAG_NOT_FOUND
}

// Problems name the file, line, column and field.
func ExampleLoadProject_problems() {
	files := fstest.MapFS{
		"cairn.yaml": {Data: []byte("environments: [production]\n")},
		"flags.yaml": {Data: []byte(`flags:
  new-checkout:
    environments:
      production:
        enabled: true
        default: onn
`)},
	}
	_, err := ruleset.LoadProject(files)
	fmt.Println(err)
	// Output:
	// flags.yaml:6:18: flags.new-checkout.environments.production.default: unknown variation "onn" (have: on, off)
}

// Bucket is the portable definition every SDK implements: MurmurHash3 x86_32
// of "salt/value", modulo 10,000. A user whose bucket is below 2500 is in a
// 25% rollout, and stays in when it is raised to 50%.
func ExampleBucket() {
	fmt.Println(ruleset.Bucket("new-checkout", "user-42"))
	fmt.Println(ruleset.Bucket("new-checkout", "user-43"))
	// Output:
	// 9590
	// 5818
}
