package adminapi

import (
	"fmt"
	"math"
	"net/http"

	"github.com/cairnflags/cairn/publisher"
	"github.com/cairnflags/cairn/publisher/diff"
	"github.com/cairnflags/cairn/ruleset"
)

// ToggleRequest switches a flag on or off.
type ToggleRequest struct {
	Enabled *bool `json:"enabled"`
}

// RolloutRequest serves Variation to Percent of users (0-100, at most two
// decimals) and Rest to everyone else. For a boolean flag they default to
// its true and false variations; with two variations Rest defaults to the
// other one.
type RolloutRequest struct {
	Percent   *float64 `json:"percent"`
	Variation string   `json:"variation,omitempty"`
	Rest      string   `json:"rest,omitempty"`
}

// ServeRequest serves one variation to everyone no rule matches.
type ServeRequest struct {
	Variation string `json:"variation"`
}

// RollbackRequest republishes Version's content as a new version.
type RollbackRequest struct {
	Version int64  `json:"version"`
	Message string `json:"message,omitempty"`
}

func (s *Server) toggle(w http.ResponseWriter, r *http.Request, who *Token) error {
	var req ToggleRequest
	if err := decodeBody(w, r, s.cfg.MaxBody, &req); err != nil {
		return err
	}
	if req.Enabled == nil {
		return errorf(http.StatusBadRequest, codeBadRequest, "enabled (true or false) is required")
	}
	env, flag := r.PathValue("env"), r.PathValue("flag")
	change := fmt.Sprintf("enabled=%t", *req.Enabled)
	res, err := s.retry(r.Context(), func() (publisher.Result, error) {
		return s.cfg.Publisher.Toggle(r.Context(), env, flag, *req.Enabled, who.Name)
	})
	return s.answer(w, r, who, "toggle", flag, change, res, err)
}

func (s *Server) rollout(w http.ResponseWriter, r *http.Request, who *Token) error {
	var req RolloutRequest
	if err := decodeBody(w, r, s.cfg.MaxBody, &req); err != nil {
		return err
	}
	buckets, err := percentBuckets(req.Percent)
	if err != nil {
		return err
	}
	return s.editServe(w, r, who, "rollout", func(f ruleset.Flag) (ruleset.Serve, error) {
		serve, err := ruleset.RolloutServe(f, buckets, req.Variation, req.Rest)
		if err != nil {
			return serve, unprocessable(err.Error())
		}
		return serve, nil
	})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request, who *Token) error {
	var req ServeRequest
	if err := decodeBody(w, r, s.cfg.MaxBody, &req); err != nil {
		return err
	}
	if req.Variation == "" {
		return errorf(http.StatusBadRequest, codeBadRequest, "variation is required")
	}
	return s.editServe(w, r, who, "serve", func(f ruleset.Flag) (ruleset.Serve, error) {
		serve, err := ruleset.VariationServe(f, req.Variation)
		if err != nil {
			return serve, unprocessable(err.Error())
		}
		return serve, nil
	})
}

// editServe replaces a flag's default serve with what build makes of the
// flag as currently published, re-reading it on every retry, as the CLI
// does: SetServe records the same out-of-band edit.
func (s *Server) editServe(w http.ResponseWriter, r *http.Request, who *Token, action string, build func(ruleset.Flag) (ruleset.Serve, error)) error {
	env, flag := r.PathValue("env"), r.PathValue("flag")
	var change string
	res, err := s.retry(r.Context(), func() (publisher.Result, error) {
		cur, err := s.cfg.Publisher.Current(r.Context(), env)
		if err != nil {
			return publisher.Result{}, err
		}
		f, ok := cur.Flags[flag]
		if !ok {
			return publisher.Result{}, errorf(http.StatusNotFound, codeNotFound, "flag "+flag+" is not in the "+env+" ruleset")
		}
		serve, err := build(f)
		if err != nil {
			return publisher.Result{}, err
		}
		change = "default=" + diff.DescribeServe(serve)
		return s.cfg.Publisher.SetServe(r.Context(), env, flag, serve, who.Name)
	})
	return s.answer(w, r, who, action, flag, change, res, err)
}

// answer records a change in the audit trail and writes the response.
func (s *Server) answer(w http.ResponseWriter, r *http.Request, who *Token, action, flag, change string, res publisher.Result, err error) error {
	if err != nil {
		return err
	}
	out := newResult(res, change)
	s.record(r, who, action, flag, change, res, &out)
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) rollback(w http.ResponseWriter, r *http.Request, who *Token) error {
	var req RollbackRequest
	if err := decodeBody(w, r, s.cfg.MaxBody, &req); err != nil {
		return err
	}
	if req.Version < 1 {
		return errorf(http.StatusBadRequest, codeBadRequest, "version must be a positive integer")
	}
	if len(req.Message) > 1000 {
		return errorf(http.StatusBadRequest, codeBadRequest, "message longer than 1000 characters")
	}
	env := r.PathValue("env")
	src := ruleset.Source{Author: who.Name, Tool: s.cfg.Tool, Message: req.Message}
	res, err := s.retry(r.Context(), func() (publisher.Result, error) {
		return s.cfg.Publisher.Rollback(r.Context(), env, req.Version, src)
	})
	return s.answer(w, r, who, "rollback", "", fmt.Sprintf("rolled back to version %d", req.Version), res, err)
}

// percentBuckets turns a percentage with at most two decimals into
// buckets of 0.01%.
func percentBuckets(p *float64) (int, error) {
	if p == nil {
		return 0, errorf(http.StatusBadRequest, codeBadRequest, "percent (0 to 100) is required")
	}
	b := math.Round(*p * 100)
	if *p < 0 || *p > 100 || math.Abs(*p*100-b) > 1e-6 {
		return 0, errorf(http.StatusBadRequest, codeBadRequest, fmt.Sprintf("percent %v: want 0 to 100 with at most two decimals", *p))
	}
	return int(b), nil
}

func unprocessable(msg string) error { return errorf(http.StatusUnprocessableEntity, codeInvalid, msg) }
