package cli

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/cairnflags/cairn/publisher/origin"
)

// shutdownGrace is how long serve lets requests in flight finish after
// SIGINT or SIGTERM.
const shutdownGrace = 10 * time.Second

type serveOptions struct {
	Root string
	Addr string
}

func newServeCmd(e Env, runF func(*serveOptions) error) *cobra.Command {
	opts := &serveOptions{}
	cmd := &cobra.Command{
		Use:   "serve [ROOT] [--addr 127.0.0.1:8080]",
		Short: "Serve a published directory as a CDN origin would",
		Long: `Serve the tree that publish wrote to a directory (ROOT, default: the
working directory) over HTTP, as an object store behind a CDN would: each
ruleset with the Content-Type and Cache-Control it was published with, a
strong ETag, 304 Not Modified for If-None-Match, gzip for clients that
accept it, HEAD. Nothing outside ROOT is ever served, nor the store's own
.cairn files. Every request is logged to standard error. SIGINT or SIGTERM
stops it gracefully.

Point an SDK at http://ADDR/<env>/ruleset.json.`,
		Example: `  cairn publish flags --env development --to file:///tmp/cairn-site
  cairn serve /tmp/cairn-site --addr 127.0.0.1:8080
  curl -si http://127.0.0.1:8080/development/ruleset.json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Root = dirArg(args)
			if runF != nil {
				return runF(opts)
			}
			return runServe(e, opts, cmd)
		},
	}
	cmd.Flags().StringVar(&opts.Addr, "addr", "127.0.0.1:8080", "address to listen on (host:port; port 0 picks a free one)")
	return cmd
}

func runServe(e Env, opts *serveOptions, cmd *cobra.Command) error {
	ctx := cmd.Context()
	tree, err := origin.OpenTree(opts.Root)
	if err != nil {
		return usagef("%v", err)
	}
	defer tree.Close()

	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", opts.Addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	log := slog.New(slog.NewTextHandler(e.Stderr, nil))
	srv := &http.Server{
		Handler:           origin.Handler(tree, log),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	addr := ln.Addr().String()
	fmt.Fprintf(cmd.OutOrStdout(), "serving %s on http://%s/\n", tree.Root(), addr)
	if e.Listening != nil {
		e.Listening(addr)
	}

	return runHTTP(ctx, log, "serve", srv, func() error { return srv.Serve(ln) })
}
