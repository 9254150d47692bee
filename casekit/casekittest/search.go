package casekittest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"casekit.dev/casekit"
)

func testSearch(t *testing.T, newStore StoreFactory) {
	runEnvTests(t, newStore, []envTest{
		{"words beyond ASCII are found whatever their case", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			openWith(t, d, casekit.NewCase{Subject: "ÄRGER mit dem Drucker", Description: "Die Straße ist gesperrt"})
			openWith(t, d, casekit.NewCase{Subject: "Ошибка принтера", Description: "Принтер не печатает"})
			openWith(t, d, casekit.NewCase{Subject: "Arger without umlaut"})
			for text, want := range map[string][]int64{
				"ärger":           {1},
				"Ärger DRUCKER":   {1},
				"straße":          {1},
				"ПРИНТЕР":         {2},
				"принтера ошибка": {2},
				"arger":           {3},
			} {
				got := numbers(try(d.ListCases(ctx, casekit.CaseFilter{Text: text})).get(t).Cases)
				if !slices.Equal(got, want) {
					t.Errorf("search %q = %v, want %v", text, got, want)
				}
			}
		}},
		{"messages are searched; a customer's search never sees internal ones", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			c := openWith(t, d, casekit.NewCase{Subject: "Printer", CustomerID: "cust-1"})
			openWith(t, d, casekit.NewCase{Subject: "Other", CustomerID: "cust-1"})
			try(d.PostMessage(ctx, c.ID, casekit.NewMessage{Body: "The toner cartridge is empty"})).get(t)
			try(d.PostMessage(ctx, c.ID, casekit.NewMessage{Body: "Supplier invoice overdue", Internal: true})).get(t)
			cust := e.Desk(casekit.Customer("cust-1"))
			for _, tc := range []struct {
				desk *casekit.Desk
				text string
				want []int64
				what string
			}{
				{d, "toner cartridge", []int64{1}, "an agent, words of a public message"},
				{d, "supplier overdue", []int64{1}, "an agent, words of an internal message"},
				{cust, "toner", []int64{1}, "the customer, words of a public message"},
				{cust, "supplier", nil, "the customer, words of an internal message"},
				{d, "printer toner", nil, "words split between the case and a message"},
			} {
				got := numbers(try(tc.desk.ListCases(ctx, casekit.CaseFilter{Text: tc.text})).get(t).Cases)
				if !slices.Equal(got, tc.want) {
					t.Errorf("%s: search %q = %v, want %v", tc.what, tc.text, got, tc.want)
				}
			}
		}},
		{"a changed subject is found by its new words only; a deleted case not at all", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			c := openWith(t, d, casekit.NewCase{Subject: "Fax machine jammed"})
			gone := openWith(t, d, casekit.NewCase{Subject: "Fax number wrong"})
			try(d.PostMessage(ctx, gone.ID, casekit.NewMessage{Body: "fax fax fax"})).get(t)
			try(d.UpdateCase(ctx, c.ID, casekit.CaseUpdate{Subject: ptr("Scanner jammed")})).get(t)
			must(t, d.DeleteCase(ctx, gone.ID, "test"), "DeleteCase")
			for text, want := range map[string][]int64{"fax": nil, "scanner": {1}, "jammed": {1}} {
				if got := numbers(try(d.ListCases(ctx, casekit.CaseFilter{Text: text})).get(t).Cases); !slices.Equal(got, want) {
					t.Errorf("search %q = %v, want %v", text, got, want)
				}
			}
		}},
		{"long and hostile search text is a clear error or harmless", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			e.open(t, "Printer", "cust-1")
			wantRule(t, errOf(d.ListCases(ctx, casekit.CaseFilter{Text: strings.Repeat("a", 501)})), "a 501-character search", "text", "max")
			wantRule(t, errOf(d.ListCases(ctx, casekit.CaseFilter{StatusFlags: []string{"bogus"}})), "an unknown status flag", "status_flags[0]", "oneof")
			wantRule(t, errOf(d.ListCases(ctx, casekit.CaseFilter{Tags: []string{""}})), "an empty tag", "tags[0]", "required")
			wantRule(t, errOf(d.ListCases(ctx, casekit.CaseFilter{Text: "a\x00b"})), "a NUL byte", "text", "text")
			wantRule(t, errOf(d.ListCases(ctx, casekit.CaseFilter{Priority: []string{"\xff"}})), "invalid UTF-8", "priority[0]", "text")
			// More than 8 different words, a phrase's words included, are
			// refused; repeats count once.
			nine := "one two three four five six seven eight nine"
			wantRule(t, errOf(d.ListCases(ctx, casekit.CaseFilter{Text: nine})), "a search of nine words", "text", "max_words")
			wantRule(t, errOf(d.ListCases(ctx, casekit.CaseFilter{Text: `one two "three four five six seven eight nine"`})),
				"a search of nine words in a phrase", "text", "max_words")
			var words []string
			for i := range 100 {
				words = append(words, fmt.Sprintf("w%d", i))
			}
			wantRule(t, errOf(d.ListCases(ctx, casekit.CaseFilter{Text: strings.Join(words, " ")})), "a search of 100 words", "text", "max_words")
			for _, text := range []string{strings.Repeat("word ", 100), `'); DROP TABLE cases; --`, `"unclosed`, `NEAR(a b)`, `a* OR b:*`, "\u202e\u200b"} {
				if _, err := d.ListCases(ctx, casekit.CaseFilter{Text: text}); err != nil {
					t.Errorf("search %q: %v", text, err)
				}
			}
			if got := numbers(try(d.ListCases(ctx, casekit.CaseFilter{})).get(t).Cases); len(got) != 1 {
				t.Errorf("after hostile searches: %v", got)
			}
			// Eight words are a search, and find the case that holds them.
			c := e.open(t, "one two three four five six seven eight", "cust-1")
			for _, text := range []string{"eight seven six five four three two one", `"one two three four" five six seven eight`, nine[:len(nine)-5] + " one two"} {
				wantEqual(t, []int64{c.Number}, numbers(try(d.ListCases(ctx, casekit.CaseFilter{Text: text})).get(t).Cases), "search %q", text)
			}
		}},
	})
}

func testTags(t *testing.T, newStore StoreFactory) {
	runEnvTests(t, newStore, []envTest{
		{"tag and untag change the tags once, in history, and refuse bad input", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			c := openWith(t, d, casekit.NewCase{Subject: "Printer", Tags: []string{"hardware"}})
			tagged := func(f casekit.CaseFilter) []int64 {
				return numbers(try(d.ListCases(ctx, f)).get(t).Cases)
			}
			got := try(d.Tag(ctx, c.ID, "urgent", " hardware ", "urgent")).get(t)
			wantEqual(t, []string{"hardware", "urgent"}, got.Tags, "tags after Tag")
			for _, f := range []casekit.CaseFilter{{Tag: "urgent"}, {Tag: "hardware"}, {Tags: []string{"urgent", "hardware"}, AllTags: true}} {
				wantEqual(t, []int64{c.Number}, tagged(f), "cases of %+v after Tag", f)
			}
			same := try(d.Tag(ctx, c.ID, "urgent")).get(t)
			if same.Version != got.Version {
				t.Errorf("tagging with a tag the case has wrote version %d", same.Version)
			}
			got = try(d.Untag(ctx, c.ID, "hardware", "never-there")).get(t)
			wantEqual(t, []string{"urgent"}, got.Tags, "tags after Untag")
			wantEqual(t, []int64(nil), tagged(casekit.CaseFilter{Tag: "hardware"}), "cases of the removed tag")
			wantEqual(t, []int64{c.Number}, tagged(casekit.CaseFilter{Tags: []string{"hardware", "urgent"}}), "cases of either tag after Untag")
			// The tags an update writes replace the old ones.
			other := openWith(t, d, casekit.NewCase{Subject: "Scanner", Tags: []string{"old"}})
			try(d.UpdateCase(ctx, other.ID, casekit.CaseUpdate{Tags: &[]string{"new", "fresh"}})).get(t)
			wantEqual(t, []int64(nil), tagged(casekit.CaseFilter{Tag: "old"}), "cases of a tag an update replaced")
			wantEqual(t, []int64{other.Number}, tagged(casekit.CaseFilter{Tags: []string{"new", "fresh"}, AllTags: true}), "cases of new and fresh")
			wantEqual(t, []int64{other.Number, c.Number}, tagged(casekit.CaseFilter{Tags: []string{"fresh", "urgent"}}), "cases of fresh or urgent")
			got = try(d.Untag(ctx, c.ID, "urgent")).get(t)
			if got.Tags != nil {
				t.Errorf("tags after removing the last: %v", got.Tags)
			}
			wantEqual(t, got, e.reload(t, c.ID), "stored case")
			evs := eventsOf(e.history(t, c.ID), casekit.EventCaseUpdated)
			if len(evs) != 3 {
				t.Errorf("%d update events, want 3 (tag, untag, untag)", len(evs))
			}
			if page := try(d.ListCases(ctx, casekit.CaseFilter{Tag: "urgent"})).get(t); len(page.Cases) != 0 {
				t.Errorf("the removed tag still finds the case")
			}
			before := e.state(t, c.ID)
			wantRule(t, errOf(d.Tag(ctx, c.ID)), "Tag with no tag", "tags", "min")
			wantRule(t, errOf(d.Tag(ctx, c.ID, "")), "Tag with an empty tag", "tags[0]", "required")
			wantRule(t, errOf(d.Tag(ctx, c.ID, strings.Repeat("x", 101))), "Tag with a long tag", "tags[0]", "max")
			wantIs(t, errOf(e.Desk(casekit.Customer("cust-1")).Tag(ctx, c.ID, "mine")), casekit.ErrForbidden, "Tag as a customer")
			wantUnchanged(t, before, e.state(t, c.ID), "after refused tagging")
			r := e.into(t, e.open(t, "Done", "cust-1"), casekit.StatusResolved)
			wantIs(t, errOf(d.Tag(ctx, r.ID, "late")), casekit.ErrReadOnly, "Tag a resolved case")
		}},
	})
}
