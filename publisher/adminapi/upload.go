package adminapi

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"slices"
	"strings"

	"github.com/cairnflags/cairn/publisher"
	"github.com/cairnflags/cairn/publisher/diff"
	"github.com/cairnflags/cairn/ruleset"
)

// maxUploadFiles bounds the files of one publish request.
const maxUploadFiles = 1000

// PublishRequest publishes a flag directory, given as file name → content
// (names relative to the directory, with slashes, such as "cairn.yaml" and
// "payments/checkout.yaml"), exactly as `cairn publish DIR` would: the
// files are validated together, compiled for the environment, and
// published. Commit and Message are recorded in the ruleset's source.
type PublishRequest struct {
	Files   map[string]string `json:"files"`
	Commit  string            `json:"commit,omitempty"`
	Message string            `json:"message,omitempty"`
	// Overwrite undoes out-of-band edits the files disagree with; without
	// it such a publish is refused with 409 and the flags named.
	Overwrite bool `json:"overwrite,omitempty"`
	// DryRun validates and diffs against the current ruleset, and
	// publishes nothing.
	DryRun bool `json:"dry_run,omitempty"`
}

func (s *Server) publish(w http.ResponseWriter, r *http.Request, who *Token) error {
	var req PublishRequest
	if err := decodeBody(w, r, s.cfg.MaxUpload, &req); err != nil {
		return err
	}
	if len(req.Commit) > 200 || len(req.Message) > 1000 {
		return errorf(http.StatusBadRequest, codeBadRequest, "commit (200) or message (1000 characters) too long")
	}
	env := r.PathValue("env")
	proj, err := project(req.Files)
	if err != nil {
		return err
	}
	if !slices.Contains(proj.Environments(), env) {
		return unprocessable(fmt.Sprintf("environment %q is not in the project file (have: %s)", env, strings.Join(proj.Environments(), ", ")))
	}
	src := ruleset.Source{Kind: ruleset.SourceGit, Commit: req.Commit, Author: who.Name, Tool: s.cfg.Tool, Message: req.Message}
	doc, err := proj.Compile(env, src)
	if err != nil {
		return unprocessable(err.Error())
	}
	cur, err := s.cfg.Publisher.Current(r.Context(), env)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		cur = nil // the first publish
	case err != nil:
		return err
	}
	rep := diffJSON(diff.Compare(cur, doc, s.cfg.Now()))
	if req.DryRun {
		out := resultJSON{Environment: env, Unchanged: rep.Empty, Diff: &rep}
		if cur != nil {
			out.Version, out.Previous = cur.Version, cur.Version
		}
		writeJSON(w, http.StatusOK, out)
		return nil
	}
	res, err := s.retry(r.Context(), func() (publisher.Result, error) {
		return s.cfg.Publisher.Publish(r.Context(), doc, publisher.PublishOptions{Overwrite: req.Overwrite})
	})
	if err != nil {
		return err
	}
	out := newResult(res, req.Message)
	rep.To = res.Version
	out.Diff = &rep
	s.record(r, who, "publish", "", req.Message, res, &out)
	writeJSON(w, http.StatusOK, out)
	return nil
}

// project validates uploaded files as LoadProject validates a directory:
// every problem of every file, located by file, line and column.
func project(files map[string]string) (*ruleset.Project, error) {
	if len(files) == 0 {
		return nil, errorf(http.StatusBadRequest, codeBadRequest, "files is required: file name -> content")
	}
	if len(files) > maxUploadFiles {
		return nil, errorf(http.StatusBadRequest, codeBadRequest, fmt.Sprintf("more than %d files", maxUploadFiles))
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	var parsed []*ruleset.FlagFile
	var problems ruleset.Problems
	for _, name := range names {
		if err := checkFileName(name); err != nil {
			problems = append(problems, ruleset.Problem{File: name, Message: err.Error()})
			continue
		}
		data := files[name]
		if len(data) > ruleset.MaxFlagFileSize {
			problems = append(problems, ruleset.Problem{File: name, Message: fmt.Sprintf("file is %d bytes, more than the limit of %d", len(data), ruleset.MaxFlagFileSize)})
			continue
		}
		f, err := ruleset.ParseFile(name, []byte(data))
		var ps ruleset.Problems
		switch {
		case errors.As(err, &ps):
			problems = append(problems, ps...)
		case err != nil:
			problems = append(problems, ruleset.Problem{File: name, Message: err.Error()})
		default:
			parsed = append(parsed, f)
		}
	}
	if len(problems) > 0 {
		return nil, problems
	}
	return ruleset.NewProject(parsed...)
}

// checkFileName accepts the names LoadProject would read from a
// directory: relative slash paths without empty, "." or ".." segments,
// no hidden files, and a flag-file extension.
func checkFileName(name string) error {
	if name == "" || len(name) > 512 || strings.ContainsAny(name, "\\\x00") || path.Clean(name) != name || path.IsAbs(name) {
		return errors.New("file name must be a clean relative path with forward slashes")
	}
	for seg := range strings.SplitSeq(name, "/") {
		if seg == ".." || strings.HasPrefix(seg, ".") {
			return errors.New("file name must not contain .. or hidden segments")
		}
	}
	if !ruleset.IsFlagFileName(name) {
		return errors.New("not a flag file (.yaml, .yml or .json)")
	}
	return nil
}
