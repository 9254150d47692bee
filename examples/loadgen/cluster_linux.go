package main

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
)

// credential is the user a server process runs as.
type credential = syscall.Credential

// serverCredential returns the postgres user's IDs when this process runs
// as root (PostgreSQL refuses to run as root), or nil to run the server
// as this process's own user.
func serverCredential() (*credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root, the crash test starts PostgreSQL as the postgres user, which is missing: %w", err)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err := errors.Join(err1, err2); err != nil {
		return nil, fmt.Errorf("the postgres user's IDs: %w", err)
	}
	return &credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}, nil
}

// procAttr runs a server process as cred (when set), in its own process
// group, and has the kernel SIGKILL it if this process dies first, so no
// test run leaves a postmaster behind.
func procAttr(cred *credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: cred, Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// clusterPIDs lists the live processes whose working directory is data:
// the postmaster and every process it forked (PostgreSQL changes into
// its data directory at start), orphans of a killed postmaster included.
func clusterPIDs(data string) ([]int, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, fmt.Errorf("list processes: %w", err)
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		cwd, err := os.Readlink(filepath.Join("/proc", e.Name(), "cwd"))
		if err == nil && cwd == data {
			pids = append(pids, pid)
		}
	}
	return pids, nil
}

// killPID sends SIGKILL to pid.
func killPID(pid int) error { return syscall.Kill(pid, syscall.SIGKILL) }
