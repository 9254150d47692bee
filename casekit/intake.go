package casekit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"casekit.dev/casekit/store"
)

// Submission is a web form's post, as Desk.Intake takes it.
type Submission struct {
	// IdempotencyKey names the submission: a second one with the same key
	// (a double click, a retried post) returns the first one's case.
	IdempotencyKey string `json:"idempotency_key" validate:"required,max=200"`
	// Fields are the form's fields. subject (required), description, name,
	// email, phone, type, category and priority go to the case; every
	// other field is a custom field and must be one the tenant defined.
	Fields map[string]string `json:"fields" validate:"max=100"`
	// Files are uploaded files, kept as attachments of the case's first
	// message (needs a BlobStore; the tenant's limits apply).
	Files []SubmittedFile `json:"-"`
	// RemoteAddr is the sender's address, for the rate limit; a
	// submission without one is not limited.
	RemoteAddr string `json:"remote_addr" validate:"max=100"`
	// QueueID is the queue the case waits in, chosen by the host, never
	// by the form; the queue's team and default SLA come with it. An
	// unknown queue is a ValidationError on queue_id.
	QueueID string `json:"queue_id" validate:"omitempty,key"`
	// Verified says the host vouches for the email field (the sender is
	// signed in with that address): it then becomes the case's contact
	// identity, putting the case in that customer's portal. A typed
	// address alone is only stored.
	Verified bool `json:"verified"`
}

// SubmittedFile is one uploaded file of a Submission.
type SubmittedFile struct {
	Name        string
	ContentType string
	Content     io.Reader
}

// IntakeResult is what Desk.Intake did.
type IntakeResult struct {
	// Case is the case opened, or the one the idempotency key opened
	// before (Repeat); nil for junk.
	Case   *Case
	Repeat bool
	// Junk is set when the screen refused the submission: no case was
	// opened; JunkReason says why.
	Junk       bool
	JunkReason string
}

// JunkScreen decides whether a submission is junk; WithJunkScreen
// installs one, which runs after the default checks.
type JunkScreen func(ctx context.Context, tenant string, s Submission) (junk bool, reason string)

// WithJunkScreen makes Desk.Intake ask screen about each submission that
// passed the honeypot, before the rate limit counts it.
func WithJunkScreen(screen JunkScreen) Option { return func(k *Kit) { k.junk = screen } }

// HoneypotField is the form field Desk.Intake treats as a trap: people do
// not see it (the form hides it), bots fill it in.
const HoneypotField = "website"

// MaxSubmittedFiles is how many files one Submission may carry.
const MaxSubmittedFiles = 20

// intakeFields are the form fields that go to the case itself.
var intakeFields = []string{"subject", "description", "name", "email", "phone", "type", "category", "priority", HoneypotField}

// Intake turns a web form submission into a case (origin "web"), its
// files into attachments of a first message. The same idempotency key
// twice gives the first case back. A filled-in honeypot field or the
// JunkScreen marks it junk: it is recorded, and no case is opened. An
// address that has opened its rate limit of cases this hour
// (WithIntakeRateLimit) gets a *RateLimitError (ErrRateLimited) and
// nothing is recorded; junk and refused posts do not count. Bad input (no
// subject, a custom field the tenant does not open to the form, a value
// past its field's bounds, more than MaxSubmittedFiles files, a refused
// file) is a ValidationError and writes nothing: no row, no count, no
// file. Run it as System.
func (d *Desk) Intake(ctx context.Context, s Submission) (*IntakeResult, error) {
	if err := validateStruct(s); err != nil {
		return nil, fmt.Errorf("casekit: intake: tenant %q: %w", d.tenant, err)
	}
	screen := func(c *cmd) (bool, string) {
		if strings.TrimSpace(s.Fields[HoneypotField]) != "" {
			return true, "honeypot"
		}
		if d.kit.junk != nil {
			if junk, why := d.kit.junk(c.ctx, c.tenant, s); junk {
				return true, why
			}
		}
		return false, ""
	}
	files, err := d.readFiles(ctx, s.Files)
	if err != nil {
		return nil, fmt.Errorf("casekit: intake: tenant %q: %w", d.tenant, err)
	}
	res := &IntakeResult{}
	var stored []string
	err = d.run(ctx, "intake", staffOnly, func(c *cmd) error {
		prev, err := c.tx.IntakeByKey(c.ctx, s.IdempotencyKey)
		if err == nil {
			res.Repeat, res.Junk, res.JunkReason = true, prev.Junk, prev.Reason
			if prev.CaseID != "" {
				res.Case, err = c.load(prev.CaseID, false)
			}
			return err
		}
		if !isNotFound(err) {
			return err
		}
		junk, why := screen(c)
		rec := store.IntakeRecord{Key: s.IdempotencyKey, RemoteAddr: s.RemoteAddr, At: c.now, Junk: junk, Reason: why}
		if junk {
			res.Junk, res.JunkReason = true, why
			return c.tx.InsertIntake(c.ctx, rec)
		}
		if err := c.countOpened(d.kit.intakeLimit, s.RemoteAddr); err != nil {
			return err
		}
		f := s.Fields
		in := NewCase{Subject: f["subject"], Description: f["description"], Origin: "web",
			Contact: Contact{Name: f["name"], Email: f["email"], Phone: f["phone"]},
			Type:    f["type"], Category: f["category"], Priority: f["priority"], QueueID: s.QueueID}
		if s.Verified {
			in.Contact.ID = EmailContactID(f["email"])
		}
		for _, k := range slices.Sorted(maps.Keys(f)) {
			if !slices.Contains(intakeFields, k) {
				if in.Custom == nil {
					in.Custom = map[string]any{}
				}
				in.Custom[k] = f[k]
			}
		}
		if in.Custom != nil {
			if err := c.customStrings(in.Custom); err != nil {
				return err
			}
		}
		c.sender = true // the form's stranger sets only the fields open to the form
		cs, err := c.openCase(in)
		if err != nil {
			return formFields(err)
		}
		rec.CaseID, res.Case = cs.ID, cs
		if err := c.tx.InsertIntake(c.ctx, rec); err != nil {
			return err
		}
		if len(files) == 0 {
			return nil
		}
		atts, refused, err := d.keepFiles(c, cs.ID, files, &stored)
		if err != nil {
			return err
		}
		var v validations
		for _, r := range refused {
			v.Add(fmt.Sprintf("files[%d]", r.index), r.rule, "%s: %s", r.name, r.reason)
		}
		if err := v.Err(); err != nil {
			return err
		}
		_, err = c.postMessage(cs.ID, NewMessage{Direction: Inbound, Channel: ChannelPortal, From: in.Contact.Email,
			Body: "Files sent with the form.", Attachments: atts})
		return err
	})
	if err != nil {
		d.dropBlobs(ctx, stored)
		return nil, err
	}
	return res, nil
}

// readFiles reads a submission's files before its command, so that the
// transaction does not wait on the sender: at most MaxSubmittedFiles, each
// read no further than one byte past the tenant's MaxAttachmentBytes, so
// a huge file costs no more memory than the largest one the tenant takes.
func (d *Desk) readFiles(ctx context.Context, in []SubmittedFile) ([]fileData, error) {
	if len(in) == 0 {
		return nil, nil
	}
	if len(in) > MaxSubmittedFiles {
		return nil, invalid("files", "max", "at most %d files at once", MaxSubmittedFiles)
	}
	if d.kit.blobs == nil {
		return nil, ErrNoBlobStore
	}
	var limit int64
	err := d.run(ctx, "intake settings", staffOnly, func(c *cmd) error {
		set, err := c.tx.Settings(c.ctx)
		limit = settingsFilled(set).MaxAttachmentBytes
		return err
	})
	if err != nil {
		return nil, err
	}
	var v validations
	files := make([]fileData, 0, len(in))
	for i, f := range in {
		b, err := io.ReadAll(io.LimitReader(f.Content, limit+1))
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", f.Name, err)
		}
		if int64(len(b)) > limit {
			v.Add(fmt.Sprintf("files[%d]", i), "max", "%s: larger than %d bytes", clipRunes(fileName(f.Name), 255), limit)
		}
		files = append(files, fileData{f.Name, f.ContentType, b})
	}
	return files, v.Err()
}

// customStrings turns a form's text values into their custom fields'
// types where the text form differs (bool), so checkCustom can read them.
func (c *cmd) customStrings(custom map[string]any) error {
	defs, err := c.tx.CustomFields(c.ctx)
	if err != nil {
		return err
	}
	for _, f := range defs {
		if s, ok := custom[f.Key].(string); ok && f.Type == CustomBool {
			switch strings.ToLower(s) {
			case "true", "on", "yes", "1":
				custom[f.Key] = true
			case "false", "off", "no", "0", "":
				custom[f.Key] = false
			}
		}
	}
	return nil
}

// formFields renames a ValidationError's contact fields to the form's
// names for them (contact.email is the form's email), so that a form can
// show each error next to its own field.
func formFields(err error) error {
	var ve *ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	out := &ValidationError{Fields: slices.Clone(ve.Fields)}
	for i, f := range out.Fields {
		out.Fields[i].Field = strings.TrimPrefix(f.Field, "contact.")
	}
	return out
}

func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// IntakeRateLimit is how many cases one address may open through
// Desk.Intake in a clock hour unless WithIntakeRateLimit says otherwise.
const IntakeRateLimit = 20

// WithIntakeRateLimit sets how many cases one address may open through
// Desk.Intake in a clock hour: IntakeRateLimit by default, 0 for no
// limit (for a host that limits its form itself).
func WithIntakeRateLimit(n int) Option { return func(k *Kit) { k.intakeLimit = n } }

// ErrRateLimited is what Desk.Intake returns, as a *RateLimitError, for a
// submission past its address's limit.
var ErrRateLimited = errors.New("casekit: too many submissions from this address")

// RateLimitError says a submission was refused for its address's rate
// limit, and when the address may send again. errors.Is(err,
// ErrRateLimited) holds for it.
type RateLimitError struct {
	// Until is when the address's next hour starts, by the kit's clock.
	Until time.Time
	// RetryAfter is how long that is from the submission.
	RetryAfter time.Duration
}

// Error says when the address may submit again, so that a form can show
// it as it is.
func (e *RateLimitError) Error() string {
	return fmt.Sprintf("%v; try again after %s", ErrRateLimited, e.Until.Format(time.RFC3339))
}

// Unwrap makes errors.Is(err, ErrRateLimited) hold.
func (e *RateLimitError) Unwrap() error { return ErrRateLimited }

// countOpened counts one more case opened from addr in the current clock
// hour, or returns a *RateLimitError when the address has opened its
// limit already. The store's counter row makes concurrent submissions
// from one address wait for each other, so the limit is exact; a refused
// command rolls its count back, so only opened cases count.
func (c *cmd) countOpened(limit int, addr string) error {
	if limit == 0 || addr == "" {
		return nil
	}
	hour := c.now.Truncate(time.Hour)
	n, err := c.tx.CountIntakeOpened(c.ctx, addr, hour)
	if err != nil {
		return err
	}
	if n > limit {
		next := hour.Add(time.Hour)
		return &RateLimitError{Until: next, RetryAfter: next.Sub(c.now)}
	}
	return nil
}
