package main

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"casekit.dev/casekit"
)

// newCasePage is the form an agent opens a case with for a caller, with
// the customers the look-up found.
type newCasePage struct {
	basePage
	Form         *form
	Lookup       string   // what the look-up searched for
	Found        []option // the customers it found
	Types        []casekit.Lookup
	Priorities   []casekit.Lookup
	Queues       []casekit.Queue
	CustomFields []casekit.CustomField
}

// newCaseFields are the new-case form's fields, for its errors.
var newCaseFields = []string{"subject", "description", "customer_id", "contact.name", "contact.email", "contact.phone",
	"type", "priority", "queue_id", "deadline"}

// maxFound bounds the customer look-up's answer.
const maxFound = 20

// newCase shows the new-case form; ?lookup= finds customers in the
// directory by name or address.
func (a *app) newCase(w http.ResponseWriter, r *http.Request, req *request) {
	f := &form{Values: map[string]string{}, Errors: map[string]string{}}
	for k := range r.URL.Query() {
		f.Values[k] = r.URL.Query().Get(k)
	}
	a.showNewCase(w, r, req, http.StatusOK, f)
}

func (a *app) showNewCase(w http.ResponseWriter, r *http.Request, req *request, status int, f *form) {
	ctx := r.Context()
	p := &newCasePage{basePage: a.basePage(r, req.s, "New case"), Form: f, Lookup: strings.TrimSpace(f.Val("lookup"))}
	_, customers, err := a.people(ctx)
	if p.Lookup != "" {
		needle := strings.ToLower(p.Lookup)
		for _, c := range customers {
			if len(p.Found) < maxFound && (strings.Contains(strings.ToLower(c.Label), needle) || strings.Contains(strings.ToLower(c.Value), needle)) {
				p.Found = append(p.Found, c)
			}
		}
	}
	if id := f.Val("customer_id"); id != "" && !containsOption(p.Found, id) {
		p.Found = append(p.Found, option{id, a.name(ctx, id)})
	}
	load := func(g func() error) {
		if err == nil {
			err = g()
		}
	}
	load(func() (e error) { p.Types, e = req.desk.Config().Lookups(ctx, casekit.LookupCaseType); return })
	load(func() (e error) { p.Priorities, e = req.desk.Config().Lookups(ctx, casekit.LookupPriority); return })
	load(func() (e error) { p.Queues, e = req.desk.Config().Queues(ctx); return })
	load(func() (e error) { p.CustomFields, e = req.desk.Config().CustomFields(ctx); return })
	if err != nil {
		a.internal(w, r, err)
		return
	}
	a.render(w, r, status, "newcase", p)
}

func containsOption(opts []option, v string) bool {
	for _, o := range opts {
		if o.Value == v {
			return true
		}
	}
	return false
}

// openCase opens the case the new-case form describes.
func (a *app) openCase(w http.ResponseWriter, r *http.Request, req *request) {
	ctx, v := r.Context(), r.PostForm.Get
	in := casekit.NewCase{Subject: v("subject"), Description: v("description"), CustomerID: v("customer_id"),
		Contact: casekit.Contact{Name: v("contact.name"), Email: v("contact.email"), Phone: v("contact.phone")},
		Type:    v("type"), Priority: v("priority"), QueueID: v("queue_id"), Origin: "phone"}
	if in.CustomerID != "" && in.Contact.Name == "" && in.Contact.Email == "" {
		if p, err := a.accounts.Person(ctx, tenant, in.CustomerID); err == nil {
			in.Contact = casekit.Contact{ID: p.ID, Name: p.Name, Email: p.Email}
		}
	}
	defs, err := req.desk.Config().CustomFields(ctx)
	if err != nil {
		a.internal(w, r, err)
		return
	}
	var c *casekit.Case
	var derr error
	in.Deadline, derr = formTime(r.PostForm, "deadline")
	in.Custom, err = customFromForm(r.PostForm, defs, nil)
	if err = joinInvalid(derr, err); err == nil {
		c, err = req.desk.OpenCase(ctx, in)
	}
	if err != nil {
		var ve *casekit.ValidationError
		if !errors.As(err, &ve) {
			a.internal(w, r, err)
			return
		}
		a.showNewCase(w, r, req, http.StatusUnprocessableEntity, formFrom(r.PostForm, append(newCaseFields, postedCustom(r.PostForm)...), err))
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/cases/%d?done=opened", c.Number), http.StatusSeeOther)
}

// joinInvalid puts the field errors of errs together, for a form to show
// them all at once; nil when there are none.
func joinInvalid(errs ...error) error {
	var all []casekit.FieldError
	for _, err := range errs {
		var ve *casekit.ValidationError
		if errors.As(err, &ve) {
			all = append(all, ve.Fields...)
		}
	}
	if len(all) == 0 {
		return nil
	}
	return &casekit.ValidationError{Fields: all}
}

// formTime reads a UTC date and time such as 2026-11-23T15:00 from the
// form's field k; nil when the field is empty.
func formTime(values url.Values, k string) (*time.Time, error) {
	s := strings.TrimSpace(values.Get(k))
	if s == "" {
		return nil, nil
	}
	t, err := time.Parse("2006-01-02T15:04", s)
	if err != nil {
		return nil, fieldError(k, "datetime", "is not a date and time such as 2026-11-23T15:00")
	}
	return &t, nil
}

// postedCustom are the custom fields a form posted, for placing their
// errors.
func postedCustom(values url.Values) []string {
	var out []string
	for k := range values {
		if strings.HasPrefix(k, "custom.") {
			out = append(out, k)
		}
	}
	return out
}

// customFromForm reads the custom fields from the form's "custom.<key>"
// fields as the library wants them (numbers as numbers, checkboxes as
// booleans). With cur (an edit), only the fields that differ from the
// case's are returned, and a field emptied is nil (removed); without, an
// empty field is left out.
func customFromForm(values url.Values, defs []casekit.CustomField, cur map[string]any) (map[string]any, error) {
	out := map[string]any{}
	var errs []casekit.FieldError
	for _, d := range defs {
		k := "custom." + d.Key
		s := strings.TrimSpace(values.Get(k))
		var val any = s
		switch {
		case d.Type == casekit.CustomBool:
			val = s == "on" || s == "true"
		case s == "":
			val = nil
		case d.Type == casekit.CustomNumber:
			n, err := strconv.ParseFloat(s, 64)
			if err != nil {
				errs = append(errs, casekit.FieldError{Field: k, Rule: "number", Message: "is not a number"})
				continue
			}
			val = n
		}
		if cur == nil {
			if val != nil && val != false {
				out[d.Key] = val
			}
			continue
		}
		if old, had := cur[d.Key]; fmt.Sprint(old) != fmt.Sprint(val) && (had || (val != nil && val != false)) {
			out[d.Key] = val
		}
	}
	if len(errs) > 0 {
		return nil, &casekit.ValidationError{Fields: errs}
	}
	return out, nil
}

// editFields are the edit form's fields: the case's value of each is
// kept in a hidden "was.<field>" so that a stale edit can say what
// someone else changed meanwhile.
var editFields = []string{"subject", "description", "contact.name", "contact.email", "contact.phone", "type", "priority", "deadline"}

// editValues are a case's values as the edit form shows them.
func editValues(c *casekit.Case, defs []casekit.CustomField) map[string]string {
	m := map[string]string{"subject": c.Subject, "description": c.Description, "contact.name": c.Contact.Name,
		"contact.email": c.Contact.Email, "contact.phone": c.Contact.Phone, "type": c.Type, "priority": c.Priority}
	if c.Deadline != nil {
		m["deadline"] = c.Deadline.UTC().Format("2006-01-02T15:04")
	}
	for _, d := range defs {
		if v, ok := c.Custom[d.Key]; ok && v != nil {
			m["custom."+d.Key] = customText(v)
		}
	}
	return m
}

// customText shows a custom value as the form holds it.
func customText(v any) string {
	switch v := v.(type) {
	case bool:
		if v {
			return "on"
		}
		return ""
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// editCase saves the edit form, unless the case changed since the form
// was shown: then the form comes back with what was typed, the case's
// new version, and what changed.
func (a *app) editCase(r *http.Request, req *request, c *casekit.Case) (string, error) {
	ctx, v := r.Context(), r.PostForm.Get
	version, err := strconv.ParseInt(v("version"), 10, 64)
	if err != nil || version <= 0 {
		return "", fieldError("version", "required", "The form is incomplete; reload the page.")
	}
	defs, err := req.desk.Config().CustomFields(ctx)
	if err != nil {
		return "", err
	}
	u := casekit.CaseUpdate{IfVersion: version}
	cur := editValues(c, defs)
	str := func(k string) *string {
		if s := v(k); s != v("was."+k) {
			return &s
		}
		return nil
	}
	u.Subject, u.Description, u.Type, u.Priority = str("subject"), str("description"), str("type"), str("priority")
	if str("contact.name") != nil || str("contact.email") != nil || str("contact.phone") != nil {
		u.Contact = &casekit.Contact{ID: c.Contact.ID, Name: v("contact.name"), Email: v("contact.email"), Phone: v("contact.phone")}
	}
	if str("deadline") != nil {
		if u.Deadline, err = formTime(r.PostForm, "deadline"); err != nil {
			return "", err
		}
		u.ClearDeadline = u.Deadline == nil
	}
	was := map[string]any{}
	for _, d := range defs {
		if s := v("was.custom." + d.Key); s != "" {
			was[d.Key] = s
		}
	}
	if u.Custom, err = customFromForm(r.PostForm, defs, was); err != nil {
		return "", err
	}
	if _, err = req.desk.UpdateCase(ctx, c.ID, u); errors.Is(err, casekit.ErrConflict) {
		return "", &staleEdit{changes: changedFields(r.PostForm, cur), version: c.Version}
	}
	return "edited", err
}

// staleEdit is an edit made on an older version of the case.
type staleEdit struct {
	changes []string
	version int64
}

func (e *staleEdit) Error() string { return "the case changed since the form was shown" }

// changedFields says, for each field whose value differs from the one
// the form started from, what it is now.
func changedFields(posted url.Values, now map[string]string) []string {
	var out []string
	keys := make([]string, 0, len(now))
	for k := range now {
		keys = append(keys, k)
	}
	for _, k := range editFields {
		if _, ok := now[k]; !ok {
			keys = append(keys, k)
		}
	}
	for k := range posted {
		if strings.HasPrefix(k, "was.custom.") {
			keys = append(keys, strings.TrimPrefix(k, "was."))
		}
	}
	sort.Strings(keys)
	seen := map[string]bool{}
	for _, k := range keys {
		if seen[k] {
			continue
		}
		seen[k] = true
		if was := posted.Get("was." + k); was != now[k] {
			out = append(out, fmt.Sprintf("%s is now “%s” (the form began with “%s”)", k, now[k], was))
		}
	}
	return out
}

// deleteCase deletes the case, for the agents allowed to: the page then
// says so, and the case's address answers that it is gone.
func (a *app) deleteCase(r *http.Request, req *request, c *casekit.Case) (string, error) {
	if strings.TrimSpace(r.PostForm.Get("reason")) == "" {
		return "", fieldError("reason", "required", "Say why the case is deleted: the history keeps it.")
	}
	return "deleted", req.desk.DeleteCase(r.Context(), c.ID, r.PostForm.Get("reason"))
}

// caseControls are what the case page offers, as the case's status and
// the agent's role allow, with the reason when something is withheld.
type caseControls struct {
	// ReadOnly is why the case takes no replies, notes, activities or
	// changes now; "" when it does.
	ReadOnly string
	// CanClose says whether an activity may be completed with the case
	// closed at once.
	CanClose     bool
	CanDelete    bool
	Clocks       []clock
	EditForm     *form
	EditWas      map[string]string
	CustomFields []casekit.CustomField
	Priorities   []casekit.Lookup
	// Processes are the tenant's processes, to start one; Process is the
	// bar of the case's active one, nil without.
	Processes []casekit.Process
	Process   *processBar
	// Uploads says whether replies and notes take files: the kit has a
	// blob store.
	Uploads bool
	relations
	macroMenu
}

// clock is one of a case's deadlines: when, and how long is left.
type clock struct {
	Label, At, Left string
	Overdue, Paused bool
}

// controls fills cc for case c, with forms holding what a refused post
// typed.
func (a *app) controls(r *http.Request, req *request, c *casekit.Case, forms map[string]*form, cc *caseControls) error {
	ctx := r.Context()
	statuses, err := req.desk.Config().Statuses(ctx)
	if err != nil {
		return err
	}
	for _, s := range statuses {
		if s.Key != c.Status {
			continue
		}
		if s.ReadOnly() {
			cc.ReadOnly = fmt.Sprintf("The case is %s: replies, notes, activities and changes wait until it is reopened.", strings.ToLower(s.Label))
		}
	}
	view, err := req.desk.CaseView(ctx, c.ID)
	if err != nil {
		return err
	}
	for _, s := range view.Allowed {
		cc.CanClose = cc.CanClose || (s.Final && !s.Canceled)
	}
	if cc.CanDelete, err = req.desk.Can(ctx, casekit.PermDelete); err != nil {
		return err
	}
	if cc.CustomFields, err = req.desk.Config().CustomFields(ctx); err != nil {
		return err
	}
	if cc.Priorities, err = req.desk.Config().Lookups(ctx, casekit.LookupPriority); err != nil {
		return err
	}
	if err := cc.relations.load(ctx, req.desk, c); err != nil {
		return err
	}
	if err := cc.loadProcess(ctx, req.desk, c); err != nil {
		return err
	}
	if err := cc.loadMacros(r, req, c, forms["macro"]); err != nil {
		return err
	}
	cc.EditWas = editValues(c, cc.CustomFields)
	cc.EditForm = forms["edit"]
	if cc.EditForm == nil {
		cc.EditForm = &form{Values: cc.EditWas}
	}
	cc.Clocks = caseClocks(c, a.clock.Now())
	cc.Uploads = a.kit.BlobStore() != nil
	return nil
}

// caseClocks are the case's deadline and the SLA's due times still
// running, with the time left or overdue as of now.
func caseClocks(c *casekit.Case, now time.Time) []clock {
	var out []clock
	add := func(label string, at *time.Time, sla bool) {
		if at == nil {
			return
		}
		k := clock{Label: label, At: at.UTC().Format("2006-01-02 15:04"), Paused: sla && c.SLAPausedAt != nil}
		switch left := at.Sub(now); {
		case k.Paused:
			k.Left = "paused"
		case left < 0:
			k.Overdue, k.Left = true, "overdue by "+humanDuration(-left)
		default:
			k.Left = "in " + humanDuration(left)
		}
		out = append(out, k)
	}
	add("Deadline", c.Deadline, false)
	if c.FirstResponseAt == nil {
		add("First response due", c.ResponseDue, true)
	}
	if c.ResolvedAt == nil {
		add("Resolution due", c.ResolutionDue, true)
	}
	return out
}
