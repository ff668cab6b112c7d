package publisher

import (
	"fmt"
	"strings"

	"github.com/cairnflags/cairn/ruleset"
)

// ConflictError says another publisher changed an environment between this
// publish's read and its write. It matches ErrConflict; reading again and
// retrying is safe.
type ConflictError struct {
	Environment string
	// Version is the version this publish tried to write.
	Version int64
	// Key is the object whose precondition failed.
	Key string
	Err error
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("publish %s version %d: %s was changed by another publisher; read again and retry: %v",
		e.Environment, e.Version, e.Key, e.Err)
}

// Unwrap returns the store's error, which matches ErrConflict.
func (e *ConflictError) Unwrap() error { return e.Err }

// OutOfBandError stops a publish from git that would undo edits made to the
// published ruleset outside git (see Publisher.Toggle). Update the flag files
// to keep the edits, or publish with PublishOptions.Overwrite to undo them.
type OutOfBandError struct {
	Environment string
	// Flags are the keys of the flags whose published value git would change,
	// sorted.
	Flags []string
	// Edits are the out-of-band edits to those flags.
	Edits []ruleset.OutOfBandEdit
}

func (e *OutOfBandError) Error() string {
	return fmt.Sprintf("publish %s: would undo out-of-band edits to flag(s) %s; update the flag files to keep them or overwrite to undo them",
		e.Environment, strings.Join(e.Flags, ", "))
}

// InvalidError says a ruleset failed validation and was not published.
type InvalidError struct {
	Environment string
	// Err is the validation error, usually ruleset.Problems.
	Err error
}

func (e *InvalidError) Error() string {
	return fmt.Sprintf("ruleset %s is invalid, not published: %v", e.Environment, e.Err)
}

// Unwrap returns the validation error.
func (e *InvalidError) Unwrap() error { return e.Err }
