package main

import (
	"errors"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"casekit.dev/casekit"
)

// webhooksPage lists the tenant's webhook subscriptions; Secret, when
// set, is the one a subscription was just given, shown this once.
type webhooksPage struct {
	basePage
	Notice  string
	Problem []string // why a delete or a rotation was refused
	Secret  *oneSecret
	Rows    []webhookRow
}

// oneSecret is a subscription's new secret and whose it is.
type oneSecret struct{ Key, Secret string }

// webhookRow is one subscription of the list, its events in words.
type webhookRow struct {
	casekit.Webhook
	Events string
}

// webhookEditPage is the editor of one subscription.
type webhookEditPage struct {
	basePage
	Form   *form
	New    bool
	Events []option // every event type casekit records, in its order
}

// webhookLogPage is a subscription's delivery log, newest first.
type webhookLogPage struct {
	basePage
	Webhook  casekit.Webhook
	Attempts []casekit.WebhookAttempt
}

// webhookEvents are the event types a subscription may name: every one
// casekit records (casekit.EventTypes), named as the trigger editor names
// them where it does.
var webhookEvents = labelled(casekit.EventTypes(), eventNames)

// webhookNotices are what the list says after a change.
var webhookNotices = map[string]string{"saved": "Saved.", "deleted": "Deleted."}

func (a *app) webhookList(w http.ResponseWriter, r *http.Request, req *request) {
	a.showWebhooks(w, r, req, http.StatusOK, nil, nil)
}

// showWebhooks renders the list with status; secret is a secret to show
// once, problem why the last post changed nothing.
func (a *app) showWebhooks(w http.ResponseWriter, r *http.Request, req *request, status int, secret *oneSecret, problem []string) {
	ws, err := req.desk.Config().Webhooks(r.Context())
	if err != nil {
		a.internal(w, r, err)
		return
	}
	p := &webhooksPage{basePage: a.basePage(r, req.s, "Webhook subscriptions"), Secret: secret, Problem: problem}
	if status == http.StatusOK && secret == nil {
		p.Notice = webhookNotices[r.URL.Query().Get("done")]
	}
	for _, wh := range ws {
		row := webhookRow{Webhook: wh, Events: "every event"}
		if len(wh.Events) > 0 {
			row.Events = eventLabels(webhookEvents, wh.Events)
		}
		p.Rows = append(p.Rows, row)
	}
	a.render(w, r, status, "webhooks", p)
}

// webhook finds the subscription key names; ok false when there is none
// (the 404 is answered) or it could not be read (the 500).
func (a *app) webhook(w http.ResponseWriter, r *http.Request, req *request, key string) (casekit.Webhook, bool) {
	ws, err := req.desk.Config().Webhooks(r.Context())
	if err != nil {
		a.internal(w, r, err)
		return casekit.Webhook{}, false
	}
	i := slices.IndexFunc(ws, func(wh casekit.Webhook) bool { return wh.Key == key })
	if i < 0 {
		a.fail(w, r, http.StatusNotFound, "There is no such webhook subscription: it may have been deleted.")
		return casekit.Webhook{}, false
	}
	return ws[i], true
}

// webhookEditor shows the editor of the subscription ?key= names, or of
// a new one.
func (a *app) webhookEditor(w http.ResponseWriter, r *http.Request, req *request) {
	f := &form{Values: map[string]string{"enabled": "on"}}
	if key := r.URL.Query().Get("key"); key != "" {
		wh, ok := a.webhook(w, r, req, key)
		if !ok {
			return
		}
		f = &form{Open: true, Values: map[string]string{"key": wh.Key, "url": wh.URL, "description": wh.Description, "enabled": checkbox(wh.Enabled)}}
		for _, ev := range wh.Events {
			f.Values["event."+string(ev)] = "on"
		}
	}
	a.showWebhookEditor(w, r, req, http.StatusOK, f)
}

// showWebhookEditor renders the editor with f, Open for a saved
// subscription (its key fixed). An event type the form names that
// casekit does not list is offered too, so that its refusal shows.
func (a *app) showWebhookEditor(w http.ResponseWriter, r *http.Request, req *request, status int, f *form) {
	title := "New webhook subscription"
	if f.Open {
		title = "Webhook subscription " + f.Val("key")
	}
	p := &webhookEditPage{basePage: a.basePage(r, req.s, title), Form: f, New: !f.Open, Events: slices.Clone(webhookEvents)}
	for _, k := range slices.Sorted(maps.Keys(f.Values)) {
		if ev, ok := strings.CutPrefix(k, "event."); ok && !containsOption(p.Events, ev) {
			p.Events = append(p.Events, option{ev, ev})
		}
	}
	a.render(w, r, status, "webhook", p)
}

// webhookFields are the editor's fields, for placing the library's
// errors next to them.
var webhookFields = []string{"key", "url", "description", "events", "secret"}

// eventField is the library's name of one of a subscription's events.
var eventField = regexp.MustCompile(`^events\[\d+\]$`)

// webhookFromForm reads a subscription from its form: the event types
// ticked, in casekit's order, then any other posted (which the library
// refuses).
func webhookFromForm(v url.Values) casekit.Webhook {
	wh := casekit.Webhook{Key: strings.TrimSpace(v.Get("key")), URL: v.Get("url"), Description: v.Get("description"), Enabled: v.Get("enabled") == "on"}
	var evs []string
	for k := range v {
		if ev, ok := strings.CutPrefix(k, "event."); ok && v.Get(k) == "on" {
			evs = append(evs, ev)
		}
	}
	slices.SortFunc(evs, func(x, y string) int {
		if ix, iy := optionIndex(webhookEvents, x), optionIndex(webhookEvents, y); ix != iy {
			return ix - iy
		}
		return strings.Compare(x, y)
	})
	for _, ev := range evs {
		wh.Events = append(wh.Events, casekit.EventType(ev))
	}
	return wh
}

// webhookAction saves, deletes or gives a new secret to the subscription
// the post names ("row", the saved one's key). A rotated secret is shown
// on the list this once, never again: the answer is the page, not a
// redirect to it.
func (a *app) webhookAction(w http.ResponseWriter, r *http.Request, req *request) {
	ctx, key, cf := r.Context(), r.PostForm.Get("row"), req.desk.Config()
	switch r.PathValue("op") {
	case "save":
		a.saveWebhook(w, r, req)
	case "delete":
		if err := cf.DeleteWebhook(ctx, key); err != nil {
			a.webhookRefused(w, r, req, err)
			return
		}
		http.Redirect(w, r, "/admin/webhooks?done=deleted", http.StatusSeeOther)
	case "rotate":
		secret, err := cf.RotateWebhookSecret(ctx, key)
		if err != nil {
			a.webhookRefused(w, r, req, err)
			return
		}
		a.showWebhooks(w, r, req, http.StatusOK, &oneSecret{key, secret}, nil)
	default:
		a.fail(w, r, http.StatusNotFound, "There is no such page.")
	}
}

// saveWebhook saves the subscription the editor posted: a new one's
// secret is shown on the list this once; a refusal shows the editor
// again with what was typed and the errors at their fields.
func (a *app) saveWebhook(w http.ResponseWriter, r *http.Request, req *request) {
	ctx, v, cf := r.Context(), r.PostForm, req.desk.Config()
	key := v.Get("row") // the saved subscription's key; "" for a new one
	if key != "" {
		v.Set("key", key)
	}
	wh := webhookFromForm(v)
	ws, err := cf.Webhooks(ctx)
	if err != nil {
		a.internal(w, r, err)
		return
	}
	exists := slices.ContainsFunc(ws, func(o casekit.Webhook) bool { return o.Key == wh.Key })
	var saved *casekit.Webhook
	switch {
	case key == "" && exists:
		err = fieldError("key", "unique", "is the key of another subscription; choose another")
	case key != "" && !exists:
		a.fail(w, r, http.StatusNotFound, "There is no such webhook subscription: it may have been deleted meanwhile.")
		return
	default:
		saved, err = cf.SaveWebhook(ctx, wh)
	}
	switch {
	case err == nil && saved.Secret != "":
		a.showWebhooks(w, r, req, http.StatusOK, &oneSecret{saved.Key, saved.Secret}, nil)
		return
	case err == nil:
		http.Redirect(w, r, "/admin/webhooks?done=saved", http.StatusSeeOther)
		return
	}
	status, err, ok := a.adminRefusal(w, r, err)
	if !ok {
		return
	}
	err = rewriteFields(err, func(fe casekit.FieldError) casekit.FieldError {
		if eventField.MatchString(fe.Field) {
			fe.Field = "events"
		}
		return fe
	})
	f := formFrom(v, webhookFields, err)
	f.Open = key != ""
	a.showWebhookEditor(w, r, req, status, f)
}

// webhookRefused shows the list with why a delete or a rotation was
// refused: a trigger still posting to the subscription (409, naming
// it), no such subscription (404); a 403 or 500 gets its page.
func (a *app) webhookRefused(w http.ResponseWriter, r *http.Request, req *request, err error) {
	status, shown, ok := a.adminRefusal(w, r, err)
	if !ok {
		return
	}
	why := "Refused: " + commandRE.ReplaceAllString(shown.Error(), "") + "."
	switch {
	case errors.Is(err, casekit.ErrConflict):
		why = "Refused: " + strings.TrimSuffix(commandRE.ReplaceAllString(err.Error(), ""), ": "+casekit.ErrConflict.Error()) + "."
	case errors.Is(err, casekit.ErrNotFound):
		why = "There is no such webhook subscription: it may have been deleted meanwhile."
	}
	a.showWebhooks(w, r, req, status, nil, []string{why})
}

// webhookLog shows the delivery log of the subscription ?key= names.
func (a *app) webhookLog(w http.ResponseWriter, r *http.Request, req *request) {
	wh, ok := a.webhook(w, r, req, r.URL.Query().Get("key"))
	if !ok {
		return
	}
	log, err := req.desk.Config().WebhookLog(r.Context(), wh.Key)
	if err != nil {
		a.internal(w, r, err)
		return
	}
	a.render(w, r, http.StatusOK, "webhooklog", &webhookLogPage{basePage: a.basePage(r, req.s, "Deliveries to "+wh.Key), Webhook: wh, Attempts: log})
}
