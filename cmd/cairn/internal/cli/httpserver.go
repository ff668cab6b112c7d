package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
)

// runHTTP runs serve (srv.Serve or srv.ServeTLS on a listener) until it
// fails or ctx is done, then shuts srv down gracefully within
// shutdownGrace. name prefixes errors.
func runHTTP(ctx context.Context, log *slog.Logger, name string, srv *http.Server, serve func() error) error {
	errc := make(chan error, 1)
	go func() { errc <- serve() }()
	select {
	case err := <-errc:
		return fmt.Errorf("%s: %w", name, err)
	case <-ctx.Done():
	}
	log.Info("shutting down", "grace", shutdownGrace)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("%s: shutdown: %w", name, err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}
