package templates

import (
	"errors"
	"fmt"
	htmltemplate "html/template"
	"regexp"
	"strconv"
	"strings"
)

// Error is a template that does not parse, uses a function it may not,
// or fails when rendered: it names the template and, where known, the
// line.
type Error struct {
	// Template is the template's name, e.g. "message/case.resolved".
	Template string
	// Line is the 1-based line of the source the error is on; 0 when
	// unknown.
	Line int
	// Message says what is wrong.
	Message string
	// Err is the error underneath, if any (for errors.Is(err, ErrLimit)).
	Err error
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("template %s, line %d: %s", e.Template, e.Line, e.Message)
	}
	return fmt.Sprintf("template %s: %s", e.Template, e.Message)
}

// Unwrap returns the error underneath.
func (e *Error) Unwrap() error { return e.Err }

// text/template's messages: "template: NAME:LINE: MSG" from the parser,
// "template: NAME:LINE:COL: executing ... : MSG" from execution.
var positioned = regexp.MustCompile(`^template: ([^:]*):(\d+)(?::\d+)?: (.*)$`)

var undefinedFunc = regexp.MustCompile(`function "([^"]*)" not defined`)

// parseError turns a parse error into an *Error naming the line and, for
// a function that is not allowed, saying so.
func parseError(name string, err error) error {
	e := locate(name, err)
	if m := undefinedFunc.FindStringSubmatch(e.Message); m != nil {
		e.Message = fmt.Sprintf("function %q is not allowed or does not exist", m[1])
	}
	return e
}

// execError turns an execution error into an *Error naming the line.
func execError(err error) error {
	return locate("", err)
}

func locate(name string, err error) *Error {
	var he *htmltemplate.Error
	if errors.As(err, &he) {
		msg := he.Description
		if msg == "" {
			msg = he.Error()
		}
		if he.Name != "" {
			name = he.Name
		}
		return &Error{Template: name, Line: he.Line, Message: msg, Err: err}
	}
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "html/template: ")
	if m := positioned.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[2])
		if m[1] != "" {
			name = m[1]
		}
		return &Error{Template: name, Line: line, Message: m[3], Err: err}
	}
	return &Error{Template: name, Message: strings.TrimPrefix(msg, "template: "), Err: err}
}
