package main

import (
	"context"
	"net"
	"net/http"
	"time"

	"github.com/cairnflags/cairn/publisher"
	"github.com/cairnflags/cairn/publisher/file"
	"github.com/cairnflags/cairn/ruleset"
)

// operator does what the cairn CLI does in CI and on call: publish and
// roll back, here to a local directory.
type operator struct {
	pub *publisher.Publisher
}

func newOperator(dir string) (*operator, error) {
	store, err := file.New(dir)
	if err != nil {
		return nil, err
	}
	return &operator{pub: publisher.New(store)}, nil
}

// publish compiles production and publishes it, as `cairn publish` does.
func (o *operator) publish(ctx context.Context, flags *flagRepo, message string) (int64, error) {
	p, err := flags.project()
	if err != nil {
		return 0, err
	}
	doc, err := p.Compile("production", ruleset.Source{Kind: ruleset.SourceGit, Message: message, Tool: "migration-example"})
	if err != nil {
		return 0, err
	}
	r, err := o.pub.Publish(ctx, doc, publisher.PublishOptions{})
	return r.Version, err
}

// rollback publishes version v's flags again, as `cairn rollback` does.
func (o *operator) rollback(ctx context.Context, v int64) (int64, error) {
	r, err := o.pub.Rollback(ctx, "production", v, ruleset.Source{Author: "on-call", Message: "payments-v2 errors"})
	return r.Version, err
}

// cdn serves the published directory on 127.0.0.1, standing in for a CDN in
// front of a bucket (or `cairn serve`).
type cdn struct {
	srv  *http.Server
	addr string
}

func serveDir(ctx context.Context, dir string) (*cdn, error) {
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	c := &cdn{srv: &http.Server{Handler: http.FileServer(http.Dir(dir)), ReadHeaderTimeout: 5 * time.Second}, addr: ln.Addr().String()}
	go c.srv.Serve(ln)
	return c, nil
}

func (c *cdn) url(key string) string { return "http://" + c.addr + "/" + key }

func (c *cdn) Close() error { return c.srv.Close() }
