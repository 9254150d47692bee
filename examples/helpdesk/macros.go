package main

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"casekit.dev/casekit"
)

// macroKinds are the actions a macro may take, as the library lists
// them: a trigger's without notify, set_status and webhook.
var macroKinds = slices.Concat(blank, labelled(casekit.MacroActionKinds(), kindNames))

// macrosPage lists the macros.
type macrosPage struct {
	basePage
	Notice  string
	Problem []string
	Rows    []macroRow
}

// macroRow is one macro of the list, described in words.
type macroRow struct {
	casekit.Macro
	Actions []string
}

// macroEditPage is the editor of one macro.
type macroEditPage struct {
	basePage
	Form    *form
	New     bool
	Actions []int
	Kinds   []option
	Targets []option // none: the action rows show no "to"
	reference
}

func (a *app) macroList(w http.ResponseWriter, r *http.Request, req *request) {
	a.showMacros(w, r, req, http.StatusOK, nil)
}

// showMacros renders the list; problem says why the last post changed
// nothing.
func (a *app) showMacros(w http.ResponseWriter, r *http.Request, req *request, status int, problem []string) {
	ms, err := req.desk.Config().Macros(r.Context())
	if err != nil {
		a.internal(w, r, err)
		return
	}
	p := &macrosPage{basePage: a.basePage(r, req.s, "Macros"), Problem: problem}
	if status == http.StatusOK {
		p.Notice = adminNotices[r.URL.Query().Get("done")]
	}
	for _, m := range ms {
		p.Rows = append(p.Rows, macroRow{Macro: m, Actions: rowsOf(m.Actions, describeAction)})
	}
	a.render(w, r, status, "macros", p)
}

// macroValues are a macro as its form shows it.
func macroValues(m casekit.Macro) map[string]string {
	v := map[string]string{"key": m.Key, "name": m.Name, "reply": m.Reply}
	maps.Copy(v, actionValues(m.Actions))
	return v
}

// macroEditor shows the editor of the macro ?key= names, or of a new
// one.
func (a *app) macroEditor(w http.ResponseWriter, r *http.Request, req *request) {
	key := r.URL.Query().Get("key")
	f := &form{Values: map[string]string{"then_rows": "3"}}
	if key != "" {
		ms, err := req.desk.Config().Macros(r.Context())
		if err != nil {
			a.internal(w, r, err)
			return
		}
		i := slices.IndexFunc(ms, func(m casekit.Macro) bool { return m.Key == key })
		if i < 0 {
			a.fail(w, r, http.StatusNotFound, "There is no such macro: it may have been deleted.")
			return
		}
		f = &form{Open: true, Values: macroValues(ms[i])}
	}
	a.showMacroEditor(w, r, req, http.StatusOK, f)
}

func (a *app) showMacroEditor(w http.ResponseWriter, r *http.Request, req *request, status int, f *form) {
	title := "New macro"
	if f.Open {
		title = "Macro " + f.Val("key")
	}
	p := &macroEditPage{basePage: a.basePage(r, req.s, title), Form: f, New: !f.Open, Kinds: macroKinds,
		Actions: rowNumbers(f.Val("then_rows"), maxActionRows)}
	if err := a.loadReference(r, req, &p.reference, false); err != nil {
		a.internal(w, r, err)
		return
	}
	a.render(w, r, status, "macro", p)
}

// macroAction saves or deletes the macro the post names; "add" asks for
// another action row, and saves nothing.
func (a *app) macroAction(w http.ResponseWriter, r *http.Request, req *request) {
	if !a.knownOp(w, r) {
		return
	}
	ctx, v := r.Context(), r.PostForm
	key := v.Get("row")
	if r.PathValue("op") == "delete" {
		err := req.desk.Config().DeleteMacro(ctx, key)
		if err == nil {
			http.Redirect(w, r, "/admin/macros?done=deleted", http.StatusSeeOther)
			return
		}
		if status, err, ok := a.adminRefusal(w, r, err); ok {
			a.showMacros(w, r, req, status, []string{"Refused: " + commandRE.ReplaceAllString(err.Error(), "") + "."})
		}
		return
	}
	if key != "" {
		v.Set("key", key)
	}
	if v.Get("add") == "then" {
		a.showMacroEditor(w, r, req, http.StatusOK, moreRows(v, "then", key != ""))
		return
	}
	m := casekit.Macro{Key: strings.TrimSpace(v.Get("key")), Name: v.Get("name"), Reply: strings.TrimSpace(v.Get("reply"))}
	acts, actRows, unread := actionsFromForm(v)
	m.Actions = acts
	ms, err := req.desk.Config().Macros(ctx)
	if err != nil {
		a.internal(w, r, err)
		return
	}
	exists := slices.ContainsFunc(ms, func(o casekit.Macro) bool { return o.Key == m.Key })
	switch {
	case unread != nil:
		err = unread
	case key == "" && exists:
		err = fieldError("key", "unique", "is the key of another macro; choose another")
	case key != "" && !exists:
		a.fail(w, r, http.StatusNotFound, "There is no such macro: it may have been deleted meanwhile.")
		return
	default:
		err = req.desk.Config().SaveMacro(ctx, m)
	}
	if err == nil {
		http.Redirect(w, r, "/admin/macros?done=saved", http.StatusSeeOther)
		return
	}
	status, err, ok := a.adminRefusal(w, r, err)
	if !ok {
		return
	}
	err = rewriteFields(err, rowFields(nil, actRows))
	f := formFrom(v, append([]string{"key", "name", "reply", "actions"}, rowFieldNames(v)...), err)
	f.Open = key != ""
	a.showMacroEditor(w, r, req, status, f)
}

// macroMenu is the case page's macro menu: the macros to choose from and,
// once one is chosen, what it would change (its form's Preview) with the
// version of the case the preview was worked out on.
type macroMenu struct {
	Macros []option
	Macro  *form
}

// loadMacros fills the menu: with ?macro= (or a refused apply's form),
// the preview of that macro on c.
func (m *macroMenu) loadMacros(r *http.Request, req *request, c *casekit.Case, refused *form) error {
	ms, err := req.desk.Config().Macros(r.Context())
	if err != nil {
		return err
	}
	m.Macros = rowsOf(ms, func(m casekit.Macro) option { return option{m.Key, m.Name} })
	m.Macro = refused
	if key := r.URL.Query().Get("macro"); key != "" && refused == nil {
		m.Macro, err = previewMacro(r, req, c, key)
	}
	return err
}

// previewMacro is the macro form showing what applying key to c would
// do, or why it cannot be applied.
func previewMacro(r *http.Request, req *request, c *casekit.Case, key string) (*form, error) {
	f := &form{Open: true, Values: map[string]string{"macro": key}, Errors: map[string]string{}}
	p, err := req.desk.PreviewMacro(r.Context(), c.ID, key)
	var ve *casekit.ValidationError
	switch {
	case err == nil:
	case errors.Is(err, casekit.ErrNotFound):
		f.Errors["macro"] = "There is no such macro: it may have been deleted."
		return f, nil
	case errors.As(err, &ve):
		f.Other = append(f.Other, "This macro cannot be applied to the case as the desk now stands:")
		for _, fe := range ve.Fields {
			f.Other = append(f.Other, fe.Field+": "+fe.Message)
		}
		return f, nil
	case explain(err) != "":
		f.Other = append(f.Other, explain(err))
		return f, nil
	default:
		return nil, err
	}
	f.Values["version"] = strconv.FormatInt(p.Case.Version, 10)
	for _, k := range slices.Sorted(maps.Keys(p.Changes)) {
		old, now := "", ""
		if ch, ok := p.Changes[k].([]any); ok && len(ch) == 2 {
			old, now = changeText(ch[0]), changeText(ch[1])
		}
		f.Preview = append(f.Preview, fmt.Sprintf("%s: %s → %s", strings.TrimSuffix(k, "_id"), old, now))
	}
	for _, w := range p.Watchers {
		f.Preview = append(f.Preview, "Adds the watcher "+w.Email)
	}
	for _, act := range p.Activities {
		f.Preview = append(f.Preview, "Adds the task “"+act.Subject+"”")
	}
	if p.Reply != "" {
		f.Preview = append(f.Preview, "Sends the customer: “"+p.Reply+"”")
	}
	if len(f.Preview) == 0 {
		f.Preview = []string{"Nothing: the case is already as this macro would leave it."}
	}
	return f, nil
}

// changeText shows one side of a change: a list joined, none as "—".
func changeText(v any) string {
	switch v := v.(type) {
	case nil:
		return "—"
	case string:
		if v == "" {
			return "—"
		}
		return v
	case []string:
		if len(v) == 0 {
			return "—"
		}
		return strings.Join(v, ", ")
	case []any:
		if len(v) == 0 {
			return "—"
		}
		return strings.Trim(fmt.Sprint(v), "[]")
	case map[string]any:
		parts := make([]string, 0, len(v))
		for _, k := range slices.Sorted(maps.Keys(v)) {
			parts = append(parts, fmt.Sprintf("%s=%v", k, v[k]))
		}
		return strings.Join(parts, ", ")
	}
	return fmt.Sprint(v)
}

// applyMacro applies the macro the case page's menu previewed, at the
// version the preview showed: when the case changed since, nothing is
// applied and the page shows what the macro would do now, to apply
// again.
func (a *app) applyMacro(w http.ResponseWriter, r *http.Request, req *request, c *casekit.Case) {
	key := r.PostForm.Get("macro")
	version, err := strconv.ParseInt(r.PostForm.Get("version"), 10, 64)
	if err != nil || version <= 0 {
		err = fieldError("macro", "required", "Choose a macro and look at what it does first.")
	} else {
		_, err = req.desk.ApplyMacro(r.Context(), c.ID, key, version)
	}
	if err == nil {
		http.Redirect(w, r, fmt.Sprintf("/cases/%d?done=macro", c.Number), http.StatusSeeOther)
		return
	}
	if !errors.Is(err, casekit.ErrConflict) {
		a.refused(w, r, req, c, "macro", []string{"macro"}, err)
		return
	}
	fresh, ferr := req.desk.Case(r.Context(), c.ID)
	if ferr != nil {
		a.internal(w, r, ferr)
		return
	}
	f, ferr := previewMacro(r, req, fresh, key)
	if ferr != nil {
		a.internal(w, r, ferr)
		return
	}
	f.Other = append([]string{"Someone changed the case after you looked at the macro, so nothing was applied. This is what it would do now:"}, f.Other...)
	a.showCase(w, r, req, fresh, http.StatusConflict, map[string]*form{"macro": f})
}
