// Package cdnharness measures Cairn's delivery pipeline end to end with
// real parts on 127.0.0.1: a publisher writing to an object store (MinIO,
// fake-gcs-server, or an origin the harness controls), Varnish as the CDN,
// optional Toxiproxy faults on either side of it, and a fleet of real
// sdk.Client instances polling through it. It records when each client got
// each version, how many requests reached the origin, and the bytes of each
// poll, and renders a report and an SVG chart.
//
// It lives in a top-level internal/ directory because both the tests of the
// delivery pipeline and the `cairn bench` command use it, and it belongs to
// none of publisher, sdk or cmd/cairn alone: it drives all three.
package cdnharness
