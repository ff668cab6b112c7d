package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/cairnflags/cairn/publisher/diff"
	"github.com/cairnflags/cairn/ruleset"
)

type evalOptions struct {
	Flag    string
	Env     string
	Dir     string
	Ruleset string
	Key     string
	Attrs   []string
	At      string
	Output  string
}

func newEvalCmd(e Env, runF func(*evalOptions) error) *cobra.Command {
	opts := &evalOptions{}
	cmd := &cobra.Command{
		Use:   "eval FLAG --env ENV [--dir DIR | --ruleset FILE|URL] --key KEY [--attr k=v]... [--at TIME]",
		Short: "Evaluate a flag for a context and explain the result",
		Long: `Evaluate FLAG for the context with targeting key KEY and the given
attributes, against the flag directory (compiled for ENV) or a published
ruleset (a file, or an http(s) URL), and show the value, the variation, the
reason, and which rule matched and why.

Attributes:
  --attr plan=pro          a string
  --attr age=42            a number (written as a JSON number; zip=01234 stays a string)
  --attr beta=true         a boolean (true or false)
  --attr id:='"42"'        JSON after := (here the string "42")
  --attr 'countries:=["DE","FR"]'  a list

--at evaluates at another instant, to preview a schedule or a progressive
rollout: an RFC 3339 time, a date (midnight UTC), or an offset from now
(+36h, +7d, -1d).`,
		Example: `  cairn eval new-checkout --env production --dir flags --key user-42 --attr email=ann@example.com
  cairn eval new-checkout --ruleset https://flags.example.com/production/ruleset.json --key user-42
  cairn eval new-checkout --env production --key user-42 --at 2026-03-08 --output json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Flag = args[0]
			if runF != nil {
				return runF(opts)
			}
			return runEval(e, opts, cmd)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Env, "env", "", "environment to compile the flag directory for (required with --dir)")
	f.StringVar(&opts.Dir, "dir", "", "flag directory to evaluate (default: the working directory)")
	f.StringVar(&opts.Ruleset, "ruleset", "", "published ruleset to evaluate: a file or an http(s) URL")
	f.StringVar(&opts.Key, "key", "", "targeting key of the context (user, account, device…)")
	f.StringArrayVar(&opts.Attrs, "attr", nil, "context attribute NAME=VALUE or NAME:=JSON (repeatable)")
	f.StringVar(&opts.At, "at", "", "evaluate at this instant instead of now")
	cmd.MarkFlagsMutuallyExclusive("dir", "ruleset")
	addOutputFlag(cmd, &opts.Output)
	return cmd
}

// evalResult is eval's output.
type evalResult struct {
	Flag        string         `json:"flag"`
	Type        string         `json:"type"`
	Environment string         `json:"environment"`
	Version     int64          `json:"version"`
	Key         string         `json:"key"`
	Attributes  map[string]any `json:"attributes"`
	At          time.Time      `json:"at"`
	Value       any            `json:"value"`
	Variation   string         `json:"variation"`
	Reason      string         `json:"reason"`
	RuleIndex   int            `json:"rule_index"`
	RuleName    string         `json:"rule_name,omitempty"`
	Conditions  []string       `json:"conditions,omitempty"`
	Bucket      *int           `json:"bucket,omitempty"`
	Serve       string         `json:"serve"`
	Expired     bool           `json:"expired,omitempty"`
}

func runEval(e Env, opts *evalOptions, cmd *cobra.Command) error {
	attrs, err := parseAttrs(opts.Attrs)
	if err != nil {
		return err
	}
	at, err := parseAt(opts.At, e.Now())
	if err != nil {
		return err
	}
	rs, doc, err := evalRuleset(cmd.Context(), e, opts, cmd)
	if err != nil {
		return err
	}
	typ, ok := rs.FlagType(opts.Flag)
	if !ok {
		if why, q := rs.Quarantined()[opts.Flag]; q {
			return fmt.Errorf("flag %s can't be evaluated by this version of cairn: %s", opts.Flag, why)
		}
		return fmt.Errorf("flag %s is not in the %s ruleset", opts.Flag, rs.Environment())
	}
	ec := ruleset.NewContext(opts.Key, attrs)
	d := rs.Evaluate(opts.Flag, ec, at)
	res := explain(doc.Flags[opts.Flag], ec, d)
	res.Flag, res.Type = opts.Flag, string(typ)
	res.Environment, res.Version = rs.Environment(), rs.Version()
	res.Key, res.Attributes, res.At = opts.Key, attrs, at.UTC()

	out := cmd.OutOrStdout()
	if opts.Output == formatJSON {
		return writeJSON(out, res)
	}
	return writeEvalText(out, res, ec)
}

// evalRuleset loads the ruleset eval works on, and the Document it was
// loaded from (for explain): the published one named by --ruleset, or the
// flag directory compiled for --env.
func evalRuleset(ctx context.Context, e Env, opts *evalOptions, cmd *cobra.Command) (*ruleset.Ruleset, *ruleset.Document, error) {
	if opts.Ruleset != "" {
		data, err := readRuleset(ctx, opts.Ruleset)
		if err != nil {
			return nil, nil, err
		}
		if data, err = unwrapRuleset(e, opts.Ruleset, data); err != nil {
			return nil, nil, err
		}
		rs, doc, err := ruleset.LoadDocument(opts.Ruleset, data)
		if err != nil {
			return nil, nil, err
		}
		if opts.Env != "" && rs.Environment() != opts.Env {
			return nil, nil, usagef("%s is the ruleset of %s, not %s", opts.Ruleset, rs.Environment(), opts.Env)
		}
		return rs, doc, nil
	}
	if opts.Env == "" {
		return nil, nil, usagef("--env is required to evaluate a flag directory")
	}
	dir := opts.Dir
	if dir == "" {
		dir = "."
	}
	doc, err := compileDir(cmd, e, dir, opts.Env, "")
	if err != nil {
		return nil, nil, err
	}
	data, err := ruleset.Marshal(doc)
	if err != nil {
		return nil, nil, fmt.Errorf("eval: %w", err)
	}
	// The compiled Document is the one to explain; decoding it back
	// from data would give it again.
	rs, err := ruleset.Load(data)
	return rs, doc, err
}

// readRuleset reads a ruleset from a file or an http(s) URL.
func readRuleset(ctx context.Context, src string) ([]byte, error) {
	if !strings.HasPrefix(src, "http://") && !strings.HasPrefix(src, "https://") {
		data, err := os.ReadFile(strings.TrimPrefix(src, "file://"))
		if err != nil {
			return nil, fmt.Errorf("read ruleset: %w", err)
		}
		return data, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, src, nil)
	if err != nil {
		return nil, usagef("ruleset URL %q: %v", src, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch ruleset: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch ruleset %s: %s", src, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, ruleset.MaxRulesetSize+1))
	if err != nil {
		return nil, fmt.Errorf("fetch ruleset %s: %w", src, err)
	}
	if len(data) > ruleset.MaxRulesetSize {
		return nil, fmt.Errorf("fetch ruleset %s: larger than %d bytes", src, ruleset.MaxRulesetSize)
	}
	return data, nil
}

// explain fills in what was served and why: the matching rule's conditions
// with the context's values, and the bucket for a split.
func explain(f ruleset.Flag, ec *ruleset.Context, d ruleset.Detail) evalResult {
	res := evalResult{
		Value:     d.Value,
		Variation: d.VariationKey,
		Reason:    string(d.Reason),
		RuleIndex: d.RuleIndex,
		RuleName:  d.RuleName,
		Expired:   d.Expired,
	}
	if raw, ok := d.Value.(json.RawMessage); ok {
		res.Value = json.RawMessage(raw)
	}
	var serve ruleset.Serve
	switch d.Reason {
	case ruleset.ReasonOff:
		res.Serve = "off variation " + f.OffVariation
		return res
	case ruleset.ReasonTargetMatch:
		if d.RuleIndex >= 0 && d.RuleIndex < len(f.Rules) {
			rule := f.Rules[d.RuleIndex]
			for _, c := range rule.Conditions {
				res.Conditions = append(res.Conditions, describeCondition(c, ec))
			}
			serve = rule.Serve
		}
	default:
		serve = f.Default
	}
	res.Serve = diff.DescribeServe(serve)
	if d.InSplit {
		b := ruleset.Bucket(f.Salt, bucketValue(f, ec))
		res.Bucket = &b
	}
	return res
}

// bucketValue is the value a split hashes: the bucket_by attribute, or the
// targeting key.
func bucketValue(f ruleset.Flag, ec *ruleset.Context) string {
	if f.BucketBy == "" || f.BucketBy == ruleset.KeyAttribute {
		return ec.Key()
	}
	v, _ := ec.Attribute(f.BucketBy)
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// describeCondition renders a condition with the context's value of its
// attribute, such as `country in "DE", "AT" (is "DE")`.
func describeCondition(c ruleset.Condition, ec *ruleset.Context) string {
	vals := make([]string, len(c.Values))
	for i, v := range c.Values {
		b, _ := json.Marshal(v)
		vals[i] = string(b)
	}
	parts := []string{c.Attribute, string(c.Op), strings.Join(vals, ", ")}
	if c.Attribute == "" { // segment conditions
		parts = parts[1:]
	} else {
		parts = append(parts, "("+contextValue(c.Attribute, ec)+")")
	}
	var nonEmpty []string
	for _, p := range parts {
		if p != "" {
			nonEmpty = append(nonEmpty, p)
		}
	}
	return strings.Join(nonEmpty, " ")
}

// contextValue renders what the context holds for attribute.
func contextValue(attribute string, ec *ruleset.Context) string {
	var v any = ec.Key()
	if attribute != ruleset.KeyAttribute {
		var ok bool
		if v, ok = ec.Attribute(attribute); !ok || v == nil {
			return "absent"
		}
	}
	b, _ := json.Marshal(v)
	return "is " + string(b)
}

func writeEvalText(w io.Writer, r evalResult, ec *ruleset.Context) error {
	value, _ := json.Marshal(r.Value)
	fmt.Fprintf(w, "flag:       %s (%s) in %s, version %d\n", r.Flag, r.Type, r.Environment, r.Version)
	fmt.Fprintf(w, "context:    %s\n", ec)
	fmt.Fprintf(w, "at:         %s\n", r.At.Format(time.RFC3339))
	fmt.Fprintf(w, "value:      %s\n", value)
	fmt.Fprintf(w, "variation:  %s\n", r.Variation)
	fmt.Fprintf(w, "reason:     %s\n", r.Reason)
	if r.Reason == string(ruleset.ReasonTargetMatch) {
		name := ""
		if r.RuleName != "" {
			name = fmt.Sprintf(" %q", r.RuleName)
		}
		fmt.Fprintf(w, "rule:       #%d%s, all of:\n", r.RuleIndex+1, name)
		for _, c := range r.Conditions {
			fmt.Fprintf(w, "              %s\n", c)
		}
	}
	fmt.Fprintf(w, "serves:     %s\n", r.Serve)
	if r.Bucket != nil {
		fmt.Fprintf(w, "bucket:     %d of %d\n", *r.Bucket, ruleset.Buckets)
	}
	if r.Expired {
		fmt.Fprintln(w, "warning:    the flag is past its expiry date")
	}
	return nil
}
