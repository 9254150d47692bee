package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestRunPrintsTheWholeStory(t *testing.T) {
	for _, data := range []string{":memory:", t.TempDir()} {
		var out bytes.Buffer
		if err := run(context.Background(), &out, data); err != nil {
			t.Fatalf("run(%q): %v\n%s", data, err, out.String())
		}
		for _, want := range []string{
			"resolve refused: 1 open activity",
			"case.opened", "activity.added", "activity.completed",
			"case.resolved", "case.closed", "reason=fixed", "case.reopened", "reason=not_fixed",
		} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("run(%q) output lacks %q:\n%s", data, want, out.String())
			}
		}
	}
}
