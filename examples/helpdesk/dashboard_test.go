package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"casekit.dev/casekit"
)

// The dashboard shows the demo's numbers as Desk.Report counts them,
// refuses bad periods with the fields named, answers customers 403, and
// its CSV downloads hold the report and the period's cases.
func TestDashboard(t *testing.T) {
	a, srv := testApp(t, true)
	ctx := context.Background()
	ben := newClient(t, srv.URL)
	ben.login("u-ben")
	now := a.clock.Now().UTC()
	today := now.Truncate(24 * time.Hour)
	from, to := today.AddDate(0, 0, -29), today.AddDate(0, 0, 1)
	rep, err := a.kit.Desk(tenant).As(casekit.Agent("u-ben")).Report(ctx, casekit.ReportQuery{From: from, To: to, GroupBy: casekit.GroupDay})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Total.Opened != len(demoCases) || rep.Total.Resolved == 0 || rep.Total.Rated == 0 {
		t.Fatalf("the demo's report: %+v; want every demo case opened, some resolved and rated", rep.Total)
	}
	status, page := ben.get("/reports")
	for _, want := range []string{
		fmt.Sprintf(`<dd id="total-opened">%d</dd>`, rep.Total.Opened),
		fmt.Sprintf(`<dd id="total-resolved">%d</dd>`, rep.Total.Resolved),
		fmt.Sprintf(`<dd id="total-backlog">%d</dd>`, rep.Total.Backlog),
		fmt.Sprintf(`<dd id="total-csat">%.0f%%</dd>`, rep.Total.CSAT*100),
		`role="img" aria-labelledby="volume-title volume-desc"`, `<table id="backlog-data">`,
		fmt.Sprintf("%d opened and %d resolved in the period.", rep.Total.Opened, rep.Total.Resolved),
		fmt.Sprintf("<th scope=\"row\">%s</th><td>%d</td>", today.Format(time.DateOnly), rep.Groups[len(rep.Groups)-1].Opened),
	} {
		if !strings.Contains(page, want) {
			t.Fatalf("/reports (%d) lacks %q:\n%s", status, want, page)
		}
	}
	for _, tc := range []struct {
		query  string
		status int
		want   string
	}{
		{"?period=custom&from=2026-02-01&to=2026-01-01", http.StatusUnprocessableEntity, `id="to-error"`},
		{"?period=custom&from=yesterday&to=2026-01-01", http.StatusUnprocessableEntity, `id="from-error"`},
		{"?period=custom&from=2020-01-01&to=2026-01-01", http.StatusUnprocessableEntity, "a report covers at most"},
		{"?period=forever", http.StatusUnprocessableEntity, "Choose one of the periods."},
		{"?period=custom&from=2026-01-01&queue=billing", http.StatusUnprocessableEntity, `<option value="billing" selected>`},
		{"?period=12m&queue=billing", http.StatusOK, `<option value="billing" selected>`},
		{"?period=custom&from=2025-01-01&to=2025-12-31", http.StatusOK, `<th scope="row">2025-12</th>`},
	} {
		if status, page := ben.get("/reports" + tc.query); status != tc.status || !strings.Contains(page, tc.want) {
			t.Errorf("/reports%s: %d, want %d with %q\n%s", tc.query, status, tc.status, tc.want, page)
		}
	}

	// The downloads: the report by day with its total, and the cases.
	res, err := ben.http.Get(srv.URL + "/reports/report.csv?period=30d")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(res.Body).ReadAll()
	res.Body.Close()
	if err != nil || res.Header.Get("Content-Disposition") == "" || len(rows) != len(rep.Groups)+2 || rows[len(rows)-1][0] != "Total" ||
		rows[len(rows)-1][1] != fmt.Sprint(rep.Total.Opened) {
		t.Fatalf("report.csv: %v, %d rows, headers %v; last %v", err, len(rows), res.Header, rows[len(rows)-1])
	}
	res, err = ben.http.Get(srv.URL + "/reports/cases.csv?period=7d&queue=billing")
	if err != nil {
		t.Fatal(err)
	}
	rows, err = csv.NewReader(res.Body).ReadAll()
	res.Body.Close()
	week, _ := a.kit.Desk(tenant).As(casekit.Agent("u-ben")).Report(ctx, casekit.ReportQuery{From: today.AddDate(0, 0, -6), To: to, Filter: casekit.CaseFilter{QueueID: "billing"}})
	if err != nil || len(rows) != week.Total.Opened+1 || rows[0][0] != "Number" {
		t.Fatalf("cases.csv: %v, %d rows, want %d cases and the header", err, len(rows), week.Total.Opened)
	}
	for _, bad := range []string{"/reports/cases.csv?period=custom&from=x", "/reports/report.csv?period=forever"} {
		if status, page := ben.get(bad); status != http.StatusUnprocessableEntity || !strings.Contains(page, "cannot make this download") {
			t.Errorf("%s: %d\n%s", bad, status, page)
		}
	}
	if status, _ := ben.get("/reports/other.csv"); status != http.StatusNotFound {
		t.Errorf("/reports/other.csv: %d", status)
	}

	adaC := newClient(t, srv.URL)
	adaC.login(ada)
	for _, p := range []string{"/reports", "/reports/report.csv"} {
		if status, _ := adaC.get(p); status != http.StatusForbidden {
			t.Errorf("a customer opening %s: %d, want 403", p, status)
		}
	}
}
