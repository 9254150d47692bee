package templates

import (
	"bytes"
	"context"
)

// Preview is a template rendered against sample data, as an editor shows
// it before the template is saved.
type Preview struct {
	// Subject, Text and HTML are a message's parts; a portal page has
	// only HTML, the whole page.
	Subject, Text, HTML string
}

// Preview renders what the tenant would get with source as its template
// called name (and its other overrides over), against the sample data
// CheckTemplate checks with: for a message template, the event's message
// to a customer with every field filled in (a layout, the first event it
// serves); for a portal page, the page with everything on it (the layout,
// the case page). It runs in the same sandbox and limits as rendering
// does. A template that does not parse or render gives an *Error naming
// the template and, where known, the line.
func (e *Engine) Preview(ctx context.Context, name, source string, over map[string]string) (*Preview, error) {
	trial, err := e.trial(name, source, over)
	if err != nil {
		return nil, err
	}
	pages, events := samplesOf(name)
	if len(pages) > 0 {
		page := pages[len(pages)-1]
		var data any = sampleList()
		if page == PortalDetail {
			data = sampleDetail(true)
		}
		var b bytes.Buffer
		if err := e.renderPage(ctx, &b, e.pageSources(page, trial), data); err != nil {
			return nil, err
		}
		return &Preview{HTML: b.String()}, nil
	}
	ev := events[0]
	m, err := e.render(ctx, e.messageSources(ev, chosen(name), trial), messageData(sampleNotifications(ev)[0], sampleLinks))
	if err != nil {
		return nil, err
	}
	return &Preview{Subject: m.Subject, Text: m.Text, HTML: m.HTML}, nil
}
