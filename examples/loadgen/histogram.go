package main

import (
	"math/bits"
	"time"
)

// histogram counts durations in log-linear buckets: exact below 64 µs,
// then 32 buckets per power of two, so a percentile read from it is
// within about 3% of the true value. Its size is fixed, however long the
// run.
type histogram struct {
	counts [histBuckets]uint64
	n      uint64
	sum    time.Duration
	max    time.Duration
}

const (
	histExact   = 64 // values below this many µs have a bucket each
	histSub     = 32 // buckets per power of two above that
	histBuckets = histExact + 58*histSub
)

func bucketOf(d time.Duration) int {
	v := uint64(max(d.Microseconds(), 0))
	if v < histExact {
		return int(v)
	}
	shift := bits.Len64(v) - 6 // v>>shift is in [32, 63]
	return min(histExact+(shift-1)*histSub+int(v>>shift)-histSub, histBuckets-1)
}

// bucketMid returns the middle of bucket i.
func bucketMid(i int) time.Duration {
	if i < histExact {
		return time.Duration(i)*time.Microsecond + time.Microsecond/2
	}
	shift := (i-histExact)/histSub + 1
	low := uint64(histSub+(i-histExact)%histSub) << shift
	return time.Duration(low+(uint64(1)<<shift)/2) * time.Microsecond
}

func (h *histogram) record(d time.Duration) {
	h.counts[bucketOf(d)]++
	h.n++
	h.sum += d
	h.max = max(h.max, d)
}

// percentile returns the nearest-rank p-th percentile (0 < p <= 100).
func (h *histogram) percentile(p float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(float64(h.n)*p/100 + 0.999999)
	rank = max(1, min(rank, h.n))
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return min(bucketMid(i), h.max)
		}
	}
	return h.max
}

func (h *histogram) mean() time.Duration {
	if h.n == 0 {
		return 0
	}
	return h.sum / time.Duration(h.n)
}

func (h *histogram) merge(o *histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.sum += o.sum
	h.max = max(h.max, o.max)
}
