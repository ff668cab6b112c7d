//go:build race

package cdnharness_test

// The race detector slows the publisher, the SDKs and the checker several
// times over on a two-core machine; the freshness bounds are then checked
// with more slack (the tight figures come from runs without it).
const raceEnabled = true
