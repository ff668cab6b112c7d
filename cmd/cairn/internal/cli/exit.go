package cli

import (
	"errors"
	"fmt"

	"github.com/cairnflags/cairn/publisher"
	"github.com/cairnflags/cairn/ruleset"
)

// Exit codes. ExitCode is the one place that picks them.
const (
	ExitOK       = 0
	ExitError    = 1 // anything not listed below
	ExitUsage    = 2 // bad arguments or flags
	ExitInvalid  = 3 // invalid flag files or ruleset
	ExitLint     = 4 // lint found an error-severity problem
	ExitConflict = 5 // a racing publisher won, or an out-of-band edit would be undone
)

// usageError is a mistake in how the command was called.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// usagef reports a bad argument or flag value (exit 2).
func usagef(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// invalidError marks an input that is not a valid flag directory or ruleset
// when the error itself is not ruleset.Problems (exit 3).
type invalidError struct{ err error }

func (e *invalidError) Error() string { return e.err.Error() }
func (e *invalidError) Unwrap() error { return e.err }

// reportedError is a failure whose details the command already printed as
// its output (validate's problems, lint's findings); Main prints only the
// one-line summary.
type reportedError struct {
	summary string
	code    int
}

func (e *reportedError) Error() string { return e.summary }

// ExitCode maps an error returned by a command to the process exit code.
func ExitCode(err error) int {
	var (
		usage    *usageError
		invalid  *invalidError
		reported *reportedError
		problems ruleset.Problems
		inv      *publisher.InvalidError
		conflict *publisher.ConflictError
		oob      *publisher.OutOfBandError
	)
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &reported):
		return reported.code
	case errors.As(err, &usage):
		return ExitUsage
	case errors.As(err, &conflict), errors.As(err, &oob), errors.Is(err, publisher.ErrConflict):
		return ExitConflict
	case errors.As(err, &invalid), errors.As(err, &problems), errors.As(err, &inv):
		return ExitInvalid
	default:
		return ExitError
	}
}
