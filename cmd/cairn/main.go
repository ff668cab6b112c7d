// Command cairn validates, compiles, publishes and serves Cairn feature flags.
//
// Run `cairn help` for the commands, or read docs/cli.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/cairnflags/cairn/cmd/cairn/internal/cli"
)

func main() {
	// SIGINT and SIGTERM cancel the context: a publish stops between steps,
	// and `cairn serve` shuts down gracefully.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], cli.System(os.Stdin, os.Stdout, os.Stderr))
	stop()
	os.Exit(code)
}
