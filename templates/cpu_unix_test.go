//go:build unix

package templates

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time the process has used, user and system: what a
// rendering costs, whatever else the machine runs meanwhile.
func cpuTime() time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		panic(err)
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}
