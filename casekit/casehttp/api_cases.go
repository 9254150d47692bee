package casehttp

import (
	"net/http"
	"net/url"
	"strconv"

	"casekit.dev/casekit"
)

// caseRoutes open, list, read, change and delete cases.
var caseRoutes = []apiRoute{
	{method: "POST", path: "/cases", run: openCase},
	{method: "GET", path: "/cases", run: listCases},
	{method: "GET", path: "/cases/{id}", run: caseAction((*casekit.Desk).Case)},
	{method: "GET", path: "/case-numbers/{number}", run: caseByNumber},
	{method: "GET", path: "/cases/{id}/view", run: caseView},
	{method: "PATCH", path: "/cases/{id}", run: updateCase},
	{method: "DELETE", path: "/cases/{id}", run: deleteCase},
	{method: "GET", path: "/cases/{id}/history", run: caseList((*casekit.Desk).History)},
}

// openCase answers 201 with the case and its Location.
func openCase(c *call) error {
	var in casekit.NewCase
	if err := c.decode(&in); err != nil {
		return err
	}
	cs, err := c.desk.OpenCase(c.r.Context(), in)
	if err != nil {
		return err
	}
	c.w.Header().Set("Location", c.base()+"/cases/"+cs.ID)
	return c.replyCase(http.StatusCreated, cs)
}

// listCases answers one page of cases, the filter read from the query as
// ParseCaseFilter reads it, with a Link to the next page.
func listCases(c *call) error {
	f, err := ParseCaseFilter(c.r.URL.Query())
	if err != nil {
		return err
	}
	page, err := c.desk.ListCases(c.r.Context(), f)
	if err != nil {
		return err
	}
	page.Cases = orEmpty(page.Cases)
	if page.Next != "" {
		q := c.r.URL.Query()
		q.Set("after", page.Next)
		c.w.Header().Set("Link", "<"+c.base()+"/cases?"+q.Encode()+`>; rel="next"`)
	}
	return c.reply(http.StatusOK, page)
}

// caseByNumber answers the case with the tenant's number.
func caseByNumber(c *call) error {
	n, err := strconv.ParseInt(c.path("number"), 10, 64)
	if err != nil || n < 1 {
		return &badRequest{kind: "bad-path", msg: "The case number must be a whole number from 1."}
	}
	cs, err := c.desk.CaseByNumber(c.r.Context(), n)
	if err != nil {
		return err
	}
	return c.replyCase(http.StatusOK, cs)
}

// caseView answers the case with what its page shows, its version as
// the ETag.
func caseView(c *call) error {
	v, err := c.desk.CaseView(c.r.Context(), c.path("id"))
	if err != nil {
		return err
	}
	v.Messages, v.Notes, v.Activities, v.Linked = orEmpty(v.Messages), orEmpty(v.Notes), orEmpty(v.Activities), orEmpty(v.Linked)
	c.w.Header().Set("ETag", `"`+strconv.FormatInt(v.Case.Version, 10)+`"`)
	return c.reply(http.StatusOK, v)
}

// updateCase changes a case's fields; If-Match, when sent, is its
// IfVersion, and a stale one a 412.
func updateCase(c *call) error {
	var u casekit.CaseUpdate
	if err := c.decode(&u); err != nil {
		return err
	}
	if c.ifMatch != 0 {
		if u.IfVersion != 0 && u.IfVersion != c.ifMatch {
			return &badRequest{kind: "bad-if-match", msg: "If-Match and if_version name different versions."}
		}
		u.IfVersion = c.ifMatch
	}
	cs, err := c.desk.UpdateCase(c.r.Context(), c.path("id"), u)
	if err != nil {
		return err
	}
	return c.replyCase(http.StatusOK, cs)
}

// deleteCase deletes a case opened by mistake, the reason in the query.
func deleteCase(c *call) error {
	if err := c.noIfMatch(); err != nil {
		return err
	}
	q := c.r.URL.Query()
	if err := onlyParams(q, "reason"); err != nil {
		return err
	}
	if err := c.desk.DeleteCase(c.r.Context(), c.path("id"), q.Get("reason")); err != nil {
		return err
	}
	return c.noContent()
}

// onlyParams refuses query parameters other than names, and any given
// twice.
func onlyParams(q url.Values, names ...string) error {
	for k, vs := range q {
		known := false
		for _, n := range names {
			known = known || k == n
		}
		if !known || len(vs) > 1 {
			return &badRequest{kind: "bad-query", msg: "Unknown or repeated query parameter " + strconv.Quote(clip(k)) + "."}
		}
	}
	return nil
}
