package main

import (
	"io"
	"runtime/debug"
	"testing"
)

// TestGCPercent checks which GOGC the server runs with: defaultGCPercent
// by default, -gc-percent when given, GOGC from the environment when set
// and the flag is not, and no value below 1.
func TestGCPercent(t *testing.T) {
	was := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(was) })
	for _, tc := range []struct {
		name string
		env  string
		args []string
		want int
	}{
		{"default", "", nil, defaultGCPercent},
		{"flag", "", []string{"-gc-percent", "150"}, 150},
		{"environment", "250", nil, 250},
		{"flag over environment", "250", []string{"-gc-percent", "150"}, 150},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("GOGC", tc.env)
			debug.SetGCPercent(250) // as the runtime would have from GOGC=250
			c, err := parseFlags(append([]string{"-db", "postgres://x"}, tc.args...), io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			setGCPercent(c.gcGiven, c.gcPercent)
			if got := debug.SetGCPercent(100); got != tc.want {
				t.Errorf("GOGC %d, want %d", got, tc.want)
			}
		})
	}
	if _, err := parseFlags([]string{"-db", "postgres://x", "-gc-percent", "0"}, io.Discard); err == nil {
		t.Error("-gc-percent 0 was taken")
	}
}
