package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"casekit.dev/casekit"
)

// The process editor saves what SaveProcess takes and shows its errors
// with the stage's line; the case page's process bar shows the stages,
// the current one and what the next one waits for, and moves the case
// with Next, Previous, Start and Stop.
func TestProcessesAndTheProcessBar(t *testing.T) {
	a, srv := testApp(t, false)
	ctx := context.Background()
	d := a.kit.Desk(tenant).As(casekit.System)
	onboarding := url.Values{"key": {"onboarding"}, "label": {"Onboarding"}, "stages": {"qualify | Qualify | contact.phone, type\n\ndone | Done"}}
	ava := onlyTheAdmin(t, srv.URL, []string{"/admin/processes"}, map[string]url.Values{"/admin/processes/save": onboarding})
	ava.get("/admin/processes")
	posts(t, ava, []step{
		{"/admin/processes/save", url.Values{"key": {"onboarding"}, "label": {"Onboarding"}, "stages": {"qualify | Qualify | shoe_size\nqualify | Again"}}, http.StatusUnprocessableEntity,
			[]string{"line 1: required[0] &#34;shoe_size&#34; is not a case field a stage can require", "line 2: key stage &#34;qualify&#34; appears twice", "qualify | Again</textarea>"}},
		{"/admin/processes/save", url.Values{"key": {"x y"}, "label": {""}, "stages": {""}}, http.StatusUnprocessableEntity,
			[]string{`id="process-0-key" name="key" value="x y" aria-invalid="true"`}},
		{"/admin/processes/save", onboarding, http.StatusSeeOther, []string{"Saved.", "qualify | Qualify | contact.phone, type\ndone | Done | </textarea>"}},
	})
	if ps, _ := d.Config().Processes(ctx); len(ps) != 1 || len(ps[0].Stages) != 2 || len(ps[0].Stages[0].Required) != 2 {
		t.Fatalf("processes %+v", ps)
	}

	c, err := d.OpenCase(ctx, casekit.NewCase{Subject: "New customer", Contact: casekit.Contact{Email: "new@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	u := fmt.Sprintf("/cases/%d", c.Number)
	stage := func() string {
		cs, _ := d.Case(ctx, c.ID)
		if !cs.Process.Active() {
			return ""
		}
		return cs.Process.Stage
	}
	if _, page := ava.get(u); !strings.Contains(page, `<option value="onboarding">Onboarding</option>`) {
		t.Fatalf("the case page offers no process to start:\n%s", page)
	}
	posts(t, ava, []step{{u + "/process-start", url.Values{"process": {"onboarding"}}, http.StatusSeeOther, []string{"The process is started.",
		`<li class="current" aria-current="step">Qualify</li><li class="">Done</li>`, "the next stage, fill in: <b>contact.phone</b>, <b>type</b>."}}})
	ava.get(u)
	posts(t, ava, []step{
		{u + "/process-next", url.Values{}, http.StatusUnprocessableEntity, []string{"contact.phone: is required to leave stage &#34;Qualify&#34;"}},
		{u + "/process-start", url.Values{"process": {"onboarding"}}, http.StatusConflict, []string{"Someone else changed the case"}},
	})
	if s := stage(); s != "qualify" {
		t.Fatalf("after a refused Next the case is at %q", s)
	}
	phone, typ := "+1 555 0100", "question"
	if _, err := d.UpdateCase(ctx, c.ID, casekit.CaseUpdate{Contact: &casekit.Contact{Email: "new@example.com", Phone: phone}, Type: &typ}); err != nil {
		t.Fatal(err)
	}
	ava.get(u)
	posts(t, ava, []step{
		{u + "/process-next", url.Values{}, http.StatusSeeOther, []string{`<li class="done">Qualify</li><li class="current" aria-current="step">Done</li>`, ">Finish</button>", `id="process-back"`}},
		{u + "/process-back", url.Values{}, http.StatusSeeOther, []string{`<li class="current" aria-current="step">Qualify</li>`}},
		{u + "/process-next", url.Values{}, http.StatusSeeOther, nil},
		{u + "/process-next", url.Values{}, http.StatusSeeOther, []string{`id="process-start"`}},
	})
	if cs, _ := d.Case(ctx, c.ID); cs.Process == nil || cs.Process.FinishedAt == nil {
		t.Fatalf("the process did not finish: %+v", cs.Process)
	}
	ava.get(u)
	posts(t, ava, []step{
		{u + "/process-start", url.Values{"process": {"onboarding"}}, http.StatusSeeOther, nil},
		{u + "/process-stop", url.Values{}, http.StatusSeeOther, []string{"The process is stopped.", `id="process-start"`}},
	})
	if s := stage(); s != "" {
		t.Fatalf("after Stop the case is at %q", s)
	}
}
