package sqlstore

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestNearestRanks checks the ranks on the edges the conformance suite's
// random desks rarely reach: one value, an n where n*p/100 is whole
// (ceil keeps it) or not (ceil rounds up), ties, and unsorted input.
func TestNearestRanks(t *testing.T) {
	for _, c := range []struct {
		vs       []int64
		p50, p90 int64
	}{
		{[]int64{7}, 7, 7},
		{[]int64{2, 1}, 1, 2},
		{[]int64{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, 5, 9},
		{[]int64{11, 1, 10, 2, 9, 3, 8, 4, 7, 5, 6}, 6, 10},
		{[]int64{0, 0, 0, 5, 0}, 0, 5},
		{[]int64{3, 3, 1, 3}, 3, 3},
	} {
		if p50, p90 := nearestRanks(c.vs); p50 != c.p50 || p90 != c.p90 {
			t.Errorf("nearestRanks: got %d, %d; want %d, %d", p50, p90, c.p50, c.p90)
		}
	}
}

// TestNearestRanksSelect checks the selection against a sort on random
// values of every length up to a few hundred, drawn from ranges narrow
// enough for many ties and wide enough for none.
func TestNearestRanksSelect(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 1; n < 400; n++ {
		for _, span := range []int64{3, 1 << 40} {
			vs := make([]int64, n)
			for i := range vs {
				vs[i] = rng.Int64N(span) - span/2
			}
			sorted := slices.Sorted(slices.Values(vs))
			i50, i90 := rankPlaces(n)
			if p50, p90 := nearestRanks(vs); p50 != sorted[i50] || p90 != sorted[i90] {
				t.Fatalf("n %d, span %d: got %d, %d; want %d, %d", n, span, p50, p90, sorted[i50], sorted[i90])
			}
		}
	}
}

// TestAppendValues reads both dialects' list forms, negative values and
// an empty list.
func TestAppendValues(t *testing.T) {
	for in, want := range map[string][]int64{
		"{1,22,-3}":              {1, 22, -3},
		"4,0,5":                  {4, 0, 5},
		"{}":                     nil,
		"":                       nil,
		"{-9223372036854775807}": {-9223372036854775807},
	} {
		if got := appendValues(nil, []byte(in)); !slices.Equal(got, want) {
			t.Errorf("appendValues(%q) = %v, want %v", in, got, want)
		}
	}
}
