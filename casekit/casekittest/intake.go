package casekittest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"casekit.dev/casekit"
	"casekit.dev/storage/fsblob"
)

// testIntake checks Desk.Intake: a web form post becomes a case with its
// custom fields and files, once per idempotency key; junk is recorded
// and opens nothing; bad input writes nothing.
func testIntake(t *testing.T, newStore StoreFactory) {
	form := func(key string, fields map[string]string) casekit.Submission {
		f := map[string]string{"subject": "Form case", "description": "From the web", "name": "Ada", "email": "ada@example.com"}
		for k, v := range fields {
			f[k] = v
		}
		return casekit.Submission{IdempotencyKey: key, Fields: f, RemoteAddr: "203.0.113.7"}
	}
	count := func(t *testing.T, e *Env) int {
		return len(try(e.Agent().ListCases(t.Context(), casekit.CaseFilter{})).get(t).Cases)
	}
	runEnvTests(t, newStore, []envTest{
		{"a post opens one case per idempotency key, with its custom fields", func(t *testing.T, e *Env) {
			ctx, sys := t.Context(), e.Desk(casekit.System)
			formFields(t, e)
			res := try(sys.Intake(ctx, form("k-1", map[string]string{"seats": "12", "vip": "on"}))).get(t)
			c := res.Case
			if res.Repeat || res.Junk || c.Origin != "web" || c.Contact.Email != "ada@example.com" || c.Description != "From the web" {
				t.Fatalf("result %+v, case %+v", res, c)
			}
			wantEqual(t, map[string]any{"seats": 12.0, "vip": true}, c.Custom, "custom fields")
			// A typed address is no identity: the case is not in that
			// address's portal until the host vouches for it.
			adaPortal := e.Desk(casekit.Customer(casekit.EmailContactID("ada@example.com")))
			wantEqual(t, "", c.Contact.ID, "contact ID of a typed address")
			wantIs(t, errOf(adaPortal.Case(ctx, c.ID)), casekit.ErrNotFound, "the case in the typed address's portal")
			vouched := form("k-v", nil)
			vouched.Verified = true
			v := try(sys.Intake(ctx, vouched)).get(t).Case
			wantEqual(t, casekit.EmailContactID("ada@example.com"), v.Contact.ID, "contact ID of a vouched address")
			try(adaPortal.Case(ctx, v.ID)).get(t)
			must(t, e.Agent().DeleteCase(ctx, v.ID, "test"), "DeleteCase")
			again := try(sys.Intake(ctx, form("k-1", map[string]string{"seats": "12", "vip": "on"}))).get(t)
			if !again.Repeat || again.Case.ID != c.ID {
				t.Fatalf("the same key again: %+v", again)
			}
			wantEqual(t, 1, count(t, e), "cases after a double submit")
			// The host may place the form's cases in a queue.
			must(t, e.Agent().Config().SaveTeam(ctx, casekit.Team{ID: "support", Name: "Support"}), "SaveTeam")
			must(t, e.Agent().Config().SaveQueue(ctx, casekit.Queue{ID: "web", Name: "Web", TeamID: "support"}), "SaveQueue")
			queued := form("k-2", map[string]string{"seats": "1"})
			queued.QueueID = "web"
			q := try(sys.Intake(ctx, queued)).get(t).Case
			if q.QueueID != "web" || q.TeamID != "support" {
				t.Errorf("a queued submission's case: queue %q, team %q; want web, support", q.QueueID, q.TeamID)
			}
		}},
		{"junk is recorded and opens nothing", func(t *testing.T, e *Env) {
			ctx, sys := t.Context(), e.Desk(casekit.System)
			res := try(sys.Intake(ctx, form("trap", map[string]string{casekit.HoneypotField: "http://spam.example"}))).get(t)
			if !res.Junk || res.JunkReason != "honeypot" || res.Case != nil {
				t.Fatalf("honeypot: %+v", res)
			}
			again := try(sys.Intake(ctx, form("trap", nil))).get(t)
			if !again.Repeat || !again.Junk {
				t.Fatalf("the junk key again: %+v", again)
			}
			wantEqual(t, 0, count(t, e), "cases")
		}},
		{"the rate limit is exact under concurrency and counts only opened cases", func(t *testing.T, e *Env) {
			ctx, sys := t.Context(), e.Desk(casekit.System)
			// Junk and refused posts from the address count nothing.
			for i := range 3 {
				try(sys.Intake(ctx, form(fmt.Sprintf("junk-%d", i), map[string]string{casekit.HoneypotField: "x"}))).get(t)
				_, err := sys.Intake(ctx, form(fmt.Sprintf("bad-%d", i), map[string]string{"subject": ""}))
				wantRule(t, err, "no subject", "subject", "required")
			}
			const posts = 100
			errs := make([]error, posts)
			var wg sync.WaitGroup
			for i := range posts {
				wg.Go(func() { _, errs[i] = sys.Intake(ctx, form(fmt.Sprintf("burst-%d", i), nil)) })
			}
			wg.Wait()
			limited, refusedKey := 0, ""
			for i, err := range errs {
				var rl *casekit.RateLimitError
				switch {
				case errors.As(err, &rl) && errors.Is(err, casekit.ErrRateLimited):
					limited, refusedKey = limited+1, fmt.Sprintf("burst-%d", i)
					wantEqual(t, e.Now().Truncate(time.Hour).Add(time.Hour), rl.Until, "the limit's end")
					wantEqual(t, rl.Until.Sub(e.Now()), rl.RetryAfter, "retry after")
				case err != nil:
					t.Fatalf("a post of the burst: %v", err)
				}
			}
			wantEqual(t, casekit.IntakeRateLimit, count(t, e), "cases opened by %d concurrent posts", posts)
			wantEqual(t, posts-casekit.IntakeRateLimit, limited, "posts refused for the limit")
			other := form("elsewhere", nil)
			other.RemoteAddr = "198.51.100.9"
			if res := try(sys.Intake(ctx, other)).get(t); res.Case == nil {
				t.Errorf("another address is limited too: %+v", res)
			}
			// A refused post kept nothing, so its key opens the case in the
			// next hour.
			e.Clock.Advance(time.Hour)
			if res := try(sys.Intake(ctx, form(refusedKey, nil))).get(t); res.Case == nil || res.Repeat {
				t.Errorf("the next hour: %+v", res)
			}
			wantEqual(t, casekit.IntakeRateLimit+2, count(t, e), "cases after the next hour's post")
		}},
		{"bad input is refused and writes nothing", func(t *testing.T, e *Env) {
			ctx, sys := t.Context(), e.Desk(casekit.System)
			// A tenant with no form fields takes no extra field.
			_, err := sys.Intake(ctx, form("k", map[string]string{"colour": strings.Repeat("x", 1<<20)}))
			wantRule(t, err, "a field with none defined", "custom.colour", "known")
			formFields(t, e)
			_, err = sys.Intake(ctx, form("k", map[string]string{"subject": ""}))
			wantRule(t, err, "no subject", "subject", "required")
			for field, why := range map[string]string{"colour": "an unknown field", "discount": "an internal field", "tier": "a field customers only read"} {
				_, err = sys.Intake(ctx, form("k", map[string]string{field: "x"}))
				wantRule(t, err, why, "custom."+field, "known")
			}
			_, err = sys.Intake(ctx, form("k", map[string]string{"plan": "gold"}))
			wantRule(t, err, "an option not offered", "custom.plan", "select")
			_, err = sys.Intake(ctx, form("k", map[string]string{"note": strings.Repeat("x", 10001)}))
			wantRule(t, err, "a text field past its bound", "custom.note", "text")
			_, err = sys.Intake(ctx, form("k", map[string]string{"description": strings.Repeat("x", 100001)}))
			wantRule(t, err, "a description past its bound", "description", "max")
			_, err = sys.Intake(ctx, form("k", map[string]string{"email": "not an address"}))
			wantRule(t, err, "a bad e-mail address, named as the form names it", "email", "email")
			queued := form("k", nil)
			queued.QueueID = "no-such-queue"
			_, err = sys.Intake(ctx, queued)
			wantInvalid(t, err, "an unknown queue", "queue_id")
			_, err = sys.Intake(ctx, form("", nil))
			wantRule(t, err, "no idempotency key", "idempotency_key", "required")
			_, err = e.Desk(casekit.Customer("c")).Intake(ctx, form("k", nil))
			wantIs(t, err, casekit.ErrForbidden, "a customer calling Intake")
			wantEqual(t, 0, count(t, e), "cases after refused posts")
			if res := try(sys.Intake(ctx, form("k", nil))).get(t); res.Repeat || res.Case == nil {
				t.Errorf("the key of refused posts is still free: %+v", res)
			}
		}},
	})
	t.Run("files become attachments; a junk screen can refuse", func(t *testing.T) {
		blobs, err := fsblob.New(t.TempDir())
		must(t, err, "fsblob.New")
		screen := func(_ context.Context, _ string, s casekit.Submission) (bool, string) {
			return strings.Contains(strings.ToLower(s.Fields["subject"]), "casino"), "spam words"
		}
		e := NewEnv(t, newStore(t), casekit.WithBlobStore(blobs), casekit.WithJunkScreen(screen))
		ctx, sys := t.Context(), e.Desk(casekit.System)
		s := form("f-1", nil)
		s.Files = []casekit.SubmittedFile{{Name: `C:\scans\scan.pdf`, ContentType: "application/pdf", Content: strings.NewReader("%PDF-1.4")}}
		res := try(sys.Intake(ctx, s)).get(t)
		msgs := try(e.Agent().Messages(ctx, res.Case.ID)).get(t)
		if len(msgs) != 1 || len(msgs[0].Attachments) != 1 || msgs[0].Attachments[0].Name != "scan.pdf" {
			t.Fatalf("messages: %+v", msgs)
		}
		file := func(name, ctype, body string) casekit.SubmittedFile {
			return casekit.SubmittedFile{Name: name, ContentType: ctype, Content: strings.NewReader(body)}
		}
		good := file("ok.txt", "text/plain", "fine")
		for _, tc := range []struct {
			files       []casekit.SubmittedFile
			field, rule string
		}{
			{[]casekit.SubmittedFile{good, file("x.html", "text/html", "<script>")}, "files[1]", "accepted"},
			{[]casekit.SubmittedFile{file("big.txt", "text/plain", strings.Repeat("x", 10<<20+1))}, "files[0]", "max"},
			{slices.Repeat([]casekit.SubmittedFile{good}, casekit.MaxSubmittedFiles+1), "files", "max"},
		} {
			bad := form("f-2", nil)
			bad.Files = tc.files
			_, err = sys.Intake(ctx, bad)
			wantRule(t, err, "a refused file", tc.field, tc.rule)
		}
		wantEqual(t, 1, count(t, e), "cases after refused files")
		// A refused post's files are deleted at once: only the first
		// post's file and its upload record are left.
		var left []string
		must(t, blobs.ListBlobs(ctx, e.Tenant, func(b casekit.BlobInfo) error { left = append(left, b.Key); return nil }), "ListBlobs")
		wantEqual(t, 2, len(left), "blobs after refused posts: %v", left)
		res = try(sys.Intake(ctx, form("f-3", map[string]string{"subject": "Cheap CASINO chips"}))).get(t)
		if !res.Junk || res.JunkReason != "spam words" {
			t.Errorf("the junk screen: %+v", res)
		}
	})
}

// formFields defines the custom fields of the intake tests: three the web
// form may set, one customers only read and one internal.
func formFields(t *testing.T, e *Env) {
	t.Helper()
	for _, f := range []casekit.CustomField{
		{Key: "seats", Label: "Seats", Type: casekit.CustomNumber, Audience: casekit.AudienceForm},
		{Key: "vip", Label: "VIP", Type: casekit.CustomBool, Audience: casekit.AudienceForm},
		{Key: "plan", Label: "Plan", Type: casekit.CustomSelect, Options: []string{"basic", "pro"}, Audience: casekit.AudienceForm},
		{Key: "note", Label: "Note", Type: casekit.CustomText, Audience: casekit.AudienceForm},
		{Key: "tier", Label: "Tier", Type: casekit.CustomText, Audience: casekit.AudienceCustomer},
		{Key: "discount", Label: "Discount", Type: casekit.CustomNumber, Required: true},
	} {
		must(t, e.Agent().Config().SaveCustomField(t.Context(), f), "SaveCustomField(%s)", f.Key)
	}
}
