package main

import (
	"runtime/metrics"
	"sync"
)

// goMemory samples the memory the Go runtime holds (heap, stacks and its
// own structures: /memory/classes/total:bytes) and keeps the peak.
type goMemory struct {
	mu     sync.Mutex
	sample []metrics.Sample
	peak   uint64
}

func newGoMemory() *goMemory {
	m := &goMemory{sample: []metrics.Sample{{Name: "/memory/classes/total:bytes"}}}
	m.poll()
	return m
}

func (m *goMemory) poll() {
	m.mu.Lock()
	defer m.mu.Unlock()
	metrics.Read(m.sample)
	if v := m.sample[0].Value; v.Kind() == metrics.KindUint64 {
		m.peak = max(m.peak, v.Uint64())
	}
}

func (m *goMemory) max() uint64 {
	m.poll()
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.peak
}
