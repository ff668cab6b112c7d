// Package cli is the cairn command line: cobra commands that parse their
// arguments, call the ruleset and publisher packages, and render the result.
// It holds no logic of its own beyond that.
package cli

import (
	"context"
	"io"
	"os"
	"time"
)

// Env is everything a command may take from the process. Tests build their
// own so that output, the clock and the environment are under their control.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Now is the clock that stamps publishes and decides expiry in lint.
	Now func() time.Time
	// Getenv reads an environment variable (CAIRN_COMMIT and friends).
	Getenv func(string) string
	// Git runs git with args in dir and returns its trimmed output; nil
	// disables git, as in tests.
	Git func(ctx context.Context, dir string, args ...string) (string, error)
	// Listening, when set, hears the address `cairn serve` listens on, so
	// that a test or an embedding program can use --addr 127.0.0.1:0.
	Listening func(addr string)
}

// System is the Env of a real process.
func System(stdin io.Reader, stdout, stderr io.Writer) Env {
	return Env{
		Stdin:  stdin,
		Stdout: stdout,
		Stderr: stderr,
		Now:    time.Now,
		Getenv: os.Getenv,
		Git:    runGit,
	}
}
