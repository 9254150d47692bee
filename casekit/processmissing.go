package casekit

// Missing returns the fields the case's current stage of process p
// requires that the case has not filled: what NextStage would refuse,
// for a host to show next to the Next button before anyone presses it.
// It is nil when the case is not running p or its stage is no longer in
// p.
func (p Process) Missing(c *Case) []string {
	if c == nil || !c.Process.Active() || c.Process.Key != p.Key {
		return nil
	}
	var out []string
	for _, s := range p.Stages {
		if s.Key != c.Process.Stage {
			continue
		}
		for _, f := range s.Required {
			if !filled(c, f) {
				out = append(out, f)
			}
		}
	}
	return out
}
