package casekit

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// maxDiscard is how many uploads one DiscardUploads call takes: more
// than a comment carries, few enough to ask the store about at once.
const maxDiscard = 100

// DiscardUploads deletes files Upload stored for a case that no message
// or note attaches: a host calls it when the comment it uploaded them for
// is refused, so that a refused post leaves no file behind instead of
// waiting for Kit.SweepBlobs. Only keys Upload makes for this case are
// touched, never an attached one; a customer discards on their own cases
// only. More than 100 uploads at once is a ValidationError on "uploads".
// A file the blob store fails to delete is left for Kit.SweepBlobs.
func (d *Desk) DiscardUploads(ctx context.Context, caseID string, uploads []NewAttachment) error {
	if len(uploads) > maxDiscard {
		return fmt.Errorf("casekit: discard uploads: %w", invalid("uploads", "max", "at most %d at once", maxDiscard))
	}
	if d.kit.blobs == nil || len(uploads) == 0 {
		return nil
	}
	var drop []string
	err := d.run(ctx, "discard uploads", customerToo, func(c *cmd) error {
		cs, err := c.load(caseID, false)
		if err != nil {
			return err
		}
		var keys []string
		for _, a := range uploads {
			if strings.HasPrefix(a.Key, cs.ID+"/") {
				keys = append(keys, a.Key)
			}
		}
		if len(keys) == 0 {
			return nil
		}
		attached, err := c.tx.AttachedKeys(c.ctx, keys)
		for _, key := range keys {
			if !slices.Contains(attached, key) {
				drop = append(drop, key, key+recordSuffix) // the file and its upload record
			}
		}
		return err
	})
	if err != nil {
		return err
	}
	d.dropBlobs(ctx, drop)
	return nil
}
