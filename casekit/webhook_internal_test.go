package casekit

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"net/netip"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
)

// TestEventTypesListsEveryEventType holds EventTypes, which subscriptions
// are checked against, and the schema's enum of event types to every
// EventType constant declared in package casekit and casetype: a new
// event type fails here until both name it.
func TestEventTypesListsEveryEventType(t *testing.T) {
	var declared []string
	for _, dir := range []string{".", "casetype"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		fset := token.NewFileSet()
		for _, name := range files {
			f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				vs, ok := n.(*ast.ValueSpec)
				if !ok || vs.Type == nil || len(vs.Values) != len(vs.Names) {
					return true
				}
				if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "EventType" {
					return true
				}
				for _, v := range vs.Values {
					lit, ok := v.(*ast.BasicLit)
					if !ok {
						t.Errorf("%s: an EventType constant that is no string literal", fset.Position(v.Pos()))
						continue
					}
					s, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}
					declared = append(declared, s)
				}
				return true
			})
		}
	}
	var listed []string
	for _, ev := range EventTypes() {
		listed = append(listed, string(ev))
	}
	slices.Sort(declared)
	if len(declared) < 50 {
		t.Fatalf("found %d EventType constants: the search is broken", len(declared))
	}
	sorted := slices.Sorted(slices.Values(listed))
	if !slices.Equal(declared, sorted) {
		t.Errorf("EventTypes() lists\n  %v\nthe constants declared are\n  %v", sorted, declared)
	}
	var schema struct {
		Defs struct {
			EventType struct {
				Enum []string `json:"enum"`
			} `json:"eventType"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(WebhookSchema(), &schema); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(schema.Defs.EventType.Enum, listed) {
		t.Errorf("schema/webhook-event.v1.json's event types are\n  %v\nEventTypes() lists\n  %v", schema.Defs.EventType.Enum, listed)
	}
}

// TestWebhookURLProblem covers the addresses a webhook may name when the
// host forbids private targets, the public ones beside those the
// conformance suite refuses.
func TestWebhookURLProblem(t *testing.T) {
	for _, tc := range []struct {
		url, rule string
	}{
		{"https://hooks.example.com/in", ""},
		{"http://93.184.215.14:8080/in", ""},
		{"https://[2606:4700:4700::1111]/in", ""},
		{"http://100.64.0.1/in", "public"},    // carrier NAT
		{"http://198.18.0.1/in", "public"},    // benchmarking
		{"http://255.255.255.255/", "public"}, // broadcast
		{"http://[fe80::1%25eth0]/", "public"},
		{"http://[fd00::1]/", "public"},
		{"http://[64:ff9b::7f00:1]/", "public"}, // NAT64 of 127.0.0.1
		{"http://LOCALHOST/", "public"},
		{"mailto:a@example.com", "url"},
		{"https://hooks.example.com:bad/", "url"},
	} {
		if rule, msg := webhookURLProblem(tc.url, false); rule != tc.rule {
			t.Errorf("%s: rule %q (%s), want %q", tc.url, rule, msg, tc.rule)
		}
		if rule, _ := webhookURLProblem(tc.url, true); rule == "public" {
			t.Errorf("%s: refused as private by a host that allows private targets", tc.url)
		}
	}
	if publicAddr(netip.Addr{}) {
		t.Error("the zero address is public")
	}
}
