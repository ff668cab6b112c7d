package adminapi

import (
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"

	"github.com/cairnflags/cairn/publisher"
	"github.com/cairnflags/cairn/ruleset"
	"github.com/cairnflags/cairn/ruleset/envelope"
)

// Error codes of ErrorBody.Code.
const (
	codeUnauthorized = "unauthorized"
	codeForbidden    = "forbidden"
	codeBadRequest   = "bad_request"
	codeTooLarge     = "too_large"
	codeNotFound     = "not_found"
	codeInvalid      = "invalid"
	codeConflict     = "conflict"
	codeOutOfBand    = "out_of_band_edits"
	codeSigningKey   = "signing_key_required"
	codeInternal     = "internal"
)

// ErrorBody is every error response: {"error": {...}}.
type ErrorBody struct {
	Error APIError `json:"error"`
}

// APIError says what went wrong. Problems lists validation problems with
// their location, as `cairn validate --output json` does; Flags names the
// flags an out-of-band conflict is about.
type APIError struct {
	Code     string        `json:"code"`
	Message  string        `json:"message"`
	Problems []ProblemJSON `json:"problems,omitempty"`
	Flags    []string      `json:"flags,omitempty"`
}

// ProblemJSON is one ruleset.Problem.
type ProblemJSON struct {
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Col     int    `json:"col,omitempty"`
	Path    string `json:"path,omitempty"`
	Message string `json:"message"`
}

// httpError is an error with the status and body to answer it with.
type httpError struct {
	status int
	body   APIError
}

func (e *httpError) Error() string { return e.body.Message }

func errorf(status int, code, msg string) *httpError {
	return &httpError{status: status, body: APIError{Code: code, Message: msg}}
}

func problemsJSON(ps ruleset.Problems) []ProblemJSON {
	out := make([]ProblemJSON, len(ps))
	for i, p := range ps {
		out[i] = ProblemJSON{File: p.File, Line: p.Line, Col: p.Col, Path: p.Path, Message: p.Message}
	}
	return out
}

// classify maps an error from the publisher or from a request to its
// response. Anything not recognised is a 500 whose message is generic:
// internal errors may name buckets or paths, which the log gets instead.
func classify(err error) *httpError {
	var (
		he       *httpError
		problems ruleset.Problems
		inv      *publisher.InvalidError
		oob      *publisher.OutOfBandError
		mbe      *http.MaxBytesError
	)
	switch {
	case errors.As(err, &he):
		return he
	case errors.As(err, &mbe):
		return errorf(http.StatusRequestEntityTooLarge, codeTooLarge, "request body larger than the limit")
	case errors.As(err, &problems):
		e := errorf(http.StatusUnprocessableEntity, codeInvalid, "invalid flag files or ruleset, nothing published")
		e.body.Problems = problemsJSON(problems)
		return e
	case errors.As(err, &inv):
		return errorf(http.StatusUnprocessableEntity, codeInvalid, err.Error())
	case errors.As(err, &oob):
		e := errorf(http.StatusConflict, codeOutOfBand, err.Error())
		e.body.Flags = oob.Flags
		return e
	case errors.Is(err, publisher.ErrConflict):
		return errorf(http.StatusConflict, codeConflict, "another publisher kept winning the race; try again")
	case errors.Is(err, publisher.ErrSigningKeyRequired):
		return errorf(http.StatusConflict, codeSigningKey, err.Error())
	case errors.Is(err, fs.ErrNotExist):
		// The store's message may name the bucket; say what is missing.
		return errorf(http.StatusNotFound, codeNotFound, "not found: no ruleset published for this environment, or no such flag or version")
	case errors.Is(err, envelope.ErrEncrypted), errors.Is(err, envelope.ErrWrongKey):
		return errorf(http.StatusInternalServerError, codeInternal, "the ruleset is encrypted and this server has no (or the wrong) key for it")
	}
	return errorf(http.StatusInternalServerError, codeInternal, "internal error; see the server log")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v) // the client went away; nothing to do
}
