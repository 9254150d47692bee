package sqlstoretest_test

import (
	"strings"
	"testing"

	"casekit.dev/storage/sqlstore/sqlstoretest"
)

func TestReleasedFindsTheChange(t *testing.T) {
	released := "-- migration 1\n\nCREATE TABLE a (x TEXT);\n\n"
	for _, c := range []struct {
		got, want string // want is "" for no error, else a part of it
	}{
		{released, ""},
		{released + "-- migration 2\n\nCREATE TABLE b (y TEXT);\n\n", ""},
		{"-- migration 1\n\nCREATE TABLE a (x INTEGER);\n\n", "line 3 changed"},
		{"-- migration 1\n\n", "line 3 changed"},
		{"-- migration 1\n", "line 3 on is gone"},
		{"-- migration 1\n\nCREATE TABLE a (x TEXT);", "line 4 on is gone"},
	} {
		err := sqlstoretest.Released(c.got, released)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%q: %v, want none", c.got, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%q: %v, want %q", c.got, err, c.want)
		}
	}
}
