package casehttp_test

import (
	"bytes"
	"fmt"
	"maps"
	"mime/multipart"
	"slices"
	"strings"
	"testing"

	"casekit.dev/casekit"
)

// TestAPICommands runs the work, content, relation and configuration
// routes on one kit, each response checked against the document.
func TestAPICommands(t *testing.T) {
	k := newAPIKit(t)
	ag := k.agent()
	var a, b casekit.Case
	ag.do("POST", "/cases", map[string]any{"subject": "Broken screen", "customer_id": "c-1"}).want(t, 201, "open a").json(t, &a)
	ag.do("POST", "/cases", map[string]any{"subject": "Screen broken", "customer_id": "c-1"}).want(t, 201, "open b").json(t, &b)

	// Configuration: a team and a queue, then a case placed and picked.
	ag.do("PUT", "/config/teams/desk", map[string]any{"name": "Desk"}).want(t, 204, "save a team")
	ag.do("PUT", "/config/teams/desk", map[string]any{"id": "other", "name": "Desk"}).wantProblem(t, 422, "validation", "a body naming another key")
	ag.do("PUT", "/config/queues/front", map[string]any{"name": "Front", "team_id": "desk"}).want(t, 204, "save a queue")
	var teams []casekit.Team
	ag.do("GET", "/config/teams", nil).want(t, 200, "teams").json(t, &teams)
	if len(teams) != 1 || teams[0].ID != "desk" {
		t.Errorf("teams %+v", teams)
	}
	k.as("agent:u-2").do("PUT", "/config/teams/x", map[string]any{"name": "X"}).wantProblem(t, 403, "forbidden", "an agent configuring")
	for _, p := range []string{"/config/settings", "/config/statuses", "/config/lookups/priority", "/config/queues", "/config/calendars",
		"/config/slas", "/config/custom-fields", "/config/processes", "/config/roles", "/config/agent-roles", "/config/agent-roles/u-2",
		"/config/mail", "/config/templates", "/config/history", "/config/dead-letters", "/config/webhooks", "/permissions"} {
		ag.do("GET", p, nil).want(t, 200, p)
	}
	ag.do("PUT", "/config/lookups/priority/urgent", map[string]any{"label": "Urgent", "rank": 90}).want(t, 204, "save a lookup")
	ag.do("PUT", "/config/agent-roles/u-3", map[string]any{"role": "viewer"}).want(t, 204, "give a role")
	var role casekit.Role
	ag.do("GET", "/config/agent-roles/u-3", nil).json(t, &role)
	if role.Key != "viewer" {
		t.Errorf("u-3 holds %q", role.Key)
	}
	// Webhook subscriptions: the secret shown on creation and rotation
	// only, the log, and a private address refused.
	var hook casekit.Webhook
	ag.do("PUT", "/config/webhooks/crm", map[string]any{"url": "https://hooks.example.com/crm", "events": []string{"case.closed"}}).
		want(t, 201, "subscribe").json(t, &hook)
	if hook.Key != "crm" || hook.Secret == "" || hook.Enabled {
		t.Errorf("new subscription %+v", hook)
	}
	var changed casekit.Webhook
	ag.do("PUT", "/config/webhooks/crm", map[string]any{"url": "https://hooks.example.com/crm2"}).want(t, 200, "change a subscription").json(t, &changed)
	if changed.Secret != "" || changed.URL != "https://hooks.example.com/crm2" || len(changed.Events) > 0 {
		t.Errorf("changed subscription %+v", changed)
	}
	ag.do("PUT", "/config/webhooks/x", map[string]any{"url": "http://127.0.0.1/in"}).wantProblem(t, 422, "validation", "a loopback URL")
	ag.do("PUT", "/config/webhooks/x", map[string]any{"key": "y", "url": "https://hooks.example.com/x"}).wantProblem(t, 422, "validation", "a body naming another key")
	var rotated struct{ Secret string }
	ag.do("POST", "/config/webhooks/crm/secret", nil).want(t, 200, "rotate").json(t, &rotated)
	if rotated.Secret == "" {
		t.Error("rotation gave no secret")
	}
	ag.do("GET", "/config/webhooks/crm/log", nil).want(t, 200, "the log")
	ag.do("GET", "/config/webhooks/nope/log", nil).wantProblem(t, 404, "not-found", "the log of no subscription")
	k.as("agent:u-2").do("GET", "/config/webhooks", nil).wantProblem(t, 403, "forbidden", "an agent reading webhooks")
	ag.do("DELETE", "/config/webhooks/crm", nil).want(t, 204, "unsubscribe")

	ag.do("PUT", "/config/processes/onboard", map[string]any{"label": "Onboarding", "stages": []map[string]any{
		{"key": "collect", "label": "Collect", "required": []string{"description"}}, {"key": "done", "label": "Done"}}}).want(t, 204, "save a process")
	ag.do("PUT", "/config/processes/onboard", map[string]any{"label": "Onboarding", "stages": []map[string]any{{"key": "done", "label": "Done",
		"on_enter": []map[string]any{{"kind": "notify", "to": "team", "template": "message/custom.none"}}}}}).wantProblem(t, 422, "validation", "a stage naming no template")
	ag.do("PUT", "/config/processes/onboard", map[string]any{"label": "Onboarding", "stages": []map[string]any{
		{"key": "collect", "label": "Collect", "required": []string{"description"}},
		{"key": "done", "label": "Done", "on_enter": []map[string]any{{"kind": "add_activity", "value": "Wrap up", "due_hours": 2}}}}}).want(t, 204, "save a process that acts")

	ag.do("POST", "/cases/"+a.ID+"/assignment", map[string]any{"queue": "front"}).want(t, 200, "assign to a queue")
	ag.do("POST", "/queues/front/pick", nil).want(t, 200, "pick from the queue")
	ag.do("POST", "/queues/front/pick", nil).wantProblem(t, 404, "not-found", "an empty queue")
	ag.do("POST", "/cases/"+b.ID+"/pick", nil).want(t, 200, "pick a case")
	ag.do("POST", "/cases/"+a.ID+"/reclassify", map[string]any{"category": "hardware", "reason": "It is"}).want(t, 200, "reclassify")
	ag.do("POST", "/cases/"+a.ID+"/escalate", map[string]any{"level": 2, "agent": "u-9"}).want(t, 200, "escalate")
	var tagged casekit.Case
	ag.do("POST", "/cases/"+a.ID+"/tags", map[string]any{"tags": []string{"vip", "screen"}}).want(t, 200, "tag").json(t, &tagged)
	ag.do("DELETE", "/cases/"+a.ID+"/tags/vip", nil).want(t, 200, "untag").json(t, &tagged)
	if strings.Join(tagged.Tags, ",") != "screen" {
		t.Errorf("tags %v", tagged.Tags)
	}

	// Activities: one open refuses resolving, then it is completed.
	var act casekit.Activity
	ag.do("POST", "/cases/"+a.ID+"/activities", map[string]any{"kind": "call", "subject": "Call back"}).want(t, 201, "add an activity").json(t, &act)
	ag.do("PATCH", "/activities/"+act.ID, map[string]any{"description": "Before noon"}).want(t, 200, "update an activity")
	r := ag.do("POST", "/cases/"+a.ID+"/resolve", map[string]any{}).wantProblem(t, 409, "open-activities", "resolve with an open activity")
	if !strings.Contains(string(r.body), act.ID) {
		t.Errorf("the problem names no activity: %s", r.body)
	}
	ag.do("POST", "/activities/"+act.ID+"/complete", map[string]any{"result": "Reached"}).want(t, 200, "complete")
	var act2 casekit.Activity
	ag.do("POST", "/cases/"+a.ID+"/activities", map[string]any{"kind": "task", "subject": "Order part"}).json(t, &act2)
	ag.do("POST", "/activities/"+act2.ID+"/cancel", map[string]any{"reason": "Not needed"}).want(t, 200, "cancel an activity")
	ag.do("GET", "/cases/"+a.ID+"/activities", nil).want(t, 200, "activities")

	// Files: an upload attached to a note, downloaded; a refused type.
	up := multipartFiles(t, map[string]string{"photo.png": "\x89PNG\r\n\x1a\n" + strings.Repeat("\x00", 64)})
	var ups struct{ Uploads []casekit.NewAttachment }
	ag.do("POST", "/cases/"+a.ID+"/attachments", up).want(t, 201, "upload").json(t, &ups)
	var note casekit.Note
	ag.do("POST", "/cases/"+a.ID+"/notes", map[string]any{"subject": "general", "body": "Photo", "attachments": []map[string]any{{"key": ups.Uploads[0].Key}}}).
		want(t, 201, "a note with the file").json(t, &note)
	got := ag.do("GET", "/cases/"+a.ID+"/attachments/"+note.Attachments[0].ID, nil).want(t, 200, "download")
	if !bytes.HasPrefix(got.body, []byte("\x89PNG")) || !strings.HasPrefix(got.header.Get("Content-Disposition"), "attachment") {
		t.Errorf("download: %q %v", got.body[:8], got.header)
	}
	ag.do("POST", "/cases/"+a.ID+"/attachments", multipartFiles(t, map[string]string{"x.html": "<html><script>1</script></html>"})).
		wantProblem(t, 422, "validation", "a refused type")
	ag.do("POST", "/cases/"+a.ID+"/attachments", `not multipart`).wantProblem(t, 413, "bad-upload", "a body that is not multipart")
	ag.do("POST", "/cases/"+a.ID+"/attachments/discard", map[string]any{"uploads": []any{}}).want(t, 200, "discard none")
	ag.do("POST", "/cases/"+a.ID+"/messages", map[string]any{"body": "We are on it", "internal": true}).want(t, 201, "post a message")
	ag.do("GET", "/cases/"+a.ID+"/messages", nil).want(t, 200, "messages")
	ag.do("GET", "/cases/"+a.ID+"/notes", nil).want(t, 200, "notes")
	ag.do("GET", "/cases/"+a.ID+"/reply-address", nil).want(t, 200, "reply address")
	ag.do("POST", "/cases/"+a.ID+"/reply-tokens/revoke", nil).want(t, 200, "revoke reply tokens")

	// Watchers, links, processes and portal links.
	var w casekit.Watcher
	ag.do("POST", "/cases/"+a.ID+"/watchers", map[string]any{"email": "boss@example.com"}).want(t, 201, "watch").json(t, &w)
	ag.do("POST", "/cases/"+a.ID+"/watchers", map[string]any{"email": "boss@example.com"}).wantProblem(t, 409, "conflict", "the same watcher again")
	ag.do("GET", "/cases/"+a.ID+"/watchers", nil).want(t, 200, "watchers")
	ag.do("DELETE", "/cases/"+a.ID+"/watchers/"+w.ID, nil).want(t, 204, "unwatch")
	var l casekit.CaseLink
	ag.do("POST", "/cases/"+a.ID+"/links", map[string]any{"kind": "related", "from_id": a.ID, "to_id": b.ID}).want(t, 201, "link").json(t, &l)
	ag.do("POST", "/cases/"+a.ID+"/links", map[string]any{"kind": "related", "from_id": b.ID, "to_id": "x"}).wantProblem(t, 422, "validation", "a link not of this case")
	ag.do("GET", "/cases/"+a.ID+"/links", nil).want(t, 200, "links")
	ag.do("DELETE", "/cases/"+a.ID+"/links/"+l.ID, nil).want(t, 204, "unlink")
	ag.do("POST", "/cases/"+a.ID+"/process", map[string]any{"process": "onboard"}).want(t, 200, "start a process")
	ag.do("POST", "/cases/"+a.ID+"/process/next", nil).wantProblem(t, 422, "validation", "a stage with a field missing")
	ag.do("PATCH", "/cases/"+a.ID, map[string]any{"description": "Cracked"}).want(t, 200, "fill it")
	ag.do("POST", "/cases/"+a.ID+"/process/next", nil).want(t, 200, "next stage")
	var acts []casekit.Activity
	ag.do("GET", "/cases/"+a.ID+"/activities", nil).want(t, 200, "activities").json(t, &acts)
	if last := acts[len(acts)-1]; last.Subject != "Wrap up" || last.Due == nil {
		t.Errorf("the stage's activity: %+v", last)
	}
	ag.do("POST", "/cases/"+a.ID+"/process/previous", nil).want(t, 200, "previous stage")
	ag.do("DELETE", "/cases/"+a.ID+"/process", nil).want(t, 200, "stop the process")
	var pl struct {
		Token string
		Link  casekit.PortalLink
	}
	ag.do("POST", "/cases/"+a.ID+"/portal-links", map[string]any{"ttl_seconds": 3600}).want(t, 201, "a portal link").json(t, &pl)
	if len(pl.Token) < 40 {
		t.Errorf("portal link token %q", pl.Token)
	}
	ag.do("GET", "/cases/"+a.ID+"/portal-links", nil).want(t, 200, "portal links")
	ag.do("DELETE", "/cases/"+a.ID+"/portal-links/"+pl.Link.ID, nil).want(t, 204, "revoke")
	ag.do("POST", "/cases/"+a.ID+"/portal-links/mail", map[string]any{}).wantProblem(t, 501, "not-configured", "mail with no notifier")

	// Merge b into a; b closes, pointing at a.
	ag.do("POST", "/cases/"+b.ID+"/merge", map[string]any{"target_id": a.ID, "note": "Same screen"}).want(t, 200, "merge")
	var merged casekit.Case
	ag.do("GET", "/cases/"+b.ID, nil).json(t, &merged)
	if merged.MergedIntoID != a.ID {
		t.Errorf("merged case %+v", merged)
	}
	ag.do("DELETE", "/config/queues/front", nil).wantProblem(t, 409, "conflict", "delete a queue an active case is in")
	ag.do("PUT", "/config/queues/spare", map[string]any{"name": "Spare"}).want(t, 204, "save another queue")
	ag.do("DELETE", "/config/queues/spare", nil).want(t, 204, "delete it")
	if strings.Contains(k.logs.String(), "level=ERROR") {
		t.Errorf("errors logged: %s", k.logs)
	}
}

// multipartFiles is a multipart body with one "file" part per name, in
// the names' order.
func multipartFiles(t *testing.T, files map[string]string) multipartBody {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, name := range slices.Sorted(maps.Keys(files)) {
		data := files[name]
		fw, err := mw.CreateFormFile("file", name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write([]byte(data))
	}
	mw.Close()
	return multipartBody{data: buf.Bytes(), contentType: mw.FormDataContentType()}
}

// A refused upload leaves no file behind: one over the upload limit, one
// with more files than MaxSubmittedFiles, and one whose second file is of
// a refused type after its first was stored.
func TestAPIRefusedUploadsLeaveNothing(t *testing.T) {
	k := newAPIKit(t)
	ag := k.agent()
	var a casekit.Case
	ag.do("POST", "/cases", map[string]any{"subject": "Files", "customer_id": "c-1"}).want(t, 201, "open").json(t, &a)
	png := "\x89PNG\r\n\x1a\n" + strings.Repeat("\x00", 64)
	many := map[string]string{}
	for i := range casekit.MaxSubmittedFiles + 1 {
		many[fmt.Sprintf("p%02d.png", i)] = png
	}
	for _, tc := range []struct {
		what   string
		body   multipartBody
		status int
		kind   string
	}{
		{"over the upload limit", multipartFiles(t, map[string]string{"big.png": png + strings.Repeat("\x00", 1<<20)}), 413, "bad-upload"},
		{"too many files", multipartFiles(t, many), 422, "validation"},
		{"a refused file after a stored one", multipartFiles(t, map[string]string{"a.png": png, "b.html": "<html><script>1</script></html>"}), 422, "validation"},
	} {
		ag.do("POST", "/cases/"+a.ID+"/attachments", tc.body).wantProblem(t, tc.status, tc.kind, tc.what)
		n := 0
		err := k.kit.BlobStore().(casekit.BlobLister).ListBlobs(t.Context(), k.tenant, func(casekit.BlobInfo) error { n++; return nil })
		if err != nil || n != 0 {
			t.Errorf("%s: %d blobs left (%v), want none", tc.what, n, err)
		}
	}
}
