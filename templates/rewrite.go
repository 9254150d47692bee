package templates

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"text/template/parse"
)

// rewrite prepares a parsed tree for the sandbox: every range pipeline
// ends in the range hook and every range body starts with the step
// hook; every template call goes through the call hook; every action
// that prints ends in the output hook; every argument of a comparison
// goes through the argument hook; and the body is wrapped in the enter
// and leave hooks. It refuses calls with more than maxArgs arguments and
// sources that name a hook.
func rewrite(t *parse.Tree, maxArgs int) error {
	if t == nil || t.Root == nil {
		return nil
	}
	fail := func(n parse.Node, msg string) error {
		line, _ := lineOf(t, n)
		return &Error{Template: t.ParseName, Line: line, Message: msg}
	}
	var walkPipe func(p *parse.PipeNode) error
	var walk func(n parse.Node) error
	walkPipe = func(p *parse.PipeNode) error {
		if p == nil {
			return nil
		}
		for _, c := range p.Cmds {
			if len(c.Args) > maxArgs+1 {
				return fail(c, fmt.Sprintf("a call with %d arguments: at most %d are allowed", len(c.Args)-1, maxArgs))
			}
			for _, a := range c.Args {
				if err := walk(a); err != nil {
					return err
				}
			}
			if id, ok := c.Args[0].(*parse.IdentifierNode); ok && slices.Contains(comparisons, id.Ident) {
				for i, a := range c.Args[1:] {
					c.Args[i+1] = hookPipe(hookArg, a)
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
		case *parse.IdentifierNode:
			if slices.Contains(hookNames, n.Ident) {
				return fail(n, fmt.Sprintf("function %q is not allowed", n.Ident))
			}
		case *parse.ListNode:
			return walkList(n)
		case *parse.ActionNode:
			if err := walkPipe(n.Pipe); err != nil {
				return err
			}
			if len(n.Pipe.Decl) == 0 {
				addOutHook(n.Pipe)
			}
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
			if n.List != nil {
				step := hookAction(hookStep, n.List.Pos, countNodes(n.List))
				n.List.Nodes = append([]parse.Node{step}, n.List.Nodes...)
			}
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
	nodes := countNodes(t.Root)
	if err := walk(t.Root); err != nil {
		return err
	}
	enter := hookAction(hookEnter, t.Root.Pos, nodes)
	leave := hookAction(hookLeave, t.Root.Pos, -1)
	t.Root.Nodes = append(append([]parse.Node{enter}, t.Root.Nodes...), leave)
	return nil
}

// comparisons are the builtins whose arguments go through the argument
// hook.
var comparisons = []string{"eq", "ne", "lt", "le", "gt", "ge"}

// addOutHook ends p, the pipeline of an action that prints, with the
// output hook, but before a last html or urlquery, which html/template
// wants last.
func addOutHook(p *parse.PipeNode) {
	at := len(p.Cmds)
	if last, ok := p.Cmds[at-1].Args[0].(*parse.IdentifierNode); ok && (last.Ident == "html" || last.Ident == "urlquery") {
		at--
	}
	p.Cmds = slices.Insert(p.Cmds, at, hookCommand(hookOut, p.Position()))
}

// countNodes counts the nodes of the tree under n, for the hooks that
// charge a body before it runs.
func countNodes(n parse.Node) int {
	count := 1
	switch n := n.(type) {
	case *parse.ListNode:
		for _, c := range n.Nodes {
			count += countNodes(c)
		}
	case *parse.ActionNode:
		count += countNodes(n.Pipe)
	case *parse.PipeNode:
		for _, c := range n.Cmds {
			count += countNodes(c)
		}
	case *parse.CommandNode:
		for _, a := range n.Args {
			count += countNodes(a)
		}
	case *parse.ChainNode:
		count += countNodes(n.Node) + len(n.Field)
	case *parse.FieldNode:
		count += len(n.Ident)
	case *parse.IfNode:
		count += countBranch(&n.BranchNode)
	case *parse.WithNode:
		count += countBranch(&n.BranchNode)
	case *parse.RangeNode:
		count += countBranch(&n.BranchNode)
	case *parse.TemplateNode:
		if n.Pipe != nil {
			count += countNodes(n.Pipe)
		}
	}
	return count
}

func countBranch(b *parse.BranchNode) int {
	n := countNodes(b.Pipe)
	if b.List != nil {
		n += countNodes(b.List)
	}
	if b.ElseList != nil {
		n += countNodes(b.ElseList)
	}
	return n
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

func hookCommand(name string, pos parse.Pos, args ...parse.Node) *parse.CommandNode {
	return &parse.CommandNode{NodeType: parse.NodeCommand, Pos: pos,
		Args: append([]parse.Node{parse.NewIdentifier(name).SetPos(pos)}, args...)}
}

// hookPipe is (name arg): arg through a hook.
func hookPipe(name string, arg parse.Node) *parse.PipeNode {
	return &parse.PipeNode{NodeType: parse.NodePipe, Pos: arg.Position(),
		Cmds: []*parse.CommandNode{hookCommand(name, arg.Position(), arg)}}
}

// hookAction is {{$casekit_hook := name nodes}} ({{$casekit_hook :=
// name}} when nodes is negative): a declaration prints nothing and
// html/template leaves it alone.
func hookAction(name string, pos parse.Pos, nodes int) *parse.ActionNode {
	var args []parse.Node
	if nodes >= 0 {
		args = append(args, &parse.NumberNode{NodeType: parse.NodeNumber, Pos: pos, IsInt: true, Int64: int64(nodes), Text: strconv.Itoa(nodes)})
	}
	return &parse.ActionNode{NodeType: parse.NodeAction, Pos: pos, Pipe: &parse.PipeNode{
		NodeType: parse.NodePipe, Pos: pos,
		Decl: []*parse.VariableNode{{NodeType: parse.NodeVariable, Pos: pos, Ident: []string{"$casekit_hook"}}},
		Cmds: []*parse.CommandNode{hookCommand(name, pos, args...)},
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
