//go:build !linux

package main

import (
	"errors"
	"syscall"
)

// errNotLinux says the crash test's cluster handling needs Linux.
var errNotLinux = errors.New(notLinux)

// credential is the user a server process runs as.
type credential struct{ Uid, Gid uint32 }

func serverCredential() (*credential, error) { return nil, errNotLinux }

func procAttr(*credential) *syscall.SysProcAttr { return nil }

func clusterPIDs(string) ([]int, error) { return nil, errNotLinux }

func killPID(int) error { return errNotLinux }
