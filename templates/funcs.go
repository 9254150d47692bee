package templates

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"text/template"
	"time"

	"github.com/Masterminds/sprig/v3"
)

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

// funcs returns the function map bound to s: the allowed sprig functions
// and the text/template builtins that build text (print, printf,
// println, html, js, urlquery), each wrapped by guard with its cost
// (see costs); bounded replacements for the functions whose output grows
// with a count argument and for the regular expression functions; and
// the hooks the rewritten parse trees call. The builtins left as they are
// (and, or, not, len, index) cost a constant per argument; the
// comparisons (eq, ne, lt, le, gt, ge) get their arguments through
// argHook, which charges what they compare.
func (s *state) funcs() map[string]any {
	all := sprig.HermeticTxtFuncMap()
	fm := make(map[string]any, len(Functions)+16)
	for _, name := range Functions {
		if fn, ok := all[name]; ok {
			fm[name] = fn
		}
	}
	// Replacements: same names, bounded arguments.
	fm["repeat"] = func(count int, str string) (string, error) {
		if count < 0 {
			return "", fmt.Errorf("repeat: negative count %d", count)
		}
		return strings.Repeat(str, count), nil
	}
	untilStep := all["untilStep"].(func(int, int, int) []int)
	fm["until"] = func(n int) []int { return untilStep(0, n, sign(n)) }
	fm["untilStep"] = untilStep
	fm["seq"] = all["seq"]
	indent := func(n int, str string, nl bool) (string, error) {
		if n < 0 || n > maxIndent {
			return "", over("indent: %d spaces: at most %d", n, maxIndent)
		}
		pad := strings.Repeat(" ", n)
		out := pad + strings.ReplaceAll(str, "\n", "\n"+pad)
		if nl {
			out = "\n" + out
		}
		return out, nil
	}
	fm["indent"] = func(n int, str string) (string, error) { return indent(n, str, false) }
	fm["nindent"] = func(n int, str string) (string, error) { return indent(n, str, true) }
	chunk := all["chunk"].(func(int, any) [][]any)
	fm["chunk"] = func(size int, list any) ([][]any, error) {
		if size < 1 {
			return nil, fmt.Errorf("chunk: size %d: must be at least 1", size)
		}
		return chunk(size, list), nil
	}
	fm["printf"] = fmt.Sprintf
	fm["print"] = fmt.Sprint
	fm["println"] = fmt.Sprintln
	fm["html"] = template.HTMLEscaper
	fm["js"] = template.JSEscaper
	fm["urlquery"] = template.URLQueryEscaper
	fm["call"] = func(any, ...any) (string, error) { return "", errors.New("call is not allowed") }
	fm["date"] = func(layout string, t any) (string, error) { return formatTime(layout, t, s.loc) }
	fm["dateInZone"] = func(layout string, t any, zone string) (string, error) {
		loc, err := time.LoadLocation(zone)
		if err != nil || zone == "" || zone == "Local" {
			return "", fmt.Errorf("dateInZone: unknown time zone %q", zone)
		}
		return formatTime(layout, t, loc)
	}
	for name, fn := range s.regexFuncs() {
		fm[name] = fn
	}
	for name, fn := range fm {
		c, ok := costs[name]
		if !ok {
			panic("templates: function " + name + " has no cost")
		}
		fm[name] = s.guard(name, fn, c)
	}
	fm[hookRange] = s.rangeHook
	fm[hookStep] = s.stepHook
	fm[hookCall] = s.callHook
	fm[hookEnter] = s.enterHook
	fm[hookLeave] = s.leaveHook
	fm[hookOut] = s.outHook
	fm[hookArg] = s.argHook
	return fm
}

// maxIndent bounds indent's and nindent's count of spaces.
const maxIndent = 100

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

// guard wraps fn so that every call measures its arguments (their size
// within MaxValue, their nesting within MaxNesting), charges what cost
// says the call will allocate and take before it runs, and checks the
// size and nesting of its result.
func (s *state) guard(name string, fn any, cost cost) any {
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
		c := &call{args: args}
		limit := int64(s.lim.MaxValue)
		for i, a := range args {
			if ft.IsVariadic() && i == len(args)-1 {
				for j := 0; j < a.Len(); j++ {
					c.add(measure(a.Index(j), limit-c.in.size()+1, s.lim.MaxNesting))
				}
			} else {
				c.add(measure(a, limit-c.in.size()+1, s.lim.MaxNesting))
			}
			if c.in.size() > limit {
				return fail(over("%s: arguments larger than %d bytes", name, limit))
			}
			if c.in.depth > s.lim.MaxNesting {
				return fail(over("%s: arguments nested more than %d deep", name, s.lim.MaxNesting))
			}
		}
		alloc, steps, err := cost(s, c)
		if err != nil {
			return fail(fmt.Errorf("%s: %w", name, err))
		}
		if err := s.charge(name, callAlloc+alloc, c.in.size()+steps); err != nil {
			return fail(err)
		}
		var out []reflect.Value
		if ft.IsVariadic() {
			out = fv.CallSlice(args)
		} else {
			out = fv.Call(args)
		}
		r := measure(out[0], limit+1, s.lim.MaxNesting)
		if r.size() > limit {
			return fail(over("%s: result larger than %d bytes", name, limit))
		}
		if r.depth > s.lim.MaxNesting {
			return fail(over("%s: result nested more than %d deep", name, s.lim.MaxNesting))
		}
		return out
	}).Interface()
}

// stubFuncs has every name of a state's function map, for parsing where
// no rendering will happen.
func stubFuncs() map[string]any {
	return (&state{lim: DefaultLimits}).funcs()
}
