package casehttp_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestAPIRoutesMatchTheDocument checks the document both ways: every
// route the API serves is documented, and every documented route is
// served (a request to it does not fall through to 404 no-route or 405).
func TestAPIRoutesMatchTheDocument(t *testing.T) {
	k := newAPIKit(t)
	spec(t)
	var documented []string
	for path, item := range specModel.Paths.PathItems.FromOldest() {
		for method := range item.GetOperations().FromOldest() {
			documented = append(documented, strings.ToUpper(method)+" "+path)
		}
	}
	served := k.api.Routes()
	slices.Sort(documented)
	slices.Sort(served)
	for _, r := range served {
		if !slices.Contains(documented, r) {
			t.Errorf("%s is served but not in openapi.yaml", r)
		}
	}
	for _, r := range documented {
		if !slices.Contains(served, r) {
			t.Errorf("%s is in openapi.yaml but not served", r)
		}
		method, path, _ := strings.Cut(r, " ")
		path = strings.NewReplacer("{number}", "1", "{kind}", "priority").Replace(path)
		for strings.Contains(path, "{") {
			i, j := strings.Index(path, "{"), strings.Index(path, "}")
			path = path[:i] + "x" + path[j+1:]
		}
		got := k.agent().do(method, path, nil)
		if typ := got.problemType(); typ == "no-route" || typ == "method-not-allowed" {
			t.Errorf("%s: the handler answers %d %s", r, got.status, typ)
		}
	}
	if len(served) < 10 {
		t.Errorf("only %d routes served", len(served))
	}
	doc := k.agent().do("GET", "/openapi.yaml", nil).want(t, http.StatusOK, "the document")
	if !strings.HasPrefix(string(doc.body), "openapi: 3.1") {
		t.Errorf("GET /openapi.yaml: %.100s", doc.body)
	}
}
