package apiload

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// On a machine shared with other work, throughput and latency move with
// the load; what one request costs the processes that serve it in CPU
// time does not wait on the others, though contention still inflates it
// (by up to a factor of two at a load of 10-20 on two cores, BENCHMARKS.md
// "CPU per request"): compare it in alternating rounds. A Meter reads
// that cost: Run reads each of Config.Meters before and after a
// measurement and reports the CPU time used per request (Result.CPU).

// Meter is a set of processes whose CPU time a run reports per request:
// the server's, or the database backends serving it.
type Meter struct {
	// Name heads the meter's column ("server", "PostgreSQL").
	Name string
	// Read returns the CPU time each process of the set has used so far.
	Read func(ctx context.Context) (CPUSample, error)
}

// CPUSample is the CPU time each process had used at one moment, by
// process ID.
type CPUSample map[int]time.Duration

// Since is the CPU time the processes of s used after before was read: a
// process that was not there then started meanwhile and counts whole. A
// process that ended meanwhile is not counted: a meter's processes are
// long-lived (a server, its pooled connections).
func (s CPUSample) Since(before CPUSample) time.Duration {
	var d time.Duration
	for pid, t := range s {
		d += t - before[pid]
	}
	return d
}

// ProcessCPU is the CPU time process pid has used so far, every thread
// of it: the sum of the first field of /proc/PID/task/TID/schedstat
// (nanoseconds on a CPU), which is exact where /proc/PID/stat counts
// 10 ms ticks.
func ProcessCPU(pid int) (time.Duration, error) {
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
	if err != nil {
		return 0, err
	}
	if len(tasks) == 0 {
		return 0, fmt.Errorf("process %d: no /proc/%d/task/*/schedstat (not Linux, or no such process)", pid, pid)
	}
	var total time.Duration
	for _, path := range tasks {
		b, err := os.ReadFile(path)
		if errors.Is(err, os.ErrNotExist) {
			continue // the thread ended since the listing
		}
		if err != nil {
			return 0, err
		}
		f := strings.Fields(string(b))
		if len(f) == 0 {
			return 0, fmt.Errorf("%s: empty", path)
		}
		ns, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", path, err)
		}
		total += time.Duration(ns)
	}
	return total, nil
}

// ProcessMeter is the Meter of fixed processes, such as a server and the
// Redis it uses.
func ProcessMeter(name string, pids ...int) Meter {
	return Meter{Name: name, Read: func(context.Context) (CPUSample, error) {
		return readPIDs(pids)
	}}
}

// readPIDs samples the CPU time of pids.
func readPIDs(pids []int) (CPUSample, error) {
	s := make(CPUSample, len(pids))
	for _, pid := range pids {
		t, err := ProcessCPU(pid)
		if err != nil {
			return nil, err
		}
		s[pid] = t
	}
	return s, nil
}

// BackendMeter is the Meter of the PostgreSQL backends serving the
// target on db's database (other than db's own), those whose
// application_name is app when app is not empty: a server names itself
// with application_name in its connection URL. Backends are sampled
// anew at each reading, so connections the server's pool opens during a
// measurement count too.
func BackendMeter(db *sql.DB, app string) Meter {
	return Meter{Name: "PostgreSQL", Read: func(ctx context.Context) (CPUSample, error) {
		rows, err := db.QueryContext(ctx, `SELECT pid FROM pg_stat_activity
			WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()
			AND ($1 = '' OR application_name = $1)`, app)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var pids []int
		for rows.Next() {
			var pid int
			if err := rows.Scan(&pid); err != nil {
				return nil, err
			}
			pids = append(pids, pid)
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
		s := make(CPUSample, len(pids))
		for _, pid := range pids {
			if t, err := ProcessCPU(pid); err == nil { // a backend that ended since the query is skipped
				s[pid] = t
			}
		}
		return s, nil
	}}
}

// cpuPerRequest is d shared out over n requests, 0 for none.
func cpuPerRequest(d time.Duration, n int) time.Duration {
	if n <= 0 {
		return 0
	}
	return d / time.Duration(n)
}

// meterAll samples every meter.
func meterAll(ctx context.Context, meters []Meter) ([]CPUSample, error) {
	out := make([]CPUSample, len(meters))
	for i, m := range meters {
		s, err := m.Read(ctx)
		if err != nil {
			return nil, fmt.Errorf("reading the CPU time of %s: %w", m.Name, err)
		}
		out[i] = s
	}
	return out, nil
}
