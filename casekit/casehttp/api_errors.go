package casehttp

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"

	"casekit.dev/casekit"
)

// problemBase starts every problem type URI the API sends.
const problemBase = "https://casekit.dev/problems/"

// problem is an RFC 9457 problem details object. Type is written
// without problemBase here and with it on the wire.
type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	// Errors lists the fields a *casekit.ValidationError names.
	Errors []fieldProblem `json:"errors,omitempty"`
	// Activities names the open activities that refused the command.
	Activities []openActivity `json:"activities,omitempty"`
}

// openActivity names one open activity in a problem.
type openActivity struct {
	ID      string `json:"id"`
	Subject string `json:"subject"`
}

// fieldProblem is one failed field of a 422.
type fieldProblem struct {
	Field   string `json:"field"`
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

// writeProblem sends p as application/problem+json.
func writeProblem(w http.ResponseWriter, p problem) {
	p.Type = problemBase + p.Type
	b, _ := json.Marshal(p)
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	_, _ = w.Write(append(b, '\n'))
}

// fail answers err as a problem: casekit's errors by what they mean,
// anything else a 500 whose cause goes to the log, not to the client.
func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	var (
		bad     *badRequest
		ve      *casekit.ValidationError
		te      *casekit.TransitionError
		oe      *casekit.OpenActivitiesError
		limited *casekit.RateLimitError
	)
	switch {
	case errors.As(err, &bad):
		status := bad.status
		if status == 0 {
			status = http.StatusBadRequest
		}
		p := problem{Status: status, Type: bad.kind, Title: http.StatusText(status), Detail: bad.msg}
		if bad.field != nil {
			p.Errors = []fieldProblem{*bad.field}
		}
		writeProblem(w, p)
	case errors.As(err, &ve):
		p := problem{Status: http.StatusUnprocessableEntity, Type: "validation", Title: "Invalid input",
			Detail: "See errors for each field that failed."}
		for _, f := range ve.Fields {
			p.Errors = append(p.Errors, fieldProblem{Field: f.Field, Rule: f.Rule, Message: f.Message})
		}
		writeProblem(w, p)
	case errors.As(err, &limited):
		w.Header().Set("Retry-After", strconv.FormatInt(max(int64(limited.RetryAfter.Seconds()+0.5), 1), 10))
		writeProblem(w, problem{Status: http.StatusTooManyRequests, Type: "rate-limited", Title: "Too many requests", Detail: limited.Error()})
	case errors.Is(err, casekit.ErrForbidden):
		writeProblem(w, problem{Status: http.StatusForbidden, Type: "forbidden", Title: "Forbidden",
			Detail: "The actor may not run this command."})
	case errors.Is(err, casekit.ErrTenantNotFound):
		writeProblem(w, problem{Status: http.StatusNotFound, Type: "tenant-not-found", Title: "No such tenant"})
	case errors.Is(err, casekit.ErrNotFound):
		writeProblem(w, problem{Status: http.StatusNotFound, Type: "not-found", Title: "Not found",
			Detail: "There is no such record in this tenant, or the actor may not see it."})
	case errors.Is(err, casekit.ErrConflict) && r.Method == http.MethodPatch && r.Header.Get("If-Match") != "":
		writeProblem(w, problem{Status: http.StatusPreconditionFailed, Type: "stale", Title: "Precondition failed",
			Detail: "The case changed since the version If-Match named: read it again and retry."})
	case errors.Is(err, casekit.ErrConflict):
		writeProblem(w, problem{Status: http.StatusConflict, Type: "conflict", Title: "Conflict",
			Detail: "The record changed meanwhile, or the value is taken."})
	case errors.As(err, &te):
		writeProblem(w, problem{Status: http.StatusConflict, Type: "invalid-transition", Title: "Invalid status transition",
			Detail: fmt.Sprintf("The tenant's transitions do not allow %q to %q.", te.From, te.To)})
	case errors.Is(err, casekit.ErrInvalidTransition):
		writeProblem(w, problem{Status: http.StatusConflict, Type: "invalid-transition", Title: "Invalid status transition"})
	case errors.As(err, &oe):
		writeProblem(w, problem{Status: http.StatusConflict, Type: "open-activities", Title: "The case has open activities",
			Detail: "Complete or cancel them first, or ask for them to be canceled.", Activities: openActivities(oe)})
	case errors.Is(err, casekit.ErrOpenActivities):
		writeProblem(w, problem{Status: http.StatusConflict, Type: "open-activities", Title: "The case has open activities"})
	case errors.Is(err, casekit.ErrReadOnly):
		writeProblem(w, problem{Status: http.StatusConflict, Type: "read-only", Title: "The case is read-only",
			Detail: "It is resolved, closed or canceled: reopen it first."})
	case errors.Is(err, casekit.ErrNotResolved):
		writeProblem(w, problem{Status: http.StatusConflict, Type: "not-resolved", Title: "The case is not resolved"})
	case errors.Is(err, casekit.ErrNoBlobStore), errors.Is(err, casekit.ErrNoNotifier), errors.Is(err, casekit.ErrNoTemplates):
		writeProblem(w, problem{Status: http.StatusNotImplemented, Type: "not-configured", Title: "Not configured",
			Detail: clip(err.Error())})
	default:
		a.cfg.Logger.LogAttrs(r.Context(), slog.LevelError, "casehttp: API request failed",
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("err", err))
		writeProblem(w, problem{Status: http.StatusInternalServerError, Type: "internal", Title: "Internal error"})
	}
}

// openActivities lists the activities an OpenActivitiesError names.
func openActivities(oe *casekit.OpenActivitiesError) []openActivity {
	out := make([]openActivity, len(oe.Activities))
	for i, a := range oe.Activities {
		out[i] = openActivity{ID: a.ID, Subject: a.Subject}
	}
	return out
}
