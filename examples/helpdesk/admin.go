package main

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"casekit.dev/casekit"
)

// adminField is one column of an administration table.
type adminField struct {
	Name, Label string
	Kind        string   // "text", "number", "check" or "select"
	Options     []option // a select's
	Key         bool     // names the row: fixed once saved
}

// adminArea is one list of the tenant's configuration that an admin
// edits as a table of rows: teams, queues, lookups, custom fields. Each
// row is a map of its fields' values as the form shows them.
type adminArea struct {
	Heading, Intro string
	Fields         []adminField
	list           func(ctx context.Context, d *casekit.Desk, kind string) ([]map[string]string, error)
	save           func(ctx context.Context, d *casekit.Desk, kind string, v url.Values) error
	del            func(ctx context.Context, d *casekit.Desk, kind, key string) error
	// options fills the select fields' options, when they come from the
	// tenant's configuration.
	options func(ctx context.Context, d *casekit.Desk, fields []adminField) error
}

// adminPage shows one area.
type adminPage struct {
	basePage
	Area   string
	Kind   string // the lookup kind, for lookups
	Kinds  []option
	Notice string
	*adminArea
	Rows []*form // the saved rows, then the empty row to add one
}

// adminAreas are the areas by their path segment.
var adminAreas = map[string]*adminArea{
	"teams": {Heading: "Teams", Intro: "Teams work queues; a team's members come from the directory (accounts).",
		Fields: []adminField{{Name: "id", Label: "ID", Kind: "text", Key: true}, {Name: "name", Label: "Name", Kind: "text"}},
		list: func(ctx context.Context, d *casekit.Desk, _ string) ([]map[string]string, error) {
			ts, err := d.Config().Teams(ctx)
			return rowsOf(ts, func(t casekit.Team) map[string]string { return map[string]string{"id": t.ID, "name": t.Name} }), err
		},
		save: func(ctx context.Context, d *casekit.Desk, _ string, v url.Values) error {
			return d.Config().SaveTeam(ctx, casekit.Team{ID: v.Get("id"), Name: v.Get("name")})
		},
		del: func(ctx context.Context, d *casekit.Desk, _, key string) error {
			return d.Config().DeleteTeam(ctx, key)
		},
	},
	"queues": {Heading: "Queues", Intro: "Unassigned cases wait in a queue until an agent of its team picks them.",
		Fields: []adminField{{Name: "id", Label: "ID", Kind: "text", Key: true}, {Name: "name", Label: "Name", Kind: "text"},
			{Name: "team_id", Label: "Team", Kind: "select"}, {Name: "sla_id", Label: "SLA", Kind: "select"}},
		list: func(ctx context.Context, d *casekit.Desk, _ string) ([]map[string]string, error) {
			qs, err := d.Config().Queues(ctx)
			return rowsOf(qs, func(q casekit.Queue) map[string]string {
				return map[string]string{"id": q.ID, "name": q.Name, "team_id": q.TeamID, "sla_id": q.SLAID}
			}), err
		},
		save: func(ctx context.Context, d *casekit.Desk, _ string, v url.Values) error {
			q := casekit.Queue{ID: v.Get("id"), Name: v.Get("name"), TeamID: v.Get("team_id"), SLAID: v.Get("sla_id")}
			if err := keepAssignment(ctx, d, &q); err != nil { // edited on /admin/assignment
				return err
			}
			return d.Config().SaveQueue(ctx, q)
		},
		del: func(ctx context.Context, d *casekit.Desk, _, key string) error {
			return d.Config().DeleteQueue(ctx, key)
		},
		options: func(ctx context.Context, d *casekit.Desk, fields []adminField) error {
			ts, err := d.Config().Teams(ctx)
			if err != nil {
				return err
			}
			slas, err := d.Config().SLAs(ctx)
			fields[2].Options = append([]option{{"", "none"}}, rowsOf(ts, func(t casekit.Team) option { return option{t.ID, t.Name} })...)
			fields[3].Options = append([]option{{"", "none"}}, rowsOf(slas, func(s casekit.SLA) option { return option{s.ID, s.Name} })...)
			return err
		},
	},
	"lookups": {Heading: "Lookups", Intro: "The lists a case's fields take their values from. Disable an entry to keep it on old cases but offer it no more.",
		Fields: []adminField{{Name: "key", Label: "Key", Kind: "text", Key: true}, {Name: "label", Label: "Label", Kind: "text"},
			{Name: "rank", Label: "Rank", Kind: "number"}, {Name: "action", Label: "Rating action", Kind: "select",
				Options: []option{{"", "—"}, {"reopen", "reopens"}, {"close", "closes"}}}, {Name: "disabled", Label: "Disabled", Kind: "check"}},
		list: func(ctx context.Context, d *casekit.Desk, kind string) ([]map[string]string, error) {
			ls, err := d.Config().Lookups(ctx, casekit.LookupKind(kind))
			return rowsOf(ls, func(l casekit.Lookup) map[string]string {
				return map[string]string{"key": l.Key, "label": l.Label, "rank": strconv.Itoa(l.Rank), "action": l.Action, "disabled": checkbox(l.Disabled)}
			}), err
		},
		save: func(ctx context.Context, d *casekit.Desk, kind string, v url.Values) error {
			rank, err := strconv.Atoi(strings.TrimSpace(v.Get("rank")))
			if err != nil {
				return fieldError("rank", "number", "is not a whole number")
			}
			return d.Config().SaveLookup(ctx, casekit.Lookup{Kind: casekit.LookupKind(kind), Key: v.Get("key"), Label: v.Get("label"), Rank: rank,
				Action: v.Get("action"), Disabled: v.Get("disabled") == "on"})
		},
		del: func(ctx context.Context, d *casekit.Desk, kind, key string) error {
			return d.Config().DeleteLookup(ctx, casekit.LookupKind(kind), key)
		},
	},
	"fields": {Heading: "Custom fields", Intro: "Fields of your own on every case. Audience: internal fields are the staff's; customer fields are shown to the customer; form fields the customer may also fill in.",
		Fields: []adminField{{Name: "key", Label: "Key", Kind: "text", Key: true}, {Name: "label", Label: "Label", Kind: "text"},
			{Name: "type", Label: "Type", Kind: "select", Options: []option{{"text", "text"}, {"number", "number"}, {"date", "date"}, {"select", "select"}, {"bool", "yes/no"}}},
			{Name: "options", Label: "Options (comma-separated)", Kind: "text"}, {Name: "required", Label: "Required", Kind: "check"},
			{Name: "audience", Label: "Audience", Kind: "select", Options: []option{{"internal", "internal"}, {"customer", "customer"}, {"form", "form"}}}},
		list: func(ctx context.Context, d *casekit.Desk, _ string) ([]map[string]string, error) {
			fs, err := d.Config().CustomFields(ctx)
			return rowsOf(fs, func(f casekit.CustomField) map[string]string {
				return map[string]string{"key": f.Key, "label": f.Label, "type": string(f.Type), "options": strings.Join(f.Options, ", "),
					"required": checkbox(f.Required), "audience": string(f.Audience)}
			}), err
		},
		save: func(ctx context.Context, d *casekit.Desk, _ string, v url.Values) error {
			var opts []string
			for _, o := range strings.Split(v.Get("options"), ",") {
				if o = strings.TrimSpace(o); o != "" {
					opts = append(opts, o)
				}
			}
			return d.Config().SaveCustomField(ctx, casekit.CustomField{Key: v.Get("key"), Label: v.Get("label"), Type: casekit.CustomFieldType(v.Get("type")),
				Options: opts, Required: v.Get("required") == "on", Audience: casekit.CustomFieldAudience(v.Get("audience"))})
		},
		del: func(ctx context.Context, d *casekit.Desk, _, key string) error {
			return d.Config().DeleteCustomField(ctx, key)
		},
	},
}

// lookupKinds are the lookups an admin edits.
var lookupKinds = []option{{string(casekit.LookupPriority), "Priorities"}, {string(casekit.LookupCaseType), "Case types"},
	{string(casekit.LookupOrigin), "Origins"}, {string(casekit.LookupClosureReason), "Closure reasons"},
	{string(casekit.LookupReopenReason), "Reopen reasons"}, {string(casekit.LookupNoteSubject), "Note subjects"},
	{string(casekit.LookupSatisfaction), "Satisfaction levels"}, {string(casekit.LookupSupportLevel), "Support levels"}}

func rowsOf[T, U any](items []T, f func(T) U) []U {
	out := make([]U, len(items))
	for i, it := range items {
		out[i] = f(it)
	}
	return out
}

func checkbox(b bool) string {
	if b {
		return "on"
	}
	return ""
}

// adminNotices are what an admin page says after a change.
var adminNotices = map[string]string{"saved": "Saved.", "deleted": "Deleted."}

// admin serves h to the agents who may configure the tenant; others get
// 403.
func (a *app) admin(h func(http.ResponseWriter, *http.Request, *request)) http.HandlerFunc {
	return a.agent(func(w http.ResponseWriter, r *http.Request, req *request) {
		ok, err := req.desk.Can(r.Context(), casekit.PermConfigure)
		if err != nil {
			a.internal(w, r, err)
			return
		}
		if !ok {
			a.lacks(w, r, casekit.PermConfigure)
			return
		}
		h(w, r, req)
	})
}

// adminArea finds the area of the request's path and, for lookups, the
// kind; ok false when there is none (the 404 is answered).
func (a *app) area(w http.ResponseWriter, r *http.Request) (name, kind string, ar *adminArea, ok bool) {
	name = r.PathValue("area")
	ar = adminAreas[name]
	if name == "lookups" {
		kind = r.URL.Query().Get("kind")
		if kind == "" {
			kind = string(casekit.LookupPriority)
		}
		if !containsOption(lookupKinds, kind) {
			ar = nil
		}
	}
	if ar == nil {
		a.fail(w, r, http.StatusNotFound, "There is no such page.")
		return "", "", nil, false
	}
	return name, kind, ar, true
}

func (a *app) adminList(w http.ResponseWriter, r *http.Request, req *request) {
	name, kind, ar, ok := a.area(w, r)
	if ok {
		a.showArea(w, r, req, name, kind, ar, http.StatusOK, "", nil)
	}
}

// showArea renders an area's page; refused, when not nil, is the row
// whose save or delete was refused, shown as it was typed.
func (a *app) showArea(w http.ResponseWriter, r *http.Request, req *request, name, kind string, ar *adminArea, status int, rowKey string, refused *form) {
	ctx := r.Context()
	p := &adminPage{basePage: a.basePage(r, req.s, ar.Heading), Area: name, Kind: kind, Kinds: lookupKinds, adminArea: &adminArea{},
		Notice: adminNotices[r.URL.Query().Get("done")]}
	*p.adminArea = *ar
	p.Fields = append([]adminField(nil), ar.Fields...) // options are per request
	if ar.options != nil {
		if err := ar.options(ctx, req.desk, p.Fields); err != nil {
			a.internal(w, r, err)
			return
		}
	}
	saved, err := ar.list(ctx, req.desk, kind)
	if err != nil {
		a.internal(w, r, err)
		return
	}
	key := ar.Fields[0].Name
	for _, row := range saved {
		f := &form{Values: row}
		if refused != nil && row[key] == rowKey {
			f = refused
		}
		f.Open = true // a saved row: its key is fixed
		p.Rows = append(p.Rows, f)
	}
	add := &form{Values: map[string]string{}}
	if refused != nil && rowKey == "" {
		add = refused
		add.Open = false
	}
	p.Rows = append(p.Rows, add)
	a.render(w, r, status, "admin", p)
}

// adminSave saves or deletes one row.
func (a *app) adminSave(w http.ResponseWriter, r *http.Request, req *request) {
	name, kind, ar, ok := a.area(w, r)
	if !ok {
		return
	}
	v := r.PostForm
	rowKey := v.Get("row") // the saved row's key; "" for the new row
	var err error
	done := "saved"
	if r.PathValue("op") == "delete" {
		err, done = ar.del(r.Context(), req.desk, kind, rowKey), "deleted"
	} else {
		if rowKey != "" {
			v.Set(ar.Fields[0].Name, rowKey)
		}
		err = ar.save(r.Context(), req.desk, kind, v)
	}
	if err != nil {
		status, err, ok := a.adminRefusal(w, r, err)
		if !ok {
			return
		}
		names := make([]string, len(ar.Fields))
		for i, f := range ar.Fields {
			names[i] = f.Name
		}
		f := formFrom(v, names, err)
		if len(f.Other) == 0 && len(f.Errors) == 0 {
			f.Other = []string{"Refused: " + err.Error() + "."}
		}
		a.showArea(w, r, req, name, kind, ar, status, rowKey, f)
		return
	}
	u := "/admin/" + name + "?done=" + done
	if kind != "" {
		u += "&kind=" + url.QueryEscape(kind)
	}
	http.Redirect(w, r, u, http.StatusSeeOther)
}

// adminRefusal sorts out why a save or delete was refused: the status
// to show the form again with and the error to show on it; ok is false
// when the answer is already written (403, 500).
func (a *app) adminRefusal(w http.ResponseWriter, r *http.Request, err error) (status int, shown error, ok bool) {
	var ve *casekit.ValidationError
	switch {
	case errors.As(err, &ve):
		return http.StatusUnprocessableEntity, err, true
	case errors.Is(err, casekit.ErrNotFound):
		return http.StatusNotFound, err, true
	case errors.Is(err, casekit.ErrConflict):
		return http.StatusConflict, errors.New("it is still in use"), true
	case errors.Is(err, casekit.ErrForbidden):
		a.forbidden(w, r, err)
	default:
		a.internal(w, r, err)
	}
	return 0, nil, false
}

// itemEdit is one save or delete of an editor that shows a form per item
// (an SLA, a calendar, a process): what the post does, and how a
// refusal is shown.
type itemEdit struct {
	path   string   // the editor's address, e.g. "/admin/slas"
	fields []string // the form's fields, for placing the errors
	// rewrite gives the library's field errors the form's field names;
	// nil keeps them.
	rewrite func(casekit.FieldError) casekit.FieldError
	save    func(v url.Values) error
	del     func(key string) error
	// show renders the editor with status and, for the item key ("" for
	// the new one), the refused form.
	show func(status int, key string, f *form)
}

// editItem runs a save or delete of one item: the saved item's key comes
// in "row" (the key field itself is disabled then). Done, it redirects
// to the editor with a notice; refused, the editor shows the form as it
// was posted with the errors next to its fields, and nothing changed.
func (a *app) editItem(w http.ResponseWriter, r *http.Request, e itemEdit) {
	if !a.knownOp(w, r) {
		return
	}
	v := r.PostForm
	key := v.Get("row")
	if key != "" {
		v.Set(e.fields[0], key)
	}
	var err error
	done := "saved"
	if r.PathValue("op") == "delete" {
		err, done = e.del(key), "deleted"
	} else {
		err = e.save(v)
	}
	if err == nil {
		http.Redirect(w, r, e.path+"?done="+done, http.StatusSeeOther)
		return
	}
	status, err, ok := a.adminRefusal(w, r, err)
	if !ok {
		return
	}
	if e.rewrite != nil {
		err = rewriteFields(err, e.rewrite)
	}
	f := formFrom(v, e.fields, err)
	if len(f.Other) == 0 && len(f.Errors) == 0 {
		f.Other = []string{"Refused: " + err.Error() + "."}
	}
	e.show(status, key, f)
}

// itemsPage is an editor with a form per item (calendars, processes)
// and one for a new item.
type itemsPage struct {
	basePage
	Notice string
	Forms  []*form
}

// itemsView is what showItems renders: the page, the saved items' form
// values, and the refused form (for the item key, "" the new one).
type itemsView struct {
	page, title string
	status      int
	saved       []map[string]string
	keyField    string
	key         string
	refused     *form
	blank       map[string]string
}

// showItems renders an editor with a form per item; err is the error of
// listing the items.
func (a *app) showItems(w http.ResponseWriter, r *http.Request, req *request, v itemsView, err error) {
	if err != nil {
		a.internal(w, r, err)
		return
	}
	p := &itemsPage{basePage: a.basePage(r, req.s, v.title), Notice: adminNotices[r.URL.Query().Get("done")],
		Forms: itemForms(v.saved, v.keyField, v.key, v.refused, v.blank)}
	a.render(w, r, v.status, v.page, p)
}

// itemForms are the forms of an editor with a form per item: each saved
// item's, its key fixed (refused in place of the item keyed refusedKey),
// then the new item's, starting from blank (or refused, when refusedKey
// is "").
func itemForms(saved []map[string]string, keyField, refusedKey string, refused *form, blank map[string]string) []*form {
	var out []*form
	for _, values := range saved {
		f := &form{Open: true, Values: values}
		if refused != nil && values[keyField] == refusedKey {
			f = refused
		}
		out = append(out, f)
	}
	add := &form{Values: blank}
	if refused != nil && refusedKey == "" {
		add = refused
		add.Open = false
	}
	return append(out, add)
}

// knownOp reports whether the path's op is save or delete, answering 404
// when it is not.
func (a *app) knownOp(w http.ResponseWriter, r *http.Request) bool {
	if op := r.PathValue("op"); op == "save" || op == "delete" {
		return true
	}
	a.fail(w, r, http.StatusNotFound, "There is no such page.")
	return false
}

// adminHome lists the areas.
func (a *app) adminHome(w http.ResponseWriter, r *http.Request, req *request) {
	a.render(w, r, http.StatusOK, "adminhome", &struct{ basePage }{a.basePage(r, req.s, "Administration")})
}
