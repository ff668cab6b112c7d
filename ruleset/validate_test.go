package ruleset

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
)

const testProject = "environments: [staging, production]\n"

// problemsOf loads a project of cairn.yaml (testProject unless given) and
// the files given, and returns the rendered problems.
func problemsOf(t *testing.T, files map[string]string) []string {
	t.Helper()
	fsys := fstest.MapFS{"cairn.yaml": {Data: []byte(testProject)}}
	for name, data := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(data)}
	}
	_, err := LoadProject(fsys)
	if err == nil {
		return nil
	}
	var probs Problems
	if !errors.As(err, &probs) {
		t.Fatalf("LoadProject: error is %T, not Problems: %v", err, err)
	}
	out := make([]string, len(probs))
	for i, p := range probs {
		out[i] = p.String()
	}
	return out
}

func TestValidationProblems(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"unknown variation in serve", map[string]string{"flags/payments.yaml": `flags:
  payment-service:
    type: string
    variations: {on: "v2", off: "v1"}
    off_variation: off
    environments:
      production:
        enabled: true
        rules:
          - when: [{attribute: plan, op: eq, value: pro}]
            serve: on
          - when: [{attribute: plan, op: eq, value: free}]
            serve: onn
        default: off
`}, []string{`flags/payments.yaml:13:20: flags.payment-service.environments.production.rules[1].serve: unknown variation "onn" (have: on, off)`}},

		{"unknown field with suggestion", map[string]string{"f.yaml": `flags:
  a:
    owner: me
    descripton: typo
`}, []string{`f.yaml:4:5: flags.a.descripton: unknown field "descripton" in a flag (did you mean "description"?)`}},

		{"invalid flag key", map[string]string{"f.yaml": "flags:\n  New_Checkout: {}\n"},
			[]string{`f.yaml:2:3: flags.New_Checkout.key: "New_Checkout" is not a valid key: use 1 to 128 of a-z, 0-9, '.', '_', '-', starting with a letter or digit`}},

		{"duplicate flag across files", map[string]string{
			"a.yaml": "flags:\n  x: {}\n",
			"b.yaml": "flags:\n  x: {}\n",
		}, []string{`b.yaml:2:3: flags.x: flag "x" is already defined at a.yaml:2:3`}},

		{"duplicate key in one file", map[string]string{"a.yaml": "flags:\n  x: {}\n  x: {}\n"},
			[]string{`a.yaml:3:3: flags.x: "x" appears twice`}},

		{"unknown environment", map[string]string{"a.yaml": "flags:\n  x:\n    environments:\n      prod: {enabled: true}\n"},
			[]string{`a.yaml:4:7: flags.x.environments.prod: unknown environment "prod" (have: staging, production)`}},

		{"unknown segment", map[string]string{"a.yaml": `flags:
  x:
    environments:
      production:
        enabled: true
        rules:
          - when: [{segment: beta}]
            serve: on
`}, []string{`a.yaml:7:30: flags.x.environments.production.rules[0].when[0].segment: unknown segment "beta" (have: none)`}},

		{"split not 100", map[string]string{"a.yaml": `flags:
  x:
    environments:
      production:
        enabled: true
        default:
          split: {on: 25.5, off: 70}
`}, []string{`a.yaml:7:18: flags.x.environments.production.default.split: percentages add up to 95.5, not 100`}},

		{"split with three decimals", map[string]string{"a.yaml": `flags:
  x:
    environments:
      production:
        default:
          split: {on: 25.125, off: 74.875}
`}, []string{
			`a.yaml:6:23: flags.x.environments.production.default.split.on: want a percentage from 0 to 100 with at most two decimals, got a number`,
			`a.yaml:6:36: flags.x.environments.production.default.split.off: want a percentage from 0 to 100 with at most two decimals, got a number`,
		}},

		{"variation value of wrong type", map[string]string{"a.yaml": `flags:
  x:
    type: number
    variations: {low: 1, high: "2"}
    off_variation: low
`}, []string{`a.yaml:4:32: flags.x.variations.high: a number flag's variation must be a number, got the string "2"`}},

		{"string variation needs quotes", map[string]string{"a.yaml": `flags:
  x:
    type: string
    variations: {a: yes, b: 2}
    off_variation: a
`}, []string{`a.yaml:4:29: flags.x.variations.b: a string flag's variation must be a string, got a number (quote it to make it a string)`}},

		{"unknown type", map[string]string{"a.yaml": "flags:\n  x:\n    type: integer\n    variations: {a: 1}\n    off_variation: a\n"},
			[]string{`a.yaml:3:11: flags.x.type: "integer" is not one of: boolean, string, number, json`}},

		{"missing off_variation", map[string]string{"a.yaml": "flags:\n  x:\n    type: string\n    variations: {a: a, b: b}\n"},
			[]string{`a.yaml:2:3: flags.x.off_variation: off_variation is required: name the variation served while the flag is off`}},

		{"missing default when enabled", map[string]string{"a.yaml": `flags:
  x:
    type: string
    variations: {a: a, b: b}
    off_variation: a
    environments:
      production: {enabled: true}
`}, []string{`a.yaml:7:7: flags.x.environments.production.default: default is required when the flag can be on: name the variation (or split) served when no rule matches`}},

		{"operand types", map[string]string{"a.yaml": `flags:
  x:
    environments:
      production:
        rules:
          - when:
              - {attribute: age, op: gt, value: "18"}
              - {attribute: version, op: semver_gte, value: "four"}
              - {attribute: signup, op: before, value: "last week"}
              - {attribute: email, op: matches, value: "(unclosed"}
              - {attribute: plan, op: eq, values: [a, b]}
              - {attribute: plan, op: exists, value: x}
              - {op: starts_with, value: x}
              - {attribute: plan, op: starts_with, values: [1]}
            serve: on
`}, []string{
			`a.yaml:7:49: flags.x.environments.production.rules[0].when[0].value: operator gt takes a number, got "18"`,
			`a.yaml:8:61: flags.x.environments.production.rules[0].when[1].value: operator semver_gte takes a semantic version such as "2.4.1", got "four"`,
			`a.yaml:9:56: flags.x.environments.production.rules[0].when[2].value: operator before takes a date (2026-12-31) or an RFC 3339 time, got "last week"`,
			"a.yaml:10:56: flags.x.environments.production.rules[0].when[3].value: invalid regular expression: error parsing regexp: missing closing ): `(unclosed`",
			`a.yaml:11:51: flags.x.environments.production.rules[0].when[4].values: operator eq takes exactly one value, got 2 (use op: in or not_in for a list)`,
			`a.yaml:12:54: flags.x.environments.production.rules[0].when[5].value: operator exists takes no value`,
			`a.yaml:13:17: flags.x.environments.production.rules[0].when[6].attribute: operator starts_with needs an attribute`,
			`a.yaml:14:61: flags.x.environments.production.rules[0].when[7].values[0]: operator starts_with takes strings, got 1`,
		}},

		{"unknown operator", map[string]string{"a.yaml": `flags:
  x:
    environments:
      production:
        rules:
          - when: [{attribute: a, op: ends_wiht, value: x}]
            serve: on
`}, []string{`a.yaml:6:39: flags.x.environments.production.rules[0].when[0].op: unknown operator "ends_wiht" (did you mean "ends_with"?)`}},

		{"rule without conditions or serve", map[string]string{"a.yaml": `flags:
  x:
    environments:
      production:
        rules:
          - name: nothing
`}, []string{
			`a.yaml:6:13: flags.x.environments.production.rules[0].when: needs at least 1 entries`,
			`a.yaml:6:13: flags.x.environments.production.rules[0].serve: is required`,
		}},

		{"schedule out of order", map[string]string{"a.yaml": `flags:
  x:
    environments:
      production:
        schedule:
          - {at: 2026-05-01, enabled: true}
          - {at: 2026-04-01, enabled: false}
          - {at: 2026-06-01}
`}, []string{
			`a.yaml:7:18: flags.x.environments.production.schedule[1].at: 2026-04-01T00:00:00Z is not after the step before it (2026-05-01T00:00:00Z); steps must be in time order`,
			`a.yaml:8:13: flags.x.environments.production.schedule[2].enabled: a schedule step needs enabled: true or false`,
		}},

		{"progressive", map[string]string{"a.yaml": `flags:
  x:
    environments:
      production:
        enabled: true
        default:
          progressive: {variation: on, start: 2026-03-02, end: 2026-03-01, to: 120}
`}, []string{
			`a.yaml:7:64: flags.x.environments.production.default.progressive.end: end 2026-03-01T00:00:00Z is not after start 2026-03-02T00:00:00Z`,
			`a.yaml:7:80: flags.x.environments.production.default.progressive.to: want a percentage from 0 to 100 with at most two decimals, got a number`,
		}},

		{"segment rule refers to a segment", map[string]string{"s.yaml": `segments:
  a:
    rules:
      - when: [{segment: b}]
  b:
    included: [u1, u1]
`}, []string{
			`s.yaml:4:26: segments.a.rules[0].when[0].segment: segment rules cannot refer to other segments`,
			`s.yaml:6:20: segments.b.included[1]: "u1" is listed twice`,
		}},

		{"wrong node kinds", map[string]string{"a.yaml": `flags:
  - x
`, "b.yaml": `flags:
  y:
    tags: checkout
    environments: [production]
`}, []string{
			`a.yaml:2:3: flags: want flags keyed by flag key (a mapping), got a list`,
			`b.yaml:3:11: flags.y.tags: want tags (a list), got the string "checkout"`,
			`b.yaml:4:19: flags.y.environments: want environments keyed by name (a mapping), got a list`,
		}},

		{"aliases refused", map[string]string{"a.yaml": `flags:
  x: &base
    owner: me
  y: *base
`}, []string{`a.yaml:4:6: YAML aliases (*base) are not supported in flag files; write the value out`}},

		{"syntax error", map[string]string{"a.yaml": "flags:\n  x: {\n"},
			[]string{`a.yaml:2: invalid YAML: did not find expected node content`}},

		{"two documents", map[string]string{"a.yaml": "flags: {}\n---\nflags: {}\n"},
			[]string{`a.yaml:2: invalid YAML: a flag file holds one YAML document; remove the "---" separator`}},

		{"project settings outside the project file", map[string]string{"a.yaml": "environments: [x]\n"},
			[]string{`a.yaml:1:1: environments: project settings belong in the project file (cairn.yaml at the root of the flag directory)`}},

		{"boolean enabled", map[string]string{"a.yaml": "flags:\n  x:\n    environments:\n      production: {enabled: on}\n"},
			[]string{`a.yaml:4:29: flags.x.environments.production.enabled: want true or false, got the string "on"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := problemsOf(t, tt.files)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("problems:\n got: %s\nwant: %s", strings.Join(got, "\n      "), strings.Join(tt.want, "\n      "))
			}
		})
	}
}

func TestNoProjectFile(t *testing.T) {
	_, err := LoadProject(fstest.MapFS{"a.yaml": {Data: []byte("flags: {}\n")}})
	want := "no project file: add cairn.yaml with the list of environments at the root of the flag directory"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %q", err, want)
	}
}

func TestProjectFileProblems(t *testing.T) {
	fsys := fstest.MapFS{"cairn.yaml": {Data: []byte("environments: [prod, Prod, prod]\nrequire_owner: yes\n")}}
	_, err := LoadProject(fsys)
	want := []string{
		`cairn.yaml:1:22: environments[1]: "Prod" is not a valid key: use 1 to 128 of a-z, 0-9, '.', '_', '-', starting with a letter or digit`,
		`cairn.yaml:1:28: environments[2]: "prod" is listed twice`,
		`cairn.yaml:2:16: require_owner: want true or false, got the string "yes"`,
	}
	if err == nil || err.Error() != strings.Join(want, "\n") {
		t.Fatalf("err =\n%v\nwant\n%s", err, strings.Join(want, "\n"))
	}
}

func TestHostileInputs(t *testing.T) {
	tests := map[string]string{
		"deep nesting": strings.Repeat("[", 100000) + strings.Repeat("]", 100000),
		"deep json value": "flags:\n  x:\n    type: json\n    off_variation: a\n    variations:\n      a: " +
			strings.Repeat("[", 5000) + strings.Repeat("]", 5000),
		"alias bomb": "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n" +
			"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n",
		"many problems": "flags:\n" + strings.Repeat("  x: 1\n", 20000),
		"not a mapping": "- a\n- b\n",
		"scalar root":   "hello\n",
		"binary tag":    "flags: !!binary aGVsbG8=\n",
		"custom tag":    "flags: !thing {}\n",
		"too large":     strings.Repeat(" ", MaxFlagFileSize+1),
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := ParseFile("h.yaml", []byte(in))
			var probs Problems
			if !errors.As(err, &probs) {
				t.Fatalf("err = %v, want Problems", err)
			}
			if len(probs) > maxProblemsPerFile+1 {
				t.Errorf("%d problems, want at most %d", len(probs), maxProblemsPerFile+1)
			}
		})
	}
}
