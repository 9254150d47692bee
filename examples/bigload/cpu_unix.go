//go:build unix

package main

import (
	"syscall"
	"time"
)

// processCPU is the CPU time, user and system, the process has used so
// far: a report's share of it varies less than its wall time on a
// shared machine, whose other work stretches the wall time. With SQLite
// it is all of a report's work; with PostgreSQL the client's alone.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
