package main

import (
	"os"
	"runtime/debug"
)

// defaultGCPercent is the saas server's GOGC unless told otherwise. Its
// live heap is small (about 3 MB serving one busy tenant) and nearly
// everything a request allocates is garbage when it ends, so Go's
// default of 100 collects about every 50 creates, at some 60 µs of CPU
// per create, 5-7% of the process's CPU (BENCHMARKS.md, "Less Go CPU per
// request"). At 400 it collects a quarter as often, for a heap that
// peaks at about 16 MB instead of 7.
const defaultGCPercent = 400

// setGCPercent applies -gc-percent (defaultGCPercent unless given),
// except that without the flag a GOGC in the environment, which the
// runtime has applied already, stands.
func setGCPercent(flagGiven bool, percent int) {
	if !flagGiven && os.Getenv("GOGC") != "" {
		return
	}
	debug.SetGCPercent(percent)
}
