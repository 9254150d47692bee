//go:build !unix

package templates

import "time"

var start = time.Now()

// cpuTime stands in with the wall clock where getrusage is not there.
func cpuTime() time.Duration { return time.Since(start) }
