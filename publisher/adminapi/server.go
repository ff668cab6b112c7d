// Package adminapi is Cairn's HTTP admin API: the operations of the cairn
// CLI (list, read, toggle, roll out, serve, publish a flag directory, diff,
// roll back, history) over JSON, with bearer tokens scoped per environment
// and an audit trail kept in the store beside the rulesets.
//
// Changes go through publisher.Publisher exactly as the CLI's do: the same
// protocol, validation, out-of-band records and drift guard. The API keeps
// no state of its own; any number of servers may share a store.
//
// The routes are listed in openapi.json (OpenAPI 3.1), served at
// /openapi.json.
package adminapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/cairnflags/cairn/publisher"
)

// Limits on request bodies.
const (
	// DefaultMaxBody bounds the JSON body of every request but publish.
	DefaultMaxBody = 64 << 10
	// DefaultMaxUpload bounds a publish request's body (the flag files).
	DefaultMaxUpload = 16 << 20
	// DefaultRetries is how many times a change is re-read and re-applied
	// after losing a race to another publisher.
	DefaultRetries = 5
)

// Config is what a Server needs. Publisher, Store and Tokens are
// required.
type Config struct {
	// Publisher makes every change; configure its signing and encryption
	// keys there.
	Publisher *publisher.Publisher
	// Store is the publisher's store, where the audit trail is kept and
	// environments are listed.
	Store  publisher.Store
	Tokens *Tokens
	// Logger hears every request's outcome; nil discards.
	Logger *slog.Logger
	// Now stamps audit records; nil means time.Now.
	Now func() time.Time
	// MaxBody and MaxUpload override DefaultMaxBody and DefaultMaxUpload.
	MaxBody, MaxUpload int64
	// Retries overrides DefaultRetries.
	Retries int
	// Tool is recorded as the source tool of publishes; default
	// "cairn-admin-api".
	Tool string
}

// Server serves the admin API. It is safe for concurrent use.
type Server struct {
	cfg Config
	log *slog.Logger
	mux *http.ServeMux
}

// access is what a route needs from the caller's token.
type access int

const (
	public access = iota // no token (the OpenAPI document)
	read                 // any valid token
	write                // a token that may write the {env} of the path
)

// route is one endpoint; routes() is the single list that the mux is
// built from and the OpenAPI test checks.
type route struct {
	method, path string
	access       access
	handle       func(s *Server, w http.ResponseWriter, r *http.Request, who *Token) error
}

func routes() []route {
	return []route{
		{"GET", "/openapi.json", public, (*Server).openAPI},
		{"GET", "/v1/environments", read, (*Server).listEnvironments},
		{"GET", "/v1/environments/{env}", read, (*Server).getEnvironment},
		{"GET", "/v1/environments/{env}/flags", read, (*Server).listFlags},
		{"GET", "/v1/environments/{env}/flags/{flag}", read, (*Server).getFlag},
		{"POST", "/v1/environments/{env}/flags/{flag}/toggle", write, (*Server).toggle},
		{"POST", "/v1/environments/{env}/flags/{flag}/rollout", write, (*Server).rollout},
		{"POST", "/v1/environments/{env}/flags/{flag}/serve", write, (*Server).serve},
		{"GET", "/v1/environments/{env}/versions", read, (*Server).listVersions},
		{"GET", "/v1/environments/{env}/versions/{version}", read, (*Server).getVersion},
		{"GET", "/v1/environments/{env}/diff", read, (*Server).diff},
		{"POST", "/v1/environments/{env}/rollback", write, (*Server).rollback},
		{"POST", "/v1/environments/{env}/publish", write, (*Server).publish},
		{"GET", "/v1/environments/{env}/audit", read, (*Server).listAudit},
	}
}

// New checks cfg and returns a Server.
func New(cfg Config) (*Server, error) {
	if cfg.Publisher == nil || cfg.Store == nil || cfg.Tokens == nil || len(cfg.Tokens.list) == 0 {
		return nil, errors.New("admin api: Publisher, Store and Tokens are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.MaxUpload <= 0 {
		cfg.MaxUpload = DefaultMaxUpload
	}
	if cfg.Retries <= 0 {
		cfg.Retries = DefaultRetries
	}
	if cfg.Tool == "" {
		cfg.Tool = "cairn-admin-api"
	}
	s := &Server{cfg: cfg, log: cfg.Logger, mux: http.NewServeMux()}
	for _, rt := range routes() {
		s.mux.Handle(rt.method+" "+rt.path, s.wrap(rt))
	}
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, ErrorBody{APIError{Code: codeNotFound, Message: "no such endpoint; see /openapi.json"}})
	})
	return s, nil
}

// ServeHTTP serves the API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// wrap authenticates and authorises a request for rt, runs it, and turns
// its error into a JSON response.
func (s *Server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var who *Token
		err := func() error {
			if rt.access == public {
				return rt.handle(s, w, r, nil)
			}
			secret, ok := bearer(r)
			if !ok {
				w.Header().Set("WWW-Authenticate", `Bearer realm="cairn"`)
				return errorf(http.StatusUnauthorized, codeUnauthorized, "missing bearer token (Authorization: Bearer TOKEN)")
			}
			if who = s.cfg.Tokens.lookup(secret); who == nil {
				w.Header().Set("WWW-Authenticate", `Bearer realm="cairn", error="invalid_token"`)
				return errorf(http.StatusUnauthorized, codeUnauthorized, "unknown token")
			}
			if env := r.PathValue("env"); rt.access == write && !who.CanWrite(env) {
				return errorf(http.StatusForbidden, codeForbidden, fmt.Sprintf("token %q may not change environment %q", who.Name, env))
			}
			return rt.handle(s, w, r, who)
		}()
		if err == nil {
			return
		}
		he := classify(err)
		attrs := []any{"method", r.Method, "path", r.URL.Path, "status", he.status}
		if who != nil {
			attrs = append(attrs, "token", who.Name)
		}
		if he.status >= 500 {
			s.log.ErrorContext(r.Context(), "admin api request failed", append(attrs, "err", err)...)
		} else {
			s.log.InfoContext(r.Context(), "admin api request refused", append(attrs, "err", err)...)
		}
		writeJSON(w, he.status, ErrorBody{he.body})
	})
}

// decodeBody reads r's JSON body into v: at most limit bytes, one value,
// no unknown fields.
func decodeBody(w http.ResponseWriter, r *http.Request, limit int64, v any) error {
	body := http.MaxBytesReader(w, r.Body, limit)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return errorf(http.StatusBadRequest, codeBadRequest, "request body: "+err.Error())
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errorf(http.StatusBadRequest, codeBadRequest, "request body: more than one JSON value")
	}
	return nil
}

// retry runs change until it does not lose a race to another publisher,
// at most cfg.Retries+1 times. Each attempt re-reads the current ruleset,
// so a change is re-applied on top of whatever won.
func (s *Server) retry(ctx context.Context, change func() (publisher.Result, error)) (publisher.Result, error) {
	for attempt := 0; ; attempt++ {
		res, err := change()
		if !errors.Is(err, publisher.ErrConflict) || attempt >= s.cfg.Retries {
			return res, err
		}
		// Jittered, growing pause so that racing servers spread out.
		d := time.Duration(10<<attempt)*time.Millisecond + rand.N(10*time.Millisecond)
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return res, ctx.Err()
		case <-t.C:
		}
	}
}
