package cli

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// TestDocumentedCommandsParse checks that every cairn command line written in
// the docs, the README, the CI example and the quickstart names a real command
// with flags and arguments it accepts.
func TestDocumentedCommandsParse(t *testing.T) {
	root := filepath.Join("..", "..", "..", "..")
	files := []string{"README.md", "docs/cli.md", "examples/ci/publish-flags.yml", "scripts/quickstart.sh"}
	seen := 0
	for _, name := range files {
		data, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(data), "\n") {
			args := commandLine(line)
			if args == nil {
				continue
			}
			seen++
			if err := parses(args); err != nil {
				t.Errorf("%s:%d: cairn %s: %v", name, i+1, strings.Join(args, " "), err)
			}
		}
	}
	if seen < 40 {
		t.Errorf("found only %d command lines; is the extraction broken?", seen)
	}
}

// commandLine returns the arguments of a cairn invocation on line, or nil.
func commandLine(line string) []string {
	line = strings.TrimSpace(line)
	for _, prefix := range []string{"- run: ", "run ", "$ "} {
		line = strings.TrimPrefix(line, prefix)
	}
	if !strings.HasPrefix(line, "cairn ") {
		return nil
	}
	for _, end := range []string{" #", " &&", " >", " |", ";"} {
		if i := strings.Index(line, end); i >= 0 {
			line = line[:i]
		}
	}
	fields := shellFields(line)
	if len(fields) < 2 || fields[0] != "cairn" {
		return nil
	}
	return fields[1:]
}

// shellFields splits like a shell would for the simple lines in docs:
// single and double quotes, no escapes or expansion.
func shellFields(s string) []string {
	var fields []string
	var cur strings.Builder
	var quote rune
	inField := false
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '\'' || r == '"':
			quote, inField = r, true
		case r == ' ' || r == '\t':
			if inField {
				fields = append(fields, cur.String())
				cur.Reset()
				inField = false
			}
		default:
			cur.WriteRune(r)
			inField = true
		}
	}
	if inField {
		fields = append(fields, cur.String())
	}
	return fields
}

// parses runs cobra's checks on args without running the command.
func parses(args []string) error {
	root := NewRoot(Env{})
	cmd, rest, err := root.Find(args)
	if err != nil {
		return err
	}
	if err := cmd.ParseFlags(rest); errors.Is(err, pflag.ErrHelp) {
		return nil
	} else if err != nil {
		return err
	}
	if err := cmd.ValidateArgs(cmd.Flags().Args()); err != nil {
		return err
	}
	return cmd.ValidateRequiredFlags()
}
