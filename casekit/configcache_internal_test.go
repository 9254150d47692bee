package casekit

import (
	"reflect"
	"testing"
)

// TestDeepCopySharesNothing checks deepCopy's fast paths (a flat value
// returned as it is, a slice of flat elements copied at once, map entries
// through reused values) on a value with each: the copy equals the
// original, and writing through every slice, map and pointer of the copy
// leaves the original as it was.
func TestDeepCopySharesNothing(t *testing.T) {
	type flatItem struct {
		Key  string
		Rank int
	}
	type deep struct {
		Flat    []flatItem
		Lists   map[string][]string
		Any     map[string]any
		Counts  map[string]int
		Nested  []map[string]*flatItem
		Pointer *flatItem
		NilList []string
		NilMap  map[string][]string
	}
	orig := deep{
		Flat:    []flatItem{{"a", 1}, {"b", 2}},
		Lists:   map[string][]string{"x": {"1", "2"}, "y": nil, "z": {"3"}},
		Any:     map[string]any{"s": "v", "l": []any{"p", map[string]any{"q": "r"}}},
		Counts:  map[string]int{"one": 1, "two": 2},
		Nested:  []map[string]*flatItem{{"k": {"c", 3}}, nil},
		Pointer: &flatItem{"d", 4},
	}
	// Entries with and without a list, many of each, so that the copy
	// meets a nil one after another whatever the map's order.
	for i := range 20 {
		var l []string
		if i%2 == 0 {
			l = []string{string(rune('a' + i))}
		}
		orig.Lists[string(rune('A'+i))] = l
	}
	pristine := deepCopy(orig)
	if !reflect.DeepEqual(pristine, orig) {
		t.Fatalf("the copy differs:\n%#v\n%#v", pristine, orig)
	}
	cp := deepCopy(orig)
	cp.Flat[0].Key = "changed"
	cp.Lists["x"][0] = "changed"
	cp.Lists["y"] = append(cp.Lists["y"], "added")
	cp.Any["l"].([]any)[1].(map[string]any)["q"] = "changed"
	cp.Counts["one"] = 100
	cp.Nested[0]["k"].Rank = 100
	cp.Pointer.Rank = 100
	if !reflect.DeepEqual(pristine, orig) {
		t.Errorf("writing through the copy changed the original:\n%#v", orig)
	}
	if f := []flatItem{{"e", 5}}; &deepCopy(f)[0] == &f[0] {
		t.Error("a slice of flat elements came back sharing its array")
	}
}
