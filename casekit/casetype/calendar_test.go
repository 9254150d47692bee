package casetype

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// calWeekdays returns one interval per day in days.
func calWeekdays(start, end string, days ...time.Weekday) []WorkingHours {
	var hours []WorkingHours
	for _, d := range days {
		hours = append(hours, WorkingHours{Day: d, Start: start, End: end})
	}
	return hours
}

var (
	calMonFri  = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	calAllWeek = []time.Weekday{time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday}
)

// calBerlinOffice is open Monday to Friday, 09:00-17:00 in Berlin.
func calBerlinOffice(holidays ...string) Calendar {
	return Calendar{ID: "berlin-office", Name: "Berlin office", TimeZone: "Europe/Berlin",
		Hours: calWeekdays("09:00", "17:00", calMonFri...), Holidays: holidays}
}

// calBerlinLunch is open Monday to Friday, 09:00-12:00 and 13:00-17:00.
func calBerlinLunch() Calendar {
	hours := append(calWeekdays("09:00", "12:00", calMonFri...), calWeekdays("13:00", "17:00", calMonFri...)...)
	return Calendar{ID: "berlin-lunch", TimeZone: "Europe/Berlin", Hours: hours}
}

// calBerlinAllDay works around the clock every day.
func calBerlinAllDay(holidays ...string) Calendar {
	return Calendar{ID: "berlin-24", TimeZone: "Europe/Berlin", Hours: calWeekdays("00:00", "24:00", calAllWeek...), Holidays: holidays}
}

func calMustCompile(t testing.TB, c Calendar) *CalendarClock {
	t.Helper()
	cal, err := c.Clock()
	if err != nil {
		t.Fatalf("compile %s: %v", c.ID, err)
	}
	return cal
}

func calMustLoad(t testing.TB, zone string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatalf("load %s: %v", zone, err)
	}
	return loc
}

// calLocal parses "2006-01-02 15:04" in zone.
func calLocal(t testing.TB, zone, s string) time.Time {
	t.Helper()
	at, err := time.ParseInLocation("2006-01-02 15:04", s, calMustLoad(t, zone))
	if err != nil {
		t.Fatal(err)
	}
	return at
}

func TestCalendarValidate(t *testing.T) {
	manyHolidays := make([]string, calMaxHolidays+1)
	for i := range manyHolidays {
		manyHolidays[i] = time.Date(2026, 1, 1+i, 0, 0, 0, 0, time.UTC).Format(calDateLayout)
	}
	manyHours := make([]WorkingHours, calMaxHours+1)
	for i := range manyHours {
		manyHours[i] = WorkingHours{Day: time.Weekday(i % 7), Start: fmt.Sprintf("%02d:00", i/7), End: fmt.Sprintf("%02d:30", i/7)}
	}
	type field struct{ Field, Rule string }
	tests := []struct {
		name   string
		change func(c *Calendar)
		want   []field
	}{
		{"valid", func(c *Calendar) {}, nil},
		{"empty zone means UTC", func(c *Calendar) { c.TimeZone = "" }, nil},
		{"touching intervals", func(c *Calendar) {
			c.Hours = []WorkingHours{{time.Monday, "09:00", "12:00"}, {time.Monday, "12:00", "13:00"}, {time.Monday, "13:00", "24:00"}}
		}, nil},
		{"same interval on different days", func(c *Calendar) {
			c.Hours = []WorkingHours{{time.Monday, "09:00", "12:00"}, {time.Tuesday, "09:00", "12:00"}}
		}, nil},
		{"unknown zone", func(c *Calendar) { c.TimeZone = "Mars/Olympus_Mons" }, []field{{"time_zone", "timezone"}}},
		{"Local is not a zone name", func(c *Calendar) { c.TimeZone = "Local" }, []field{{"time_zone", "timezone"}}},
		{"start without leading zero", func(c *Calendar) { c.Hours[0].Start = "9:00" }, []field{{"hours[0].start", "time"}}},
		{"start at 24:00", func(c *Calendar) { c.Hours[1].Start = "24:00" }, []field{{"hours[1].start", "time"}}},
		{"end past 24:00", func(c *Calendar) { c.Hours[2].End = "24:30" }, []field{{"hours[2].end", "time"}}},
		{"end hour 25", func(c *Calendar) { c.Hours[2].End = "25:00" }, []field{{"hours[2].end", "time"}}},
		{"minute 60", func(c *Calendar) { c.Hours[3].End = "16:60" }, []field{{"hours[3].end", "time"}}},
		{"not digits", func(c *Calendar) { c.Hours[0].Start = "ab:cd" }, []field{{"hours[0].start", "time"}}},
		{"seconds", func(c *Calendar) { c.Hours[0].Start = "09:00:00" }, []field{{"hours[0].start", "time"}}},
		{"empty time", func(c *Calendar) { c.Hours[4].End = "" }, []field{{"hours[4].end", "time"}}},
		{"weekday 7", func(c *Calendar) { c.Hours[0].Day = 7 }, []field{{"hours[0].day", "weekday"}}},
		{"weekday -1", func(c *Calendar) { c.Hours[4].Day = -1 }, []field{{"hours[4].day", "weekday"}}},
		{"start after end", func(c *Calendar) { c.Hours[1].Start, c.Hours[1].End = "17:00", "09:00" }, []field{{"hours[1]", "empty"}}},
		{"start equals end", func(c *Calendar) { c.Hours[1].End = "09:00" }, []field{{"hours[1]", "empty"}}},
		{"overlap", func(c *Calendar) {
			c.Hours = append(c.Hours, WorkingHours{time.Wednesday, "16:59", "18:00"})
		}, []field{{"hours[5]", "overlap"}}},
		{"overlap reported on the later entry", func(c *Calendar) {
			c.Hours = []WorkingHours{{time.Monday, "12:00", "14:00"}, {time.Monday, "09:00", "12:30"}}
		}, []field{{"hours[1]", "overlap"}}},
		{"contained interval", func(c *Calendar) {
			c.Hours = []WorkingHours{{time.Monday, "09:00", "17:00"}, {time.Tuesday, "09:00", "17:00"}, {time.Monday, "10:00", "11:00"}}
		}, []field{{"hours[2]", "overlap"}}},
		{"no hours", func(c *Calendar) { c.Hours = nil }, []field{{"hours", "required"}}},
		{"too many hours", func(c *Calendar) { c.Hours = manyHours }, []field{{"hours", "max"}}},
		{"bad month", func(c *Calendar) { c.Holidays = []string{"2026-13-01"} }, []field{{"holidays[0]", "date"}}},
		{"no such day", func(c *Calendar) { c.Holidays = []string{"2026-12-24", "2026-02-30"} }, []field{{"holidays[1]", "date"}}},
		{"short date", func(c *Calendar) { c.Holidays = []string{"2026-1-05"} }, []field{{"holidays[0]", "date"}}},
		{"date with time", func(c *Calendar) { c.Holidays = []string{"2026-12-25T00:00:00Z"} }, []field{{"holidays[0]", "date"}}},
		{"duplicate holiday", func(c *Calendar) {
			c.Holidays = []string{"2026-12-25", "2026-12-26", "2026-12-25"}
		}, []field{{"holidays[2]", "unique"}}},
		{"too many holidays", func(c *Calendar) { c.Holidays = manyHolidays }, []field{{"holidays", "max"}}},
		{"all failures are collected", func(c *Calendar) {
			c.TimeZone = "Nowhere/City"
			c.Hours[0].Start = "9"
			c.Hours[1].Day = 9
			c.Hours[2].End = "08:00"
			c.Holidays = []string{"x", "2026-01-01", "2026-01-01"}
		}, []field{{"time_zone", "timezone"}, {"hours[0].start", "time"}, {"hours[1].day", "weekday"}, {"hours[2]", "empty"}, {"holidays[0]", "date"}, {"holidays[2]", "unique"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := calBerlinOffice("2026-12-25")
			tt.change(&c)
			err := c.Validate()
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Validate() = %v, want *ValidationError", err)
			}
			var got []field
			for _, f := range ve.Fields {
				if f.Message == "" {
					t.Errorf("%s: empty message", f.Field)
				}
				got = append(got, field{f.Field, f.Rule})
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Validate() fields = %v, want %v", got, tt.want)
			}
			if _, err := c.Clock(); !errors.As(err, &ve) {
				t.Errorf("Clock() = %v, want *ValidationError", err)
			}
		})
	}
}

func TestBusinessCalendarAdd(t *testing.T) {
	const berlin = "Europe/Berlin"
	tests := []struct {
		name  string
		cal   Calendar
		start string
		d     time.Duration
		want  string
	}{
		{"friday afternoon to monday", calBerlinOffice(), "2026-01-09 15:00", 4 * time.Hour, "2026-01-12 11:00"},
		{"saturday counts from monday", calBerlinOffice(), "2026-01-10 10:00", time.Hour, "2026-01-12 10:00"},
		{"sunday night counts from monday", calBerlinOffice(), "2026-01-11 23:59", 30 * time.Minute, "2026-01-12 09:30"},
		{"before opening", calBerlinOffice(), "2026-01-13 07:00", 2 * time.Hour, "2026-01-13 11:00"},
		{"after closing", calBerlinOffice(), "2026-01-13 18:00", 2 * time.Hour, "2026-01-14 11:00"},
		{"at closing", calBerlinOffice(), "2026-01-09 17:00", 30 * time.Minute, "2026-01-12 09:30"},
		{"within the day", calBerlinOffice(), "2026-01-13 10:15", 3*time.Hour + 30*time.Minute, "2026-01-13 13:45"},
		{"exactly to closing", calBerlinOffice(), "2026-01-12 09:00", 8 * time.Hour, "2026-01-12 17:00"},
		{"one working week", calBerlinOffice(), "2026-01-12 09:00", 40 * time.Hour, "2026-01-16 17:00"},
		{"1000 hours", calBerlinOffice(), "2026-01-12 09:00", 1000 * time.Hour, "2026-07-03 17:00"},
		{"holiday monday pushes to tuesday", calBerlinOffice("2026-01-12"), "2026-01-09 15:00", 4 * time.Hour, "2026-01-13 11:00"},
		{"start on a holiday", calBerlinOffice("2026-01-13"), "2026-01-13 10:00", time.Hour, "2026-01-14 10:00"},
		{"christmas week", calBerlinOffice("2026-12-24", "2026-12-25", "2026-12-31", "2027-01-01"), "2026-12-23 16:00", 3 * time.Hour, "2026-12-28 11:00"},
		{"lunch is skipped", calBerlinLunch(), "2026-01-12 11:00", 2 * time.Hour, "2026-01-12 14:00"},
		{"start during lunch", calBerlinLunch(), "2026-01-12 12:30", 30 * time.Minute, "2026-01-12 13:30"},
		{"exactly to lunch", calBerlinLunch(), "2026-01-12 11:00", time.Hour, "2026-01-12 12:00"},
		{"lunch day holds 7 hours", calBerlinLunch(), "2026-01-12 09:00", 7*time.Hour + time.Minute, "2026-01-13 09:01"},
		{"over the spring-forward weekend", calBerlinOffice(), "2026-03-27 15:00", 4 * time.Hour, "2026-03-30 11:00"},
		{"over the fall-back weekend", calBerlinOffice(), "2026-10-23 15:00", 4 * time.Hour, "2026-10-26 11:00"},
		{"spring-forward day holds 23 hours", calBerlinAllDay(), "2026-03-29 00:00", 23 * time.Hour, "2026-03-30 00:00"},
		{"fall-back day holds 25 hours", calBerlinAllDay(), "2026-10-25 00:00", 25 * time.Hour, "2026-10-26 00:00"},
		{"all-day holiday", calBerlinAllDay("2026-03-29"), "2026-03-28 23:00", 2 * time.Hour, "2026-03-30 01:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cal := calMustCompile(t, tt.cal)
			start := calLocal(t, berlin, tt.start)
			got := cal.Add(start, tt.d)
			if want := calLocal(t, berlin, tt.want); !got.Equal(want) {
				t.Errorf("add(%s, %v) = %s, want %s", tt.start, tt.d, got.In(want.Location()), want)
			}
			if got.Location() != time.UTC {
				t.Errorf("add returned location %v, want UTC", got.Location())
			}
			if b := cal.Between(start, got); b != tt.d {
				t.Errorf("between(start, add(start, %v)) = %v", tt.d, b)
			}
		})
	}
}

func TestBusinessCalendarAddZero(t *testing.T) {
	cal := calMustCompile(t, calBerlinOffice())
	start := calLocal(t, "Europe/Berlin", "2026-01-10 10:00") // a Saturday
	for _, d := range []time.Duration{0, -time.Hour, math.MinInt64} {
		if got := cal.Add(start, d); !got.Equal(start) || got.Location() != time.UTC {
			t.Errorf("add(start, %v) = %v, want start %v in UTC", d, got, start)
		}
	}
}

func TestBusinessCalendarBetween(t *testing.T) {
	const berlin = "Europe/Berlin"
	tests := []struct {
		name     string
		cal      Calendar
		from, to string
		want     time.Duration
	}{
		{"friday to monday", calBerlinOffice(), "2026-01-09 15:00", "2026-01-12 11:00", 4 * time.Hour},
		{"weekend", calBerlinOffice(), "2026-01-10 00:00", "2026-01-12 00:00", 0},
		{"reversed", calBerlinOffice(), "2026-01-12 11:00", "2026-01-09 15:00", 0},
		{"empty", calBerlinOffice(), "2026-01-12 11:00", "2026-01-12 11:00", 0},
		{"one week", calBerlinOffice(), "2026-01-12 00:00", "2026-01-19 00:00", 40 * time.Hour},
		{"a year", calBerlinOffice(), "2026-01-01 00:00", "2027-01-01 00:00", 261 * 8 * time.Hour},
		{"a year minus holidays", calBerlinOffice("2026-01-01", "2026-12-25", "2026-12-26"), "2026-01-01 00:00", "2027-01-01 00:00", 259 * 8 * time.Hour},
		{"holiday", calBerlinOffice("2026-01-12"), "2026-01-12 00:00", "2026-01-13 00:00", 0},
		{"lunch", calBerlinLunch(), "2026-01-12 11:30", "2026-01-12 13:30", time.Hour},
		{"spring-forward day, all day", calBerlinAllDay(), "2026-03-29 00:00", "2026-03-30 00:00", 23 * time.Hour},
		{"fall-back day, all day", calBerlinAllDay(), "2026-10-25 00:00", "2026-10-26 00:00", 25 * time.Hour},
		{"ordinary day, all day", calBerlinAllDay(), "2026-03-28 00:00", "2026-03-29 00:00", 24 * time.Hour},
		{"week with spring-forward", calBerlinAllDay(), "2026-03-23 00:00", "2026-03-30 00:00", 7*24*time.Hour - time.Hour},
		{"spring-forward day, 09-17", Calendar{TimeZone: berlin, Hours: calWeekdays("09:00", "17:00", calAllWeek...)}, "2026-03-29 00:00", "2026-03-30 00:00", 8 * time.Hour},
		{"fall-back day, 09-17", Calendar{TimeZone: berlin, Hours: calWeekdays("09:00", "17:00", calAllWeek...)}, "2026-10-25 00:00", "2026-10-26 00:00", 8 * time.Hour},
		{"spring-forward night, 00-06", Calendar{TimeZone: berlin, Hours: calWeekdays("00:00", "06:00", time.Sunday)}, "2026-03-29 00:00", "2026-03-30 00:00", 5 * time.Hour},
		{"fall-back night, 00-06", Calendar{TimeZone: berlin, Hours: calWeekdays("00:00", "06:00", time.Sunday)}, "2026-10-25 00:00", "2026-10-26 00:00", 7 * time.Hour},
		{"skipped hour holds no work", Calendar{TimeZone: berlin, Hours: calWeekdays("02:00", "03:00", time.Sunday)}, "2026-03-29 00:00", "2026-03-30 00:00", 0},
		{"repeated hour holds double", Calendar{TimeZone: berlin, Hours: calWeekdays("02:00", "03:00", time.Sunday)}, "2026-10-25 00:00", "2026-10-26 00:00", 2 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cal := calMustCompile(t, tt.cal)
			if got := cal.Between(calLocal(t, berlin, tt.from), calLocal(t, berlin, tt.to)); got != tt.want {
				t.Errorf("between(%s, %s) = %v, want %v", tt.from, tt.to, got, tt.want)
			}
		})
	}
}

func TestBusinessCalendarNewYork(t *testing.T) {
	const ny = "America/New_York"
	office := calMustCompile(t, Calendar{TimeZone: ny, Hours: calWeekdays("08:30", "18:00", calMonFri...), Holidays: []string{"2026-07-03", "2026-11-26"}})
	night := calMustCompile(t, Calendar{TimeZone: ny, Hours: calWeekdays("00:00", "04:00", time.Sunday)})
	tests := []struct {
		name  string
		cal   *CalendarClock
		start string
		d     time.Duration
		want  string
		utc   string // the expected result in UTC, "2006-01-02 15:04"
	}{
		{"friday to monday", office, "2026-01-09 17:00", 2 * time.Hour, "2026-01-12 09:30", "2026-01-12 14:30"},
		{"over spring-forward", office, "2026-03-06 17:00", 2 * time.Hour, "2026-03-09 09:30", "2026-03-09 13:30"},
		{"over fall-back", office, "2026-10-30 17:00", 2 * time.Hour, "2026-11-02 09:30", "2026-11-02 14:30"},
		{"independence day observed", office, "2026-07-02 17:00", 2 * time.Hour, "2026-07-06 09:30", "2026-07-06 13:30"},
		{"thanksgiving", office, "2026-11-25 17:30", time.Hour, "2026-11-27 09:00", "2026-11-27 14:00"},
		{"short sunday night", night, "2026-03-08 00:00", 3 * time.Hour, "2026-03-08 04:00", "2026-03-08 08:00"},
		{"long sunday night", night, "2026-11-01 00:00", 5 * time.Hour, "2026-11-01 04:00", "2026-11-01 09:00"},
		{"ordinary sunday night", night, "2026-01-04 00:00", 5 * time.Hour, "2026-01-11 01:00", "2026-01-11 06:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := calLocal(t, ny, tt.start)
			got := tt.cal.Add(start, tt.d)
			if want := calLocal(t, ny, tt.want); !got.Equal(want) {
				t.Errorf("add(%s, %v) = %s, want %s", tt.start, tt.d, got.In(want.Location()), want)
			}
			if want := calLocal(t, "UTC", tt.utc); !got.Equal(want) {
				t.Errorf("add(%s, %v) = %s, want %s", tt.start, tt.d, got, want)
			}
			if b := tt.cal.Between(start, got); b != tt.d {
				t.Errorf("between(start, add(start, %v)) = %v", tt.d, b)
			}
		})
	}
}

func TestBusinessCalendarNil24x7(t *testing.T) {
	var cal *CalendarClock
	berlin := calMustLoad(t, "Europe/Berlin")
	start := time.Date(2026, 3, 28, 22, 0, 0, 0, berlin)
	tests := []struct {
		d    time.Duration
		want time.Time
	}{
		{0, start},
		{-time.Hour, start},
		{time.Nanosecond, start.Add(time.Nanosecond)},
		{4 * time.Hour, time.Date(2026, 3, 29, 3, 0, 0, 0, berlin)}, // across spring-forward
		{1000 * time.Hour, start.Add(1000 * time.Hour)},
	}
	for _, tt := range tests {
		got := cal.Add(start, tt.d)
		if !got.Equal(tt.want) || got.Location() != time.UTC {
			t.Errorf("nil add(start, %v) = %v, want %v in UTC", tt.d, got, tt.want)
		}
		if tt.d > 0 {
			if b := cal.Between(start, got); b != tt.d {
				t.Errorf("nil between(start, add(start, %v)) = %v", tt.d, b)
			}
		}
	}
	if got := cal.Between(start.Add(time.Hour), start); got != 0 {
		t.Errorf("nil between reversed = %v, want 0", got)
	}
}

// calPropertyCalendars are the calendars of the property tests: zones with
// daylight saving at 02:00, at midnight and by 30 minutes, and intervals
// that cover the changes.
func calPropertyCalendars() []Calendar {
	return []Calendar{
		calBerlinOffice("2026-01-01", "2026-04-03", "2026-04-06", "2026-05-01", "2026-10-26", "2026-12-24", "2026-12-25", "2027-01-01"),
		func() Calendar {
			c := calBerlinLunch()
			c.Hours = append(c.Hours, WorkingHours{time.Saturday, "10:00", "12:30"})
			c.Holidays = []string{"2026-03-28", "2026-12-25"}
			return c
		}(),
		calBerlinAllDay("2026-02-14", "2026-10-24", "2027-03-28"),
		{ID: "new-york", TimeZone: "America/New_York",
			Hours:    append(calWeekdays("08:30", "18:00", calMonFri...), WorkingHours{time.Sunday, "00:00", "03:00"}),
			Holidays: []string{"2026-07-03", "2026-11-26", "2026-11-01"}},
		{ID: "santiago", TimeZone: "America/Santiago", Hours: []WorkingHours{
			{time.Saturday, "20:00", "24:00"}, {time.Sunday, "00:00", "08:00"}, {time.Wednesday, "12:00", "13:00"}}},
		{ID: "lord-howe", TimeZone: "Australia/Lord_Howe",
			Hours: append(calWeekdays("01:00", "03:00", calAllWeek...), calWeekdays("09:00", "17:00", calMonFri...)...), Holidays: []string{"2026-10-04"}},
		{ID: "utc", Hours: []WorkingHours{{time.Sunday, "23:00", "24:00"}, {time.Monday, "00:00", "01:00"}, {time.Thursday, "13:37", "13:38"}}},
	}
}

// calWallWorking reports whether the instant at is working time on c, whose
// zone is loc, by reading its local wall clock, independently of the
// calendar's own code.
func calWallWorking(c Calendar, loc *time.Location, at time.Time) bool {
	l := at.In(loc)
	if slices.Contains(c.Holidays, l.Format("2006-01-02")) {
		return false
	}
	wall := time.Duration(l.Hour())*time.Hour + time.Duration(l.Minute())*time.Minute +
		time.Duration(l.Second())*time.Second + time.Duration(l.Nanosecond())
	for _, h := range c.Hours {
		if h.Day != l.Weekday() {
			continue
		}
		start, _ := time.Parse("15:04", h.Start)
		end := 24 * time.Hour
		if h.End != "24:00" {
			e, _ := time.Parse("15:04", h.End)
			end = time.Duration(e.Hour())*time.Hour + time.Duration(e.Minute())*time.Minute
		}
		if s := time.Duration(start.Hour())*time.Hour + time.Duration(start.Minute())*time.Minute; s <= wall && wall < end {
			return true
		}
	}
	return false
}

// calTransitions returns the instants in [from, to) at which loc's offset
// changes.
func calTransitions(loc *time.Location, from, to time.Time) []time.Time {
	var out []time.Time
	for t := from; t.Before(to); {
		_, end := t.In(loc).ZoneBounds()
		if end.IsZero() || !end.Before(to) || !end.After(t) {
			break
		}
		out = append(out, end)
		t = end
	}
	return out
}

// calRandomDuration returns a working duration from a nanosecond to years.
func calRandomDuration(r *rand.Rand) time.Duration {
	switch r.IntN(5) {
	case 0:
		return time.Duration(r.Int64N(int64(10*time.Minute))) + 1
	case 1:
		return time.Duration(r.IntN(72*60)+1) * time.Minute
	case 2:
		return time.Duration(r.IntN(2000)+1) * time.Hour
	case 3:
		return time.Duration(r.Int64N(int64(2000 * time.Hour)))
	default:
		return time.Duration(r.Int64N(int64(5*365*24*time.Hour))) + 1
	}
}

func TestBusinessCalendarProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(2026, 10))
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	span := time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC).Sub(base)
	for _, c := range calPropertyCalendars() {
		t.Run(c.ID, func(t *testing.T) {
			cal := calMustCompile(t, c)
			for i := range 600 {
				start := base.Add(time.Duration(r.Int64N(int64(span))))
				if i%3 == 0 {
					start = start.Truncate(15 * time.Minute) // land on interval edges too
				}
				d := calRandomDuration(r)
				got := cal.Add(start, d)
				if d == 0 {
					if !got.Equal(start) {
						t.Fatalf("add(%v, 0) = %v", start, got)
					}
					continue
				}
				if !got.After(start) || got.Location() != time.UTC {
					t.Fatalf("add(%v, %v) = %v, want a later UTC time", start, d, got)
				}
				if b := cal.Between(start, got); b != d {
					t.Fatalf("between(%v, add(%v, %v) = %v) = %v", start, start, d, got, b)
				}
				if last := got.Add(-time.Nanosecond); !calWallWorking(c, cal.loc, last) {
					t.Fatalf("add(%v, %v) = %v: the instant before is not working time", start, d, got)
				}
				mid := start.Add(time.Duration(r.Int64N(int64(got.Sub(start)))))
				if a, b := cal.Between(start, mid), cal.Between(mid, got); a+b != d {
					t.Fatalf("between(start, mid) + between(mid, end) = %v + %v, want %v (start %v, mid %v, end %v)", a, b, d, start, mid, got)
				}
			}
		})
	}
}

// TestBusinessCalendarMatchesWallClock compares between with a count of
// working minutes read off the wall clock, around every offset change.
func TestBusinessCalendarMatchesWallClock(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range calPropertyCalendars() {
		t.Run(c.ID, func(t *testing.T) {
			cal := calMustCompile(t, c)
			loc := cal.loc
			var starts []time.Time
			for _, tr := range calTransitions(loc, from, to) {
				starts = append(starts, tr.Add(-time.Duration(r.IntN(3*24*60))*time.Minute))
			}
			for range 6 {
				starts = append(starts, from.Add(time.Duration(r.IntN(2*365*24*60))*time.Minute))
			}
			for _, start := range starts {
				end := start.Add(time.Duration(r.IntN(4*24*60)+1) * time.Minute)
				var want time.Duration
				for m := start; m.Before(end); m = m.Add(time.Minute) {
					if calWallWorking(c, loc, m) {
						want += time.Minute
					}
				}
				if got := cal.Between(start, end); got != want {
					t.Errorf("between(%v, %v) = %v, wall clock counts %v", start.In(loc), end.In(loc), got, want)
				}
			}
		})
	}
}

// TestBusinessCalendarLongDurations checks that add terminates and stays
// consistent with between for 10 years of working time on a calendar with
// one working minute a week.
func TestBusinessCalendarLongDurations(t *testing.T) {
	const tenYears = 10 * 365 * 24 * time.Hour
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, zone := range []string{"", "Europe/Berlin"} {
		t.Run("zone="+zone, func(t *testing.T) {
			cal := calMustCompile(t, Calendar{TimeZone: zone, Hours: []WorkingHours{{time.Wednesday, "10:00", "10:01"}}, Holidays: []string{"2026-01-07"}})
			got := cal.Add(start, tenYears)
			if got.IsZero() {
				t.Fatal("add gave up")
			}
			if b := cal.Between(start, got); b != tenYears {
				t.Fatalf("between(start, add(start, 10y)) = %v", b)
			}
			l := got.In(cal.loc)
			if h, m := l.Hour(), l.Minute(); l.Weekday() != time.Wednesday || h != 10 || m != 1 {
				t.Fatalf("add(start, 10y) = %v, want a Wednesday 10:01", l)
			}
		})
	}
}

func TestBusinessCalendarStepBound(t *testing.T) {
	start := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	// Holidays on every Sunday keep the walk from skipping whole weeks.
	var sundays []string
	for d := start.AddDate(0, 0, -1); d.Year() < 2028; d = d.AddDate(0, 0, 7) {
		sundays = append(sundays, d.Format(calDateLayout))
	}
	bounded := calMustCompile(t, Calendar{Hours: calWeekdays("09:00", "17:00", calMonFri...), Holidays: sundays})
	bounded.maxSteps = 30
	empty := &CalendarClock{loc: time.UTC} // no working hours: compile never builds it
	tests := []struct {
		name        string
		cal         *CalendarClock
		d           time.Duration
		wantAdd     time.Time
		to          time.Time
		wantBetween time.Duration
	}{
		{"within the bound", bounded, 24 * time.Hour, start.AddDate(0, 0, 2).Add(8 * time.Hour), start.AddDate(0, 0, 14), 80 * time.Hour},
		{"past the bound", bounded, 1000 * time.Hour, time.Time{}, start.AddDate(1, 0, 0), math.MaxInt64},
		{"no working hours", empty, time.Hour, time.Time{}, start.AddDate(100000, 0, 0), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.cal.Add(start, tt.d); !got.Equal(tt.wantAdd) {
				t.Errorf("add(start, %v) = %v, want %v", tt.d, got, tt.wantAdd)
			}
			if got := tt.cal.Between(start, tt.to); got != tt.wantBetween {
				t.Errorf("between(start, %v) = %v, want %v", tt.to, got, tt.wantBetween)
			}
		})
	}
}

func BenchmarkBusinessCalendarAdd(b *testing.B) {
	cal := calMustCompile(b, calBerlinOffice("2026-04-03", "2026-04-06", "2026-05-01", "2026-05-14", "2026-05-25", "2026-10-03", "2026-12-25", "2026-12-26"))
	start := time.Date(2026, 1, 9, 15, 0, 0, 0, cal.loc)
	for b.Loop() {
		if cal.Add(start, 1000*time.Hour).IsZero() {
			b.Fatal("add gave up")
		}
	}
}
