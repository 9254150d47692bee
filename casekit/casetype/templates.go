package casetype

import (
	"time"
)

// RenderedMessage is a notification in words, as a mail says it: a
// one-line subject, a plain text body and, optionally, an HTML body.
type RenderedMessage struct {
	Subject string `json:"subject"`
	Text    string `json:"text"`
	HTML    string `json:"html,omitempty"`
}

// TemplateOverride is a tenant's own version of one of the templates the
// kit's TemplateEngine knows by name, such as "message/case.resolved".
type TemplateOverride struct {
	Name      string    `json:"name"`
	Source    string    `json:"source"`
	UpdatedBy Actor     `json:"updated_by"`
	UpdatedAt time.Time `json:"updated_at"`
}
