// Package sdk is Cairn's Go client. A Client polls one environment's
// published ruleset (over http(s) from a CDN or bucket, or from a file),
// verifies each response, keeps the last good ruleset in memory and
// evaluates flags against it locally: no network call on the hot path, no
// lock, no allocation.
//
// Create one Client per environment with New, optionally WaitReady, then
// call Bool, String, Int, Float or JSON (or their Detail forms) with a
// Context built once per request. A failed, slow, truncated, oversized,
// invalid, foreign or older response never replaces the ruleset in memory;
// Status tells how fresh it is. docs/sdk.md describes every option and the
// behaviour on each kind of failure.
//
// The package imports only the standard library and package ruleset; the
// OpenFeature provider lives in sdk/openfeature so that plain users don't
// compile OpenFeature.
package sdk
