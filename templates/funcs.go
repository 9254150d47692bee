package templates

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
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

// stubFuncs has every name of a state's function map, for parsing where
// no rendering will happen.
func stubFuncs() map[string]any {
	return (&state{lim: DefaultLimits}).funcs()
}
