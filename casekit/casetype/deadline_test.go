package casetype

import (
	"errors"
	"testing"
	"time"
)

// Calendar.Add and SLA.Deadlines count as the kit counts a case's
// deadlines: in the calendar's working time, or around the clock.
func TestDeadlinesPreview(t *testing.T) {
	const berlin = "Europe/Berlin"
	cal := calBerlinOffice("2026-01-12")
	fri := calLocal(t, berlin, "2026-01-09 15:00")
	got, err := cal.Add(fri, 4*time.Hour)
	if want := calLocal(t, berlin, "2026-01-13 11:00"); err != nil || !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("Add(friday 15:00, 4h) = %v, %v; want %v in UTC (the holiday monday skipped)", got, err, want)
	}
	var ve *ValidationError
	if _, err := (Calendar{ID: "x", TimeZone: "Mars/Olympus", Hours: cal.Hours}).Add(fri, time.Hour); !errors.As(err, &ve) {
		t.Errorf("Add on a calendar with an unknown zone: %v, want a ValidationError", err)
	}

	sla := SLA{ID: "std", Name: "Standard", CalendarID: cal.ID, Targets: []SLATarget{{Priority: "high", FirstResponse: 4 * time.Hour, Resolution: 16 * time.Hour}}}
	resp, res, ok, err := sla.Deadlines(&cal, "high", fri)
	if !ok || err != nil || !resp.Equal(calLocal(t, berlin, "2026-01-13 11:00")) || !res.Equal(calLocal(t, berlin, "2026-01-14 15:00")) {
		t.Errorf("Deadlines on the calendar = %v, %v, %v, %v", resp, res, ok, err)
	}
	resp, res, ok, err = sla.Deadlines(nil, "high", fri)
	if !ok || err != nil || !resp.Equal(fri.Add(4*time.Hour)) || !res.Equal(fri.Add(16*time.Hour)) {
		t.Errorf("Deadlines around the clock = %v, %v, %v, %v", resp, res, ok, err)
	}
	if _, _, ok, err := sla.Deadlines(&cal, "low", fri); ok || err != nil {
		t.Errorf("Deadlines for a priority without target: ok %v, err %v; want no deadlines", ok, err)
	}
}
