// Command migration moves a shop's payment step from the monolith to a new
// payment service for a growing share of users, with a Cairn flag, and rolls
// it back with one command.
//
// It runs the whole loop on this machine: it publishes the flag files in
// flags/ to a temporary directory (as `cairn publish` does), serves that
// directory on 127.0.0.1 as a CDN would, and runs the shop with an SDK client
// while a thousand simulated users check out. Then it raises the rollout to
// 10% and 50% (as `cairn flag rollout` + `cairn publish` do), shows the split
// move, rolls back to version 1 (`cairn rollback`), and shows everyone back
// on the monolith.
//
//	go run ./examples/migration
package main

import (
	"context"
	"embed"
	"fmt"
	"io"
	"os"
	"os/signal"
)

//go:embed flags
var flagFiles embed.FS

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, 1000); err != nil {
		fmt.Fprintln(os.Stderr, "migration:", err)
		stop()
		os.Exit(1)
	}
}

// run plays the migration with the given number of users and reports each
// step to out.
func run(ctx context.Context, out io.Writer, users int) error {
	dir, err := os.MkdirTemp("", "cairn-migration-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	flags, err := newFlagRepo(flagFiles, "flags")
	if err != nil {
		return err
	}
	ops, err := newOperator(dir)
	if err != nil {
		return err
	}

	// Version 1: everyone on the monolith.
	v, err := ops.publish(ctx, flags, "payment-service on the monolith for everyone")
	if err != nil {
		return err
	}
	cdn, err := serveDir(ctx, dir)
	if err != nil {
		return err
	}
	defer cdn.Close()
	fmt.Fprintf(out, "published version %d, served at %s\n", v, cdn.url("production/ruleset.json"))

	shop, err := newShop(ctx, cdn.url("production/ruleset.json"))
	if err != nil {
		return err
	}
	defer shop.Close()

	step := func(version int64, what string) error {
		if err := shop.waitFor(ctx, version); err != nil {
			return err
		}
		fmt.Fprintf(out, "version %d, %s: %s\n", version, what, shop.checkoutAll(users))
		return nil
	}
	if err := step(v, "before the migration"); err != nil {
		return err
	}
	for _, percent := range []int{10, 50} {
		if err := flags.rollout("payment-service", "production", "payments-v2", percent); err != nil {
			return err
		}
		if v, err = ops.publish(ctx, flags, fmt.Sprintf("payments-v2 for %d%% of users", percent)); err != nil {
			return err
		}
		if err := step(v, fmt.Sprintf("payments-v2 rolled out to %d%%", percent)); err != nil {
			return err
		}
	}

	// Errors on the new service: one command puts everyone back.
	fmt.Fprintf(out, "$ cairn rollback --env production --to file://%s --version 1\n", dir)
	if v, err = ops.rollback(ctx, 1); err != nil {
		return err
	}
	return step(v, "rolled back to version 1")
}
