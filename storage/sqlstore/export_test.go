package sqlstore

// RankInDatabase makes every report's percentiles, where Go would rank
// them (SQLite), ranked by the database instead, as those of more than
// MaxRankedValues values are, until the returned func restores the cap.
func RankInDatabase() (restore func()) { return CapRanked(-1) }

// CapRanked sets the cap on the values Go ranks to n until the returned
// func restores MaxRankedValues.
func CapRanked(n int) (restore func()) {
	maxRanked = n
	return func() { maxRanked = MaxRankedValues }
}

// RankedInGo returns how many values Go has ranked so far, and how many
// of them came in lists.
func RankedInGo() (all, listed int64) { return rankedInGo.Load(), listedInGo.Load() }
