package templates

import (
	"fmt"
	"strings"
	"text/template/parse"
)

// rewrite prepares a parsed tree for the sandbox: every range pipeline
// ends in the range hook, every template call goes through the call hook,
// and the body is wrapped in the enter and leave hooks. It refuses calls
// with more than maxArgs arguments.
func rewrite(t *parse.Tree, maxArgs int) error {
	if t == nil || t.Root == nil {
		return nil
	}
	var walkPipe func(p *parse.PipeNode) error
	var walk func(n parse.Node) error
	walkPipe = func(p *parse.PipeNode) error {
		if p == nil {
			return nil
		}
		for _, c := range p.Cmds {
			if len(c.Args) > maxArgs+1 {
				line, _ := lineOf(t, c)
				return &Error{Template: t.ParseName, Line: line, Message: fmt.Sprintf("a call with %d arguments: at most %d are allowed", len(c.Args)-1, maxArgs)}
			}
			for _, a := range c.Args {
				if err := walk(a); err != nil {
					return err
				}
			}
		}
		return nil
	}
	walkList := func(l *parse.ListNode) error {
		if l == nil {
			return nil
		}
		for _, n := range l.Nodes {
			if err := walk(n); err != nil {
				return err
			}
		}
		return nil
	}
	walk = func(n parse.Node) error {
		switch n := n.(type) {
		case *parse.ListNode:
			return walkList(n)
		case *parse.ActionNode:
			return walkPipe(n.Pipe)
		case *parse.PipeNode:
			return walkPipe(n)
		case *parse.ChainNode:
			return walk(n.Node)
		case *parse.IfNode:
			return walkBranch(&n.BranchNode, walkPipe, walkList)
		case *parse.WithNode:
			return walkBranch(&n.BranchNode, walkPipe, walkList)
		case *parse.RangeNode:
			if err := walkBranch(&n.BranchNode, walkPipe, walkList); err != nil {
				return err
			}
			n.Pipe.Cmds = append(n.Pipe.Cmds, hookCommand(hookRange, n.Pipe.Position()))
		case *parse.TemplateNode:
			if err := walkPipe(n.Pipe); err != nil {
				return err
			}
			if n.Pipe == nil {
				n.Pipe = &parse.PipeNode{NodeType: parse.NodePipe, Pos: n.Pos, Line: n.Line}
			}
			n.Pipe.Cmds = append(n.Pipe.Cmds, hookCommand(hookCall, n.Pos))
		}
		return nil
	}
	if err := walk(t.Root); err != nil {
		return err
	}
	enter := hookAction(hookEnter, t.Root.Pos)
	leave := hookAction(hookLeave, t.Root.Pos)
	t.Root.Nodes = append(append([]parse.Node{enter}, t.Root.Nodes...), leave)
	return nil
}

func walkBranch(b *parse.BranchNode, pipe func(*parse.PipeNode) error, list func(*parse.ListNode) error) error {
	if err := pipe(b.Pipe); err != nil {
		return err
	}
	if err := list(b.List); err != nil {
		return err
	}
	return list(b.ElseList)
}

func hookCommand(name string, pos parse.Pos) *parse.CommandNode {
	return &parse.CommandNode{NodeType: parse.NodeCommand, Pos: pos,
		Args: []parse.Node{parse.NewIdentifier(name).SetPos(pos)}}
}

// hookAction is {{$casekit_hook := name}}: a declaration prints nothing
// and html/template leaves it alone.
func hookAction(name string, pos parse.Pos) *parse.ActionNode {
	return &parse.ActionNode{NodeType: parse.NodeAction, Pos: pos, Pipe: &parse.PipeNode{
		NodeType: parse.NodePipe, Pos: pos,
		Decl: []*parse.VariableNode{{NodeType: parse.NodeVariable, Pos: pos, Ident: []string{"$casekit_hook"}}},
		Cmds: []*parse.CommandNode{hookCommand(name, pos)},
	}}
}

func lineOf(t *parse.Tree, n parse.Node) (int, bool) {
	defer func() { _ = recover() }()
	loc, _ := t.ErrorContext(n)
	var name string
	var line, col int
	if i := strings.LastIndex(loc, ":"); i > 0 {
		if j := strings.LastIndex(loc[:i], ":"); j >= 0 {
			name = loc[:j]
			if _, err := fmt.Sscanf(loc[j+1:], "%d:%d", &line, &col); err == nil {
				return line, name != ""
			}
		}
	}
	return 0, false
}
