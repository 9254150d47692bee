package sqlstore

import (
	"context"

	"github.com/uptrace/bun"

	"casekit.dev/casekit/casetype"
	"casekit.dev/storage/sqlstore/rows"
)

type processRow struct {
	bun.BaseModel `bun:"table:processes,alias:pr"`

	Key    string           `bun:"key,pk"`
	Label  string           `bun:"label"`
	Stages []casetype.Stage `bun:"stages,type:json"`
}

// processState is a case's casetype.ProcessState as its JSON column holds
// it.

func processStateOf(p *casetype.ProcessState) *rows.ProcessState {
	if p == nil {
		return nil
	}
	return &rows.ProcessState{Key: p.Key, Stage: p.Stage, StartedAt: p.StartedAt.UTC(), FinishedAt: utc(p.FinishedAt)}
}

func processDomain(p *rows.ProcessState) *casetype.ProcessState {
	if p == nil || p.Key == "" {
		return nil
	}
	return &casetype.ProcessState{Key: p.Key, Stage: p.Stage, StartedAt: p.StartedAt.UTC(), FinishedAt: utc(p.FinishedAt)}
}

// Processes implements store.Tx.
func (t *Tx) Processes(ctx context.Context) ([]casetype.Process, error) {
	var rows []processRow
	if err := t.sel(&rows, "processes", "pr").OrderExpr("pr.key").Scan(ctx); err != nil {
		return nil, t.err(err, "processes")
	}
	out := make([]casetype.Process, len(rows))
	for i, r := range rows {
		out[i] = casetype.Process{Key: r.Key, Label: r.Label, Stages: r.Stages}
		for j := range out[i].Stages {
			if len(out[i].Stages[j].Required) == 0 {
				out[i].Stages[j].Required = nil
			}
		}
	}
	return out, nil
}

// SaveProcess implements store.Tx.
func (t *Tx) SaveProcess(ctx context.Context, p casetype.Process) error {
	_, err := t.upsert(t.ins(&processRow{Key: p.Key, Label: p.Label, Stages: p.Stages}, "processes"),
		"key", "label", "stages").Exec(ctx)
	return t.err(err, "save process")
}

// DeleteProcess implements store.Tx.
func (t *Tx) DeleteProcess(ctx context.Context, key string) error {
	res, err := t.db.NewRaw("DELETE FROM ?.processes WHERE key = ?", t.schema, key).Exec(ctx)
	if err != nil {
		return t.err(err, "delete process")
	}
	return affected(res, casetype.ErrNotFound)
}
