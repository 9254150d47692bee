package casekit

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"casekit.dev/casekit/casetype"
)

// These names live in package casetype, where the stores read them too;
// programs keep writing casekit.Name.
type (
	// Process is one of a tenant's guided business processes: ordered stages,
	// each naming the case fields that must be filled before the case moves on
	// to the next.
	Process = casetype.Process
	// Stage is one step of a Process.
	Stage = casetype.Stage
	// ProcessState is where a case stands in its process.
	ProcessState = casetype.ProcessState
)

const (
	EventProcessChanged  = casetype.EventProcessChanged
	EventProcessStarted  = casetype.EventProcessStarted
	EventStageChanged    = casetype.EventStageChanged
	EventProcessFinished = casetype.EventProcessFinished
	EventProcessStopped  = casetype.EventProcessStopped
)

// Processes lists the tenant's process definitions by key.
func (cf *Config) Processes(ctx context.Context) ([]Process, error) {
	return runValue(cf.d, ctx, "processes", staffRead, func(c *cmd) ([]Process, error) {
		return c.tx.Processes(c.ctx)
	})
}

// SaveProcess adds or replaces a process definition. Stage keys are unique
// and every required field is one NextStage can check; with custom field
// definitions, a custom field must be defined. Cases already in the
// process keep their stage; one whose stage no longer exists can be
// stopped with StopProcess.
func (cf *Config) SaveProcess(ctx context.Context, p Process) error {
	return cf.d.run(ctx, "save process", adminOnly, func(c *cmd) error {
		var v validations
		if err := v.Merge(validateStruct(p)); err != nil {
			return err
		}
		defs, err := c.tx.CustomFields(c.ctx)
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		for i, s := range p.Stages {
			if seen[s.Key] {
				v.Add(fmt.Sprintf("stages[%d].key", i), "unique", "stage %q appears twice", s.Key)
			}
			seen[s.Key] = true
			for j, f := range s.Required {
				field := fmt.Sprintf("stages[%d].required[%d]", i, j)
				key, custom := strings.CutPrefix(f, "custom.")
				switch {
				case custom && !keyRE.MatchString(key):
					v.Add(field, "key", "%q is not a custom field key", key)
				case custom && len(defs) > 0 && !slices.ContainsFunc(defs, func(d CustomField) bool { return d.Key == key }):
					v.Add(field, "known", "%q is not one of the tenant's custom fields", key)
				case !custom && !casetype.IsStageField(f):
					v.Add(field, "known", "%q is not a case field a stage can require", f)
				}
			}
			if err := c.checkActions(&v, fmt.Sprintf("stages[%d].on_enter", i), s.OnEnter, true); err != nil {
				return err
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		if err := c.tx.SaveProcess(c.ctx, p); err != nil {
			return err
		}
		keys := make([]string, len(p.Stages))
		for i, s := range p.Stages {
			keys[i] = s.Key
		}
		c.record(nil, EventProcessChanged, map[string]any{"key": p.Key, "stages": keys})
		return nil
	})
}

// DeleteProcess removes a definition; ErrNotFound if there is none. Cases
// in the process keep their state and can be stopped.
func (cf *Config) DeleteProcess(ctx context.Context, key string) error {
	return cf.d.run(ctx, "delete process", adminOnly, func(c *cmd) error {
		if err := c.tx.DeleteProcess(c.ctx, key); err != nil {
			return fmt.Errorf("process %q: %w", key, err)
		}
		c.record(nil, EventProcessChanged, map[string]any{"key": key, "deleted": true})
		return nil
	})
}

// process returns the definition of a key, ErrNotFound if there is none.
func (c *cmd) process(key string) (*Process, error) {
	ps, err := c.tx.Processes(c.ctx)
	if err != nil {
		return nil, err
	}
	for i := range ps {
		if ps[i].Key == key {
			return &ps[i], nil
		}
	}
	return nil, fmt.Errorf("process %q: %w", key, ErrNotFound)
}

// StartProcess puts the case at the first stage of a process. A case runs
// one process at a time: while one is active, starting another gives
// ErrConflict (stop it first). An unknown process is a ValidationError on
// process.
func (d *Desk) StartProcess(ctx context.Context, caseID, processKey string) (*Case, error) {
	return runValue(d, ctx, "start process", staffOnly, func(c *cmd) (out *Case, err error) {
		p, err := c.process(processKey)
		if err != nil {
			return nil, invalid("process", "known", "unknown process %q", processKey)
		}
		cs, err := c.loadEditable(caseID)
		if err != nil {
			return nil, err
		}
		if cs.Process.Active() {
			return nil, fmt.Errorf("case %s is in process %q at stage %q; stop it first: %w", cs.ID, cs.Process.Key, cs.Process.Stage, ErrConflict)
		}
		cs.Process = &ProcessState{Key: p.Key, Stage: p.Stages[0].Key, StartedAt: c.now}
		if err := c.save(cs); err != nil {
			return nil, err
		}
		c.record(cs, EventProcessStarted, map[string]any{"process": p.Key, "stage": cs.Process.Stage})
		return cs, c.enterStage(cs, p, 0)
	})
}

// NextStage moves the case to the next stage of its active process, or
// finishes the process after the last one. It is refused with a
// ValidationError naming every required field of the current stage that
// is empty; without an active process it gives ErrNotFound.
func (d *Desk) NextStage(ctx context.Context, caseID string) (*Case, error) {
	return d.stageStep(ctx, "next stage", caseID, +1)
}

// PreviousStage moves the case back one stage of its active process,
// without checks: going back loses nothing. At the first stage it is a
// ValidationError on stage.
func (d *Desk) PreviousStage(ctx context.Context, caseID string) (*Case, error) {
	return d.stageStep(ctx, "previous stage", caseID, -1)
}

func (d *Desk) stageStep(ctx context.Context, op, caseID string, step int) (*Case, error) {
	return runValue(d, ctx, op, staffOnly, func(c *cmd) (out *Case, err error) {
		cs, err := c.loadEditable(caseID)
		if err != nil {
			return nil, err
		}
		if !cs.Process.Active() {
			return nil, fmt.Errorf("case %s has no active process: %w", cs.ID, ErrNotFound)
		}
		p, err := c.process(cs.Process.Key)
		if err != nil {
			return nil, fmt.Errorf("case %s: %w (stop it with StopProcess)", cs.ID, err)
		}
		at := -1
		for i, s := range p.Stages {
			if s.Key == cs.Process.Stage {
				at = i
			}
		}
		if at < 0 {
			return nil, fmt.Errorf("case %s: stage %q is no longer in process %q (stop it with StopProcess): %w", cs.ID, cs.Process.Stage, p.Key, ErrNotFound)
		}
		cur := p.Stages[at]
		if step < 0 && at == 0 {
			return nil, invalid("stage", "first", "%q is the first stage of process %q", cur.Key, p.Key)
		}
		if step > 0 {
			var v validations
			for _, f := range p.Missing(cs) {
				v.Add(f, "required", "is required to leave stage %q", cur.Label)
			}
			if err := v.Err(); err != nil {
				return nil, err
			}
		}
		state := *cs.Process
		cs.Process = &state
		if step > 0 && at == len(p.Stages)-1 {
			now := c.now
			state.FinishedAt = &now
			if err := c.save(cs); err != nil {
				return nil, err
			}
			c.record(cs, EventProcessFinished, map[string]any{"process": p.Key, "stage": cur.Key})
			return cs, nil
		}
		next := p.Stages[at+step]
		state.Stage = next.Key
		if err := c.save(cs); err != nil {
			return out, err
		}
		c.record(cs, EventStageChanged, map[string]any{"process": p.Key, "from": cur.Key, "to": next.Key})
		return cs, c.enterStage(cs, p, at+step)
	})
}

// enterStage runs the OnEnter actions of the i-th stage of p, which cs
// has just reached, on the event just recorded: their changes are
// recorded with the process and stage, and their notices are of that
// event. An action that cannot run as the tenant now stands fails the
// command, naming it ("stages[1].on_enter[0].value").
func (c *cmd) enterStage(cs *Case, p *Process, i int) error {
	s := p.Stages[i]
	if len(s.OnEnter) == 0 {
		return nil
	}
	ev := len(c.events) - 1
	r, err := c.plan(cs, fmt.Sprintf("stages[%d].on_enter", i), s.OnEnter, true)
	if err != nil {
		return fmt.Errorf("process %q, stage %q: %w", p.Key, s.Key, err)
	}
	if err := c.apply(cs, r, map[string]any{"process": p.Key, "stage": s.Key}); err != nil {
		return fmt.Errorf("process %q, stage %q: %w", p.Key, s.Key, err)
	}
	c.addNotices(ev, r.notices)
	return nil
}

// StopProcess abandons the case's active process; ErrNotFound without
// one. The case can then start another.
func (d *Desk) StopProcess(ctx context.Context, caseID string) (*Case, error) {
	return runValue(d, ctx, "stop process", staffOnly, func(c *cmd) (out *Case, err error) {
		cs, err := c.loadEditable(caseID)
		if err != nil {
			return nil, err
		}
		if !cs.Process.Active() {
			return nil, fmt.Errorf("case %s has no active process: %w", cs.ID, ErrNotFound)
		}
		old := cs.Process
		cs.Process = nil
		if err := c.save(cs); err != nil {
			return nil, err
		}
		c.record(cs, EventProcessStopped, map[string]any{"process": old.Key, "stage": old.Stage})
		return cs, nil
	})
}
