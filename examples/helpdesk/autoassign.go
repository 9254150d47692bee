package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"casekit.dev/casekit"
)

// The auto-assignment page (/admin/assignment): each queue's mode and
// capacity, each agent's availability and own capacity, and a button
// that gives out a queue's waiting cases; and the header's toggle that
// makes the signed-in agent available or away (POST /availability).

// assignModes are the modes a queue offers, as the page names them.
var assignModes = []option{{"", "none: agents pick"}, {string(casekit.AssignRoundRobin), "round robin"}, {string(casekit.AssignLeastOpen), "least open cases"}}

// queueAssignFields and agentAssignFields are the two forms' fields.
var (
	queueAssignFields = []string{"assign_mode", "capacity"}
	agentAssignFields = []string{"available", "capacity"}
)

// assignPage is the auto-assignment page.
type assignPage struct {
	basePage
	Notice string
	Modes  []option
	Queues []assignQueue
	Agents []assignAgent
}

type assignQueue struct {
	casekit.Queue
	Team string
	Form *form
}

type assignAgent struct {
	casekit.AgentLoad
	Name string
	Form *form
}

// assignNotices are what the page says after a change.
var assignNotices = map[string]string{"queue": "Queue saved.", "agent": "Agent saved.", "waiting": "Waiting cases given out."}

func (a *app) assignAdmin(w http.ResponseWriter, r *http.Request, req *request) {
	a.showAssign(w, r, req, http.StatusOK, "", nil)
}

// showAssign renders the page; refused, when not nil, is the form (of
// queue or agent key) whose save was refused.
func (a *app) showAssign(w http.ResponseWriter, r *http.Request, req *request, status int, key string, refused *form) {
	ctx, cf := r.Context(), req.desk.Config()
	qs, err := cf.Queues(ctx)
	if err != nil {
		a.internal(w, r, err)
		return
	}
	teams, err := cf.Teams(ctx)
	if err != nil {
		a.internal(w, r, err)
		return
	}
	loads, err := cf.Availabilities(ctx)
	if err != nil {
		a.internal(w, r, err)
		return
	}
	p := &assignPage{basePage: a.basePage(r, req.s, "Auto-assignment"), Notice: assignNotices[r.URL.Query().Get("done")], Modes: assignModes}
	for _, q := range qs {
		row := assignQueue{Queue: q, Form: &form{Open: true, Values: map[string]string{"assign_mode": string(q.AssignMode), "capacity": strconv.Itoa(q.Capacity)}}}
		for _, t := range teams {
			if t.ID == q.TeamID {
				row.Team = t.Name
			}
		}
		if refused != nil && key == "queue:"+q.ID {
			row.Form = refused
		}
		p.Queues = append(p.Queues, row)
	}
	for _, l := range loads {
		row := assignAgent{AgentLoad: l, Name: a.name(ctx, l.AgentID), Form: &form{Open: true, Values: map[string]string{"available": checkbox(l.Available)}}}
		if l.Capacity != nil {
			row.Form.Values["capacity"] = strconv.Itoa(*l.Capacity)
		}
		if refused != nil && key == "agent:"+l.AgentID {
			row.Form = refused
		}
		p.Agents = append(p.Agents, row)
	}
	a.render(w, r, status, "autoassign", p)
}

// assignSave saves a queue's mode and capacity (op "queue"), an agent's
// availability and capacity (op "agent"), or gives out a queue's
// waiting cases (op "waiting"); a refusal shows the form as typed with
// the library's message.
func (a *app) assignSave(w http.ResponseWriter, r *http.Request, req *request) {
	ctx, cf, v := r.Context(), req.desk.Config(), r.PostForm
	var (
		key    string
		fields []string
		err    error
	)
	switch op := r.PathValue("op"); op {
	case "queue":
		key, fields = "queue:"+v.Get("queue"), queueAssignFields
		err = a.saveQueueAssignment(ctx, cf, v)
	case "agent":
		key, fields = "agent:"+v.Get("agent"), agentAssignFields
		u := casekit.AvailabilityUpdate{Available: new(bool)}
		*u.Available = v.Get("available") == "on"
		if c := strings.TrimSpace(v.Get("capacity")); c == "" {
			u.ClearCapacity = true
		} else if n, perr := strconv.Atoi(c); perr != nil {
			err = fieldError("capacity", "number", "is not a whole number")
		} else {
			u.Capacity = &n
		}
		if err == nil {
			err = cf.SetAvailability(ctx, v.Get("agent"), u)
		}
	case "waiting":
		key, fields = "queue:"+v.Get("queue"), queueAssignFields
		_, err = cf.AssignWaiting(ctx, v.Get("queue"))
	default:
		a.fail(w, r, http.StatusNotFound, "There is no such action.")
		return
	}
	var ve *casekit.ValidationError
	switch {
	case errors.As(err, &ve):
		a.showAssign(w, r, req, http.StatusUnprocessableEntity, key, formFrom(v, fields, err))
	case err != nil:
		a.internal(w, r, err)
	default:
		http.Redirect(w, r, "/admin/assignment?done="+url.QueryEscape(r.PathValue("op")), http.StatusSeeOther)
	}
}

// saveQueueAssignment sets a queue's mode and capacity, keeping the rest
// of it as it is.
func (a *app) saveQueueAssignment(ctx context.Context, cf *casekit.Config, v url.Values) error {
	qs, err := cf.Queues(ctx)
	if err != nil {
		return err
	}
	for _, q := range qs {
		if q.ID != v.Get("queue") {
			continue
		}
		q.AssignMode = casekit.AssignMode(v.Get("assign_mode"))
		if q.Capacity, err = strconv.Atoi(strings.TrimSpace(v.Get("capacity"))); err != nil {
			return fieldError("capacity", "number", "is not a whole number")
		}
		return cf.SaveQueue(ctx, q)
	}
	return fieldError("queue", "known", fmt.Sprintf("there is no queue %q", v.Get("queue")))
}

// keepAssignment gives q the mode and capacity its stored queue has, for
// the queues table, which edits the rest of a queue.
func keepAssignment(ctx context.Context, d *casekit.Desk, q *casekit.Queue) error {
	qs, err := d.Config().Queues(ctx)
	for _, o := range qs {
		if o.ID == q.ID {
			q.AssignMode, q.Capacity = o.AssignMode, o.Capacity
		}
	}
	return err
}

// setAvailable is the header's toggle: it makes the signed-in agent
// available or away and sends them back to the page they were on.
func (a *app) setAvailable(w http.ResponseWriter, r *http.Request, req *request) {
	if _, err := req.desk.SetAvailable(r.Context(), r.PostForm.Get("available") == "true"); err != nil {
		var ve *casekit.ValidationError
		if errors.As(err, &ve) {
			a.fail(w, r, http.StatusUnprocessableEntity, ve.Error())
			return
		}
		a.internal(w, r, err)
		return
	}
	next := r.PostForm.Get("next")
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		next = "/cases"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// presence reads the signed-in agent's availability for the header:
// "available", "away", or "" when it cannot be read.
func (a *app) presence(r *http.Request, agent string) string {
	l, err := a.kit.Desk(tenant).As(casekit.Agent(agent)).Availability(r.Context())
	switch {
	case err != nil:
		return ""
	case l.Available:
		return "available"
	}
	return "away"
}
