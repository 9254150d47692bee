package templates

import (
	"context"
	"fmt"
	htmltemplate "html/template"
	"io"
	"text/template"
	"text/template/parse"
	"time"
)

// limitedWriter stops a rendering that writes more than max bytes or runs
// past its time.
type limitedWriter struct {
	w   io.Writer
	n   int
	max int
	s   *state
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if err := l.s.check(); err != nil {
		return 0, err
	}
	if l.n+len(p) > l.max {
		return 0, over("output larger than %d bytes", l.max)
	}
	l.n += len(p)
	return l.w.Write(p)
}

// compiled is one parsed, rewritten template set bound to its own state.
// It serves one rendering at a time.
type compiled struct {
	st   *state
	text *template.Template
	html *htmltemplate.Template
}

// source is one named template text to parse into a set.
type source struct {
	name, text string
}

// compile parses the sources, in order, into one set, for text/template
// (text) or html/template (html) or both, with the sandbox's functions and
// rewriting. A later source may redefine what an earlier one defined.
func compile(srcs []source, lim Limits, asText, asHTML bool) (_ *compiled, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w while parsing: %v", errPanic, r)
		}
	}()
	c := &compiled{st: &state{lim: lim}}
	fm := c.st.funcs()
	if asText {
		t := template.New("").Option("missingkey=zero").Funcs(fm)
		if err := parseInto(t, srcs, lim, func(t *template.Template) *parse.Tree { return t.Tree }); err != nil {
			return nil, err
		}
		c.text = t
	}
	if asHTML {
		t := htmltemplate.New("").Option("missingkey=zero").Funcs(fm)
		if err := parseInto(t, srcs, lim, func(t *htmltemplate.Template) *parse.Tree { return t.Tree }); err != nil {
			return nil, err
		}
		c.html = t
	}
	return c, nil
}

// parseSet parses the sources in order with parseOne, within the source
// limit, then rewrites every tree of the set for the sandbox. It serves
// text/template and html/template alike.
func parseSet(srcs []source, lim Limits, parseOne func(name, text string) error, trees func() []*parse.Tree) error {
	for _, s := range srcs {
		if len(s.text) > lim.MaxSource {
			return &Error{Template: s.name, Message: fmt.Sprintf("%d bytes: at most %d are allowed", len(s.text), lim.MaxSource)}
		}
		if err := parseOne(s.name, s.text); err != nil {
			return parseError(s.name, err)
		}
	}
	for _, t := range trees() {
		if err := rewrite(t, lim.MaxArgs); err != nil {
			return err
		}
	}
	return nil
}

// has reports whether the set defines name (with a body).
func (c *compiled) has(name string, html bool) bool {
	if html {
		t := c.html.Lookup(name)
		return t != nil && t.Tree != nil && t.Tree.Root != nil && len(t.Tree.Root.Nodes) > 2
	}
	t := c.text.Lookup(name)
	return t != nil && t.Tree != nil && t.Tree.Root != nil && len(t.Tree.Root.Nodes) > 2
}

// execute renders the template called name into w within the limits.
func (c *compiled) execute(ctx context.Context, w io.Writer, name string, html bool, data any, loc *time.Location) (err error) {
	c.st.reset(ctx, c.st.lim, loc)
	defer func() {
		c.st.ctx = nil
		if r := recover(); r != nil {
			err = fmt.Errorf("template %s: %w: %v", name, errPanic, r)
		}
	}()
	lw := &limitedWriter{w: w, max: c.st.lim.MaxOutput, s: c.st}
	if html {
		err = c.html.ExecuteTemplate(lw, name, data)
	} else {
		err = c.text.ExecuteTemplate(lw, name, data)
	}
	if err != nil {
		return execError(err)
	}
	return nil
}

// templateSet is what text/template and html/template have in common for
// parsing a set: one parse step serves both (parseInto).
type templateSet[T any] interface {
	New(name string) T
	Parse(text string) (T, error)
	Templates() []T
}

// parseInto parses srcs into the set t through parseSet, reading each
// template's tree with tree.
func parseInto[T templateSet[T]](t T, srcs []source, lim Limits, tree func(T) *parse.Tree) error {
	return parseSet(srcs, lim, func(name, text string) error { _, err := t.New(name).Parse(text); return err }, func() (trees []*parse.Tree) {
		for _, tt := range t.Templates() {
			trees = append(trees, tree(tt))
		}
		return trees
	})
}
