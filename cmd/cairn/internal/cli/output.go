package cli

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// Output formats of commands that print data.
const (
	formatText = "text"
	formatJSON = "json"
)

// formatValue is the --output flag: text for people, json for scripts.
type formatValue struct{ p *string }

func (f formatValue) String() string { return *f.p }
func (f formatValue) Type() string   { return "format" }
func (f formatValue) Set(s string) error {
	if s != formatText && s != formatJSON {
		return fmt.Errorf("unknown output format %q (want text or json)", s)
	}
	*f.p = s
	return nil
}

// addOutputFlag adds the --output flag every data-printing command shares.
func addOutputFlag(cmd *cobra.Command, p *string) {
	*p = formatText
	cmd.Flags().Var(formatValue{p}, "output", "output format: text or json")
}

// writeJSON writes v as indented JSON with a trailing newline.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}
