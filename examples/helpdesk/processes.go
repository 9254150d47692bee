package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"casekit.dev/casekit"
)

// processFields are a process form's fields: the stages one a line,
// "key | Label | required field, required field".
var processFields = []string{"key", "label", "stages"}

// processValues are a process as its form shows it.
func processValues(p casekit.Process) map[string]string {
	stages := make([]string, len(p.Stages))
	for i, s := range p.Stages {
		stages[i] = s.Key + " | " + s.Label + " | " + strings.Join(s.Required, ", ")
	}
	return map[string]string{"key": p.Key, "label": p.Label, "stages": strings.Join(stages, "\n")}
}

// processFromForm reads a process from its form: each line of stages is
// a stage's key, label and required fields separated by "|".
func processFromForm(v url.Values) casekit.Process {
	p := casekit.Process{Key: strings.TrimSpace(v.Get("key")), Label: v.Get("label")}
	for _, l := range lines(v.Get("stages")) {
		parts := strings.SplitN(l, "|", 3)
		s := casekit.Stage{Key: strings.TrimSpace(parts[0])}
		if len(parts) > 1 {
			s.Label = strings.TrimSpace(parts[1])
		}
		if len(parts) > 2 {
			for _, f := range strings.Split(parts[2], ",") {
				if f = strings.TrimSpace(f); f != "" {
					s.Required = append(s.Required, f)
				}
			}
		}
		p.Stages = append(p.Stages, s)
	}
	return p
}

// stageField is the library's name of a stage's field.
var stageField = regexp.MustCompile(`^stages\[(\d+)\](?:\.(\w+))?`)

func (a *app) processEditor(w http.ResponseWriter, r *http.Request, req *request) {
	a.showProcesses(w, r, req, http.StatusOK, "", nil)
}

// showProcesses renders the process editor; refused, when not nil, is
// the form whose save or delete was refused (key "" for the new one).
func (a *app) showProcesses(w http.ResponseWriter, r *http.Request, req *request, status int, key string, refused *form) {
	ps, err := req.desk.Config().Processes(r.Context())
	a.showItems(w, r, req, itemsView{page: "processes", title: "Processes", status: status, key: key, refused: refused,
		saved: rowsOf(ps, processValues), keyField: "key", blank: map[string]string{}}, err)
}

// saveProcess saves or deletes one process; the library's errors on a
// stage are shown on the stages with the stage's line.
func (a *app) saveProcess(w http.ResponseWriter, r *http.Request, req *request) {
	ctx := r.Context()
	a.editItem(w, r, itemEdit{path: "/admin/processes", fields: processFields,
		save: func(v url.Values) error { return req.desk.Config().SaveProcess(ctx, processFromForm(v)) },
		del:  func(key string) error { return req.desk.Config().DeleteProcess(ctx, key) },
		rewrite: func(fe casekit.FieldError) casekit.FieldError {
			if m := stageField.FindStringSubmatch(fe.Field); m != nil {
				n, _ := strconv.Atoi(m[1])
				what := fe.Field[len(m[0]):]
				if m[2] != "" {
					what = m[2] + what
				}
				fe.Field, fe.Message = "stages", strings.TrimSpace(fmt.Sprintf("line %d: %s %s", n+1, what, fe.Message))
			}
			return fe
		},
		show: func(status int, key string, f *form) { a.showProcesses(w, r, req, status, key, f) },
	})
}

// processBar is the case page's view of the case's guided process.
type processBar struct {
	Label   string
	Stages  []stageView
	Missing []string // what the current stage wants before Next
	Last    bool     // the current stage is the last: Next finishes
	First   bool
	Stale   string // why the process cannot move (its definition changed)
}

type stageView struct {
	Label   string
	Current bool
	Done    bool
}

// loadProcess fills the case page's process bar, or the processes it
// may start.
func (cc *caseControls) loadProcess(ctx context.Context, d *casekit.Desk, c *casekit.Case) error {
	ps, err := d.Config().Processes(ctx)
	if err != nil {
		return err
	}
	cc.Processes = ps
	if !c.Process.Active() {
		return nil
	}
	bar := &processBar{Label: c.Process.Key, Stale: fmt.Sprintf("The process %q no longer exists: stop it.", c.Process.Key)}
	for _, p := range ps {
		if p.Key != c.Process.Key {
			continue
		}
		bar.Label, bar.Stale = p.Label, fmt.Sprintf("The stage %q is no longer in the process: stop it.", c.Process.Stage)
		at := -1
		for i, s := range p.Stages {
			if s.Key == c.Process.Stage {
				at = i
			}
			bar.Stages = append(bar.Stages, stageView{Label: s.Label, Current: s.Key == c.Process.Stage, Done: at < 0})
		}
		if at < 0 {
			bar.Stages = nil // the stage is gone: nothing is done or current
			continue
		}
		bar.Stale, bar.First, bar.Last = "", at == 0, at == len(p.Stages)-1
		bar.Missing = p.Missing(c)
	}
	cc.Process = bar
	return nil
}
