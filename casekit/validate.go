package casekit

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-playground/validator/v10"
)

var validate = newValidator()

var mediaTypeRE = regexp.MustCompile(`^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/([a-z0-9][a-z0-9!#$&^_.+-]{0,126}|\*)$`)

var keyRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$`)

func newValidator() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	// "key": an identifier a tenant chooses for a team, queue, SLA or
	// calendar: letters, digits and _ . : - , starting with a letter or
	// digit, at most 64 characters.
	v.RegisterValidation("key", func(fl validator.FieldLevel) bool {
		return keyRE.MatchString(fl.Field().String())
	})
	// "mediatype": a media type such as "application/pdf", or "image/*".
	v.RegisterValidation("mediatype", func(fl validator.FieldLevel) bool {
		return mediaTypeRE.MatchString(fl.Field().String())
	})
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			return ""
		}
		if name == "" {
			return f.Name
		}
		return name
	})
	return v
}

// validateStruct checks s against its validate tags and returns a
// *ValidationError naming each failed field by its JSON name.
//
// Before the tags, every string in s (nested structs, slices and maps
// included) must be valid UTF-8 without NUL bytes, which neither store can
// keep (PostgreSQL refuses them in text, SQLite cuts the SQL at them): a
// FieldError with rule "text" otherwise.
func validateStruct(s any) error {
	if fields := badText(reflect.ValueOf(s), ""); len(fields) > 0 {
		return &ValidationError{Fields: fields}
	}
	err := validate.Struct(s)
	if err == nil {
		return nil
	}
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		return fmt.Errorf("casekit: validate: %w", err)
	}
	out := &ValidationError{}
	for _, fe := range verrs {
		out.Fields = append(out.Fields, FieldError{Field: fieldPath(fe.Namespace()), Rule: fe.Tag(), Message: fieldMessage(fe)})
	}
	return out
}

// fieldPath drops the struct name from a validator namespace:
// "NewCase.contact.email" becomes "contact.email".
func fieldPath(ns string) string {
	if _, rest, ok := strings.Cut(ns, "."); ok {
		return rest
	}
	return ns
}

func fieldMessage(fe validator.FieldError) string {
	switch fe.Tag() {
	case "required":
		return "is required"
	case "max":
		if fe.Kind() == reflect.String {
			return "is longer than " + fe.Param() + " characters"
		}
		return "has more than " + fe.Param() + " items or exceeds " + fe.Param()
	case "min":
		if fe.Kind() == reflect.String {
			return "is shorter than " + fe.Param() + " characters"
		}
		return "is less than " + fe.Param()
	case "email":
		return "is not an e-mail address"
	case "oneof":
		return "must be one of: " + fe.Param()
	case "key":
		return "must be 1-64 letters, digits or _ . : -, starting with a letter or digit"
	case "required_without":
		return "is required when " + jsonName(fe.Param()) + " is empty"
	case "excluded_with":
		return "cannot be set together with " + jsonName(fe.Param())
	}
	return "fails the " + fe.Tag() + " rule"
}

// jsonName turns a Go field name from a validator parameter into the JSON
// name users see: "ClearAgent" becomes "clear_agent".
func jsonName(goName string) string {
	var b strings.Builder
	for i, r := range goName {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte('_')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// lookupSet holds one lookup kind's entries, for membership checks.
type lookupSet map[string]Lookup

func newLookupSet(ls []Lookup) lookupSet {
	s := make(lookupSet, len(ls))
	for _, l := range ls {
		s[l.Key] = l
	}
	return s
}

// check adds a failure to v unless key is an enabled entry. An empty key
// passes; required-ness is the struct tags' job.
func (s lookupSet) check(v *validations, field string, kind LookupKind, key string) {
	if key == "" {
		return
	}
	l, ok := s[key]
	if !ok {
		v.Add(field, "known", "unknown %s %q", kind, key)
		return
	}
	if l.Disabled {
		v.Add(field, "known", "%s %q is disabled", kind, key)
	}
}

func validateSettings(s Settings, lookups []Lookup) error {
	var v validations
	if err := v.Merge(validateStruct(s)); err != nil {
		return err
	}
	var prios []Lookup
	for _, l := range lookups {
		if l.Kind == LookupPriority {
			prios = append(prios, l)
		}
	}
	newLookupSet(prios).check(&v, "default_priority", LookupPriority, s.DefaultPriority)
	switch {
	case s.AutoCloseDays == 0 && s.FirstReminderDays+s.SecondReminderDays > 0:
		v.Add("first_reminder_days", "excluded", "reminders come before an auto-close: with auto-close off there are none")
	case s.SecondReminderDays > 0 && s.FirstReminderDays == 0:
		v.Add("second_reminder_days", "excluded", "a second reminder needs a first")
	case s.AutoCloseDays > 0 && s.FirstReminderDays+s.SecondReminderDays >= s.AutoCloseDays:
		v.Add("first_reminder_days", "lt", "the reminders (day %d and %d) must come before the auto-close on day %d",
			s.FirstReminderDays, s.FirstReminderDays+s.SecondReminderDays, s.AutoCloseDays)
	}
	return v.Err()
}

// badText finds the strings under v that are not valid UTF-8 or hold a
// NUL byte, naming each by its JSON path.
func badText(v reflect.Value, path string) []FieldError {
	var out []FieldError
	join := func(name string) string {
		if path == "" {
			return name
		}
		return path + "." + name
	}
	switch v.Kind() {
	case reflect.String:
		if s := v.String(); !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
			out = append(out, FieldError{Field: path, Rule: "text", Message: "holds a NUL byte or is not valid UTF-8"})
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			out = append(out, badText(v.Elem(), path)...)
		}
	case reflect.Struct:
		t := v.Type()
		if t == reflect.TypeOf(time.Time{}) {
			return nil
		}
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if f.Anonymous {
				out = append(out, badText(v.Field(i), path)...)
				continue
			}
			out = append(out, badText(v.Field(i), join(name))...)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			out = append(out, badText(v.Index(i), fmt.Sprintf("%s[%d]", path, i))...)
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			k := fmt.Sprint(it.Key().Interface())
			if it.Key().Kind() == reflect.String {
				out = append(out, badText(it.Key(), join(k))...)
			}
			out = append(out, badText(it.Value(), join(k))...)
		}
	}
	return out
}
