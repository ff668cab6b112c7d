package adminapi

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cairnflags/cairn/publisher"
	"github.com/cairnflags/cairn/publisher/diff"
	"github.com/cairnflags/cairn/ruleset"
)

// EnvironmentJSON summarises an environment's current ruleset.
type EnvironmentJSON struct {
	Name        string         `json:"name"`
	Version     int64          `json:"version"`
	PublishedAt time.Time      `json:"published_at"`
	Source      ruleset.Source `json:"source"`
	Flags       int            `json:"flags"`
	Segments    int            `json:"segments"`
}

// FlagSummary is one flag in a listing.
type FlagSummary struct {
	Key         string           `json:"key"`
	Type        ruleset.FlagType `json:"type"`
	Enabled     bool             `json:"enabled"`
	Description string           `json:"description,omitempty"`
	Default     string           `json:"default"`
	Rules       int              `json:"rules"`
}

func (s *Server) listEnvironments(w http.ResponseWriter, r *http.Request, _ *Token) error {
	keys, err := s.cfg.Store.List(r.Context(), "")
	if err != nil {
		return err
	}
	names := []string{}
	for _, k := range keys {
		if env, ok := strings.CutSuffix(k, "/ruleset.json"); ok && !strings.Contains(env, "/") {
			names = append(names, env)
		}
	}
	slices.Sort(names)
	writeJSON(w, http.StatusOK, map[string]any{"environments": names})
	return nil
}

func (s *Server) getEnvironment(w http.ResponseWriter, r *http.Request, _ *Token) error {
	doc, err := s.cfg.Publisher.Current(r.Context(), r.PathValue("env"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, EnvironmentJSON{
		Name: doc.Environment, Version: doc.Version, PublishedAt: doc.PublishedAt, Source: doc.Source,
		Flags: len(doc.Flags), Segments: len(doc.Segments),
	})
	return nil
}

func (s *Server) listFlags(w http.ResponseWriter, r *http.Request, _ *Token) error {
	doc, err := s.cfg.Publisher.Current(r.Context(), r.PathValue("env"))
	if err != nil {
		return err
	}
	out := make([]FlagSummary, 0, len(doc.Flags))
	for _, f := range doc.Flags {
		out = append(out, FlagSummary{
			Key: f.Key, Type: f.Type, Enabled: f.Enabled, Description: f.Description,
			Default: diff.DescribeServe(f.Default), Rules: len(f.Rules),
		})
	}
	slices.SortFunc(out, func(a, b FlagSummary) int { return strings.Compare(a.Key, b.Key) })
	writeJSON(w, http.StatusOK, map[string]any{"environment": doc.Environment, "version": doc.Version, "flags": out})
	return nil
}

func (s *Server) getFlag(w http.ResponseWriter, r *http.Request, _ *Token) error {
	doc, err := s.cfg.Publisher.Current(r.Context(), r.PathValue("env"))
	if err != nil {
		return err
	}
	f, ok := doc.Flags[r.PathValue("flag")]
	if !ok {
		return errorf(http.StatusNotFound, codeNotFound, "flag "+r.PathValue("flag")+" is not in the "+doc.Environment+" ruleset")
	}
	writeJSON(w, http.StatusOK, map[string]any{"environment": doc.Environment, "version": doc.Version, "flag": f})
	return nil
}

// VersionJSON is one entry of the history.
type VersionJSON struct {
	Version     int64          `json:"version"`
	PublishedAt time.Time      `json:"published_at"`
	Source      ruleset.Source `json:"source"`
	Current     bool           `json:"current"`
	Flags       int            `json:"flags"`
	Segments    int            `json:"segments"`
}

func (s *Server) listVersions(w http.ResponseWriter, r *http.Request, _ *Token) error {
	limit, err := queryInt(r, "limit", 50, 1, 1000)
	if err != nil {
		return err
	}
	hist, err := s.cfg.Publisher.History(r.Context(), r.PathValue("env"), int(limit))
	if err != nil {
		return err
	}
	out := make([]VersionJSON, len(hist))
	for i, h := range hist {
		out[i] = VersionJSON{Version: h.Version, PublishedAt: h.PublishedAt, Source: h.Source, Current: h.Current, Flags: h.Flags, Segments: h.Segments}
	}
	writeJSON(w, http.StatusOK, map[string]any{"environment": r.PathValue("env"), "versions": out})
	return nil
}

func (s *Server) getVersion(w http.ResponseWriter, r *http.Request, _ *Token) error {
	v, err := strconv.ParseInt(r.PathValue("version"), 10, 64)
	if err != nil || v < 1 {
		return errorf(http.StatusBadRequest, codeBadRequest, "version must be a positive integer")
	}
	doc, err := s.cfg.Publisher.Get(r.Context(), r.PathValue("env"), v)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, doc)
	return nil
}

// DiffJSON is a diff between two rulesets: the structured report and the
// text the CLI prints.
type DiffJSON struct {
	From   int64       `json:"from"`
	To     int64       `json:"to"`
	Empty  bool        `json:"empty"`
	Report diff.Report `json:"report"`
	Text   string      `json:"text"`
}

func diffJSON(rep diff.Report) DiffJSON {
	return DiffJSON{From: rep.From, To: rep.To, Empty: rep.Empty(), Report: rep, Text: rep.String()}
}

// diff compares two versions; ?to defaults to the current one.
func (s *Server) diff(w http.ResponseWriter, r *http.Request, _ *Token) error {
	env := r.PathValue("env")
	from, err := queryInt(r, "from", 0, 1, 1<<62)
	if err != nil {
		return err
	}
	if from == 0 {
		return errorf(http.StatusBadRequest, codeBadRequest, "query parameter from is required")
	}
	to, err := queryInt(r, "to", 0, 1, 1<<62)
	if err != nil {
		return err
	}
	a, err := s.cfg.Publisher.Get(r.Context(), env, from)
	if err != nil {
		return err
	}
	var b *ruleset.Document
	if to == 0 {
		b, err = s.cfg.Publisher.Current(r.Context(), env)
	} else {
		b, err = s.cfg.Publisher.Get(r.Context(), env, to)
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, diffJSON(diff.Compare(a, b, s.cfg.Now())))
	return nil
}

// queryInt reads an optional integer query parameter within [lo, hi];
// def when absent.
func queryInt(r *http.Request, name string, def, lo, hi int64) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < lo || n > hi {
		return 0, errorf(http.StatusBadRequest, codeBadRequest, "query parameter "+name+" must be an integer from "+strconv.FormatInt(lo, 10)+" to "+strconv.FormatInt(hi, 10))
	}
	return n, nil
}

// resultJSON is the answer to every change.
type resultJSON struct {
	Environment string    `json:"environment"`
	Version     int64     `json:"version"`
	Previous    int64     `json:"previous"`
	Unchanged   bool      `json:"unchanged"`
	Change      string    `json:"change,omitempty"`
	Diff        *DiffJSON `json:"diff,omitempty"`
	// AuditError is set when the change was published but its audit
	// record could not be written.
	AuditError       string   `json:"audit_error,omitempty"`
	ClearedOutOfBand []string `json:"cleared_out_of_band,omitempty"`
	Overwritten      []string `json:"overwritten,omitempty"`
}

func newResult(res publisher.Result, change string) resultJSON {
	return resultJSON{
		Environment: res.Environment, Version: res.Version, Previous: res.Previous, Unchanged: res.Unchanged, Change: change,
		ClearedOutOfBand: res.ClearedOutOfBand, Overwritten: res.Overwritten,
	}
}
