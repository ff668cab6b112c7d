package cli

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/cairnflags/cairn/publisher"
	"github.com/cairnflags/cairn/publisher/adminapi"
	"github.com/cairnflags/cairn/ruleset/envelope"
)

// envAdminTokens may hold the admin API's tokens, whitespace-separated, in
// place of --tokens.
const envAdminTokens = "CAIRN_ADMIN_TOKENS"

type adminServeOptions struct {
	To          string
	Addr        string
	Tokens      string
	TLSCert     string
	TLSKey      string
	SignKey     string
	EncryptKeys []string
}

func newAdminCmd(e Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "admin",
		Short: "Run the HTTP admin API",
	}
	cmd.AddCommand(newAdminServeCmd(e, nil))
	return cmd
}

func newAdminServeCmd(e Env, runF func(*adminServeOptions) error) *cobra.Command {
	opts := &adminServeOptions{}
	cmd := &cobra.Command{
		Use:   "serve --to URL --tokens FILE [--addr 127.0.0.1:8081] [--tls-cert FILE --tls-key FILE]",
		Short: "Serve the admin API over the rulesets published at URL",
		Long: `Serve the admin API: list environments, flags and versions; read a flag;
toggle, roll out or serve a variation (out-of-band edits, exactly as cairn
flag … --to makes them); publish a flag directory; diff; roll back; read
the audit trail. Its OpenAPI 3.1 document is at /openapi.json.

Every request needs a bearer token from --tokens FILE (or ` + envAdminTokens + `),
one per line:

  NAME:SECRET:read                       read every environment
  NAME:SECRET:write=production,staging   read all, change these
  NAME:sha256=HEX:read                   the secret given by its SHA-256

Every change is recorded under <env>/audit/ in the store, with the token's
name. Give --sign-key (or CAIRN_SIGN_KEY) when the rulesets are signed,
and --encrypt-key [ENV=]FILE for encrypted environments. Serve over TLS
with --tls-cert and --tls-key, or behind a TLS-terminating proxy; bearer
tokens must never cross a network in clear. SIGINT or SIGTERM stops it
gracefully.`,
		Example: `  cairn admin serve --to gs://acme-flags/shop --tokens /etc/cairn/tokens --sign-key /etc/cairn/ci.key
  curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8081/v1/environments`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runAdminServe(e, opts, cmd)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.To, "to", "", "URL the rulesets are published at (required)")
	f.StringVar(&opts.Addr, "addr", "127.0.0.1:8081", "address to listen on (host:port; port 0 picks a free one)")
	f.StringVar(&opts.Tokens, "tokens", "", "token file (or set "+envAdminTokens+")")
	f.StringVar(&opts.TLSCert, "tls-cert", "", "TLS certificate file (PEM)")
	f.StringVar(&opts.TLSKey, "tls-key", "", "TLS private key file (PEM)")
	f.StringVar(&opts.SignKey, "sign-key", "", "sign what is published with this Ed25519 private key file (or set "+envSignKey+")")
	f.StringArrayVar(&opts.EncryptKeys, "encrypt-key", nil, "AES-256 key file for encrypted environments, ENV=FILE or FILE for all (repeatable; or set "+envEncryptKey+")")
	cmd.MarkFlagRequired("to")
	cmd.MarkFlagsRequiredTogether("tls-cert", "tls-key")
	return cmd
}

func runAdminServe(e Env, opts *adminServeOptions, cmd *cobra.Command) error {
	ctx := cmd.Context()
	tokens, err := adminTokens(e, opts.Tokens)
	if err != nil {
		return err
	}
	popts, err := keyOptions(e, keyFlags{SignKey: opts.SignKey})
	if err != nil {
		return err
	}
	for _, spec := range opts.EncryptKeys {
		env, path, ok := strings.Cut(spec, "=")
		if !ok {
			env, path = "", spec
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return usagef("--encrypt-key: %v", err)
		}
		k, err := envelope.ParseEncryptionKey(data)
		if err != nil {
			return usagef("--encrypt-key %s: %v", path, err)
		}
		popts = append(popts, publisher.WithEncryptionKey(env, k))
	}
	t, err := openTarget(ctx, e, opts.To, popts...)
	if err != nil {
		return err
	}
	defer t.Close()

	log := slog.New(slog.NewTextHandler(e.Stderr, nil))
	api, err := adminapi.New(adminapi.Config{Publisher: t.pub, Store: t.store, Tokens: tokens, Logger: log, Now: e.Now})
	if err != nil {
		return err
	}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", opts.Addr)
	if err != nil {
		return fmt.Errorf("admin serve: %w", err)
	}
	srv := &http.Server{
		Handler:           api,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	scheme := "http"
	if opts.TLSCert != "" {
		scheme = "https"
	}
	addr := ln.Addr().String()
	fmt.Fprintf(cmd.OutOrStdout(), "admin API for %s on %s://%s/ (tokens: %s)\n", opts.To, scheme, addr, strings.Join(tokens.Names(), ", "))
	if e.Listening != nil {
		e.Listening(addr)
	}
	return runHTTP(ctx, log, "admin serve", srv, func() error {
		if opts.TLSCert != "" {
			return srv.ServeTLS(ln, opts.TLSCert, opts.TLSKey)
		}
		return srv.Serve(ln)
	})
}

// adminTokens reads the token file, else CAIRN_ADMIN_TOKENS.
func adminTokens(e Env, path string) (*adminapi.Tokens, error) {
	var data []byte
	switch v := e.Getenv(envAdminTokens); {
	case path != "":
		var err error
		if data, err = os.ReadFile(path); err != nil {
			return nil, usagef("--tokens: %v", err)
		}
	case v != "":
		data = []byte(strings.Join(strings.Fields(v), "\n"))
	default:
		return nil, usagef("no tokens: give --tokens FILE or set %s", envAdminTokens)
	}
	ts, err := adminapi.ParseTokens(data)
	if err != nil {
		return nil, usagef("%v", err)
	}
	return ts, nil
}
