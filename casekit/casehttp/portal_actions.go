package casehttp

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"casekit.dev/casekit"
	"casekit.dev/templates"
)

// post checks the CSRF token and reads the form of a post about the case
// in the path; false when it has answered already.
func (p *Portal) post(w http.ResponseWriter, r *http.Request) (*casekit.Desk, customer, *casekit.Case, bool) {
	limit := p.cfg.MaxBodyBytes
	multipart := strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data")
	if multipart {
		limit = p.cfg.MaxUploadBytes
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	var err error
	if multipart {
		err = r.ParseMultipartForm(multipartMemory)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			p.fail(w, r, http.StatusRequestEntityTooLarge, "That is more than we can take in one go.")
			return nil, customer{}, nil, false
		}
		p.fail(w, r, http.StatusBadRequest, "The form could not be read.")
		return nil, customer{}, nil, false
	}
	_, who := p.desk(r)
	if !p.csrfValid(r, who) {
		p.fail(w, r, http.StatusForbidden, "This form has expired or did not come from this site. Please go back, reload the page and try again.")
		return nil, who, nil, false
	}
	return p.loadCase(w, r)
}

// refused re-renders the detail page with the form's values and errors,
// or answers the error when it is not about the input.
func (p *Portal) refused(w http.ResponseWriter, r *http.Request, d *casekit.Desk, who customer, c *casekit.Case, err error, set func(*templates.DetailPage, templates.Form)) {
	form := templates.Form{Values: map[string]string{}, Errors: map[string]string{}}
	for k := range r.PostForm {
		if k != "csrf" {
			form.Values[k] = r.PostForm.Get(k)
		}
	}
	var ve *casekit.ValidationError
	switch {
	case errors.As(err, &ve):
		for _, f := range ve.Fields {
			form.Errors[f.Field] = f.Message
		}
	case errors.Is(err, casekit.ErrNotFound):
		p.fail(w, r, http.StatusNotFound, "There is no such case.")
		return
	case errors.Is(err, casekit.ErrConflict), errors.Is(err, casekit.ErrInvalidTransition),
		errors.Is(err, casekit.ErrReadOnly), errors.Is(err, casekit.ErrNotResolved):
		p.fail(w, r, http.StatusConflict, "The case has changed and that cannot be done now. Please go back and reload the page.")
		return
	default:
		p.internal(w, r, err)
		return
	}
	data, derr := p.detailPage(w, r, d, who, c)
	if derr != nil {
		p.internal(w, r, derr)
		return
	}
	set(data, form)
	p.render(w, r, http.StatusUnprocessableEntity, who.tenant, templates.PortalDetail, data)
}

// answer ends a post about case c: when err refused it, the detail page
// again with the form's values and errors (set puts the form in its
// place); otherwise a redirect to the case showing the notice for what
// was done, so that reloading the page does not post again.
func (p *Portal) answer(w http.ResponseWriter, r *http.Request, d *casekit.Desk, who customer, c *casekit.Case, err error, what string, set func(*templates.DetailPage, templates.Form)) {
	if err != nil {
		p.refused(w, r, d, who, c, err, set)
		return
	}
	w.Header().Set("Location", p.caseURL(c.Number)+"?done="+what)
	w.WriteHeader(http.StatusSeeOther)
}

// comment posts the customer's comment, with its files, to the case's
// public thread.
func (p *Portal) comment(w http.ResponseWriter, r *http.Request) {
	d, who, c, ok := p.post(w, r)
	if !ok {
		return
	}
	in := casekit.NewMessage{Direction: casekit.Inbound, Channel: casekit.ChannelPortal, Body: r.PostForm.Get("body")}
	var err error
	if r.MultipartForm != nil && len(r.MultipartForm.File["files"]) > 0 {
		in.Attachments, err = p.uploads(r, d, c)
	}
	if err == nil {
		_, err = d.PostMessage(r.Context(), c.ID, in)
	}
	if err != nil {
		// A refused comment keeps none of its files, even when the
		// customer has gone away meanwhile.
		if derr := d.DiscardUploads(context.WithoutCancel(r.Context()), c.ID, in.Attachments); derr != nil {
			p.cfg.Logger.ErrorContext(r.Context(), "casehttp: portal: discarding a refused comment's files", slog.Any("err", derr))
		}
	}
	p.answer(w, r, d, who, c, err, "commented", func(dp *templates.DetailPage, f templates.Form) { dp.Comment = f })
}

// close closes the customer's case with a closure reason and a note.
func (p *Portal) close(w http.ResponseWriter, r *http.Request) {
	d, who, c, ok := p.post(w, r)
	if !ok {
		return
	}
	_, err := d.Close(r.Context(), c.ID, casekit.Closure{Reason: r.PostForm.Get("reason"), Note: r.PostForm.Get("note")})
	p.answer(w, r, d, who, c, err, "closed", func(dp *templates.DetailPage, f templates.Form) {
		dp.Close = f
		choose(dp.ClosureReasons, f.Values["reason"])
	})
}

// rate records the customer's satisfaction rating of the resolved case.
func (p *Portal) rate(w http.ResponseWriter, r *http.Request) {
	d, who, c, ok := p.post(w, r)
	if !ok {
		return
	}
	level, err := strconv.Atoi(r.PostForm.Get("level"))
	if err != nil {
		err = &casekit.ValidationError{Fields: []casekit.FieldError{{Field: "level", Rule: "required", Message: "Please choose a rating."}}}
	} else {
		_, err = d.Rate(r.Context(), c.ID, casekit.Rating{Level: level, Comment: r.PostForm.Get("comment")})
	}
	p.answer(w, r, d, who, c, err, "rated", func(dp *templates.DetailPage, f templates.Form) {
		dp.Rate = f
		choose(dp.RatingLevels, f.Values["level"])
	})
}
