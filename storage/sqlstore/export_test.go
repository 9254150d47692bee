package sqlstore

// RankInDatabase makes every report's percentiles, where Go would rank
// them (SQLite), ranked by the database instead, as those of more than
// MaxRankedValues values are, until the returned func restores the cap.
func RankInDatabase() (restore func()) {
	maxRanked = -1
	return func() { maxRanked = MaxRankedValues }
}

// RankedInGo returns how many values Go has ranked so far.
func RankedInGo() int64 { return rankedInGo.Load() }
