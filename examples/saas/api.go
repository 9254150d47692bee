package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"casekit.dev/casekit"
	"casekit.dev/casekit/casehttp"
)

// maxBody bounds a request body.
const maxBody = 1 << 20

// api serves the JSON endpoints of every tenant under /{tenant}/.
type api struct {
	kit *casekit.Kit
	log *slog.Logger
}

// newHandler returns the HTTP handler of the example:
//
//	POST  /{tenant}/cases                open a case
//	GET   /{tenant}/cases                list: ?status=new,in_progress&text=refund&sort=priority&after=CURSOR&limit=20
//	GET   /{tenant}/cases/{id}           one case
//	PATCH /{tenant}/cases/{id}           update (send if_version to refuse a stale write)
//	POST  /{tenant}/cases/{id}/close     close with {"reason": "fixed", "note": "..."}
func newHandler(kit *casekit.Kit, log *slog.Logger) http.Handler {
	a := &api{kit: kit, log: log}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /{tenant}/cases", a.openCase)
	mux.HandleFunc("GET /{tenant}/cases", a.listCases)
	mux.HandleFunc("GET /{tenant}/cases/{id}", a.getCase)
	mux.HandleFunc("PATCH /{tenant}/cases/{id}", a.updateCase)
	mux.HandleFunc("POST /{tenant}/cases/{id}/close", a.closeCase)
	return mux
}

// desk returns the desk of the request's tenant acting as the agent named
// in the X-Agent header, or writes the error response and returns nil.
//
// DEMO ONLY: the header is trusted as it comes. A real host takes the agent
// from its own authentication (a session or a verified token) and checks
// that the agent belongs to the tenant in the path.
func (a *api) desk(w http.ResponseWriter, r *http.Request) *casekit.Desk {
	agent := strings.TrimSpace(r.Header.Get("X-Agent"))
	if agent == "" {
		writeError(w, http.StatusUnauthorized, "unauthorized", "name the acting agent in the X-Agent header")
		return nil
	}
	tenant := r.PathValue("tenant")
	if casekit.ValidateTenantID(tenant) != nil {
		// Not a slug, so not a tenant: the same answer as an unknown one.
		writeError(w, http.StatusNotFound, "tenant_not_found", fmt.Sprintf("no tenant %q", tenant))
		return nil
	}
	return a.kit.Desk(tenant).As(casekit.Agent(agent))
}

func (a *api) openCase(w http.ResponseWriter, r *http.Request) {
	desk := a.desk(w, r)
	if desk == nil {
		return
	}
	var in casekit.NewCase
	if !decode(w, r, &in) {
		return
	}
	c, err := desk.OpenCase(r.Context(), in)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/"+desk.Tenant()+"/cases/"+c.ID)
	writeJSON(w, http.StatusCreated, c)
}

func (a *api) listCases(w http.ResponseWriter, r *http.Request) {
	desk := a.desk(w, r)
	if desk == nil {
		return
	}
	f, err := casehttp.ParseCaseFilter(r.URL.Query())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	page, err := desk.ListCases(r.Context(), f)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if page.Cases == nil {
		page.Cases = []*casekit.Case{}
	}
	writeJSON(w, http.StatusOK, page)
}

func (a *api) getCase(w http.ResponseWriter, r *http.Request) {
	desk := a.desk(w, r)
	if desk == nil {
		return
	}
	c, err := desk.Case(r.Context(), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (a *api) updateCase(w http.ResponseWriter, r *http.Request) {
	desk := a.desk(w, r)
	if desk == nil {
		return
	}
	var u casekit.CaseUpdate
	if !decode(w, r, &u) {
		return
	}
	c, err := desk.UpdateCase(r.Context(), r.PathValue("id"), u)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (a *api) closeCase(w http.ResponseWriter, r *http.Request) {
	desk := a.desk(w, r)
	if desk == nil {
		return
	}
	var cl casekit.Closure
	if !decode(w, r, &cl) {
		return
	}
	c, err := desk.Close(r.Context(), r.PathValue("id"), cl)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// decode reads one JSON object from the body into v, refusing unknown
// fields and trailing data with 400, and bodies over maxBody with
// 413.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.Decode(&struct{}{}) != io.EOF {
		err = errors.New("unexpected data after the JSON object")
	}
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		writeError(w, http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("the body is over %d bytes", maxBody))
		return false
	case err != nil:
		writeError(w, http.StatusBadRequest, "bad_request", "malformed JSON body: "+err.Error())
		return false
	}
	return true
}

// fieldError is one failed field of a 422 response.
type fieldError struct {
	Field   string `json:"field"`
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

// errorBody is every error response.
type errorBody struct {
	Code    string       `json:"code"`
	Message string       `json:"message"`
	Fields  []fieldError `json:"fields,omitempty"`
}

// fail maps a casekit error to its HTTP status. Anything it does not know
// is a 500 whose body says nothing of the cause; the cause goes to the log.
func (a *api) fail(w http.ResponseWriter, r *http.Request, err error) {
	var (
		ve *casekit.ValidationError
		te *casekit.TransitionError
		oe *casekit.OpenActivitiesError
	)
	switch {
	case errors.As(err, &ve):
		body := errorBody{Code: "invalid", Message: "invalid input"}
		for _, f := range ve.Fields {
			body.Fields = append(body.Fields, fieldError{Field: f.Field, Rule: f.Rule, Message: f.Message})
		}
		writeJSON(w, http.StatusUnprocessableEntity, body)
	case errors.Is(err, casekit.ErrTenantNotFound):
		writeError(w, http.StatusNotFound, "tenant_not_found", fmt.Sprintf("no tenant %q", r.PathValue("tenant")))
	case errors.Is(err, casekit.ErrNotFound):
		writeError(w, http.StatusNotFound, "not_found", "no such case")
	case errors.Is(err, casekit.ErrConflict):
		writeError(w, http.StatusConflict, "conflict", "the case changed since the version you sent: read it again and retry")
	case errors.As(err, &te):
		writeError(w, http.StatusConflict, "invalid_transition", fmt.Sprintf("status %q cannot change to %q", te.From, te.To))
	case errors.Is(err, casekit.ErrInvalidTransition):
		writeError(w, http.StatusConflict, "invalid_transition", "the case's status does not allow this")
	case errors.As(err, &oe):
		writeError(w, http.StatusConflict, "open_activities", fmt.Sprintf("the case has %d open activities: complete or cancel them first", len(oe.Activities)))
	case errors.Is(err, casekit.ErrOpenActivities):
		writeError(w, http.StatusConflict, "open_activities", "the case has open activities: complete or cancel them first")
	case errors.Is(err, casekit.ErrReadOnly):
		writeError(w, http.StatusConflict, "read_only", "the case is resolved or closed: reopen it first")
	case errors.Is(err, casekit.ErrForbidden):
		writeError(w, http.StatusForbidden, "forbidden", "you may not do this")
	default:
		a.log.LogAttrs(r.Context(), slog.LevelError, "saas: request failed",
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("err", err))
		writeError(w, http.StatusInternalServerError, "internal", "internal error")
	}
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, errorBody{Code: code, Message: msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
