//go:build !unix

package main

// peakRSS returns 0: this system has no getrusage.
func peakRSS() uint64 { return 0 }
