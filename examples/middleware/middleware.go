package main

import (
	"context"
	"net/http"
	"strings"

	"github.com/cairnflags/cairn/sdk"
)

// contextKey keys the evaluation context in a request's context.
type contextKey struct{}

// Flags is net/http middleware that builds one evaluation context per request
// (the user from the X-User-ID header, else anonymous, plus attributes every
// flag may target) and puts it in the request's context for handlers to use
// with FlagContext. Building it once per request, not per flag, keeps
// evaluation allocation-free.
func Flags(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user := r.Header.Get("X-User-ID")
		attrs := map[string]any{
			"path":       r.URL.Path,
			"user_agent": r.UserAgent(),
			"anonymous":  user == "",
		}
		if c := r.Header.Get("X-Country"); c != "" {
			attrs["country"] = strings.ToUpper(c)
		}
		if email := r.Header.Get("X-User-Email"); email != "" {
			attrs["email"] = email
		}
		ec := sdk.NewContext(user, attrs)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), contextKey{}, ec)))
	})
}

// FlagContext returns the evaluation context Flags built for the request,
// or an anonymous one outside the middleware.
func FlagContext(ctx context.Context) *sdk.Context {
	if ec, ok := ctx.Value(contextKey{}).(*sdk.Context); ok {
		return ec
	}
	return sdk.NewContext("", nil)
}
