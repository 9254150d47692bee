//go:build race

package templates

// raceEnabled: the race detector's sync.Pool drops what it is given, so
// allocations (regexp's matchers) are not what a normal build makes.
const raceEnabled = true
