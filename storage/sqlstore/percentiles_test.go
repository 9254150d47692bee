package sqlstore

import "testing"

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
