package templates

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"unicode/utf8"
)

// cost says, before a call runs, how many bytes it will allocate at most
// and how many steps of work it will take beyond reading its arguments,
// from the arguments alone; or refuses arguments it cannot bound. Every
// function a template can call has one (see costs), and guard charges it
// to the rendering's budget before the call.
type cost func(s *state, c *call) (alloc, steps int64, err error)

// call is one function call about to run.
type call struct {
	args   []reflect.Value // as the function gets them: a variadic tail is one slice
	shapes []shape         // of each argument, a variadic tail's one by one
	in     shape           // of all arguments together
}

func (c *call) add(s shape) {
	c.shapes = append(c.shapes, s)
	c.in = c.in.add(s)
}

// str returns argument i if it is a string, else "".
func (c *call) str(i int) string {
	if i >= len(c.args) {
		return ""
	}
	v := c.args[i]
	for v.Kind() == reflect.Interface && !v.IsNil() {
		v = v.Elem()
	}
	if v.Kind() != reflect.String {
		return ""
	}
	return v.String()
}

// num returns argument i if it is an integer, else 0.
func (c *call) num(i int) int64 {
	if i >= len(c.args) {
		return 0
	}
	v := c.args[i]
	for v.Kind() == reflect.Interface && !v.IsNil() {
		v = v.Elem()
	}
	if v.CanInt() {
		return v.Int()
	}
	return 0
}

// mul multiplies non-negative estimates, saturating instead of
// overflowing.
func mul(a, b int64) int64 {
	if a <= 0 || b <= 0 {
		return 0
	}
	if a > math.MaxInt64/b {
		return math.MaxInt64
	}
	return a * b
}

// fixed is the cost of a function whose result is small or one of its
// arguments: a number, a truth, a hash, a default.
func fixed(*state, *call) (int64, int64, error) { return 0, 0, nil }

// constant is the cost of a function that allocates about n bytes
// whatever its arguments (loading a time zone).
func constant(n int64) cost {
	return func(*state, *call) (int64, int64, error) { return n, 0, nil }
}

// linear is the cost of a function whose result is at most k times the
// size of its arguments (changing case, encoding, trimming).
func linear(k int64) cost {
	return func(_ *state, c *call) (int64, int64, error) {
		return mul(k, c.in.mem()), mul(k, c.in.size()), nil
	}
}

// printing is the cost of a function that prints its arguments (%v) and
// then escapes or quotes the text, at most k bytes for one.
func printing(k int64) cost {
	return func(_ *state, c *call) (int64, int64, error) {
		p := c.in.printed()
		return mul(k+1, p), mul(k, p), nil
	}
}

// elements is the cost of a function that makes a new list or dict of
// its arguments' elements, k bytes each; their text is shared, not
// copied.
func elements(k int64) cost {
	return func(_ *state, c *call) (int64, int64, error) {
		return mul(k, c.in.elems+1), c.in.elems, nil
	}
}

// costs has the cost of every function of the sandbox's function map
// (funcs panics on one without).
var costs = map[string]cost{
	// strings
	"abbrev": linear(1), "abbrevboth": linear(1), "trunc": fixed, "substr": fixed,
	"trim": linear(1), "trimAll": linear(1), "trimSuffix": fixed, "trimPrefix": fixed,
	"nospace": linear(1), "initials": linear(1),
	// Case changes may grow a rune by half (ȿ → Ȿ).
	"upper": linear(3), "lower": linear(3), "title": linear(3), "untitle": linear(3), "swapcase": linear(3),
	"snakecase": linear(4), "camelcase": linear(4), "kebabcase": linear(4),
	"contains": fixed, "hasPrefix": fixed, "hasSuffix": fixed, "plural": fixed,
	"sha1sum": fixed, "sha256sum": fixed, "adler32sum": fixed,
	"quote": printing(4), "squote": printing(4), "cat": printing(1), "toString": printing(1),
	"toStrings": printing(2), "sortAlpha": printing(2),
	"repeat":    repeatCost,
	"indent":    indentCost,
	"nindent":   indentCost,
	"replace":   replaceCost,
	"wrap":      wrapCost(1),
	"wrapWith":  wrapCost(2),
	"join":      joinCost,
	"split":     splitCost(0, 96),
	"splitn":    splitCost(1, 96),
	"splitList": splitCost(-1, 32),
	// numbers
	"atoi": fixed, "int64": fixed, "int": fixed, "float64": fixed, "add1": fixed, "add": fixed,
	"sub": fixed, "div": fixed, "mod": fixed, "mul": fixed, "add1f": fixed, "addf": fixed,
	"subf": fixed, "divf": fixed, "mulf": fixed, "max": fixed, "min": fixed, "biggest": fixed,
	"maxf": fixed, "minf": fixed, "ceil": fixed, "floor": fixed, "round": fixed,
	"seq": seqCost, "until": untilCost, "untilStep": untilStepCost,
	// defaults and flow
	"default": fixed, "empty": fixed, "coalesce": fixed, "all": fixed, "any": fixed,
	"ternary": fixed, "fail": fixed, "compact": elements(32),
	"typeOf": fixed, "typeIs": fixed, "typeIsLike": fixed, "kindOf": fixed, "kindIs": fixed,
	"deepEqual": fixed,
	// A JSON number is two bytes and a decoded one an interface and a
	// float: fromJson may allocate 32 bytes per byte of its input.
	"fromJson": linear(32),
	// JSON escapes a byte to at most six ("\u003c"), and the encoder's
	// buffer grows by doubling.
	"toJson": printing(12), "toRawJson": printing(12), "toPrettyJson": prettyJSONCost,
	// copystructure allocates some hundred bytes per element it copies.
	"deepCopy": func(_ *state, c *call) (int64, int64, error) {
		return mul(512, c.in.elems) + 2*c.in.bytes, c.in.elems, nil
	},
	// paths and encodings
	"base": linear(2), "dir": linear(2), "clean": linear(2), "ext": fixed, "isAbs": fixed,
	"b64enc": linear(3), "b64dec": linear(2), "b32enc": linear(3), "b32dec": linear(2),
	// lists and dicts
	"list": elements(32), "tuple": elements(32), "dict": elements(96),
	"get": fixed, "set": constant(128), "unset": fixed, "hasKey": fixed, "dig": fixed,
	"pluck": elements(32), "keys": elements(32), "values": elements(32),
	"pick": elements(96), "omit": elements(96),
	"merge": elements(256), "mergeOverwrite": elements(256),
	"append": elements(32), "push": elements(32), "prepend": elements(32),
	"first": fixed, "last": fixed, "rest": elements(32), "initial": elements(32),
	"reverse": elements(32), "slice": fixed, "concat": elements(64), "chunk": elements(64),
	"has":     fixed,
	"uniq":    quadratic,
	"without": quadratic,
	// regular expressions: see regex.go
	"regexMatch": regexCost, "regexFind": regexCost, "regexFindAll": regexCost,
	"regexSplit": regexCost, "regexReplaceAll": regexCost, "regexReplaceAllLiteral": regexCost,
	"regexQuoteMeta": linear(2),
	// versions and URLs
	"semver": shortCost(4 << 10), "semverCompare": shortCost(16 << 10),
	"urlParse": linear(4), "urlJoin": linear(4),
	"duration": fixed, "durationRound": fixed,
	// this package's and the builtins
	"date": fixed, "dateInZone": constant(16 << 10),
	"print": printing(1), "println": printing(1), "printf": printfCost,
	"html": printing(6), "js": printing(6), "urlquery": printing(3),
	"call": fixed,
}

// repeatCost: count copies of the string.
func repeatCost(_ *state, c *call) (int64, int64, error) {
	n := mul(c.num(0), int64(len(c.str(1))))
	return n, n, nil
}

// indentCost: the string with n spaces more per line.
func indentCost(_ *state, c *call) (int64, int64, error) {
	n, str := min(max(c.num(0), 0), maxIndent), c.str(1)
	out := int64(len(str)) + mul(n+1, int64(strings.Count(str, "\n")+2))
	return 2 * out, out, nil
}

// replaceCost: each match of old (every rune boundary if old is empty)
// grows by the difference of the lengths.
func replaceCost(_ *state, c *call) (int64, int64, error) {
	old, new, src := c.str(0), c.str(1), c.str(2)
	n := int64(strings.Count(src, old))
	out := int64(len(src)) + mul(n, max(int64(len(new)-len(old)), 0))
	return out, out + int64(len(src)), nil
}

// wrapCost: sep (argument sepArg, "\n" when it is 1 for wrap) is put in
// at most once per space and once per width bytes of a long word.
func wrapCost(strArg int) cost {
	return func(_ *state, c *call) (int64, int64, error) {
		width, str := max(c.num(0), 1), c.str(strArg)
		sep := int64(1)
		if strArg == 2 {
			sep = max(int64(len(c.str(1))), 1)
		}
		breaks := int64(strings.Count(str, " ")) + int64(len(str))/width + 1
		out := int64(len(str)) + mul(breaks, sep)
		return 2 * out, out, nil
	}
}

// joinCost: every element printed, and the separator between each two.
func joinCost(_ *state, c *call) (int64, int64, error) {
	list := c.shapes[1]
	out := list.printed() + mul(int64(len(c.str(0))), list.elems)
	return 2 * out, out, nil
}

// splitCost: a string header (and for a dict a key and an entry, per
// bytes) per part; the count is argument countArg, if any, or the
// number of separators.
func splitCost(countArg int, per int64) cost {
	return func(_ *state, c *call) (int64, int64, error) {
		sep, src := c.str(0), c.str(len(c.args)-1)
		n := int64(strings.Count(src, sep)) + 1
		if sep == "" {
			n = int64(utf8.RuneCountInString(src)) + 1
		}
		if countArg >= 0 && c.num(countArg) > 0 {
			n = min(n, c.num(countArg))
		}
		return mul(per, n), int64(len(src)), nil
	}
}

// listCost: a list of about n numbers (for seq, their digits), within
// MaxIterations. n is a float so that no difference of two ints
// overflows on the way.
func listCost(s *state, n float64) (int64, int64, error) {
	n = math.Abs(n)
	if n > float64(s.lim.MaxIterations) || math.IsNaN(n) {
		return 0, 0, over("%.0f elements are more than allowed", n)
	}
	return 24 * (int64(n) + 1), int64(n), nil
}

func untilCost(s *state, c *call) (int64, int64, error) {
	return listCost(s, float64(c.num(0)))
}

func untilStepCost(s *state, c *call) (int64, int64, error) {
	start, stop, step := float64(c.num(0)), float64(c.num(1)), float64(c.num(2))
	if step == 0 {
		return listCost(s, 0)
	}
	return listCost(s, (stop-start)/step)
}

// seqCost: seq takes end, or start and end, or start, step and end.
func seqCost(s *state, c *call) (int64, int64, error) {
	p := make([]float64, c.args[0].Len())
	for i := range p {
		p[i] = float64(c.args[0].Index(i).Int())
	}
	switch len(p) {
	case 1:
		return listCost(s, p[0])
	case 2:
		return listCost(s, p[1]-p[0])
	case 3:
		if p[1] != 0 {
			return listCost(s, (p[2]-p[0])/p[1])
		}
	}
	return listCost(s, 0)
}

// prettyJSONCost: as toJson, and every element on a line of its own,
// indented two spaces per level.
func prettyJSONCost(s *state, c *call) (int64, int64, error) {
	a, st, err := printing(12)(s, c)
	indent := mul(c.in.elems, 2*int64(c.in.depth)+2)
	return a + 4*indent, st + indent, err
}

// quadratic is the cost of uniq and without, which compare each element
// with the ones kept (or the ones to omit): the list's length times its
// size in steps.
func quadratic(_ *state, c *call) (int64, int64, error) {
	return mul(32, c.in.elems+1), mul(c.in.elems+1, c.in.size()), nil
}

// shortCost refuses arguments longer than a version or constraint is,
// for functions that parse them with regular expressions, and costs
// alloc bytes.
func shortCost(alloc int64) cost {
	return func(_ *state, c *call) (int64, int64, error) {
		if c.in.bytes > 256 {
			return 0, 0, errors.New("arguments longer than 256 bytes")
		}
		return alloc, 64 * c.in.bytes, nil
	}
}

// maxWidth bounds a printf verb's width and precision.
const maxWidth = 9999

// printfCost reads the format's verbs: each may pad to its width and
// precision (numbers of at most four digits, never '*', which takes them
// from an argument), and is applied to every element of a list it
// prints. The text of the arguments may come out six times over (% x).
func printfCost(_ *state, c *call) (int64, int64, error) {
	format := c.str(0)
	var perVerb int64
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		var pad, num int64
		digits := 0
		for i++; i < len(format); i++ {
			ch := format[i]
			if ch >= '0' && ch <= '9' {
				if digits++; digits > 4 {
					return 0, 0, over("printf: width or precision above %d in %q", maxWidth, format)
				}
				num = num*10 + int64(ch-'0')
				continue
			}
			pad, num, digits = pad+num, 0, 0
			if ch == '*' {
				return 0, 0, errors.New("'*' widths are not allowed")
			}
			if ch != '.' && ch != '[' && ch != ']' && strings.IndexByte("+-# ", ch) < 0 {
				break // the verb
			}
		}
		perVerb += pad + num + 64
	}
	rest := c.in.printed() - c.shapes[0].printed()
	elems := c.in.elems - c.shapes[0].elems
	out := int64(len(format)) + mul(perVerb, elems+1) + 6*rest
	return 2 * out, out, nil
}
