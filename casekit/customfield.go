package casekit

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"time"

	"casekit.dev/casekit/casetype"
)

// These names live in package casetype, where the stores read them too;
// programs keep writing casekit.Name.
type (
	// CustomFieldType is what a custom field holds.
	CustomFieldType = casetype.CustomFieldType
	// CustomField defines one of a tenant's custom case fields (Case.Custom).
	CustomField = casetype.CustomField
	// CustomFieldAudience says who besides the agents sees a custom field.
	CustomFieldAudience = casetype.CustomFieldAudience
)

const (
	CustomText   = casetype.CustomText
	CustomNumber = casetype.CustomNumber
	CustomDate   = casetype.CustomDate
	CustomSelect = casetype.CustomSelect
	CustomBool   = casetype.CustomBool
	// AudienceInternal: agents only (the default).
	AudienceInternal = casetype.AudienceInternal
	// AudienceCustomer: the case's customer and contact read it too.
	AudienceCustomer = casetype.AudienceCustomer
	// AudienceForm: customers read it and may also set it, on the web form and
	// in the portal.
	AudienceForm = casetype.AudienceForm
	// EventCustomFieldChanged records a change to the definitions.
	EventCustomFieldChanged = casetype.EventCustomFieldChanged
)

// CustomFields lists the tenant's custom field definitions by key; a
// customer gets only those they read (CustomerReads).
func (cf *Config) CustomFields(ctx context.Context) ([]CustomField, error) {
	return runValue(cf.d, ctx, "custom fields", customerRead, func(c *cmd) ([]CustomField, error) {
		return c.customFields()
	})
}

// SaveCustomField adds or replaces a custom field definition. Existing
// cases are not rewritten: a value that no longer fits is refused at the
// case's next write of that field.
func (cf *Config) SaveCustomField(ctx context.Context, f CustomField) error {
	return cf.d.run(ctx, "save custom field", adminOnly, func(c *cmd) error {
		var v validations
		if err := v.Merge(validateStruct(f)); err != nil {
			return err
		}
		if f.Type == CustomSelect && len(f.Options) == 0 {
			v.Add("options", "required", "a select field needs options")
		}
		if f.Type != CustomSelect && len(f.Options) > 0 {
			v.Add("options", "excluded", "only a select field has options")
		}
		if err := v.Err(); err != nil {
			return err
		}
		if err := c.tx.SaveCustomField(c.ctx, f); err != nil {
			return err
		}
		c.record(nil, EventCustomFieldChanged, map[string]any{"key": f.Key, "type": string(f.Type), "required": f.Required})
		return nil
	})
}

// DeleteCustomField removes a definition; ErrNotFound if there is none.
// Cases keep their values.
func (cf *Config) DeleteCustomField(ctx context.Context, key string) error {
	return cf.d.run(ctx, "delete custom field", adminOnly, func(c *cmd) error {
		if err := c.tx.DeleteCustomField(c.ctx, key); err != nil {
			return fmt.Errorf("custom field %q: %w", key, err)
		}
		c.record(nil, EventCustomFieldChanged, map[string]any{"key": key, "deleted": true})
		return nil
	})
}

// checkCustom checks custom values against the tenant's definitions and
// returns them in their canonical form (numbers as float64, dates as
// "2006-01-02"). whole says the map is the case's complete Custom, so
// required fields must be there; a nil value (an update's deletion) of a
// required field is refused too. A customer or a web form's sender sets
// only fields that CustomerSets, even where the tenant defines none (free
// form Custom is the staff's), and is held to the required ones among
// those alone: a field they cannot set is never theirs to fill.
func (c *cmd) checkCustom(custom map[string]any, whole bool) (map[string]any, error) {
	defs, err := c.tx.CustomFields(c.ctx)
	outsider := c.outsider()
	if err != nil || (len(defs) == 0 && !outsider) {
		return custom, err
	}
	var v validations
	out := make(map[string]any, len(custom))
	for _, k := range sortedKeys(custom) {
		val := custom[k]
		i := slices.IndexFunc(defs, func(f CustomField) bool { return f.Key == k })
		if outsider && (i < 0 || !defs[i].CustomerSets()) {
			// The same answer for an internal field as for none, so that a
			// stranger learns nothing of the staff's fields.
			v.Add("custom."+clipRunes(k, 100), "known", "is not a field you may set")
			continue
		}
		if i < 0 {
			v.Add("custom."+k, "known", "is not one of the tenant's custom fields")
			continue
		}
		f := defs[i]
		if val == nil {
			if f.Required {
				v.Add("custom."+k, "required", "is required")
			}
			out[k] = nil
			continue
		}
		cv, ok := customValue(f, val)
		if !ok {
			v.Add("custom."+k, string(f.Type), "is not a valid %s value", f.Type)
			continue
		}
		out[k] = cv
	}
	if whole {
		for _, f := range defs {
			if _, ok := custom[f.Key]; f.Required && !ok && (!outsider || f.CustomerSets()) {
				v.Add("custom."+f.Key, "required", "is required")
			}
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// customValue checks one value against its field and canonicalises it.
func customValue(f CustomField, val any) (any, bool) {
	switch f.Type {
	case CustomText:
		s, ok := val.(string)
		return s, ok && len([]rune(s)) <= 10000
	case CustomSelect:
		s, ok := val.(string)
		return s, ok && slices.Contains(f.Options, s)
	case CustomBool:
		b, ok := val.(bool)
		return b, ok
	case CustomDate:
		s, ok := val.(string)
		if !ok {
			return nil, false
		}
		t, err := time.Parse(time.DateOnly, s)
		return t.Format(time.DateOnly), err == nil
	case CustomNumber:
		var n float64
		switch x := val.(type) {
		case float64:
			n = x
		case float32:
			n = float64(x)
		case int:
			n = float64(x)
		case int64:
			n = float64(x)
		case string: // as a form posts it
			p, err := strconv.ParseFloat(x, 64)
			if err != nil {
				return nil, false
			}
			n = p
		default:
			return nil, false
		}
		return n, !math.IsNaN(n) && !math.IsInf(n, 0)
	}
	return nil, false
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// customFilter turns a filter's custom values, written as text, into
// their fields' types.
func (c *cmd) customFilter(in map[string]string) (map[string]any, error) {
	defs, err := c.customFields() // a customer's filter names only fields they read
	if err != nil {
		return nil, err
	}
	var v validations
	out := make(map[string]any, len(in))
	for _, k := range slices.Sorted(maps.Keys(in)) {
		i := slices.IndexFunc(defs, func(f CustomField) bool { return f.Key == k })
		if i < 0 {
			v.Add("custom."+k, "known", "is not one of the tenant's custom fields")
			continue
		}
		var raw any = in[k]
		if defs[i].Type == CustomBool {
			b, err := strconv.ParseBool(in[k])
			if err != nil {
				v.Add("custom."+k, "bool", "is not true or false")
				continue
			}
			raw = b
		}
		val, ok := customValue(defs[i], raw)
		if !ok {
			v.Add("custom."+k, string(defs[i].Type), "is not a valid %s value", defs[i].Type)
			continue
		}
		out[k] = val
	}
	return out, v.Err()
}
