package templates

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"time"
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
	// MaxAlloc bounds what one rendering may allocate, in bytes, as the
	// sandbox estimates it before each step: every function call from
	// the size of what it would build, every output from the value
	// printed, every loop iteration and template call from its parse
	// tree. A step that would go past it is refused before it runs.
	MaxAlloc int
	// MaxSteps bounds the work of one rendering's functions, together,
	// in bytes scanned, compared or matched (a regular expression
	// counts each byte of input once per instruction of its program).
	MaxSteps int
	// MaxNesting bounds how deeply the values a function is given or
	// returns, or an action prints, may nest (lists in lists, ...).
	MaxNesting int
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
	MaxAlloc:      24 << 20,
	MaxSteps:      100_000_000,
	MaxNesting:    64,
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
	set(&l.MaxAlloc, d.MaxAlloc)
	set(&l.MaxSteps, d.MaxSteps)
	set(&l.MaxNesting, d.MaxNesting)
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

// state is one rendering's budget. A compiled template owns one and is
// used by one rendering at a time (see pool).
type state struct {
	lim      Limits
	ctx      context.Context
	deadline time.Time
	iters    int
	calls    int
	depth    int
	alloc    int64 // bytes charged to MaxAlloc so far
	steps    int64 // steps charged to MaxSteps so far
	regexps  map[string]compiledRegexp
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

// charge takes alloc bytes and steps of work from the rendering's budget
// for what is about to run, or refuses it, before it runs, when the
// budget cannot pay (or the time is up). Negative amounts are overflowed
// estimates and are refused too.
func (s *state) charge(what string, alloc, steps int64) error {
	if err := s.check(); err != nil {
		return err
	}
	if alloc < 0 || alloc > int64(s.lim.MaxAlloc)-s.alloc {
		return over("%s: would allocate more than the %d bytes one rendering may", what, s.lim.MaxAlloc)
	}
	if steps < 0 || steps > int64(s.lim.MaxSteps)-s.steps {
		return over("%s: would take more than the %d steps one rendering may", what, s.lim.MaxSteps)
	}
	s.alloc += alloc
	s.steps += steps
	return nil
}

// The hooks the rewritten parse trees call. Templates may not call them
// (rewrite refuses a source that names one), or a template could undo
// the depth limit by leaving more often than it entered.
const (
	hookRange = "casekit_range"
	hookStep  = "casekit_step"
	hookCall  = "casekit_call"
	hookEnter = "casekit_enter"
	hookLeave = "casekit_leave"
	hookOut   = "casekit_out"
	hookArg   = "casekit_arg"
)

// hookNames are the names of the hooks, which templates may not use.
var hookNames = []string{hookRange, hookStep, hookCall, hookEnter, hookLeave, hookOut, hookArg}

// What the sandbox charges to MaxAlloc for text/template's own work,
// measured on Go 1.26 with some room: a function call (reflection, the
// arguments), a printed action (formatting, html/template's escapers),
// a {{template}} call (a new scope) and a parse node evaluated.
const (
	callAlloc     = 320
	outAlloc      = 640
	templateAlloc = 768
	nodeAlloc     = 48
)

// outFactor bounds what printing a value allocates, per byte of its
// printed size: fmt's copy and html/template's escaping (at most six
// bytes for one, as "\u003c" for "<").
const outFactor = 8

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
	// A map's keys are sorted into a new list first.
	if err := s.charge("range", 32*n, n); err != nil {
		return nil, err
	}
	s.iters += int(n)
	return v, nil
}

// stepHook opens every range body: each iteration charges the nodes of
// the body it is about to evaluate and checks the time, so that a loop
// stops within its budget whatever its body does.
func (s *state) stepHook(nodes int) (string, error) {
	return "", s.charge("range", int64(nodes)*nodeAlloc, int64(nodes))
}

// callHook sits at the end of every {{template}} call's pipeline (or is
// it, when the call has none): it counts the call.
func (s *state) callHook(v ...any) (any, error) {
	if err := s.charge("template", templateAlloc, 1); err != nil {
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
// bound how deeply templates call each other. enterHook charges the
// body's nodes.
func (s *state) enterHook(nodes int) (string, error) {
	if err := s.charge("template", int64(nodes)*nodeAlloc, int64(nodes)); err != nil {
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

// outHook ends the pipeline of every action that prints: it measures the
// value about to be printed and charges what formatting and escaping it
// will allocate, before they run. html/template's escapers may print
// little of a large value (ZgotmplZ, or nothing in a comment), so the
// output limit alone would not bound them. The value passes through as
// it is.
func (s *state) outHook(v reflect.Value) (reflect.Value, error) {
	sh := measure(v, int64(s.lim.MaxValue)+1, s.lim.MaxNesting)
	if sh.depth > s.lim.MaxNesting {
		return v, over("output: a value nested more than %d deep", s.lim.MaxNesting)
	}
	if err := s.charge("output", outAlloc+outFactor*sh.printed(), sh.size()); err != nil {
		return v, err
	}
	return v, nil
}

// argHook wraps every argument of the comparison builtins (eq, ne, lt,
// le, gt, ge): it charges the length of a string about to be compared,
// which text/template does not bound. The value passes through as it is.
func (s *state) argHook(v reflect.Value) (reflect.Value, error) {
	var n int64
	e := v
	for e.IsValid() && e.Kind() == reflect.Interface && !e.IsNil() {
		e = e.Elem()
	}
	if e.IsValid() && e.Kind() == reflect.String {
		n = int64(e.Len())
	}
	return v, s.charge("comparison", callAlloc, n)
}
