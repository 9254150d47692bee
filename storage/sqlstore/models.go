package sqlstore

import (
	"time"

	"github.com/uptrace/bun"

	"casekit.dev/casekit/casetype"
	"casekit.dev/storage/sqlstore/rows"
)

// The Bun models: one per table, with the converters to and from the
// domain types, which carry no bun tags. The models of the tables that
// the load tools write too are package rows'; the names below keep one
// naming for every model here.
type (
	caseRow    = rows.Case
	messageRow = rows.Message
	eventRow   = rows.Event
	timerRow   = rows.Timer
	outboxRow  = rows.Outbox
)

type settingsRow struct {
	bun.BaseModel `bun:"table:settings,alias:st"`

	ID              int    `bun:"id,pk"`
	DefaultPriority string `bun:"default_priority"`
	AutoCloseDays   int    `bun:"auto_close_days"`
	// The reminder columns came with migration 2.
	FirstReminderDays  int `bun:"first_reminder_days"`
	SecondReminderDays int `bun:"second_reminder_days"`
	// The attachment columns came with migration 6.
	MaxAttachmentBytes int64    `bun:"max_attachment_bytes"`
	AttachmentTypes    []string `bun:"attachment_types,type:json"`
	// PublicTags came with migration 19.
	PublicTags []string `bun:"public_tags,type:json"`
}

type statusRow struct {
	bun.BaseModel `bun:"table:statuses,alias:s"`

	Key       string `bun:"key,pk"`
	Label     string `bun:"label"`
	SortOrder int    `bun:"sort_order"`
	Initial   bool   `bun:"initial"`
	Paused    bool   `bun:"paused"`
	Resolved  bool   `bun:"resolved"`
	Final     bool   `bun:"final"`
	Canceled  bool   `bun:"canceled"`
	Reopen    bool   `bun:"reopen"`
	Progress  bool   `bun:"progress"`
}

func (r statusRow) domain() casetype.Status {
	return casetype.Status{Key: r.Key, Label: r.Label, Order: r.SortOrder, Initial: r.Initial, Paused: r.Paused,
		Resolved: r.Resolved, Final: r.Final, Canceled: r.Canceled, Reopen: r.Reopen, Progress: r.Progress}
}

func statusRowOf(s casetype.Status) statusRow {
	return statusRow{Key: s.Key, Label: s.Label, SortOrder: s.Order, Initial: s.Initial, Paused: s.Paused,
		Resolved: s.Resolved, Final: s.Final, Canceled: s.Canceled, Reopen: s.Reopen, Progress: s.Progress}
}

type transitionRow struct {
	bun.BaseModel `bun:"table:transitions,alias:t"`

	From string `bun:"from_status,pk"`
	To   string `bun:"to_status,pk"`
}

type lookupRow struct {
	bun.BaseModel `bun:"table:lookups,alias:l"`

	Kind     string `bun:"kind,pk"`
	Key      string `bun:"key,pk"`
	Label    string `bun:"label"`
	Rank     int    `bun:"rank"`
	Action   string `bun:"action"`
	Disabled bool   `bun:"disabled"`
}

func caseRowOf(c *casetype.Case) *caseRow {
	tags := c.Tags
	if len(tags) == 0 {
		tags = nil
	}
	custom := c.Custom
	if len(custom) == 0 {
		custom = nil
	}
	return &caseRow{
		ID: c.ID, Number: c.Number, Subject: c.Subject, Description: c.Description, CustomerID: c.CustomerID,
		ContactID: c.Contact.ID, ContactName: c.Contact.Name, ContactEmail: c.Contact.Email, ContactPhone: c.Contact.Phone,
		Type: c.Type, Category: c.Category, Priority: c.Priority, Origin: c.Origin, Tags: tags,
		Deadline: utc(c.Deadline), Custom: custom, AssigneeID: c.AssigneeID, TeamID: c.TeamID, QueueID: c.QueueID,
		SupportLevel: c.SupportLevel, SLAID: c.SLAID, ResponseDue: utc(c.ResponseDue), ResolutionDue: utc(c.ResolutionDue),
		SLAPausedAt: utc(c.SLAPausedAt), SLAPausedFor: int64(c.SLAPausedFor), Service: c.Service,
		FirstResponseAt: utc(c.FirstResponseAt), ResolvedAt: utc(c.ResolvedAt), ClosedAt: utc(c.ClosedAt),
		FirstResponseBiz: copyOf((*int64)(c.FirstResponseBusiness)), ResolutionBiz: copyOf((*int64)(c.ResolutionBusiness)),
		Status: c.Status, ClosureReason: c.ClosureReason, Satisfaction: c.Satisfaction, SatisfactionComment: c.SatisfactionComment,
		CreatedBy: c.CreatedBy.String(), CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC(), Version: c.Version,
		MergedIntoID: c.MergedIntoID, Process: processStateOf(c.Process),
	}
}

// caseDomain is the case a row holds.
func caseDomain(r *caseRow) (*casetype.Case, error) {
	by, err := casetype.ParseActor(r.CreatedBy)
	if err != nil {
		return nil, err
	}
	tags := r.Tags
	if len(tags) == 0 {
		tags = nil
	}
	custom := r.Custom
	if len(custom) == 0 {
		custom = nil
	}
	return &casetype.Case{
		ID: r.ID, Number: r.Number, Subject: r.Subject, Description: r.Description, CustomerID: r.CustomerID,
		Contact: casetype.Contact{ID: r.ContactID, Name: r.ContactName, Email: r.ContactEmail, Phone: r.ContactPhone},
		Type:    r.Type, Category: r.Category, Priority: r.Priority, Origin: r.Origin, Tags: tags,
		Deadline: utc(r.Deadline), Custom: custom, AssigneeID: r.AssigneeID, TeamID: r.TeamID, QueueID: r.QueueID,
		SupportLevel: r.SupportLevel, SLAID: r.SLAID, ResponseDue: utc(r.ResponseDue), ResolutionDue: utc(r.ResolutionDue),
		SLAPausedAt: utc(r.SLAPausedAt), SLAPausedFor: time.Duration(r.SLAPausedFor), Service: r.Service,
		FirstResponseAt: utc(r.FirstResponseAt), ResolvedAt: utc(r.ResolvedAt), ClosedAt: utc(r.ClosedAt),
		FirstResponseBusiness: (*time.Duration)(copyOf(r.FirstResponseBiz)), ResolutionBusiness: (*time.Duration)(copyOf(r.ResolutionBiz)),
		Status: r.Status, ClosureReason: r.ClosureReason, Satisfaction: r.Satisfaction, SatisfactionComment: r.SatisfactionComment,
		CreatedBy: by, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version,
		MergedIntoID: r.MergedIntoID, Process: processDomain(r.Process),
	}, nil
}

type activityRow struct {
	bun.BaseModel `bun:"table:activities,alias:a"`

	ID            string     `bun:"id,pk"`
	CaseID        string     `bun:"case_id"`
	Kind          string     `bun:"kind"`
	Subject       string     `bun:"subject"`
	Description   string     `bun:"description"`
	State         string     `bun:"state"`
	Due           *time.Time `bun:"due"`
	AssigneeID    string     `bun:"assignee_id"`
	NotifyContact bool       `bun:"notify_contact"`
	Result        string     `bun:"result"`
	CreatedBy     string     `bun:"created_by"`
	CreatedAt     time.Time  `bun:"created_at"`
	UpdatedAt     time.Time  `bun:"updated_at"`
	DoneAt        *time.Time `bun:"done_at"`
	Version       int64      `bun:"version"`
}

func activityRowOf(a *casetype.Activity) *activityRow {
	return &activityRow{
		ID: a.ID, CaseID: a.CaseID, Kind: string(a.Kind), Subject: a.Subject, Description: a.Description,
		State: string(a.State), Due: utc(a.Due), AssigneeID: a.AssigneeID, NotifyContact: a.NotifyContact,
		Result: a.Result, CreatedBy: a.CreatedBy.String(), CreatedAt: a.CreatedAt.UTC(), UpdatedAt: a.UpdatedAt.UTC(),
		DoneAt: utc(a.DoneAt), Version: a.Version,
	}
}

func (r *activityRow) domain() (*casetype.Activity, error) {
	by, err := casetype.ParseActor(r.CreatedBy)
	if err != nil {
		return nil, err
	}
	return &casetype.Activity{
		ID: r.ID, CaseID: r.CaseID, Kind: casetype.ActivityKind(r.Kind), Subject: r.Subject, Description: r.Description,
		State: casetype.ActivityState(r.State), Due: utc(r.Due), AssigneeID: r.AssigneeID, NotifyContact: r.NotifyContact,
		Result: r.Result, CreatedBy: by, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
		DoneAt: utc(r.DoneAt), Version: r.Version,
	}, nil
}

type noteRow struct {
	bun.BaseModel `bun:"table:notes,alias:n"`

	ID        string    `bun:"id,pk"`
	CaseID    string    `bun:"case_id"`
	Subject   string    `bun:"subject"`
	Body      string    `bun:"body"`
	Public    bool      `bun:"public"`
	CreatedBy string    `bun:"created_by"`
	CreatedAt time.Time `bun:"created_at"`
}

type attachmentRow struct {
	bun.BaseModel `bun:"table:attachments,alias:f"`

	ID          string    `bun:"id,pk"`
	CaseID      string    `bun:"case_id"`
	OwnerID     string    `bun:"owner_id"`
	Name        string    `bun:"name"`
	ContentType string    `bun:"content_type"`
	Size        int64     `bun:"size"`
	BlobKey     string    `bun:"blob_key"`
	CreatedAt   time.Time `bun:"created_at"`
}

func (r attachmentRow) domain() casetype.Attachment {
	return casetype.Attachment{ID: r.ID, CaseID: r.CaseID, Name: r.Name, ContentType: r.ContentType, Size: r.Size, Key: r.BlobKey, CreatedAt: r.CreatedAt.UTC()}
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

type teamRow struct {
	bun.BaseModel `bun:"table:teams,alias:tm"`

	ID   string `bun:"id,pk"`
	Name string `bun:"name"`
}

type queueRow struct {
	bun.BaseModel `bun:"table:queues,alias:q"`

	ID         string `bun:"id,pk"`
	Name       string `bun:"name"`
	TeamID     string `bun:"team_id"`
	SLAID      string `bun:"sla_id"`
	AssignMode string `bun:"assign_mode"`
	Capacity   int    `bun:"capacity"`
}

type calendarRow struct {
	bun.BaseModel `bun:"table:calendars,alias:cal"`

	ID       string                  `bun:"id,pk"`
	Name     string                  `bun:"name"`
	TimeZone string                  `bun:"time_zone"`
	Hours    []casetype.WorkingHours `bun:"hours,type:json"`
	Holidays []string                `bun:"holidays,type:json"`
}

type slaRow struct {
	bun.BaseModel `bun:"table:slas,alias:sla"`

	ID         string      `bun:"id,pk"`
	Name       string      `bun:"name"`
	CalendarID string      `bun:"calendar_id"`
	WarnBefore int64       `bun:"warn_before"` // nanoseconds
	Targets    []slaTarget `bun:"targets,type:json"`
}

// slaTarget is an SLA target as stored: durations in whole nanoseconds.
type slaTarget struct {
	Priority      string `json:"priority"`
	FirstResponse int64  `json:"first_response_ns"`
	Resolution    int64  `json:"resolution_ns"`
}

// copyOf is a pointer to a copy of *p, nil for nil, so that a row and
// the case made from it share nothing.
func copyOf[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
