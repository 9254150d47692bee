package casetype

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"sync"
	"time"
)

// Calendar is a business calendar: weekly working hours in one time zone,
// minus holidays. SLA targets such as "respond within 4 business hours" are
// measured on it.
type Calendar struct {
	// ID is the calendar's key, e.g. "berlin-office".
	ID string `json:"id"`
	// Name is the calendar's display name.
	Name string `json:"name"`
	// TimeZone is an IANA zone name such as "Europe/Berlin"; empty means
	// UTC. Working hours and holidays are read in this zone.
	TimeZone string `json:"time_zone"`
	// Hours are the weekly working intervals. Intervals on the same day
	// may touch but not overlap.
	Hours []WorkingHours `json:"hours"`
	// Holidays are local dates such as "2026-12-25"; the whole local day
	// is off.
	Holidays []string `json:"holidays"`
}

// WorkingHours is one working interval on one weekday, in local wall-clock
// time.
type WorkingHours struct {
	// Day is the weekday the interval falls on; in JSON a number, 0 for
	// Sunday to 6 for Saturday.
	Day time.Weekday `json:"day"`
	// Start is the local time work begins, "HH:MM" from "00:00" to "23:59".
	Start string `json:"start"`
	// End is the local time work stops, "HH:MM" after Start; "24:00" means
	// the end of the day (midnight at the start of the next local day).
	End string `json:"end"`
}

const (
	// calMaxHours and calMaxHolidays bound a calendar's size.
	calMaxHours    = 100
	calMaxHolidays = 1000
	// calMaxSteps bounds the local days, runs of skipped weeks and offset
	// segments that add and between walk through. The worst valid case,
	// 10 years of working time on one working minute a week in a zone with
	// daylight saving (about 100,000 years), takes about 2.5 million steps.
	calMaxSteps = 1 << 24
	// calDateLayout is the layout of Calendar.Holidays.
	calDateLayout = "2006-01-02"
	// calWeek is a week of wall-clock time.
	calWeek = 7 * 24 * time.Hour
)

// Validate checks the calendar and returns nil or a *ValidationError that
// lists every failure. Rules: "timezone" (unknown zone), "time" (not "HH:MM",
// or "24:00" as a start), "weekday" (day outside Sunday..Saturday), "empty"
// (start not before end, on "hours[i]"), "overlap" (on "hours[j]" when it
// overlaps an earlier entry on the same day; touching is allowed),
// "required" (no hours), "date" (holiday not "YYYY-MM-DD"), "unique"
// (a repeated holiday) and "max" (more than 100 hours entries or 1000
// holidays).
func (c Calendar) Validate() error {
	_, err := c.Clock()
	return err
}

// compile validates c and returns its compiled form. It returns a
// *ValidationError when c is invalid.
func (c Calendar) Clock() (*CalendarClock, error) {
	var v Validations
	loc := c.checkTimeZone(&v)
	spans := c.checkHours(&v)
	holidays := c.checkHolidays(&v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	cal := &CalendarClock{loc: loc, holidays: holidays}
	for i, s := range spans {
		day := c.Hours[i].Day
		cal.week[day] = append(cal.week[day], s)
		cal.weekTotal += time.Duration(s.end-s.start) * time.Minute
	}
	for d := range cal.week {
		slices.SortFunc(cal.week[d], func(a, b calSpan) int { return a.start - b.start })
	}
	return cal, nil
}

// calZones caches the zones calendars have loaded, by name, because
// time.LoadLocation reads the zone database each time.
var calZones sync.Map

// checkTimeZone loads c.TimeZone, reporting an unknown zone to v.
func (c Calendar) checkTimeZone(v *Validations) *time.Location {
	if c.TimeZone == "" {
		return time.UTC
	}
	if loc, ok := calZones.Load(c.TimeZone); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil || c.TimeZone == "Local" {
		v.Add("time_zone", "timezone", "unknown time zone %q", c.TimeZone)
		return nil
	}
	calZones.Store(c.TimeZone, loc)
	return loc
}

// checkHours parses c.Hours, reporting failures to v. The result has one
// span per entry; it is meaningful only when v holds no failures.
func (c Calendar) checkHours(v *Validations) []calSpan {
	switch {
	case len(c.Hours) == 0:
		v.Add("hours", "required", "at least one working interval is required")
	case len(c.Hours) > calMaxHours:
		v.Add("hours", "max", "at most %d working intervals are allowed", calMaxHours)
	}
	spans := make([]calSpan, len(c.Hours))
	ok := make([]bool, len(c.Hours))
	for i, h := range c.Hours {
		spans[i], ok[i] = h.check(v, "hours["+strconv.Itoa(i)+"]")
	}
	if len(c.Hours) > calMaxHours {
		return spans
	}
	for j := range c.Hours {
		for i := range j {
			if ok[i] && ok[j] && c.Hours[i].Day == c.Hours[j].Day && spans[i].overlaps(spans[j]) {
				v.Add("hours["+strconv.Itoa(j)+"]", "overlap", "overlaps hours[%d] on %s", i, c.Hours[j].Day)
				break
			}
		}
	}
	return spans
}

// check parses one working interval named field, reporting failures to v.
// ok is true when the interval is well formed.
func (h WorkingHours) check(v *Validations, field string) (s calSpan, ok bool) {
	ok = true
	if h.Day < time.Sunday || h.Day > time.Saturday {
		v.Add(field+".day", "weekday", "day must be 0 (Sunday) to 6 (Saturday)")
		ok = false
	}
	start, startOK := parseCalClock(h.Start, false)
	if !startOK {
		v.Add(field+".start", "time", "start must be a time from 00:00 to 23:59")
		ok = false
	}
	end, endOK := parseCalClock(h.End, true)
	if !endOK {
		v.Add(field+".end", "time", "end must be a time from 00:00 to 24:00")
		ok = false
	}
	if startOK && endOK && start >= end {
		v.Add(field, "empty", "start %s is not before end %s", h.Start, h.End)
		ok = false
	}
	return calSpan{start: start, end: end}, ok
}

// parseCalClock parses "HH:MM" into minutes after midnight. "24:00" is
// accepted only when allow24 is set.
func parseCalClock(s string, allow24 bool) (int, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	digits := [4]byte{s[0], s[1], s[3], s[4]}
	for _, b := range digits {
		if b < '0' || b > '9' {
			return 0, false
		}
	}
	hh := int(s[0]-'0')*10 + int(s[1]-'0')
	mm := int(s[3]-'0')*10 + int(s[4]-'0')
	switch {
	case mm > 59, hh > 24, hh == 24 && (mm != 0 || !allow24):
		return 0, false
	}
	return hh*60 + mm, true
}

// checkHolidays parses c.Holidays into sorted day numbers, reporting
// failures to v.
func (c Calendar) checkHolidays(v *Validations) []int64 {
	if len(c.Holidays) > calMaxHolidays {
		v.Add("holidays", "max", "at most %d holidays are allowed", calMaxHolidays)
	}
	days := make([]int64, 0, len(c.Holidays))
	seen := make(map[int64]bool, len(c.Holidays))
	for i, h := range c.Holidays {
		field := "holidays[" + strconv.Itoa(i) + "]"
		t, err := time.Parse(calDateLayout, h)
		if err != nil {
			v.Add(field, "date", "holiday %q is not a date like 2026-12-25", h)
			continue
		}
		day := calDayNumber(t)
		if seen[day] {
			v.Add(field, "unique", "holiday %s is listed twice", h)
			continue
		}
		seen[day] = true
		days = append(days, day)
	}
	slices.Sort(days)
	return days
}

// calendar is a compiled Calendar. A nil *CalendarClock is always working (24x7).
// It is immutable and safe for concurrent use.
//
// An instant is working time when its local date (in loc) is not a holiday
// and its local wall-clock time lies in one of that weekday's spans. So a
// 00:00-24:00 day lasts 23 hours on a spring-forward day and 25 hours on a
// fall-back day; wall-clock times skipped by a change hold no work and
// those repeated by one count twice.
type CalendarClock struct {
	loc       *time.Location
	week      [7][]calSpan  // per weekday, sorted, non-overlapping
	weekTotal time.Duration // working time of a week without holidays or offset changes
	holidays  []int64       // sorted local day numbers (see calDayNumber)
	maxSteps  int           // bound on a walk's steps; 0 means calMaxSteps
}

// calSpan is a working interval in minutes after local midnight; end may
// be 1440 (24:00).
type calSpan struct{ start, end int }

func (s calSpan) overlaps(o calSpan) bool { return s.start < o.end && o.start < s.end }

// calDayNumber returns the number of the day holding the wall time w,
// counted from 1970-01-01.
func calDayNumber(w time.Time) int64 {
	sec := w.Unix()
	n := sec / 86400
	if sec%86400 < 0 {
		n--
	}
	return n
}

// calDayStart returns the wall time of midnight at the start of day n.
func calDayStart(n int64) time.Time { return time.Unix(n*86400, 0).UTC() }

// calWeekday returns the weekday of day n; day 0 was a Thursday.
func calWeekday(n int64) time.Weekday { return time.Weekday(((n+4)%7 + 7) % 7) }

// calForever is a wall time later than any the walk reaches.
var calForever = time.Unix(1<<62, 0).UTC()

// calSegment is a stretch of time over which loc's UTC offset is constant,
// in wall-clock terms: wall times in [from, to) map to instants by
// subtracting off.
type calSegment struct {
	off      time.Duration
	from, to time.Time
}

// segmentAt returns the segment that begins at t and the instant it ends
// (the zero time when the offset never changes again).
func (cal *CalendarClock) segmentAt(t time.Time) (calSegment, time.Time) {
	local := t.In(cal.loc)
	_, offSec := local.Zone()
	off := time.Duration(offSec) * time.Second
	_, end := local.ZoneBounds()
	if !end.IsZero() && !end.After(t) {
		// Beyond its table a zone follows a yearly rule, for which
		// ZoneBounds may report an end at or before t late in a leap year;
		// that rule keeps the offset until the next UTC year.
		end = time.Date(t.UTC().Year()+1, time.January, 1, 0, 0, 0, 0, time.UTC)
	}
	seg := calSegment{off: off, from: t.UTC().Add(off), to: calForever}
	if !end.IsZero() {
		seg.to = end.UTC().Add(off)
	}
	return seg, end
}

// isHoliday reports whether day n is a holiday.
func (cal *CalendarClock) isHoliday(n int64) bool {
	_, found := slices.BinarySearch(cal.holidays, n)
	return found
}

// calWalker receives what calendar.walk finds.
type calWalker struct {
	// skip is offered each local midnight from which whole weeks could be
	// skipped and returns the most weeks it accepts (0 for none).
	skip func(midnight time.Time) int64
	// skipped gets the working time of the weeks skipped; false stops the
	// walk.
	skipped func(work time.Duration) bool
	// visit gets each working interval [s, e), s < e, not covered by a
	// skip; false stops the walk.
	visit func(s, e time.Time) bool
}

// walk reports cal's working time from the instant from onwards to w, in
// order, one offset segment and one local day at a time, skipping runs of
// whole weeks without holidays or offset changes when w accepts them. It
// returns true when w stopped it and false when it gave up after its step
// bound (calMaxSteps unless cal.maxSteps is set) of days, skips and
// segments.
func (cal *CalendarClock) walk(from time.Time, w calWalker) bool {
	limit := cmp.Or(cal.maxSteps, calMaxSteps)
	steps := 0
	for t := from; ; {
		seg, end := cal.segmentAt(t)
		for n := calDayNumber(seg.from); ; {
			if steps++; steps > limit {
				return false
			}
			day := calDayStart(n)
			if !day.Before(seg.to) {
				break
			}
			if k := cal.skippable(n, day, seg, w.skip); k > 0 {
				if !w.skipped(time.Duration(k) * cal.weekTotal) {
					return true
				}
				n += 7 * k
				continue
			}
			if !cal.visitDay(n, day, seg, w.visit) {
				return true
			}
			n++
		}
		t = end
	}
}

// skippable returns how many whole weeks from day n, whose midnight is the
// wall time day, the walk may skip: they lie inside seg and hold no
// holiday, so each has exactly weekTotal of working time.
func (cal *CalendarClock) skippable(n int64, day time.Time, seg calSegment, skip func(time.Time) int64) int64 {
	if cal.weekTotal <= 0 || day.Before(seg.from) {
		return 0
	}
	k := skip(day.Add(-seg.off))
	if k <= 0 {
		return 0
	}
	k = min(k, int64(seg.to.Sub(day)/calWeek))
	if i, _ := slices.BinarySearch(cal.holidays, n); i < len(cal.holidays) {
		k = min(k, (cal.holidays[i]-n)/7)
	}
	return k
}

// visitDay passes the working intervals of day n (midnight at wall time
// day) that lie in seg to visit, as instants. It returns false when visit
// does.
func (cal *CalendarClock) visitDay(n int64, day time.Time, seg calSegment, visit func(s, e time.Time) bool) bool {
	if cal.isHoliday(n) {
		return true
	}
	for _, span := range cal.week[calWeekday(n)] {
		s := day.Add(time.Duration(span.start) * time.Minute)
		e := day.Add(time.Duration(span.end) * time.Minute)
		if s.Before(seg.from) {
			s = seg.from
		}
		if e.After(seg.to) {
			e = seg.to
		}
		if e.After(s) && !visit(s.Add(-seg.off), e.Add(-seg.off)) {
			return false
		}
	}
	return true
}

// add returns the instant at which d of working time has passed after
// start; counting begins at start or, when start is outside working hours,
// at the next working instant. The result is always in UTC; d <= 0 returns
// start (in UTC). A nil calendar is always working and returns start.Add(d).
// For any d > 0, between(start, add(start, d)) == d. If the walk does not
// finish within its step bound, which no valid calendar reaches for 10
// years of working time, add returns the zero time.
func (cal *CalendarClock) Add(start time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return start.UTC()
	}
	if cal == nil {
		return start.Add(d).UTC()
	}
	if cal.weekTotal <= 0 {
		return time.Time{} // no working hours: d never passes
	}
	remaining := d
	var result time.Time
	done := cal.walk(start, calWalker{
		skip: func(time.Time) int64 {
			if remaining <= cal.weekTotal {
				return 0
			}
			// Skip less than remaining: the result lies past the weeks.
			return int64((remaining - 1) / cal.weekTotal)
		},
		skipped: func(work time.Duration) bool {
			remaining -= work
			return true
		},
		visit: func(s, e time.Time) bool {
			if avail := e.Sub(s); remaining > avail {
				remaining -= avail
				return true
			}
			result = s.Add(remaining)
			return false
		},
	})
	if !done {
		return time.Time{}
	}
	return result
}

// between returns the working time in [from, to); 0 when to <= from. A nil
// calendar is always working and returns to.Sub(from). The result saturates
// at the largest Duration, which it also returns if the walk does not
// finish within its step bound (a range of many thousands of years).
func (cal *CalendarClock) Between(from, to time.Time) time.Duration {
	if !to.After(from) {
		return 0
	}
	if cal == nil {
		return to.Sub(from)
	}
	if cal.weekTotal <= 0 {
		return 0
	}
	var total time.Duration
	addWork := func(w time.Duration) bool {
		if total > math.MaxInt64-w {
			total = math.MaxInt64
			return false
		}
		total += w
		return true
	}
	done := cal.walk(from, calWalker{
		skip: func(midnight time.Time) int64 {
			if !to.After(midnight) {
				return 0
			}
			return int64(to.Sub(midnight) / calWeek)
		},
		skipped: addWork,
		visit: func(s, e time.Time) bool {
			if !s.Before(to) {
				return false
			}
			if e.After(to) {
				e = to
			}
			return addWork(e.Sub(s)) && e.Before(to)
		},
	})
	if !done {
		return math.MaxInt64
	}
	return total
}
