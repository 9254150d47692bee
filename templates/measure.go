package templates

import (
	"reflect"
)

// shape is what measure finds in a value: the bytes of its text, its
// elements (every list, map and struct element, field and number, and
// the value itself) and how deeply its lists, maps and structs nest.
type shape struct {
	bytes, elems int64
	depth        int
}

// size is a value's size as Limits.MaxValue counts it: bytes of text
// plus one per element.
func (s shape) size() int64 { return s.bytes + s.elems }

// mem estimates the bytes a copy of the value takes: its text and an
// interface slot and a little more per element.
func (s shape) mem() int64 { return s.bytes + 32*s.elems }

// printed bounds the length of the value printed with %v (or %+v, %#v):
// its text, and a number, a field name or a type name per element.
func (s shape) printed() int64 { return s.bytes + 64*s.elems }

func (s shape) add(t shape) shape {
	return shape{bytes: s.bytes + t.bytes, elems: s.elems + t.elems, depth: max(s.depth, t.depth)}
}

// measure walks v, counting shared values each time they are reached.
// It stops counting past limit (bytes plus elements) and stops
// descending past maxDepth, so cycles end and the walk is bounded; a
// value cut short reports a size past limit or a depth past maxDepth.
func measure(v reflect.Value, limit int64, maxDepth int) shape {
	var s shape
	var walk func(v reflect.Value, depth int)
	walk = func(v reflect.Value, depth int) {
		if s.size() > limit || !v.IsValid() {
			return
		}
		if depth > s.depth {
			s.depth = depth
		}
		if depth > maxDepth {
			return
		}
		s.elems++
		switch v.Kind() {
		case reflect.String:
			s.bytes += int64(v.Len())
		case reflect.Interface: // the value inside counts, not its box
			if !v.IsNil() {
				s.elems--
				walk(v.Elem(), depth)
			}
		case reflect.Pointer:
			if !v.IsNil() {
				walk(v.Elem(), depth+1)
			}
		case reflect.Slice, reflect.Array:
			if v.Type().Elem().Kind() == reflect.Uint8 {
				s.bytes += int64(v.Len())
				return
			}
			for i := 0; i < v.Len() && s.size() <= limit; i++ {
				walk(v.Index(i), depth+1)
			}
		case reflect.Map:
			it := v.MapRange()
			for it.Next() && s.size() <= limit {
				walk(it.Key(), depth+1)
				walk(it.Value(), depth+1)
			}
		case reflect.Struct:
			t := v.Type()
			for i := 0; i < v.NumField() && s.size() <= limit; i++ {
				if t.Field(i).IsExported() {
					walk(v.Field(i), depth+1)
				}
			}
		}
	}
	walk(v, 0)
	return s
}
