package casetype

// CustomFieldType is what a custom field holds.
type CustomFieldType string

// The custom field types.
const (
	CustomText   CustomFieldType = "text"   // a string of at most 10,000 characters
	CustomNumber CustomFieldType = "number" // a finite number
	CustomDate   CustomFieldType = "date"   // a calendar day, "2026-11-23"
	CustomSelect CustomFieldType = "select" // one of Options
	CustomBool   CustomFieldType = "bool"   // true or false
)

// CustomField defines one of a tenant's custom case fields (Case.Custom).
// Once a tenant defines any, every write of Custom is checked against
// them: unknown keys, values of the wrong type and missing required
// fields are ValidationErrors on "custom.<key>". A tenant without
// definitions keeps Custom free-form for its staff. Customers and web
// form senders set only the fields whose Audience is AudienceForm.
type CustomField struct {
	Key      string          `json:"key" validate:"required,key"`
	Label    string          `json:"label" validate:"required,max=200"`
	Type     CustomFieldType `json:"type" validate:"required,oneof=text number date select bool"`
	Required bool            `json:"required"`
	// Options are the values a select field may take.
	Options []string `json:"options" validate:"max=200,dive,required,max=200"`
	// Audience says who besides the agents may read the field and who
	// may set it; empty is AudienceInternal.
	Audience CustomFieldAudience `json:"audience,omitempty" validate:"omitempty,oneof=internal customer form"`
}

// CustomFieldAudience says who besides the agents sees a custom field.
// Fields are internal unless the tenant says otherwise, so that adding a
// field never shows a customer something meant for the staff.
type CustomFieldAudience string

// The audiences of a custom field.
const (
	// AudienceInternal: agents only (the default).
	AudienceInternal CustomFieldAudience = "internal"
	// AudienceCustomer: the case's customer and contact read it too.
	AudienceCustomer CustomFieldAudience = "customer"
	// AudienceForm: customers read it and may also set it, on the web
	// form and in the portal.
	AudienceForm CustomFieldAudience = "form"
)

// CustomerReads reports whether the case's customer may read the field.
func (f CustomField) CustomerReads() bool {
	return f.Audience == AudienceCustomer || f.Audience == AudienceForm
}

// CustomerSets reports whether a customer or a stranger on the web form
// may set the field.
func (f CustomField) CustomerSets() bool { return f.Audience == AudienceForm }

// EventCustomFieldChanged records a change to the definitions.
const EventCustomFieldChanged EventType = "custom_field.changed"
