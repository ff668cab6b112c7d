// Command middleware is a web server whose handlers decide with Cairn flags,
// through net/http middleware that builds the evaluation context once per
// request.
//
//	bash scripts/quickstart.sh   # or any published ruleset
//	go run ./examples/middleware -url http://127.0.0.1:8080/production/ruleset.json
//	curl -H 'X-User-ID: user-7' http://127.0.0.1:8081/checkout
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/cairnflags/cairn/sdk"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	url := flag.String("url", "http://127.0.0.1:8080/production/ruleset.json", "published ruleset to poll")
	addr := flag.String("addr", "127.0.0.1:8081", "address to serve on")
	flag.Parse()

	client, err := sdk.New(*url, sdk.WithLogger(slog.Default()))
	if err != nil {
		slog.Error("flags", "err", err)
		os.Exit(1)
	}
	defer client.Close()
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", *addr)
	if err != nil {
		slog.Error("listen", "err", err)
		os.Exit(1)
	}
	slog.Info("serving", "addr", ln.Addr().String())
	if err := serve(ctx, ln, client); err != nil {
		slog.Error("serve", "err", err)
	}
}

// serve runs the application on ln until ctx ends.
func serve(ctx context.Context, ln net.Listener, client *sdk.Client) error {
	srv := &http.Server{Handler: routes(client), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// routes is the application: the checkout page picks its layout with the
// new-checkout flag.
func routes(client *sdk.Client) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /checkout", func(w http.ResponseWriter, r *http.Request) {
		ec := FlagContext(r.Context())
		if client.Bool("new-checkout", ec, false) {
			fmt.Fprintln(w, "one-page checkout")
			return
		}
		fmt.Fprintln(w, "classic checkout")
	})
	return Flags(mux)
}
