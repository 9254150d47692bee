package main

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"casekit.dev/casekit"
)

// periods are the dashboard's periods: the last days up to today, or the
// last twelve months up to this one, or dates of one's own.
var periods = []option{{"7d", "Last 7 days"}, {"30d", "Last 30 days"}, {"90d", "Last 90 days"}, {"12m", "Last 12 months"}, {"custom", "From … to …"}}

// maxDailySpan is the longest custom period the volume chart shows by
// day; a longer one is shown by month.
const maxDailySpan = 92 * 24 * time.Hour

// dashboardPage is the support lead's morning page.
type dashboardPage struct {
	basePage
	Form    *form
	Periods []option
	Queues  []casekit.Queue
	Teams   []casekit.Team
	// Query is the dashboard's query string, for the CSV links.
	Query  string
	Report *casekit.Report // the period's totals (and its days or months)
	From   string          // the period, as dates
	To     string
	Charts []*barChart
}

// dashboardQuery is what the dashboard's form asks: the period and its
// grouping, and the filter.
type dashboardQuery struct {
	report casekit.ReportQuery
	form   *form
}

// parseDashboard reads the form: the period (30 days unless said), the
// queue and the team. Bad dates come back as field errors on the form.
func parseDashboard(q url.Values, now time.Time) (dashboardQuery, error) {
	f := &form{Values: map[string]string{"period": "30d"}, Errors: map[string]string{}}
	for _, k := range dashboardFields {
		if v := q.Get(k); v != "" {
			f.Values[k] = v
		}
	}
	dq := dashboardQuery{form: f, report: casekit.ReportQuery{GroupBy: casekit.GroupDay,
		Filter: casekit.CaseFilter{QueueID: f.Val("queue"), TeamID: f.Val("team")}}}
	today := now.UTC().Truncate(24 * time.Hour)
	r := &dq.report
	switch p := f.Val("period"); p {
	case "7d", "30d", "90d":
		days, _ := strconv.Atoi(p[:len(p)-1])
		r.From, r.To = today.AddDate(0, 0, 1-days), today.AddDate(0, 0, 1)
	case "12m":
		month := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
		r.From, r.To, r.GroupBy = month.AddDate(0, -11, 0), month.AddDate(0, 1, 0), casekit.GroupMonth
	case "custom":
		var errs []casekit.FieldError
		day := func(k string) time.Time {
			t, err := time.Parse(time.DateOnly, f.Val(k))
			if err != nil {
				errs = append(errs, casekit.FieldError{Field: k, Rule: "date", Message: "is not a date such as 2026-11-23"})
			}
			return t
		}
		r.From, r.To = day("from"), day("to").AddDate(0, 0, 1)
		if len(errs) > 0 {
			return dq, &casekit.ValidationError{Fields: errs}
		}
		if r.To.Sub(r.From) > maxDailySpan {
			r.GroupBy = casekit.GroupMonth
		}
	default:
		return dq, fieldError("period", "oneof", "Choose one of the periods.")
	}
	return dq, nil
}

// dashboard shows the period's numbers as charts with their tables.
func (a *app) dashboard(w http.ResponseWriter, r *http.Request, req *request) {
	ctx := r.Context()
	p := &dashboardPage{basePage: a.basePage(r, req.s, "Reports"), Periods: periods}
	var err error
	if p.Queues, err = req.desk.Config().Queues(ctx); err == nil {
		p.Teams, err = req.desk.Config().Teams(ctx)
	}
	if err != nil {
		a.internal(w, r, err)
		return
	}
	dq, err := parseDashboard(r.URL.Query(), a.clock.Now())
	p.Form = dq.form
	var byTime, byQueue *casekit.Report
	if err == nil {
		byTime, err = req.desk.Report(ctx, dq.report)
	}
	if err == nil {
		qq := dq.report
		qq.GroupBy = casekit.GroupQueue
		byQueue, err = req.desk.Report(ctx, qq)
	}
	if err != nil {
		if a.reportInvalid(w, r, err) {
			p.Form = formFrom(r.URL.Query(), dashboardFields, err)
			p.Form.Values["period"] = dq.form.Val("period")
			a.render(w, r, http.StatusUnprocessableEntity, "dashboard", p)
		}
		return
	}
	p.Report = byTime
	p.From = dq.report.From.Format(time.DateOnly)
	p.To = dq.report.To.AddDate(0, 0, -1).Format(time.DateOnly)
	p.Query = dashboardValues(dq).Encode()
	p.Charts = dashboardCharts(byTime, byQueue, p.Queues)
	a.render(w, r, http.StatusOK, "dashboard", p)
}

// dashboardFields are the dashboard form's fields.
var dashboardFields = []string{"period", "from", "to", "queue", "team"}

// reportInvalid reports whether err is a ValidationError, which the
// caller shows; any other error is answered here (403, 500).
func (a *app) reportInvalid(w http.ResponseWriter, r *http.Request, err error) bool {
	var ve *casekit.ValidationError
	switch {
	case errors.As(err, &ve):
		return true
	case errors.Is(err, casekit.ErrForbidden):
		a.forbidden(w, r, err)
	default:
		a.internal(w, r, err)
	}
	return false
}

// dashboardValues is the query string of a dashboard query.
func dashboardValues(dq dashboardQuery) url.Values {
	v := url.Values{}
	for k, val := range dq.form.Values {
		if val != "" {
			v.Set(k, val)
		}
	}
	return v
}

// dashboardCharts are the dashboard's charts: the volume over time, the
// backlog by queue, the response and resolution times, the SLA
// attainment and the satisfaction.
func dashboardCharts(byTime, byQueue *casekit.Report, queues []casekit.Queue) []*barChart {
	t := byTime.Total
	unit, by := "Day", "day"
	if byTime.Query.GroupBy == casekit.GroupMonth {
		unit, by = "Month", "month"
	}
	volume := &barChart{ID: "volume", Title: "Cases opened and resolved", Category: unit,
		Desc:   fmt.Sprintf("Cases opened and resolved per %s: %d opened and %d resolved in the period.", by, t.Opened, t.Resolved),
		Series: []barSeries{{Name: "Opened"}, {Name: "Resolved", Class: "c-good"}}}
	for _, g := range byTime.Groups {
		label := g.Key
		if by == "month" {
			label = g.Key[:7]
		}
		volume.Labels = append(volume.Labels, label)
		volume.Series[0].Values = append(volume.Series[0].Values, float64(g.Opened))
		volume.Series[1].Values = append(volume.Series[1].Values, float64(g.Resolved))
	}
	names := map[string]string{"": "No queue"}
	for _, q := range queues {
		names[q.ID] = q.Name
	}
	backlog := &barChart{ID: "backlog", Title: "Open cases by queue", Category: "Queue",
		Desc:   fmt.Sprintf("Cases open at %s by queue: %d in all.", byQueue.AsOf.Format("2006-01-02 15:04 UTC"), byQueue.Total.Backlog),
		Series: []barSeries{{Name: "Open cases"}}}
	for _, g := range byQueue.Groups {
		if g.Backlog == 0 {
			continue
		}
		name := names[g.Key]
		if name == "" {
			name = g.Key
		}
		backlog.Labels = append(backlog.Labels, name)
		backlog.Series[0].Values = append(backlog.Series[0].Values, float64(g.Backlog))
	}
	hours := func(d time.Duration) float64 { return d.Hours() }
	times := &barChart{ID: "times", Title: "Response and resolution times", Category: "Time", Unit: "h",
		Desc: fmt.Sprintf("First response: median %.1f hours, 90th percentile %.1f hours over %d cases; resolution: median %.1f hours, 90th percentile %.1f hours over %d cases.",
			hours(t.FirstResponse.Median), hours(t.FirstResponse.P90), t.FirstResponse.Count, hours(t.Resolution.Median), hours(t.Resolution.P90), t.Resolution.Count),
		Labels: []string{"First response", "Resolution"},
		Series: []barSeries{{Name: "Median", Values: []float64{hours(t.FirstResponse.Median), hours(t.Resolution.Median)}},
			{Name: "90th percentile", Values: []float64{hours(t.FirstResponse.P90), hours(t.Resolution.P90)}}}}
	sla := &barChart{ID: "sla", Title: "SLA attainment", Category: "Target",
		Desc: fmt.Sprintf("Of the cases opened in the period with a deadline: first response met %d, breached %d, running %d; resolution met %d, breached %d, running %d.",
			t.ResponseSLA.Met, t.ResponseSLA.Breached, t.ResponseSLA.Running, t.ResolutionSLA.Met, t.ResolutionSLA.Breached, t.ResolutionSLA.Running),
		Labels: []string{"First response", "Resolution"},
		Series: []barSeries{{Name: "Met", Class: "c-good", Values: []float64{float64(t.ResponseSLA.Met), float64(t.ResolutionSLA.Met)}},
			{Name: "Breached", Class: "c-bad", Values: []float64{float64(t.ResponseSLA.Breached), float64(t.ResolutionSLA.Breached)}},
			{Name: "Running", Class: "s0", Values: []float64{float64(t.ResponseSLA.Running), float64(t.ResolutionSLA.Running)}}}}
	csat := &barChart{ID: "csat", Title: "Satisfaction", Category: "Rating",
		Desc:   fmt.Sprintf("%d ratings in the period; %s rated %v or higher (CSAT).", t.Rated, percent(t.CSAT, t.Rated), firstOr(byTime.Satisfied, 0)),
		Series: []barSeries{{Name: "Ratings"}}}
	for _, l := range byTime.Levels {
		csat.Labels = append(csat.Labels, strconv.Itoa(l))
		csat.Series[0].Values = append(csat.Series[0].Values, float64(t.Satisfaction[l]))
	}
	return []*barChart{volume, backlog, times, sla, csat}
}

// percent writes a share as a percentage, or "none" when nothing counted.
func percent(share float64, of int) string {
	if of == 0 {
		return "none"
	}
	return strconv.FormatFloat(share*100, 'f', 0, 64) + "%"
}

func firstOr(s []int, def int) int {
	if len(s) == 0 {
		return def
	}
	return s[0]
}

// dashboardCSV writes the period's report (a row per day or month and
// the total) or, for "cases", the cases opened in the period that the
// filter keeps, as a CSV download.
func (a *app) dashboardCSV(w http.ResponseWriter, r *http.Request, req *request) {
	what := r.PathValue("what")
	if what != "report.csv" && what != "cases.csv" {
		a.fail(w, r, http.StatusNotFound, "There is no such page.")
		return
	}
	dq, err := parseDashboard(r.URL.Query(), a.clock.Now())
	var rep *casekit.Report
	if err == nil && what == "report.csv" {
		rep, err = req.desk.Report(r.Context(), dq.report)
	}
	if err != nil {
		a.csvRefused(w, r, err)
		return
	}
	name := fmt.Sprintf("%s-%s-%s", what[:len(what)-4], dq.report.From.Format(time.DateOnly), dq.report.To.AddDate(0, 0, -1).Format(time.DateOnly))
	out := &csvDownload{w: w, name: name + ".csv"}
	if rep != nil {
		err = rep.WriteCSV(out)
	} else {
		// The filter's bound is exclusive and the period's start is not;
		// times are kept to the microsecond.
		from, to := dq.report.From.Add(-time.Microsecond), dq.report.To
		f := dq.report.Filter
		f.CreatedAfter, f.CreatedBefore, f.Sort = &from, &to, casekit.SortCreated
		err = req.desk.ExportCases(r.Context(), out, f)
	}
	switch {
	case err == nil:
	case !out.started:
		a.csvRefused(w, r, err)
	default: // the status is sent: the download ends short
		a.log.ErrorContext(r.Context(), "helpdesk: CSV download", "what", what, "err", err)
	}
}

// csvRefused answers a download refused before it began: 422 with the
// page saying why for bad input, 403 or 500 otherwise.
func (a *app) csvRefused(w http.ResponseWriter, r *http.Request, err error) {
	if a.reportInvalid(w, r, err) {
		f := formFrom(r.URL.Query(), dashboardFields, err)
		msg := "The reports page cannot make this download:"
		for _, k := range dashboardFields {
			if e := f.Err(k); e != "" {
				msg += " " + k + " " + e + "."
			}
		}
		for _, o := range f.Other {
			msg += " " + o + "."
		}
		a.fail(w, r, http.StatusUnprocessableEntity, msg)
	}
}

// csvDownload is a CSV response that sends its headers with the first
// bytes, so that a download refused before any is still an error page.
type csvDownload struct {
	w       http.ResponseWriter
	name    string
	started bool
}

func (d *csvDownload) Write(p []byte) (int, error) {
	if !d.started {
		d.started = true
		d.w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		d.w.Header().Set("Content-Disposition", `attachment; filename="`+d.name+`"`)
	}
	return d.w.Write(p)
}
