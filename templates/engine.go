// Package templates renders what customers read: notification messages
// (and, with casekit/casehttp, the portal's pages) from html/template and
// text/template sources with sprig's functions, in a sandbox.
//
// The default templates are embedded; each tenant may override any of
// them by name (casekit.Config.SaveTemplateOverride), and an override is checked
// before it is saved: it must parse, use only the allowed Functions and
// render against sample data. The sandbox keeps a template from reading
// the host (no env, expandenv, clock, randomness, files or network) and
// from running away: loops, template calls, function arguments and
// results, output and time are all bounded (see Limits).
//
// A message is made of three templates: "subject" and "text", rendered
// with text/template, and "html", rendered with html/template, which
// escapes everything a customer typed. The default "message/layout"
// defines "text" and "html" around each event's "body.text" and
// "body.html"; the event's template ("message/case.resolved", ... or
// "message/default") defines those and "subject". The sources are parsed
// in order, each redefining what it names: default layout, the tenant's
// layout, the event's default, the tenant's override of it. So an override
// need define only what it changes, e.g. just "subject". (As in
// text/template, a definition whose body is only spaces does not replace
// an earlier one.)
package templates

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/binary"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"casekit.dev/casekit"
)

//go:embed default
var defaults embed.FS

// Names of the overridable templates besides "message/" + an event type.
const (
	// MessageLayout holds definitions every message template may use.
	MessageLayout = "message/layout"
	// MessageDefault renders events without a template of their own.
	MessageDefault = "message/default"
)

// Engine renders notifications with the default templates and a tenant's
// overrides. It implements casekit.TemplateEngine; one Engine serves
// every tenant and is safe for concurrent use.
type Engine struct {
	lim   Limits
	loc   *time.Location
	links func(casekit.Notification) Links
	defs  map[string]string

	mu    sync.Mutex
	cache map[[32]byte]*pool
}

// Links are the addresses a message about a case may point to.
type Links struct {
	// Case is where the recipient reads the case.
	Case string
	// Rate, when not nil, gives the address that rates the case with a
	// satisfaction level: the resolution notice lists one per level.
	Rate func(level int) string
}

// Option configures an Engine.
type Option func(*Engine)

// WithLimits sets the sandbox's limits; zero fields keep DefaultLimits.
func WithLimits(l Limits) Option { return func(e *Engine) { e.lim = l.withDefaults() } }

// WithLocation makes the date functions show times in loc (UTC by
// default).
func WithLocation(loc *time.Location) Option { return func(e *Engine) { e.loc = loc } }

// WithLinks gives the engine the host's addresses for a notification's
// case and rating links.
func WithLinks(f func(casekit.Notification) Links) Option {
	return func(e *Engine) { e.links = f }
}

// New returns an Engine with the embedded default templates.
func New(opts ...Option) *Engine {
	e := &Engine{lim: DefaultLimits, loc: time.UTC, defs: map[string]string{}, cache: map[[32]byte]*pool{}}
	err := fs.WalkDir(defaults, "default", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := defaults.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimSuffix(strings.TrimPrefix(p, "default/"), path.Ext(p))
		e.defs[name] = string(b)
		return nil
	})
	if err != nil {
		panic("templates: reading the embedded defaults: " + err.Error())
	}
	for _, o := range opts {
		o(e)
	}
	return e
}

// Names lists the names of the templates a tenant may override.
func (e *Engine) Names() []string {
	names := make([]string, 0, len(e.defs)+len(messageEvents))
	for n := range e.defs {
		names = append(names, n)
	}
	for _, ev := range messageEvents {
		if _, ok := e.defs["message/"+string(ev)]; !ok {
			names = append(names, "message/"+string(ev))
		}
	}
	slices.Sort(names)
	return names
}

// Default returns the default source of the template called name.
func (e *Engine) Default(name string) (string, bool) {
	s, ok := e.defs[name]
	return s, ok
}

// messageEvents are the events that notify someone (casekit's rules):
// each may have a message template of its own.
var messageEvents = []casekit.EventType{
	casekit.EventCaseOpened, casekit.EventStatusChanged, casekit.EventAssigned,
	casekit.EventEscalated, casekit.EventResolved, casekit.EventCanceled,
	casekit.EventClosed, casekit.EventRated, casekit.EventMessagePosted, casekit.EventActivityAdded,
	casekit.EventSLAWarning, casekit.EventSLABreached, casekit.EventReopened, casekit.EventPortalLinkMailed,
	casekit.EventTimeElapsed, casekit.EventStageChanged,
}

// customRE matches the names of the message templates a tenant adds of
// its own, for notify actions to name.
var customRE = regexp.MustCompile(`^` + regexp.QuoteMeta(casekit.CustomTemplatePrefix) + `[a-z0-9][a-z0-9_-]{0,63}$`)

// customEvents are the events a tenant's own message template is checked
// with: those its notices are most often about, and one with no
// template of its own.
var customEvents = []casekit.EventType{casekit.EventTimeElapsed, casekit.EventStageChanged, "case.updated"}

// messageSources returns, in the order they are parsed, the sources of
// the message for an event: the default layout, the tenant's layout, the
// event's default template (or message/default) and the tenant's
// override of it, then, when a notify action chose the template tmpl,
// its default and the tenant's version of it. Each may redefine what an
// earlier one defined, so an override need only define what it changes.
func (e *Engine) messageSources(ev casekit.EventType, tmpl string, over map[string]string) []source {
	srcs := []source{{MessageLayout, e.defs[MessageLayout]}}
	if s, ok := over[MessageLayout]; ok {
		srcs = append(srcs, source{MessageLayout, s})
	}
	name := "message/" + string(ev)
	def, ok := e.defs[name]
	if !ok {
		name, def = MessageDefault, e.defs[MessageDefault]
	}
	srcs = append(srcs, source{name, def})
	if s, ok := over[name]; ok {
		srcs = append(srcs, source{name, s})
	}
	if tmpl == "" || tmpl == name || tmpl == MessageLayout {
		return srcs
	}
	if s, ok := e.defs[tmpl]; ok {
		srcs = append(srcs, source{tmpl, s})
	}
	if s, ok := over[tmpl]; ok {
		srcs = append(srcs, source{tmpl, s})
	}
	return srcs
}

// RenderNotification renders n's subject, text and HTML with the tenant's
// overrides. It implements casekit.TemplateEngine.
func (e *Engine) RenderNotification(ctx context.Context, n casekit.Notification, over map[string]string) (*casekit.RenderedMessage, error) {
	var links Links
	if e.links != nil {
		links = e.links(n)
	}
	return e.render(ctx, e.messageSources(n.Event, n.Template, over), messageData(n, links))
}

func (e *Engine) render(ctx context.Context, srcs []source, data *Message) (*casekit.RenderedMessage, error) {
	c, put, err := e.get(srcs)
	if err != nil {
		return nil, err
	}
	defer put()
	name := srcs[len(srcs)-1].name
	for _, part := range []string{"subject", "text"} {
		if !c.has(part, false) {
			return nil, &Error{Template: name, Message: fmt.Sprintf("it does not define %q", part)}
		}
	}
	var b bytes.Buffer
	out := &casekit.RenderedMessage{}
	if err := c.execute(ctx, &b, "subject", false, data, e.loc); err != nil {
		return nil, err
	}
	out.Subject = strings.Join(strings.Fields(b.String()), " ")
	if out.Subject == "" {
		return nil, &Error{Template: name, Message: "the subject is empty"}
	}
	b.Reset()
	if err := c.execute(ctx, &b, "text", false, data, e.loc); err != nil {
		return nil, err
	}
	out.Text = b.String()
	if c.has("html", true) {
		b.Reset()
		if err := c.execute(ctx, &b, "html", true, data, e.loc); err != nil {
			return nil, err
		}
		out.HTML = b.String()
	}
	return out, nil
}

// CheckTemplate reports whether source may become the tenant's template
// called name: the name must be one of Names, and the source must parse,
// call only the allowed Functions and render, within the limits, against
// sample data for every event it serves. It implements
// casekit.TemplateEngine.
func (e *Engine) CheckTemplate(ctx context.Context, name, source string, over map[string]string) error {
	trial, err := e.trial(name, source, over)
	if err != nil {
		return err
	}
	pages, events := samplesOf(name)
	for _, p := range pages {
		if err := e.checkPage(ctx, p, trial); err != nil {
			return err
		}
	}
	for _, ev := range events {
		for i, n := range sampleNotifications(ev) {
			links := sampleLinks
			if i > 0 {
				links = Links{}
			}
			if _, err := e.render(ctx, e.messageSources(ev, chosen(name), trial), messageData(n, links)); err != nil {
				return err
			}
		}
	}
	return nil
}

// trial returns the overrides with source as the template called name,
// once the name is one of Names and the source within MaxSource.
func (e *Engine) trial(name, source string, over map[string]string) (map[string]string, error) {
	if !slices.Contains(e.Names(), name) && !customRE.MatchString(name) {
		return nil, fmt.Errorf("there is no template called %q", name)
	}
	if len(source) > e.lim.MaxSource {
		return nil, &Error{Template: name, Message: fmt.Sprintf("%d bytes: at most %d are allowed", len(source), e.lim.MaxSource)}
	}
	trial := make(map[string]string, len(over)+1)
	for k, v := range over {
		trial[k] = v
	}
	trial[name] = source
	return trial, nil
}

// samplesOf says what the template called name serves: the portal pages
// or the events whose messages render it.
func samplesOf(name string) (pages []string, events []casekit.EventType) {
	switch {
	case name == PortalLayout:
		return []string{PortalList, PortalDetail}, nil
	case name == PortalList, name == PortalDetail:
		return []string{name}, nil
	case name == MessageLayout:
		return nil, append(slices.Clone(messageEvents), "case.updated")
	case name == MessageDefault:
		return nil, []casekit.EventType{"case.updated"} // an event with no template of its own
	case customRE.MatchString(name):
		return nil, customEvents
	case strings.HasPrefix(name, "message/"):
		return nil, []casekit.EventType{casekit.EventType(strings.TrimPrefix(name, "message/"))}
	}
	return nil, nil
}

// chosen is the template a notify action names for the template called
// name to be rendered: the name itself for a tenant's own template, ""
// (the event's) for the rest.
func chosen(name string) string {
	if customRE.MatchString(name) {
		return name
	}
	return ""
}

// pool holds compiled copies of one template set, each used by one
// rendering at a time.
type pool struct {
	mu   sync.Mutex
	free []*compiled
}

// maxPools bounds the cache of compiled sets; maxFree the idle copies
// kept of each.
const (
	maxPools = 512
	maxFree  = 8
)

// get returns a compiled copy of the set srcs and the function that gives
// it back. Sets are cached by their sources, so every tenant on the
// defaults shares one.
func (e *Engine) get(srcs []source) (*compiled, func(), error) {
	h := sha256.New()
	for _, s := range srcs {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(s.name)))
		h.Write(n[:])
		h.Write([]byte(s.name))
		binary.BigEndian.PutUint64(n[:], uint64(len(s.text)))
		h.Write(n[:])
		h.Write([]byte(s.text))
	}
	var key [32]byte
	h.Sum(key[:0])
	e.mu.Lock()
	p, ok := e.cache[key]
	if !ok {
		if len(e.cache) >= maxPools {
			for k := range e.cache { // drop one at random
				delete(e.cache, k)
				break
			}
		}
		p = &pool{}
		e.cache[key] = p
	}
	e.mu.Unlock()

	p.mu.Lock()
	if n := len(p.free); n > 0 {
		c := p.free[n-1]
		p.free = p.free[:n-1]
		p.mu.Unlock()
		return c, func() { p.put(c) }, nil
	}
	p.mu.Unlock()
	c, err := compile(srcs, e.lim, true, true)
	if err != nil {
		return nil, nil, err
	}
	return c, func() { p.put(c) }, nil
}

func (p *pool) put(c *compiled) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.free) < maxFree {
		p.free = append(p.free, c)
	}
}
