package templates

import (
	"context"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io"
	"reflect"
	"strings"
	"text/template"
	"text/template/parse"
	"time"

	"github.com/Masterminds/sprig/v3"
)

// Limits bound what one rendering may cost. A template that goes past any
// of them stops with an error that names the limit; nothing it wrote is
// used. Zero fields take the defaults of DefaultLimits.
type Limits struct {
	// Timeout bounds one rendering.
	Timeout time.Duration
	// MaxSource bounds the size of one template's source, in bytes.
	MaxSource int
	// MaxOutput bounds what one rendering writes, in bytes.
	MaxOutput int
	// MaxValue bounds the size of every value a function is given or
	// returns, in bytes of text plus one per list, map or struct element.
	MaxValue int
	// MaxIterations bounds the iterations of all range loops of one
	// rendering, together.
	MaxIterations int
	// MaxCalls bounds the {{template}} calls of one rendering, and
	// MaxDepth how deeply they may nest.
	MaxCalls int
	MaxDepth int
	// MaxArgs bounds the arguments of one function call.
	MaxArgs int
}

// DefaultLimits are the limits used where a field of Limits is zero.
var DefaultLimits = Limits{
	Timeout:       time.Second,
	MaxSource:     64 << 10,
	MaxOutput:     2 << 20,
	MaxValue:      1 << 20,
	MaxIterations: 100_000,
	MaxCalls:      10_000,
	MaxDepth:      50,
	MaxArgs:       32,
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	set := func(v *int, def int) {
		if *v <= 0 {
			*v = def
		}
	}
	if l.Timeout <= 0 {
		l.Timeout = d.Timeout
	}
	set(&l.MaxSource, d.MaxSource)
	set(&l.MaxOutput, d.MaxOutput)
	set(&l.MaxValue, d.MaxValue)
	set(&l.MaxIterations, d.MaxIterations)
	set(&l.MaxCalls, d.MaxCalls)
	set(&l.MaxDepth, d.MaxDepth)
	set(&l.MaxArgs, d.MaxArgs)
	return l
}

// ErrLimit is matched (errors.Is) by every error of a rendering stopped
// by one of its Limits.
var ErrLimit = errors.New("templates: limit exceeded")

// errPanic marks a panic the sandbox caught outside a function call,
// where text/template does not catch it: a bug, which the fuzz target
// looks for.
var errPanic = errors.New("panic")

// limitError names the limit a rendering ran into.
type limitError struct{ what string }

func (e *limitError) Error() string { return e.what }
func (e *limitError) Is(target error) bool {
	return target == ErrLimit
}

func over(format string, args ...any) error {
	return &limitError{what: fmt.Sprintf(format, args...)}
}

// Functions are the names a template may call besides the text/template
// builtins (and, or, not, len, index, slice, eq, ne, lt, le, gt, ge,
// print, printf, println, html, js, urlquery): sprig's hermetic string,
// list, dict, math, encoding, regexp, semver and URL functions and the
// date helpers of this package. Nothing that reads the host (env,
// expandenv, the clock, randomness, the network, the file system) or
// burns CPU on purpose (bcrypt, key generation) is among them.
var Functions = []string{
	// strings
	"abbrev", "abbrevboth", "trunc", "trim", "upper", "lower", "title", "untitle", "substr",
	"repeat", "trimAll", "trimSuffix", "trimPrefix", "nospace", "initials", "swapcase",
	"snakecase", "camelcase", "kebabcase", "wrap", "wrapWith", "contains", "hasPrefix",
	"hasSuffix", "quote", "squote", "cat", "indent", "nindent", "replace", "plural",
	"sha1sum", "sha256sum", "adler32sum", "toString", "split", "splitList", "splitn",
	"toStrings", "join", "sortAlpha",
	// numbers
	"atoi", "int64", "int", "float64", "seq", "until", "untilStep", "add1", "add", "sub",
	"div", "mod", "mul", "add1f", "addf", "subf", "divf", "mulf", "max", "min", "biggest",
	"maxf", "minf", "ceil", "floor", "round",
	// defaults and flow
	"default", "empty", "coalesce", "all", "any", "compact", "ternary", "fail",
	"fromJson", "toJson", "toPrettyJson", "toRawJson", "deepCopy",
	"typeOf", "typeIs", "typeIsLike", "kindOf", "kindIs", "deepEqual",
	// paths (slash-separated, not the host's)
	"base", "dir", "clean", "ext", "isAbs",
	// encoding
	"b64enc", "b64dec", "b32enc", "b32dec",
	// lists and dicts
	"list", "tuple", "dict", "get", "set", "unset", "hasKey", "pluck", "keys", "pick", "omit",
	"merge", "mergeOverwrite", "values", "append", "push", "prepend", "first", "rest",
	"last", "initial", "reverse", "uniq", "without", "has", "slice", "concat", "dig", "chunk",
	// regular expressions (RE2: linear time)
	"regexMatch", "regexFindAll", "regexFind", "regexReplaceAll", "regexReplaceAllLiteral",
	"regexSplit", "regexQuoteMeta",
	// versions and URLs
	"semver", "semverCompare", "urlParse", "urlJoin",
	// durations
	"duration", "durationRound",
	// this package's
	"date", "dateInZone",
}

// state is one rendering's budget. A compiled template owns one and is
// used by one rendering at a time (see pool).
type state struct {
	lim      Limits
	ctx      context.Context
	deadline time.Time
	iters    int
	calls    int
	depth    int
	loc      *time.Location
}

func (s *state) reset(ctx context.Context, lim Limits, loc *time.Location) {
	*s = state{lim: lim, ctx: ctx, deadline: time.Now().Add(lim.Timeout), loc: loc}
}

// check stops a rendering past its time or canceled.
func (s *state) check() error {
	if s.ctx == nil {
		return errors.New("template executed outside a rendering")
	}
	if err := s.ctx.Err(); err != nil {
		return err
	}
	if time.Now().After(s.deadline) {
		return over("rendering took longer than %v", s.lim.Timeout)
	}
	return nil
}

// funcs returns the function map bound to s: the allowed sprig functions,
// each wrapped so that it checks the time and the size of what it is
// given and returns; capped replacements for the functions whose output
// grows with a count argument; and the hooks the rewritten parse trees
// call.
func (s *state) funcs() map[string]any {
	all := sprig.HermeticTxtFuncMap()
	fm := make(map[string]any, len(Functions)+8)
	for _, name := range Functions {
		if fn, ok := all[name]; ok {
			fm[name] = fn
		}
	}
	// Replacements: same names, bounded arguments.
	fm["repeat"] = func(count int, str string) (string, error) {
		if count < 0 || (len(str) > 0 && count > s.lim.MaxValue/len(str)) {
			return "", over("repeat: %d × %d bytes is more than %d", count, len(str), s.lim.MaxValue)
		}
		return strings.Repeat(str, count), nil
	}
	listOf := func(name string, n int64) error {
		if n > int64(s.lim.MaxIterations) || n > int64(s.lim.MaxValue) {
			return over("%s: %d elements are more than allowed", name, n)
		}
		return nil
	}
	untilStep := all["untilStep"].(func(int, int, int) []int)
	fm["until"] = func(n int) ([]int, error) {
		if err := listOf("until", int64(abs(n))); err != nil {
			return nil, err
		}
		return untilStep(0, n, sign(n)), nil
	}
	fm["untilStep"] = func(start, stop, step int) ([]int, error) {
		if step != 0 {
			if err := listOf("untilStep", (int64(stop)-int64(start))/int64(step)); err != nil {
				return nil, err
			}
		}
		return untilStep(start, stop, step), nil
	}
	seq := all["seq"].(func(...int) string)
	fm["seq"] = func(p ...int) (string, error) {
		var n int64
		switch len(p) {
		case 1:
			n = int64(p[0])
		case 2:
			n = int64(p[1]) - int64(p[0])
		case 3:
			if p[1] != 0 {
				n = (int64(p[2]) - int64(p[0])) / int64(p[1])
			}
		}
		if n < 0 {
			n = -n
		}
		if err := listOf("seq", n); err != nil {
			return "", err
		}
		return seq(p...), nil
	}
	indent := func(name string, n int, str string, nl bool) (string, error) {
		if n < 0 || n > 100 {
			return "", over("%s: %d spaces: at most 100", name, n)
		}
		lines := strings.Count(str, "\n") + 1
		if len(str)+lines*n > s.lim.MaxValue {
			return "", over("%s: the result would be more than %d bytes", name, s.lim.MaxValue)
		}
		pad := strings.Repeat(" ", n)
		out := pad + strings.ReplaceAll(str, "\n", "\n"+pad)
		if nl {
			out = "\n" + out
		}
		return out, nil
	}
	fm["indent"] = func(n int, str string) (string, error) { return indent("indent", n, str, false) }
	fm["nindent"] = func(n int, str string) (string, error) { return indent("nindent", n, str, true) }
	chunk := all["chunk"].(func(int, any) [][]any)
	fm["chunk"] = func(size int, list any) ([][]any, error) {
		if size < 1 {
			return nil, fmt.Errorf("chunk: size %d: must be at least 1", size)
		}
		return chunk(size, list), nil
	}
	fm["printf"] = func(format string, args ...any) (string, error) {
		if err := checkFormat(format, s.lim.MaxValue); err != nil {
			return "", err
		}
		return fmt.Sprintf(format, args...), nil
	}
	fm["print"] = fmt.Sprint
	fm["println"] = fmt.Sprintln
	fm["call"] = func(any, ...any) (string, error) { return "", errors.New("call is not allowed") }
	fm["date"] = func(layout string, t any) (string, error) { return formatTime(layout, t, s.loc) }
	fm["dateInZone"] = func(layout string, t any, zone string) (string, error) {
		loc, err := time.LoadLocation(zone)
		if err != nil || zone == "" || zone == "Local" {
			return "", fmt.Errorf("dateInZone: unknown time zone %q", zone)
		}
		return formatTime(layout, t, loc)
	}
	for name, fn := range fm {
		fm[name] = s.guard(name, fn)
	}
	fm[hookRange] = s.rangeHook
	fm[hookCall] = s.callHook
	fm[hookEnter] = s.enterHook
	fm[hookLeave] = s.leaveHook
	return fm
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func sign(n int) int {
	if n < 0 {
		return -1
	}
	return 1
}

// formatTime formats a time.Time, a *time.Time, an RFC 3339 string or
// nil (as "") in loc.
func formatTime(layout string, v any, loc *time.Location) (string, error) {
	if len(layout) > 100 {
		return "", errors.New("date: layout longer than 100 bytes")
	}
	var t time.Time
	switch x := v.(type) {
	case nil:
		return "", nil
	case time.Time:
		t = x
	case *time.Time:
		if x == nil {
			return "", nil
		}
		t = *x
	case string: // as times come back from JSON
		if x == "" {
			return "", nil
		}
		p, err := time.Parse(time.RFC3339Nano, x)
		if err != nil {
			return "", fmt.Errorf("date: %q is not an RFC 3339 time", x)
		}
		t = p
	default:
		return "", fmt.Errorf("date: %T is not a time", v)
	}
	return t.In(loc).Format(layout), nil
}

// checkFormat refuses printf verbs whose width or precision would let a
// short format make a long string: '*' (taken from an argument) and
// numbers past four digits.
func checkFormat(format string, max int) error {
	if len(format) > max {
		return over("printf: format longer than %d bytes", max)
	}
	digits := 0
	for i := 0; i < len(format); i++ {
		c := format[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
			if digits > 4 {
				return over("printf: width or precision above 9999 in %q", format)
			}
			continue
		case c == '*':
			return errors.New("printf: '*' widths are not allowed")
		}
		digits = 0
	}
	return nil
}

// guard wraps fn so that every call checks the rendering's time and the
// size of its arguments and result.
func (s *state) guard(name string, fn any) any {
	fv := reflect.ValueOf(fn)
	ft := fv.Type()
	return reflect.MakeFunc(ft, func(args []reflect.Value) []reflect.Value {
		fail := func(err error) []reflect.Value {
			if ft.NumOut() != 2 {
				panic(err) // text/template turns a function's panic into an error
			}
			return []reflect.Value{reflect.Zero(ft.Out(0)), reflect.ValueOf(&err).Elem()}
		}
		if err := s.check(); err != nil {
			return fail(err)
		}
		total := 0
		for _, a := range args {
			total += sizeOf(a, s.lim.MaxValue-total+1)
			if total > s.lim.MaxValue {
				return fail(over("%s: arguments larger than %d bytes", name, s.lim.MaxValue))
			}
		}
		var out []reflect.Value
		if ft.IsVariadic() {
			out = fv.CallSlice(args)
		} else {
			out = fv.Call(args)
		}
		if sizeOf(out[0], s.lim.MaxValue+1) > s.lim.MaxValue {
			return fail(over("%s: result larger than %d bytes", name, s.lim.MaxValue))
		}
		return out
	}).Interface()
}

// sizeOf measures v: bytes of text plus one per element, field and
// number, counting shared values each time they are reached. It stops
// counting past limit, so cycles end.
func sizeOf(v reflect.Value, limit int) int {
	n := 0
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		if n > limit || !v.IsValid() {
			return
		}
		n++
		switch v.Kind() {
		case reflect.String:
			n += v.Len()
		case reflect.Interface, reflect.Pointer:
			if !v.IsNil() {
				walk(v.Elem())
			}
		case reflect.Slice, reflect.Array:
			if v.Type().Elem().Kind() == reflect.Uint8 {
				n += v.Len()
				return
			}
			for i := 0; i < v.Len() && n <= limit; i++ {
				walk(v.Index(i))
			}
		case reflect.Map:
			it := v.MapRange()
			for it.Next() && n <= limit {
				walk(it.Key())
				walk(it.Value())
			}
		case reflect.Struct:
			t := v.Type()
			for i := 0; i < v.NumField() && n <= limit; i++ {
				if t.Field(i).IsExported() {
					walk(v.Field(i))
				}
			}
		}
	}
	walk(v)
	return n
}

// The hooks the rewritten parse trees call.
const (
	hookRange = "casekit_range"
	hookCall  = "casekit_call"
	hookEnter = "casekit_enter"
	hookLeave = "casekit_leave"
)

// rangeHook sits at the end of every range pipeline: it charges the loop's
// length to the rendering's iteration budget before the loop starts, and
// refuses what cannot be measured (functions and channels).
func (s *state) rangeHook(v any) (any, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		if rv.IsNil() {
			return v, nil
		}
		rv = rv.Elem()
	}
	var n int64
	switch rv.Kind() {
	case reflect.Invalid:
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n = max(rv.Int(), 0)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n = int64(min(rv.Uint(), uint64(s.lim.MaxIterations)+1))
	case reflect.Slice, reflect.Array, reflect.Map, reflect.String:
		n = int64(rv.Len())
	default:
		return nil, fmt.Errorf("range over %s is not allowed", rv.Kind())
	}
	if n > int64(s.lim.MaxIterations-s.iters) {
		return nil, over("more than %d loop iterations", s.lim.MaxIterations)
	}
	s.iters += int(n)
	return v, nil
}

// callHook sits at the end of every {{template}} call's pipeline (or is
// it, when the call has none): it counts the call.
func (s *state) callHook(v ...any) (any, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	s.calls++
	if s.calls > s.lim.MaxCalls {
		return nil, over("more than %d template calls", s.lim.MaxCalls)
	}
	if len(v) == 0 {
		return nil, nil
	}
	return v[0], nil
}

// enterHook and leaveHook open and close every template's body: they
// bound how deeply templates call each other.
func (s *state) enterHook() (string, error) {
	if err := s.check(); err != nil {
		return "", err
	}
	s.depth++
	if s.depth > s.lim.MaxDepth {
		return "", over("templates nested more than %d deep", s.lim.MaxDepth)
	}
	return "", nil
}

func (s *state) leaveHook() string {
	s.depth--
	return ""
}

// stubFuncs has every name of a state's function map, for parsing where
// no rendering will happen.
func stubFuncs() map[string]any {
	return (&state{lim: DefaultLimits}).funcs()
}

// rewrite prepares a parsed tree for the sandbox: every range pipeline
// ends in the range hook, every template call goes through the call hook,
// and the body is wrapped in the enter and leave hooks. It refuses calls
// with more than maxArgs arguments.
func rewrite(t *parse.Tree, maxArgs int) error {
	if t == nil || t.Root == nil {
		return nil
	}
	var walkPipe func(p *parse.PipeNode) error
	var walk func(n parse.Node) error
	walkPipe = func(p *parse.PipeNode) error {
		if p == nil {
			return nil
		}
		for _, c := range p.Cmds {
			if len(c.Args) > maxArgs+1 {
				line, _ := lineOf(t, c)
				return &Error{Template: t.ParseName, Line: line, Message: fmt.Sprintf("a call with %d arguments: at most %d are allowed", len(c.Args)-1, maxArgs)}
			}
			for _, a := range c.Args {
				if err := walk(a); err != nil {
					return err
				}
			}
		}
		return nil
	}
	walkList := func(l *parse.ListNode) error {
		if l == nil {
			return nil
		}
		for _, n := range l.Nodes {
			if err := walk(n); err != nil {
				return err
			}
		}
		return nil
	}
	walk = func(n parse.Node) error {
		switch n := n.(type) {
		case *parse.ListNode:
			return walkList(n)
		case *parse.ActionNode:
			return walkPipe(n.Pipe)
		case *parse.PipeNode:
			return walkPipe(n)
		case *parse.ChainNode:
			return walk(n.Node)
		case *parse.IfNode:
			return walkBranch(&n.BranchNode, walkPipe, walkList)
		case *parse.WithNode:
			return walkBranch(&n.BranchNode, walkPipe, walkList)
		case *parse.RangeNode:
			if err := walkBranch(&n.BranchNode, walkPipe, walkList); err != nil {
				return err
			}
			n.Pipe.Cmds = append(n.Pipe.Cmds, hookCommand(hookRange, n.Pipe.Position()))
		case *parse.TemplateNode:
			if err := walkPipe(n.Pipe); err != nil {
				return err
			}
			if n.Pipe == nil {
				n.Pipe = &parse.PipeNode{NodeType: parse.NodePipe, Pos: n.Pos, Line: n.Line}
			}
			n.Pipe.Cmds = append(n.Pipe.Cmds, hookCommand(hookCall, n.Pos))
		}
		return nil
	}
	if err := walk(t.Root); err != nil {
		return err
	}
	enter := hookAction(hookEnter, t.Root.Pos)
	leave := hookAction(hookLeave, t.Root.Pos)
	t.Root.Nodes = append(append([]parse.Node{enter}, t.Root.Nodes...), leave)
	return nil
}

func walkBranch(b *parse.BranchNode, pipe func(*parse.PipeNode) error, list func(*parse.ListNode) error) error {
	if err := pipe(b.Pipe); err != nil {
		return err
	}
	if err := list(b.List); err != nil {
		return err
	}
	return list(b.ElseList)
}

func hookCommand(name string, pos parse.Pos) *parse.CommandNode {
	return &parse.CommandNode{NodeType: parse.NodeCommand, Pos: pos,
		Args: []parse.Node{parse.NewIdentifier(name).SetPos(pos)}}
}

// hookAction is {{$casekit_hook := name}}: a declaration prints nothing
// and html/template leaves it alone.
func hookAction(name string, pos parse.Pos) *parse.ActionNode {
	return &parse.ActionNode{NodeType: parse.NodeAction, Pos: pos, Pipe: &parse.PipeNode{
		NodeType: parse.NodePipe, Pos: pos,
		Decl: []*parse.VariableNode{{NodeType: parse.NodeVariable, Pos: pos, Ident: []string{"$casekit_hook"}}},
		Cmds: []*parse.CommandNode{hookCommand(name, pos)},
	}}
}

func lineOf(t *parse.Tree, n parse.Node) (int, bool) {
	defer func() { _ = recover() }()
	loc, _ := t.ErrorContext(n)
	var name string
	var line, col int
	if i := strings.LastIndex(loc, ":"); i > 0 {
		if j := strings.LastIndex(loc[:i], ":"); j >= 0 {
			name = loc[:j]
			if _, err := fmt.Sscanf(loc[j+1:], "%d:%d", &line, &col); err == nil {
				return line, name != ""
			}
		}
	}
	return 0, false
}

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
		err := parseSet(srcs, lim, func(name, text string) error { _, err := t.New(name).Parse(text); return err }, func() (trees []*parse.Tree) {
			for _, tt := range t.Templates() {
				trees = append(trees, tt.Tree)
			}
			return trees
		})
		if err != nil {
			return nil, err
		}
		c.text = t
	}
	if asHTML {
		t := htmltemplate.New("").Option("missingkey=zero").Funcs(fm)
		err := parseSet(srcs, lim, func(name, text string) error { _, err := t.New(name).Parse(text); return err }, func() (trees []*parse.Tree) {
			for _, tt := range t.Templates() {
				trees = append(trees, tt.Tree)
			}
			return trees
		})
		if err != nil {
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
