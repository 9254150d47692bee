package casekit

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// exportTime is how an export writes a time: what a spreadsheet reads as
// a date and time, in UTC, which the column's name says.
const exportTime = "2006-01-02 15:04:05"

// exportColumns are the columns of ExportCases, with what each writes.
var exportColumns = []struct {
	name string
	cell func(*Case) string
}{
	{"Number", func(c *Case) string { return strconv.FormatInt(c.Number, 10) }},
	{"Subject", func(c *Case) string { return c.Subject }},
	{"Status", func(c *Case) string { return c.Status }},
	{"Priority", func(c *Case) string { return c.Priority }},
	{"Type", func(c *Case) string { return c.Type }},
	{"Category", func(c *Case) string { return c.Category }},
	{"Origin", func(c *Case) string { return c.Origin }},
	{"Customer", func(c *Case) string { return c.CustomerID }},
	{"Contact", func(c *Case) string { return c.Contact.Name }},
	{"Contact email", func(c *Case) string { return c.Contact.Email }},
	{"Assignee", func(c *Case) string { return c.AssigneeID }},
	{"Team", func(c *Case) string { return c.TeamID }},
	{"Queue", func(c *Case) string { return c.QueueID }},
	{"Tags", func(c *Case) string { return strings.Join(c.Tags, ", ") }},
	{"Created (UTC)", func(c *Case) string { return c.CreatedAt.UTC().Format(exportTime) }},
	{"First response (UTC)", func(c *Case) string { return exportAt(c.FirstResponseAt) }},
	{"Resolved (UTC)", func(c *Case) string { return exportAt(c.ResolvedAt) }},
	{"Closed (UTC)", func(c *Case) string { return exportAt(c.ClosedAt) }},
	{"Response due (UTC)", func(c *Case) string { return exportAt(c.ResponseDue) }},
	{"Resolution due (UTC)", func(c *Case) string { return exportAt(c.ResolutionDue) }},
	{"Satisfaction", func(c *Case) string { return exportInt(c.Satisfaction) }},
	{"Updated (UTC)", func(c *Case) string { return c.UpdatedAt.UTC().Format(exportTime) }},
}

func exportAt(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(exportTime)
}

func exportInt(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// SafeCell returns s as a spreadsheet shows it as text: a value starting
// with =, +, -, @, a tab or a carriage return, which a spreadsheet would
// take for a formula (CSV injection), gets a leading apostrophe.
func SafeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// csvWriter writes rows of safe cells and remembers the first error.
type csvWriter struct {
	w   *csv.Writer
	row []string
}

func newCSVWriter(w io.Writer) *csvWriter { return &csvWriter{w: csv.NewWriter(w)} }

// write writes one row of cells, each made safe.
func (cw *csvWriter) write(cells ...string) error {
	cw.row = cw.row[:0]
	for _, c := range cells {
		cw.row = append(cw.row, SafeCell(c))
	}
	return cw.w.Write(cw.row)
}

func (cw *csvWriter) flush() error {
	cw.w.Flush()
	return cw.w.Error()
}

// ExportCases writes every case matching f to w as CSV, in the order of
// f.Sort, with a header row and the columns a spreadsheet user expects
// (number, subject, status, people, tags, times in UTC); every cell is
// made safe with SafeCell. It reads f.Limit cases at a time (0 means
// 500), each page through ListCases with its rules and in a transaction
// of its own, and writes each page before it reads the next: its memory
// stays that of one page however many cases there are, and no
// transaction stays open while w is slow. A case whose sort key changes
// during the export is written where it stood when its page was read.
func (d *Desk) ExportCases(ctx context.Context, w io.Writer, f CaseFilter) error {
	if f.Limit == 0 {
		f.Limit = maxPageSize
	}
	f.After = ""
	cw := newCSVWriter(w)
	header := make([]string, len(exportColumns))
	for i, col := range exportColumns {
		header[i] = col.name
	}
	if err := cw.write(header...); err != nil {
		return err
	}
	cells := make([]string, len(exportColumns))
	for {
		page, err := d.ListCases(ctx, f)
		if err != nil {
			return err
		}
		for _, c := range page.Cases {
			for i, col := range exportColumns {
				cells[i] = col.cell(c)
			}
			if err := cw.write(cells...); err != nil {
				return err
			}
		}
		if err := cw.flush(); err != nil {
			return fmt.Errorf("casekit: export cases: %w", err)
		}
		if page.Next == "" {
			return nil
		}
		f.After = page.Next
	}
}

// WriteCSV writes the report to w as CSV: a header row, then one row per
// group and a last row "Total"; durations (wall-clock, then business
// hours) in hours with two decimals,
// rates as fractions, one column per satisfaction level. Cells are made
// safe with SafeCell.
func (r *Report) WriteCSV(w io.Writer) error {
	cw := newCSVWriter(w)
	header := []string{"Group", "Opened", "Resolved", "Closed", "Reopened", "Reopen rate", "Backlog"}
	lo := "0"
	for _, b := range AgeBuckets {
		header = append(header, fmt.Sprintf("Backlog %s-%s days", lo, strconv.Itoa(int(b.Hours()/24))))
		lo = strconv.Itoa(int(b.Hours() / 24))
	}
	header = append(header, "Backlog over "+lo+" days")
	for _, d := range []string{"First response", "Resolution", "First response (business)", "Resolution (business)"} {
		header = append(header, d+" count", d+" median (h)", d+" p90 (h)", d+" mean (h)")
	}
	for _, s := range []string{"Response SLA", "Resolution SLA"} {
		header = append(header, s+" met", s+" breached", s+" running")
	}
	for _, l := range r.Levels {
		header = append(header, "Satisfaction "+strconv.Itoa(l))
	}
	header = append(header, "Rated", "CSAT")
	if err := cw.write(header...); err != nil {
		return err
	}
	row := func(key string, m Metrics) error {
		cells := []string{key, itoa(m.Opened), itoa(m.Resolved), itoa(m.Closed), itoa(m.Reopened), ftoa(m.ReopenRate), itoa(m.Backlog)}
		for _, n := range m.BacklogByAge {
			cells = append(cells, itoa(n))
		}
		for _, d := range []Durations{m.FirstResponse, m.Resolution, m.FirstResponseBusiness, m.ResolutionBusiness} {
			cells = append(cells, itoa(d.Count), hours(d.Median), hours(d.P90), hours(d.Mean))
		}
		for _, a := range []Attainment{m.ResponseSLA, m.ResolutionSLA} {
			cells = append(cells, itoa(a.Met), itoa(a.Breached), itoa(a.Running))
		}
		for _, l := range r.Levels {
			cells = append(cells, itoa(m.Satisfaction[l]))
		}
		return cw.write(append(cells, itoa(m.Rated), ftoa(m.CSAT))...)
	}
	for _, g := range r.Groups {
		if err := row(g.Key, g.Metrics); err != nil {
			return err
		}
	}
	if err := row("Total", r.Total); err != nil {
		return err
	}
	return cw.flush()
}

func itoa(n int) string { return strconv.Itoa(n) }

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', 4, 64) }

func hours(d time.Duration) string { return strconv.FormatFloat(d.Hours(), 'f', 2, 64) }
