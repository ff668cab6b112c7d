package ruleset

import (
	_ "embed"
	"slices"
)

//go:embed schema/flagfile.schema.json
var flagFileSchema []byte

// FlagFileSchema returns the JSON Schema (draft 2020-12) of flag files, for
// editors and for cairn schema to print. It covers what one file can say on
// its own; LoadProject also checks the rules that need the whole project.
// The caller may modify the returned slice.
func FlagFileSchema() []byte { return slices.Clone(flagFileSchema) }
