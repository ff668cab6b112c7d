//go:build !race

package cdnharness_test

const raceEnabled = false
