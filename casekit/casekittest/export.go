package casekittest

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"
	"time"

	"casekit.dev/casekit"
)

// testExport checks ExportCases and Report.WriteCSV: every matching case
// once, across pages, in the list's order, with cells a spreadsheet
// cannot take for formulas.
func testExport(t *testing.T, newStore StoreFactory) {
	readCSV := func(t *testing.T, b []byte) [][]string {
		t.Helper()
		rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		must(t, err, "read the CSV")
		return rows
	}
	runEnvTests(t, newStore, []envTest{
		{"cases are exported page by page, every one once, formulas defused", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			subjects := []string{"=HYPERLINK(\"http://evil\")", "+1 more", "-2 less", "@SUM(A1)", "Plain, with \"quotes\"", "Fine"}
			for i, s := range subjects {
				e.Tick()
				openWith(t, d, casekit.NewCase{Subject: s, CustomerID: "cust-1", Tags: []string{"x", "y"}[:1+i%2]})
			}
			openWith(t, d, casekit.NewCase{Subject: "Someone else's", CustomerID: "cust-2"})
			var buf bytes.Buffer
			must(t, d.ExportCases(ctx, &buf, casekit.CaseFilter{CustomerID: "cust-1", Sort: casekit.SortCreated, Limit: 3}), "ExportCases")
			rows := readCSV(t, buf.Bytes())
			wantEqual(t, "Number", rows[0][0], "the first column")
			wantEqual(t, len(subjects)+1, len(rows), "header and rows")
			subject := slices.Index(rows[0], "Subject")
			var got []string
			for _, r := range rows[1:] {
				got = append(got, r[subject])
			}
			want := []string{"'=HYPERLINK(\"http://evil\")", "'+1 more", "'-2 less", "'@SUM(A1)", "Plain, with \"quotes\"", "Fine"}
			wantEqual(t, want, got, "the subjects, oldest first")
			wantEqual(t, "x, y", rows[2][slices.Index(rows[0], "Tags")], "the tags of the second case")
			created := rows[1][slices.Index(rows[0], "Created (UTC)")]
			if _, err := time.Parse("2006-01-02 15:04:05", created); err != nil {
				t.Errorf("created %q is not a spreadsheet time: %v", created, err)
			}
			buf.Reset()
			must(t, e.Desk(casekit.Customer("cust-2")).ExportCases(ctx, &buf, casekit.CaseFilter{}), "a customer's export")
			wantEqual(t, 2, len(readCSV(t, buf.Bytes())), "a customer exports their own case only")
			wantInvalid(t, d.ExportCases(ctx, &buf, casekit.CaseFilter{Status: []string{"nope"}}), "an export by an unknown status", "status")
		}},
		{"a report is written with a row per group and the total", func(t *testing.T, e *Env) {
			from, _ := reportStory(t, e)
			r := try(e.Agent().Report(t.Context(), casekit.ReportQuery{From: from, To: from.Add(240 * time.Hour), GroupBy: casekit.GroupPriority})).get(t)
			r.Groups[0].Key = "=cmd|' /C calc'!A0" // groups named by someone hostile
			r.Groups[1].Key, r.Groups[2].Key = "\tTab", "\rReturn"
			var buf bytes.Buffer
			must(t, r.WriteCSV(&buf), "WriteCSV")
			rows := readCSV(t, buf.Bytes())
			wantEqual(t, len(r.Groups)+2, len(rows), "header, groups and total")
			last := rows[len(rows)-1]
			col := func(name string) string { return last[slices.Index(rows[0], name)] }
			wantEqual(t, []string{"Total", "4", "6.50", "0.5000", "1"}, []string{last[0], col("Opened"), col("First response mean (h)"), col("CSAT"), col("Satisfaction 5")}, "the total row")
			for i, prefix := range []string{"'=", "'\t", "'\r"} {
				if !strings.HasPrefix(rows[1+i][0], prefix) {
					t.Errorf("group key %q is written %q", r.Groups[i].Key, rows[1+i][0])
				}
			}
		}},
	})
}
