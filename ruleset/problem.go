package ruleset

import (
	"fmt"
	"strings"
)

// Problem is one thing wrong with an input, located as precisely as the input
// allows: File and Line/Col (1-based; 0 when unknown), and Path, the field in
// dotted form such as "flags.payment-service.production.rules[1]".
type Problem struct {
	File    string
	Line    int
	Col     int
	Path    string
	Message string
}

// String renders the problem as "file:line:col: path: message", leaving out
// the parts that are unknown.
func (p Problem) String() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File)
		if p.Line > 0 {
			fmt.Fprintf(&b, ":%d", p.Line)
			if p.Col > 0 {
				fmt.Fprintf(&b, ":%d", p.Col)
			}
		}
		b.WriteString(": ")
	}
	if p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Problems is every problem found in an input; as an error it lists them all,
// one per line. Functions that validate return all problems at once rather
// than stopping at the first.
type Problems []Problem

// Error renders one problem per line.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}
