package casekit

import "context"

// Reclassification changes what a case is about and which SLA it runs
// under; the deadlines are computed again. Nil fields stay as they are; an
// empty SLA string takes the case off any SLA.
type Reclassification struct {
	Type     *string `json:"type" validate:"omitempty,max=100"`
	Category *string `json:"category" validate:"omitempty,max=100"`
	Service  *string `json:"service" validate:"omitempty,max=100"`
	SLA      *string `json:"sla" validate:"omitempty,max=64"`
	// Reason says why, for the history.
	Reason string `json:"reason" validate:"max=2000"`
}

// Reclassify changes a case's type, category, service or SLA and computes
// its deadlines again from its creation under the (new) SLA's targets. The
// case must be active.
func (d *Desk) Reclassify(ctx context.Context, id string, r Reclassification) (*Case, error) {
	return runValue(d, ctx, "reclassify", staffOnly, func(c *cmd) (out *Case, err error) {
		var v validations
		if err := v.Merge(validateStruct(r)); err != nil {
			return nil, err
		}
		cs, err := c.loadEditable(id)
		if err != nil {
			return nil, err
		}
		if r.Type != nil {
			if err := c.checkLookups(&v, map[LookupKind][2]string{LookupCaseType: {"type", *r.Type}}); err != nil {
				return nil, err
			}
		}
		if r.SLA != nil && *r.SLA != "" {
			book, err := c.slaBook()
			if err != nil {
				return nil, err
			}
			if _, ok := book.slas[*r.SLA]; !ok {
				v.Add("sla", "known", "unknown SLA %q", *r.SLA)
			}
		}
		if err := v.Err(); err != nil {
			return nil, err
		}
		changes := map[string]any{}
		for _, f := range []struct {
			name string
			dst  *string
			val  *string
		}{{"type", &cs.Type, r.Type}, {"category", &cs.Category, r.Category}, {"service", &cs.Service, r.Service}, {"sla_id", &cs.SLAID, r.SLA}} {
			if f.val != nil && *f.val != *f.dst {
				changes[f.name] = []any{*f.dst, *f.val}
				*f.dst = *f.val
			}
		}
		out = cs
		if len(changes) == 0 {
			return out, nil
		}
		if _, ok := changes["sla_id"]; ok {
			// A new SLA counts from the case's creation, with no pause.
			cs.ResponseDue, cs.ResolutionDue, cs.SLAPausedAt, cs.SLAPausedFor = nil, nil, nil, 0
		}
		if err := c.save(cs); err != nil {
			return out, err
		}
		data := map[string]any{"changes": changes, "response_due": timeOrNil(cs.ResponseDue), "resolution_due": timeOrNil(cs.ResolutionDue)}
		if r.Reason != "" {
			data["reason"] = r.Reason
		}
		c.record(cs, EventReclassified, data)
		return out, nil
	})
}
