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
