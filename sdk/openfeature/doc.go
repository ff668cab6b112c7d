// Package openfeature adapts a Cairn sdk.Client to OpenFeature
// (github.com/open-feature/go-sdk/openfeature) as a provider.
//
// The Client stays an ordinary value that the application creates and may
// use directly too; this package is the only part of Cairn that imports
// OpenFeature, so applications that use sdk alone do not compile it.
//
// State and events map as follows: Init returns when the first fetch
// succeeds (READY); each new ruleset emits PROVIDER_CONFIGURATION_CHANGED
// with the keys of the flags that changed; failing fetches while a ruleset
// is served emit PROVIDER_STALE, and the next successful fetch
// PROVIDER_READY. Reasons map TARGET_MATCH to TARGETING_MATCH, OFF to
// DISABLED, SPLIT and DEFAULT to themselves, and FLAG_NOT_FOUND,
// TYPE_MISMATCH and ERROR to ERROR with the matching resolution error.
package openfeature
