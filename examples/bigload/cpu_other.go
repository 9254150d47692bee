//go:build !unix

package main

import "time"

// processCPU is zero where getrusage is not there: no CPU figures.
func processCPU() time.Duration { return 0 }
