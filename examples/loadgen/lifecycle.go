package main

import (
	"math/rand/v2"

	"casekit.dev/casekit"
)

// statuses is a tenant's status lookup and transition table, read through
// the Desk at the start, from which the load chooses only moves a case's
// status allows.
type statuses struct {
	byKey   map[string]casekit.Status
	allowed map[casekit.Transition]bool
	// The status each kind of move goes to.
	progress, paused, resolved, closed, reopen, canceled string
}

func newStatuses(list []casekit.Status, ts []casekit.Transition) *statuses {
	s := &statuses{byKey: map[string]casekit.Status{}, allowed: map[casekit.Transition]bool{}}
	first := func(dst *string, ok bool, key string) {
		if ok && *dst == "" {
			*dst = key
		}
	}
	for _, st := range list {
		s.byKey[st.Key] = st
		first(&s.progress, st.Progress && !st.ReadOnly(), st.Key)
		first(&s.paused, st.Paused && !st.ReadOnly(), st.Key)
		first(&s.resolved, st.Resolved && !st.Final, st.Key)
		first(&s.closed, st.Final && !st.Canceled, st.Key)
		first(&s.reopen, st.Reopen && !st.ReadOnly(), st.Key)
		first(&s.canceled, st.Canceled, st.Key)
	}
	for _, t := range ts {
		s.allowed[t] = true
	}
	return s
}

func (s *statuses) get(key string) casekit.Status { return s.byKey[key] }

// move is a status change the load may make.
type move struct {
	op     opKind
	to     string
	weight int
}

// moves lists the changes a case in status from allows, weighted as a
// case's life goes: a new case is mostly taken into processing, one in
// progress waits for the customer or is resolved, a resolved one is
// mostly closed, a closed or canceled one is sometimes reopened. A move
// is offered only if the transition table allows it and the command's
// own rule does (SetStatus and Resolve need an editable case, Close one
// that is not final, Reopen a read-only one).
func (s *statuses) moves(from string) []move {
	st, ok := s.byKey[from]
	if !ok {
		return nil
	}
	var w [numOps]int
	switch {
	case st.Initial:
		w[opStart], w[opWait], w[opResolve], w[opClose], w[opCancel] = 60, 10, 10, 5, 5
	case st.Progress:
		w[opWait], w[opResolve], w[opClose] = 40, 50, 10
	case st.Paused:
		w[opStart], w[opResolve], w[opClose] = 60, 30, 10
	case st.Reopen:
		w[opStart], w[opWait], w[opResolve] = 70, 10, 30
	case st.Resolved && !st.Final:
		w[opClose], w[opReopen] = 70, 30
	case st.Final:
		w[opReopen] = 100
	}
	target := map[opKind]string{opStart: s.progress, opWait: s.paused, opResolve: s.resolved,
		opClose: s.closed, opReopen: s.reopen, opCancel: s.canceled}
	var out []move
	for _, op := range []opKind{opStart, opWait, opResolve, opClose, opReopen, opCancel} {
		to := target[op]
		if w[op] == 0 || to == "" || to == from || !s.allowed[casekit.Transition{From: from, To: to}] {
			continue
		}
		switch op {
		case opStart, opWait, opResolve:
			if st.ReadOnly() {
				continue
			}
		case opClose, opCancel:
			if st.Final {
				continue
			}
		case opReopen:
			if !st.ReadOnly() {
				continue
			}
		}
		out = append(out, move{op: op, to: to, weight: w[op]})
	}
	return out
}

// choose draws one of the moves by weight; ok is false when none is
// allowed.
func choose(r *rand.Rand, ms []move) (move, bool) {
	total := 0
	for _, m := range ms {
		total += m.weight
	}
	if total == 0 {
		return move{}, false
	}
	x := r.IntN(total)
	for _, m := range ms {
		if x < m.weight {
			return m, true
		}
		x -= m.weight
	}
	return ms[len(ms)-1], true
}

// afterMessage is the status a message leaves a case in, following
// PostMessage's rule: a customer's public comment on a paused or resolved
// (not final) case reopens it.
func (s *statuses) afterMessage(from string, fromCustomer bool) string {
	st := s.get(from)
	if fromCustomer && (st.Paused || (st.Resolved && !st.Final)) && s.reopen != "" &&
		s.allowed[casekit.Transition{From: from, To: s.reopen}] {
		return s.reopen
	}
	return from
}
