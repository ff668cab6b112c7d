// Package ruleset is the heart of Cairn: the flag files a team keeps in git,
// the ruleset compiled from them for one environment, and how a flag is
// decided for a context.
//
// Three layers, each usable alone:
//
//   - Flag files: LoadProject reads a directory of YAML (or JSON) flag files,
//     checks everything at once and reports every problem as
//     file:line:col: path: message (Problems); Project.Compile turns it into
//     the wire Document of one environment. SetEnabled, SetDefaultServe and
//     SyncFile edit flag files in place, keeping comments and formatting.
//   - The wire format: Document, written by Marshal in a canonical form, is
//     the contract with SDKs in every language (docs/ruleset-format.md).
//   - Evaluation: Load checks a wire ruleset that came over the network and
//     compiles it into an immutable, query-ready Ruleset; Evaluate decides a
//     flag for a Context at an instant. It is pure, lock-free, takes the time
//     as an input and allocates nothing. Flags that use something newer than
//     this package are quarantined and serve the caller's default. A Ruleset
//     keeps fingerprints of its flags rather than the wire Document
//     (SameContent, ChangedFlags); LoadDocument returns both.
//
// The evaluation semantics (operators, segments, bucketing with MurmurHash3
// x86_32 into 10,000 buckets, schedules and progressive rollouts) are pinned
// by the shared test vectors in testdata/vectors.
package ruleset
