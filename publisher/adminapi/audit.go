package adminapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cairnflags/cairn/publisher"
)

// AuditRecord is one change made through the API, stored as
// <env>/audit/<time>-<version>.json in the publisher's store: beside the
// rulesets, so the trail outlives any API server and every server writing
// to the store adds to the same one.
type AuditRecord struct {
	At          time.Time `json:"at"`
	Environment string    `json:"environment"`
	// Who is the name of the token that made the change.
	Who string `json:"who"`
	// Action is toggle, rollout, serve, rollback or publish.
	Action string `json:"action"`
	Flag   string `json:"flag,omitempty"`
	// Change describes the change for people, as the out-of-band record
	// does.
	Change string `json:"change,omitempty"`
	// Before and After are the versions current before and after.
	Before int64 `json:"before"`
	After  int64 `json:"after"`
	// RemoteAddr is the client's address as the server saw it.
	RemoteAddr string `json:"remote_addr,omitempty"`
}

// auditCacheControl keeps audit records out of shared caches: the store
// may sit behind a public CDN.
const auditCacheControl = "private, no-store"

// AuditPrefix is the prefix of env's audit records.
func AuditPrefix(env string) string { return env + "/audit/" }

// auditKey sorts records by time: a fixed-width UTC timestamp first, then
// the version, which is unique per environment, so two writers never
// pick the same key.
func auditKey(rec AuditRecord) string {
	return fmt.Sprintf("%s%s-%d.json", AuditPrefix(rec.Environment), rec.At.UTC().Format("20060102T150405.000000000Z"), rec.After)
}

// audit writes rec if-not-exists. A failure is returned for the response
// to report; the change itself has been published and stays.
func (s *Server) audit(ctx context.Context, rec AuditRecord) error {
	data, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	key := auditKey(rec)
	opts := publisher.PutOptions{IfNotExists: true}
	opts.ContentType, opts.CacheControl = "application/json", auditCacheControl
	if _, err := s.cfg.Store.Put(ctx, key, append(data, '\n'), opts); err != nil {
		return fmt.Errorf("audit %s: %w", key, err)
	}
	s.log.InfoContext(ctx, "admin api change", "environment", rec.Environment, "who", rec.Who, "action", rec.Action,
		"flag", rec.Flag, "change", rec.Change, "before", rec.Before, "after", rec.After)
	return nil
}

// record audits a published change and fills in the result's AuditError.
// Unchanged results are not changes and are not recorded.
func (s *Server) record(r *http.Request, who *Token, action, flag, change string, res publisher.Result, out *resultJSON) {
	if res.Unchanged {
		return
	}
	rec := AuditRecord{
		At: s.cfg.Now().UTC(), Environment: res.Environment, Who: who.Name, Action: action,
		Flag: flag, Change: change, Before: res.Previous, After: res.Version, RemoteAddr: r.RemoteAddr,
	}
	if err := s.audit(r.Context(), rec); err != nil {
		s.log.ErrorContext(r.Context(), "audit record not written; the change was published", "err", err)
		out.AuditError = "the change was published but its audit record could not be written; see the server log"
	}
}

// listAudit returns env's newest records first; ?limit bounds them.
func (s *Server) listAudit(w http.ResponseWriter, r *http.Request, _ *Token) error {
	env := r.PathValue("env")
	limit, err := queryInt(r, "limit", 100, 1, 1000)
	if err != nil {
		return err
	}
	if env == "" || strings.Contains(env, "/") || publisher.CheckKey(env) != nil {
		return errorf(http.StatusBadRequest, codeBadRequest, "bad environment name")
	}
	keys, err := s.cfg.Store.List(r.Context(), AuditPrefix(env))
	if err != nil {
		return err
	}
	slices.Reverse(keys)
	if len(keys) > int(limit) {
		keys = keys[:limit]
	}
	recs := make([]AuditRecord, len(keys))
	errs := make([]error, len(keys))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i, k := range keys {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			obj, err := s.cfg.Store.Get(r.Context(), k)
			if err == nil {
				err = json.Unmarshal(obj.Body, &recs[i])
			}
			if err != nil {
				errs[i] = fmt.Errorf("audit record %s: %w", k, err)
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"environment": env, "records": recs})
	return nil
}
