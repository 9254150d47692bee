package main

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"casekit.dev/casekit"
)

// calendarFields are a calendar form's fields: the working hours one
// interval a line ("Mon 09:00-17:00"), the holidays one date a line.
var calendarFields = []string{"id", "name", "time_zone", "hours", "holidays"}

// maxCalendarLines bounds the lines of the hours and holidays fields
// read (the library's own bounds are lower).
const maxCalendarLines = 2000

// calendarValues are a calendar as its form shows it.
func calendarValues(c casekit.Calendar) map[string]string {
	hours := make([]string, len(c.Hours))
	for i, h := range c.Hours {
		hours[i] = fmt.Sprintf("%s %s-%s", h.Day.String()[:3], h.Start, h.End)
	}
	return map[string]string{"id": c.ID, "name": c.Name, "time_zone": c.TimeZone, "hours": strings.Join(hours, "\n"),
		"holidays": strings.Join(c.Holidays, "\n")}
}

// lines are the non-empty lines of a text area, at most
// maxCalendarLines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" && len(out) < maxCalendarLines {
			out = append(out, l)
		}
	}
	return out
}

// weekdays are the names a line of working hours may start with.
var weekdays = func() map[string]time.Weekday {
	m := map[string]time.Weekday{}
	for d := time.Sunday; d <= time.Saturday; d++ {
		m[strings.ToLower(d.String())] = d
		m[strings.ToLower(d.String()[:3])] = d
	}
	return m
}()

// hoursLine is a line of working hours: a weekday and an interval.
var hoursLine = regexp.MustCompile(`^(\pL+)\s+(\S+)\s*-\s*(\S+)$`)

// calendarFromForm reads a calendar from its form. The times are left
// for the library to check; a line that is not "day start-end" is an
// error on hours naming the line.
func calendarFromForm(v url.Values) (casekit.Calendar, error) {
	c := casekit.Calendar{ID: strings.TrimSpace(v.Get("id")), Name: v.Get("name"), TimeZone: strings.TrimSpace(v.Get("time_zone")),
		Holidays: lines(v.Get("holidays"))}
	var bad []string
	for i, l := range lines(v.Get("hours")) {
		m := hoursLine.FindStringSubmatch(l)
		day, ok := time.Weekday(0), false
		if m != nil {
			day, ok = weekdays[strings.ToLower(m[1])]
		}
		if !ok {
			bad = append(bad, fmt.Sprintf("line %d is not a weekday and hours such as Mon 09:00-17:00", i+1))
			continue
		}
		c.Hours = append(c.Hours, casekit.WorkingHours{Day: day, Start: m[2], End: m[3]})
	}
	if len(bad) > 0 {
		return c, fieldError("hours", "format", strings.Join(bad, "; "))
	}
	return c, nil
}

// listField is the library's name of an entry of the hours or holidays.
var listField = regexp.MustCompile(`^(hours|holidays)\[(\d+)\](?:\.\w+)?$`)

func (a *app) calendarEditor(w http.ResponseWriter, r *http.Request, req *request) {
	a.showCalendars(w, r, req, http.StatusOK, "", nil)
}

// showCalendars renders the calendar editor; refused, when not nil, is
// the form whose save or delete was refused (key "" for the new one).
func (a *app) showCalendars(w http.ResponseWriter, r *http.Request, req *request, status int, key string, refused *form) {
	cals, err := req.desk.Config().Calendars(r.Context())
	a.showItems(w, r, req, itemsView{page: "calendars", title: "Business calendars", status: status, key: key, refused: refused,
		saved: rowsOf(cals, calendarValues), keyField: "id",
		blank: map[string]string{"time_zone": "UTC", "hours": "Mon 09:00-17:00\nTue 09:00-17:00\nWed 09:00-17:00\nThu 09:00-17:00\nFri 09:00-17:00"}}, err)
}

// saveCalendar saves or deletes one calendar; the library's errors on an
// entry of the hours or holidays are shown on that field with the line.
func (a *app) saveCalendar(w http.ResponseWriter, r *http.Request, req *request) {
	ctx := r.Context()
	a.editItem(w, r, itemEdit{path: "/admin/calendars", fields: calendarFields,
		save: func(v url.Values) error {
			c, err := calendarFromForm(v)
			if err != nil {
				return err
			}
			return req.desk.Config().SaveCalendar(ctx, c)
		},
		del: func(key string) error { return req.desk.Config().DeleteCalendar(ctx, key) },
		rewrite: func(fe casekit.FieldError) casekit.FieldError {
			if m := listField.FindStringSubmatch(fe.Field); m != nil {
				n, _ := strconv.Atoi(m[2])
				fe.Field, fe.Message = m[1], fmt.Sprintf("line %d: %s", n+1, fe.Message)
			}
			return fe
		},
		show: func(status int, key string, f *form) { a.showCalendars(w, r, req, status, key, f) },
	})
}
