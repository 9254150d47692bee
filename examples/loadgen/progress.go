package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// progress redraws a one-line bar on w with \r while a phase runs: done
// out of total operations, or elapsed out of the phase's duration.
type progress struct {
	w        io.Writer
	label    string
	total    int           // operations, with -count
	duration time.Duration // otherwise
	done     func() int
	onTick   func()

	start time.Time
	stop  chan struct{}
	wg    sync.WaitGroup
}

func startProgress(w io.Writer, label string, total int, duration time.Duration, done func() int, onTick func()) *progress {
	p := &progress{w: w, label: label, total: total, duration: duration, done: done, onTick: onTick,
		start: time.Now(), stop: make(chan struct{})}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			p.onTick()
			p.draw()
			select {
			case <-p.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return p
}

// finish draws the bar a last time and ends its line.
func (p *progress) finish() {
	close(p.stop)
	p.wg.Wait()
	p.draw()
	fmt.Fprintln(p.w)
}

func (p *progress) draw() {
	const width = 30
	n := p.done()
	elapsed := time.Since(p.start)
	var frac float64
	var what string
	if p.total > 0 {
		frac = float64(n) / float64(p.total)
		what = fmt.Sprintf("%d/%d ops", n, p.total)
	} else {
		frac = float64(elapsed) / float64(p.duration)
		what = fmt.Sprintf("%v/%v, %d ops", elapsed.Round(time.Second), p.duration, n)
	}
	frac = min(max(frac, 0), 1)
	filled := int(frac * width)
	rate := 0.0
	if elapsed > 0 {
		rate = float64(n) / elapsed.Seconds()
	}
	fmt.Fprintf(p.w, "\r%s [%s%s] %3d%%  %s  %.0f ops/s ", p.label,
		strings.Repeat("#", filled), strings.Repeat(".", width-filled), int(frac*100), what, rate)
}
