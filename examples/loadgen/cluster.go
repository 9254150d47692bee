package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// errNoPostgres says no PostgreSQL server binaries were found: the crash
// test cannot start a cluster of its own.
var errNoPostgres = errors.New("no PostgreSQL server binaries (initdb, postgres) found in /usr/lib/postgresql/*/bin or $PATH; install PostgreSQL or give -pgbin")

// notLinux says why the crash test needs Linux.
const notLinux = "the crash test runs on Linux only: it finds the server's processes in /proc"

// findPGBin returns the directory of initdb and postgres: dir when given,
// else the newest /usr/lib/postgresql/*/bin (Debian's layout), else the
// directory of initdb on $PATH.
func findPGBin(dir string) (string, error) {
	has := func(d string) bool {
		for _, b := range []string{"initdb", "postgres"} {
			if fi, err := os.Stat(filepath.Join(d, b)); err != nil || fi.IsDir() {
				return false
			}
		}
		return true
	}
	if dir != "" {
		if !has(dir) {
			return "", fmt.Errorf("-pgbin %s: no initdb and postgres there", dir)
		}
		return dir, nil
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	var dirs []string
	for _, d := range found {
		if has(d) {
			dirs = append(dirs, d)
		}
	}
	if len(dirs) > 0 {
		ver := func(d string) float64 {
			v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(d)), 64)
			return v
		}
		sort.Slice(dirs, func(i, j int) bool { return ver(dirs[i]) < ver(dirs[j]) })
		return dirs[len(dirs)-1], nil
	}
	if p, err := exec.LookPath("initdb"); err == nil && has(filepath.Dir(p)) {
		return filepath.Dir(p), nil
	}
	return "", errNoPostgres
}

// cluster is a throwaway PostgreSQL cluster that the crash test owns: a
// data directory in a new temporary directory, a free port on 127.0.0.1,
// its unix socket beside the data, and a postmaster started directly as a
// child of this process, so that the test holds its PID and may SIGKILL
// it. Durability stays on: fsync, synchronous_commit and
// full_page_writes. As root it runs initdb and postgres as the postgres
// user, since PostgreSQL refuses to run as root.
type cluster struct {
	bin     string
	dir     string // the temporary directory: data/, the socket, log
	data    string // dir/data, symlinks resolved
	port    int
	cred    *credential // nil unless run as root
	log     *os.File
	version string // postgres --version
	major   int

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{} // closed once cmd has been waited for
}

// startCluster makes and starts a cluster with the binaries in bin and
// waits until it accepts connections. On error nothing is left behind.
func startCluster(ctx context.Context, bin string) (c *cluster, err error) {
	cred, err := serverCredential()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "loadgen-crash-")
	if err != nil {
		return nil, err
	}
	c = &cluster{bin: bin, dir: dir, cred: cred}
	defer func() {
		if err != nil {
			c.close()
		}
	}()
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		c.dir = real
	}
	c.data = filepath.Join(c.dir, "data")
	if cred != nil {
		if err := os.Chown(c.dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return c, err
		}
	}
	if c.log, err = os.OpenFile(filepath.Join(c.dir, "log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600); err != nil {
		return c, err
	}
	out, err := c.command(ctx, "postgres", "--version").Output()
	if err != nil {
		return c, fmt.Errorf("%s --version: %w", filepath.Join(bin, "postgres"), err)
	}
	c.version = strings.TrimSpace(string(out))
	c.major = majorVersion(c.version)
	initdb := c.command(ctx, "initdb", "-D", c.data, "-U", "casekit", "-A", "trust", "-E", "UTF8", "--locale=C")
	var initOut bytes.Buffer
	initdb.Stdout, initdb.Stderr = &initOut, &initOut
	if err := initdb.Run(); err != nil {
		return c, fmt.Errorf("initdb: %w\n%s", err, initOut.String())
	}
	if c.port, err = freePort(); err != nil {
		return c, err
	}
	if err := c.start(); err != nil {
		return c, err
	}
	return c, c.waitReady(ctx, time.Minute)
}

// command returns the cluster binary name with args, to run as the server's
// user in the cluster's directory.
func (c *cluster) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, filepath.Join(c.bin, name), args...)
	cmd.Dir = c.dir
	cmd.SysProcAttr = procAttr(c.cred)
	return cmd
}

// freePort returns a TCP port on 127.0.0.1 that nothing listens on now.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// start starts the postmaster on the data directory, without waiting.
func (c *cluster) start() error {
	cmd := exec.Command(filepath.Join(c.bin, "postgres"), "-D", c.data,
		"-p", strconv.Itoa(c.port), "-k", c.dir, "-h", "127.0.0.1",
		"-c", "fsync=on", "-c", "synchronous_commit=on", "-c", "full_page_writes=on",
		"-c", "max_connections=100", "-c", "shared_buffers=32MB")
	if c.major >= 14 {
		// After a crash the server makes sure the data directory is on
		// disk before it replays the WAL: one syncfs instead of an fsync
		// per file, seconds less per restart here, the same guarantee.
		cmd.Args = append(cmd.Args, "-c", "recovery_init_sync_method=syncfs")
	}
	cmd.Dir = c.dir
	cmd.SysProcAttr = procAttr(c.cred)
	cmd.Stdout, cmd.Stderr = c.log, c.log
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start postgres: %w", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	c.mu.Lock()
	c.cmd, c.exited = cmd, exited
	c.mu.Unlock()
	return nil
}

// majorVersion reads the major version from postgres --version output,
// "postgres (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)"; 0 if it cannot.
func majorVersion(v string) int {
	for _, f := range strings.Fields(v) {
		if n, err := strconv.Atoi(strings.SplitN(f, ".", 2)[0]); err == nil {
			return n
		}
	}
	return 0
}

// dsn is the URL of the cluster's postgres database over TCP.
func (c *cluster) dsn() string {
	return fmt.Sprintf("postgres://casekit@127.0.0.1:%d/postgres?sslmode=disable&connect_timeout=5", c.port)
}

// waitReady waits until the server accepts connections and answers a
// query; it fails at once when the postmaster has exited.
func (c *cluster) waitReady(ctx context.Context, limit time.Duration) error {
	c.mu.Lock()
	exited := c.exited
	c.mu.Unlock()
	deadline := time.Now().Add(limit)
	for {
		select {
		case <-exited:
			return fmt.Errorf("postgres exited while starting; its log ends:\n%s", c.logTail())
		default:
		}
		try, cancel := context.WithTimeout(ctx, 2*time.Second)
		conn, err := pgx.Connect(try, c.dsn())
		if err == nil {
			err = conn.Ping(try)
			conn.Close(try)
		}
		cancel()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("postgres did not accept connections within %v: %v; its log ends:\n%s", limit, err, c.logTail())
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// kill SIGKILLs the postmaster and then every other process of the
// cluster (each has the data directory as its working directory), as a
// crash of the whole server would, and waits until all are gone and the
// port is free. It returns how many processes it killed.
func (c *cluster) kill() (int, error) {
	c.mu.Lock()
	cmd, exited := c.cmd, c.exited
	c.mu.Unlock()
	killed := map[int]bool{}
	if cmd != nil {
		if err := cmd.Process.Kill(); err == nil {
			killed[cmd.Process.Pid] = true
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		pids, err := clusterPIDs(c.data)
		if err != nil {
			return len(killed), err
		}
		for _, pid := range pids {
			if killPID(pid) == nil {
				killed[pid] = true
			}
		}
		if len(pids) == 0 {
			break
		}
		if time.Now().After(deadline) {
			return len(killed), fmt.Errorf("server processes %v still alive 30s after SIGKILL", pids)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if exited != nil {
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			return len(killed), errors.New("the postmaster was not reaped 30s after SIGKILL")
		}
	}
	for {
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", c.port))
		if err == nil {
			l.Close()
			return len(killed), nil
		}
		if time.Now().After(deadline) {
			return len(killed), fmt.Errorf("port %d still taken 30s after the kill: %w", c.port, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// close kills whatever runs of the cluster and removes its directory.
func (c *cluster) close() {
	if c.data != "" {
		_, _ = c.kill()
	}
	if c.log != nil {
		c.log.Close()
	}
	os.RemoveAll(c.dir)
}

// logTail returns the end of the server's log.
func (c *cluster) logTail() string {
	b, err := os.ReadFile(filepath.Join(c.dir, "log"))
	if err != nil {
		return err.Error()
	}
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// logLines counts the lines of the server's log that contain s.
func (c *cluster) logLines(s string) int {
	f, err := os.Open(filepath.Join(c.dir, "log"))
	if err != nil {
		return 0
	}
	defer f.Close()
	b, _ := io.ReadAll(f)
	return bytes.Count(b, []byte(s))
}
