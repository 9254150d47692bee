package casekit

import (
	"slices"
	"testing"
	"time"
)

// Missing lists what the current stage requires and the case lacks, as
// NextStage checks it.
func TestProcessMissing(t *testing.T) {
	p := Process{Key: "onboarding", Label: "Onboarding", Stages: []Stage{
		{Key: "qualify", Label: "Qualify", Required: []string{"contact.email", "type", "custom.plan", "tags"}},
		{Key: "done", Label: "Done"},
	}}
	c := &Case{Contact: Contact{Email: "a@example.com"}, Custom: map[string]any{"plan": "  "},
		Process: &ProcessState{Key: "onboarding", Stage: "qualify", StartedAt: time.Now()}}
	if got := p.Missing(c); !slices.Equal(got, []string{"type", "custom.plan", "tags"}) {
		t.Errorf("Missing = %v", got)
	}
	c.Type, c.Custom["plan"], c.Tags = "question", "pro", []string{"vip"}
	if got := p.Missing(c); got != nil {
		t.Errorf("Missing with everything filled = %v", got)
	}
	c.Type = ""
	for _, other := range []*Case{
		{Type: "", Process: &ProcessState{Key: "other", Stage: "qualify"}},
		{Process: &ProcessState{Key: "onboarding", Stage: "qualify", FinishedAt: &c.Process.StartedAt}},
		{Process: &ProcessState{Key: "onboarding", Stage: "gone"}},
		{},
	} {
		if got := p.Missing(other); got != nil {
			t.Errorf("Missing for %+v = %v, want nil", other.Process, got)
		}
	}
}
