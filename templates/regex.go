package templates

import (
	"regexp"
	"regexp/syntax"
	"strings"
)

// Regular expressions are RE2: matching is linear in the input, but
// times the size of the compiled program, and the program of a short
// pattern can be large (x{1000}). So a pattern is bounded in length and
// in program size before it is compiled, every match charges input ×
// program steps, and what a match function builds is charged from a
// first pass that counts the matches.
const (
	maxPattern = 1000   // bytes of a pattern
	maxProgram = 10_000 // instructions of a compiled pattern
	maxRegexps = 16     // compiled patterns kept by one rendering
)

// regexp compiles pattern within the bounds, keeping the last few of a
// rendering so that a loop does not compile the same one each time. It
// charges the compilation.
func (s *state) regexp(pattern string) (*regexp.Regexp, int64, error) {
	if re, ok := s.regexps[pattern]; ok {
		return re.re, re.insts, nil
	}
	if len(pattern) > maxPattern {
		return nil, 0, over("regular expression longer than %d bytes", maxPattern)
	}
	parsed, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil, 0, err
	}
	n := progSize(parsed)
	if n > maxProgram {
		return nil, 0, over("regular expression of %d instructions or more: at most %d", n, maxProgram)
	}
	// Compiled twice (regexp and syntax), some hundred bytes an
	// instruction.
	if err := s.charge("regular expression", 512*n, n); err != nil {
		return nil, 0, err
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, 0, err
	}
	prog, err := syntax.Compile(parsed.Simplify())
	if err != nil {
		return nil, 0, err
	}
	if s.regexps == nil || len(s.regexps) >= maxRegexps {
		s.regexps = map[string]compiledRegexp{}
	}
	c := compiledRegexp{re: re, insts: int64(len(prog.Inst))}
	s.regexps[pattern] = c
	return c.re, c.insts, nil
}

type compiledRegexp struct {
	re    *regexp.Regexp
	insts int64
}

// progSize bounds the instructions re compiles to, without compiling:
// repetitions multiply what they repeat.
func progSize(re *syntax.Regexp) int64 {
	n := int64(1 + len(re.Rune))
	for _, sub := range re.Sub {
		n += progSize(sub)
	}
	if re.Op == syntax.OpRepeat {
		n = mul(n, int64(max(re.Min, re.Max, 1))+1)
	}
	return n
}

// regexCost charges the pattern's compilation and its program run over
// the input; the functions charge what they build themselves (see
// regexFuncs), once they have counted the matches.
func regexCost(s *state, c *call) (int64, int64, error) {
	_, insts, err := s.regexp(c.str(0))
	if err != nil {
		return 0, 0, err
	}
	return 0, mul(insts, int64(len(c.str(1)))+1), nil
}

// matches counts the matches of re in str (up to n, if n ≥ 0) and their
// total length, stopping at the first match the budget could not pay
// for at perMatch bytes (each costs a list entry, and its part of what
// the caller builds): the search itself is charged before it runs.
func (s *state) matches(re *regexp.Regexp, insts int64, str string, n int, perMatch int64) (count, length int64, err error) {
	if err := s.charge("regular expression", 0, mul(insts, int64(len(str))+1)); err != nil {
		return 0, 0, err
	}
	per := 64 + perMatch
	affordable := (int64(s.lim.MaxAlloc) - s.alloc) / per
	k := int(min(affordable+1, int64(len(str))+2))
	if n >= 0 {
		k = min(k, n)
	}
	if err := s.charge("regular expression", mul(int64(k), 64), 0); err != nil {
		return 0, 0, err
	}
	found := re.FindAllStringIndex(str, k)
	if int64(len(found)) > affordable {
		return 0, 0, over("regular expression: more matches than the %d bytes one rendering may allocate pay for", s.lim.MaxAlloc)
	}
	for _, m := range found {
		length += int64(m[1] - m[0])
	}
	return int64(len(found)), length, nil
}

// regexFuncs are sprig's regular expression functions, bounded: each
// compiles through s.regexp and charges what it builds, from the count
// of matches, before building it.
func (s *state) regexFuncs() map[string]any {
	build := func(pattern, str string, n int, perMatch int64, whole func(length int64) int64) (*regexp.Regexp, error) {
		re, insts, err := s.regexp(pattern)
		if err != nil {
			return nil, err
		}
		count, length, err := s.matches(re, insts, str, n, perMatch)
		if err != nil {
			return nil, err
		}
		out := mul(perMatch, count+1)
		if whole != nil {
			out += whole(length)
		}
		return re, s.charge("regular expression", out, out)
	}
	return map[string]any{
		"regexMatch": func(pattern, str string) (bool, error) {
			re, _, err := s.regexp(pattern)
			if err != nil {
				return false, err
			}
			return re.MatchString(str), nil
		},
		"regexFind": func(pattern, str string) (string, error) {
			re, _, err := s.regexp(pattern)
			if err != nil {
				return "", err
			}
			return re.FindString(str), nil
		},
		"regexFindAll": func(pattern, str string, n int) ([]string, error) {
			re, err := build(pattern, str, n, 64, nil)
			if err != nil {
				return nil, err
			}
			return re.FindAllString(str, n), nil
		},
		"regexSplit": func(pattern, str string, n int) ([]string, error) {
			re, err := build(pattern, str, n, 64, nil)
			if err != nil {
				return nil, err
			}
			return re.Split(str, n), nil
		},
		// Each $reference in repl expands to at most its match.
		"regexReplaceAll": func(pattern, str, repl string) (string, error) {
			re, err := build(pattern, str, -1, int64(len(repl)), func(length int64) int64 {
				return int64(len(str)) + mul(int64(strings.Count(repl, "$")), length)
			})
			if err != nil {
				return "", err
			}
			return re.ReplaceAllString(str, repl), nil
		},
		"regexReplaceAllLiteral": func(pattern, str, repl string) (string, error) {
			re, err := build(pattern, str, -1, int64(len(repl)), func(int64) int64 { return int64(len(str)) })
			if err != nil {
				return "", err
			}
			return re.ReplaceAllLiteralString(str, repl), nil
		},
	}
}
