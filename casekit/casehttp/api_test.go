package casehttp_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	v3high "github.com/pb33f/libopenapi/datamodel/high/v3"

	"casekit.dev/casekit"
	"casekit.dev/casekit/casehttp"
	"casekit.dev/casekit/casekittest"
	"casekit.dev/storage/fsblob"
	"casekit.dev/storage/sqlite"
)

// The API's requests and responses are checked against its OpenAPI
// document with pb33f/libopenapi-validator: it reads OpenAPI 3.1 (JSON
// Schema 2020-12) whole, where kin-openapi supports 3.1 only in part.
var (
	specOnce      sync.Once
	specValidator validator.Validator
	specModel     *v3high.Document
	specErr       error
)

// spec returns the validator of the embedded document, built once.
func spec(t *testing.T) validator.Validator {
	t.Helper()
	specOnce.Do(func() {
		doc, err := libopenapi.NewDocument(casehttp.OpenAPIDocument)
		if err != nil {
			specErr = err
			return
		}
		model, err := doc.BuildV3Model()
		if err != nil {
			specErr = err
			return
		}
		specModel = &model.Model
		// The document's bearer scheme stands for the host's own sign-in;
		// the tests sign in with X-Tenant and X-Actor instead.
		v, errs := validator.NewValidator(doc, config.WithoutSecurityValidation())
		if len(errs) > 0 {
			specErr = errors.Join(errs...)
			return
		}
		if ok, verrs := v.ValidateDocument(); !ok {
			for _, e := range verrs {
				specErr = errors.Join(specErr, errors.New(e.Message+": "+e.Reason))
				for _, se := range e.SchemaValidationErrors {
					specErr = errors.Join(specErr, errors.New(se.Reason+" at "+se.FieldPath+" line "+strconv.Itoa(se.Line)))
				}
			}
			return
		}
		specValidator = v
	})
	if specErr != nil {
		t.Fatalf("the OpenAPI document: %v", specErr)
	}
	return specValidator
}

// apiKit is the fixture of one test function: a real SQLite kit with
// files, its API behind a test sign-in (X-Tenant, X-Actor headers), and
// a client that checks every response against the document.
type apiKit struct {
	t      *testing.T
	kit    *casekit.Kit
	tenant string
	api    *casehttp.API
	srv    *httptest.Server
	logs   *bytes.Buffer
}

func newAPIKit(t *testing.T, opts ...casekit.Option) *apiKit {
	t.Helper()
	store, err := sqlite.Open(":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	blobs, err := fsblob.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	kit, tenant := casekittest.NewKit(t, store, append([]casekit.Option{casekit.WithBlobStore(blobs)}, opts...)...)
	logs := &bytes.Buffer{}
	api, err := casehttp.NewAPI(casehttp.APIConfig{
		Kit:    kit,
		Logger: slog.New(slog.NewTextHandler(logs, nil)),
		Authenticate: func(r *http.Request) (string, casekit.Actor, error) {
			if r.Header.Get("X-Actor") == "unavailable" { // as a host whose key table cannot be read
				return "", casekit.Actor{}, fmt.Errorf("reading the keys: %w", casehttp.ErrAuthUnavailable)
			}
			a, err := casekit.ParseActor(r.Header.Get("X-Actor"))
			if err != nil || a.IsZero() {
				return "", casekit.Actor{}, errors.New("no actor")
			}
			return r.Header.Get("X-Tenant"), a, nil
		},
		MaxBodyBytes:   64 << 10,
		MaxUploadBytes: 1 << 20,
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/api/", http.StripPrefix("/api", api))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &apiKit{t: t, kit: kit, tenant: tenant, api: api, srv: srv, logs: logs}
}

// agent is the tenant's admin, casekittest.AgentID.
func (k *apiKit) agent() client { return client{k: k, actor: "agent:" + casekittest.AgentID} }

// as acts as another actor ("agent:u-2", "customer:c-1").
func (k *apiKit) as(actor string) client { return client{k: k, actor: actor} }

// client sends requests as one actor of the fixture's tenant.
type client struct {
	k      *apiKit
	actor  string
	tenant string
	header http.Header
}

// with adds a request header.
func (c client) with(k, v string) client {
	h := c.header.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Set(k, v)
	c.header = h
	return c
}

// res is a response, its body read.
type res struct {
	status int
	header http.Header
	body   []byte
}

// json decodes the body into v.
func (r res) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decoding %s: %v", r.body, err)
	}
}

// problemType is the problem's type, less the base URI.
func (r res) problemType() string {
	var p struct{ Type string }
	_ = json.Unmarshal(r.body, &p)
	return strings.TrimPrefix(p.Type, "https://casekit.dev/problems/")
}

// do sends a request (a string body as is, anything else as JSON) and
// checks the request and the response against the OpenAPI document, and
// that the two agree: a request the document refuses is refused, and one
// it accepts is not refused as malformed.
func (c client) do(method, path string, body any) res {
	c.k.t.Helper()
	var data []byte
	ct := "application/json"
	switch b := body.(type) {
	case nil:
		ct = ""
	case string:
		data = []byte(b)
	case multipartBody:
		data, ct = b.data, b.contentType
	default:
		j, err := json.Marshal(b)
		if err != nil {
			c.k.t.Fatal(err)
		}
		data = j
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, c.k.srv.URL+"/api"+path, rd)
	if err != nil {
		c.k.t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	for k, vs := range c.header {
		req.Header[k] = vs
	}
	if c.actor != "" {
		req.Header.Set("X-Actor", c.actor)
	}
	req.Header.Set("X-Tenant", cmp(c.tenant, c.k.tenant))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.k.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		c.k.t.Fatal(err)
	}
	out := res{status: resp.StatusCode, header: resp.Header, body: raw}
	// A path or method the document does not have has nothing in it to
	// check the request or the problem against.
	if typ := out.problemType(); typ != "no-route" && typ != "method-not-allowed" {
		c.k.checkRequest(req, data, out)
		c.k.checkSpec(req, resp, raw)
	}
	return out
}

// checkRequest validates a request sent with body against the document,
// as served without the mount prefix, and fails the test where the
// handler and the document disagree: a request the document refuses
// that the handler ran (a status under 400), or one the document accepts
// that the handler refused as malformed JSON (bad-json). Bodies over the
// limit, and what only casekit's rules refuse (422), the document cannot
// say.
func (k *apiKit) checkRequest(req *http.Request, body []byte, out res) {
	k.t.Helper()
	r2 := req.Clone(req.Context())
	r2.URL.Path = strings.TrimPrefix(r2.URL.Path, "/api")
	r2.Body = io.NopCloser(bytes.NewReader(body))
	ok, errs := spec(k.t).ValidateHttpRequest(r2)
	var msgs []string
	for _, e := range errs {
		msg := e.Message + ": " + e.Reason
		for _, se := range e.SchemaValidationErrors {
			msg += "; " + se.FieldPath + " " + se.Reason
		}
		msgs = append(msgs, msg)
	}
	switch {
	case !ok && out.status < 400:
		k.t.Errorf("%s %s → %d: the handler ran a request the OpenAPI document refuses:\n  %s\n  body: %.400s", req.Method, r2.URL.Path, out.status,
			strings.Join(msgs, "\n  "), body)
	case ok && out.problemType() == "bad-json":
		k.t.Errorf("%s %s → %d: the handler refused as malformed a request the OpenAPI document accepts\n  body: %.400s\n  answer: %.400s", req.Method, r2.URL.Path, out.status,
			body, out.body)
	}
}

func cmp(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// checkSpec validates one response against the document, as served
// without the mount prefix.
func (k *apiKit) checkSpec(req *http.Request, resp *http.Response, raw []byte) {
	k.t.Helper()
	v := spec(k.t)
	r2 := req.Clone(req.Context())
	r2.URL.Path = strings.TrimPrefix(r2.URL.Path, "/api")
	r2.Body = nil
	resp.Body = io.NopCloser(bytes.NewReader(raw))
	resp.Request = r2
	if ok, errs := v.ValidateHttpResponse(r2, resp); !ok {
		var msgs []string
		for _, e := range errs {
			msg := e.Message + ": " + e.Reason
			for _, se := range e.SchemaValidationErrors {
				msg += "; " + se.FieldPath + " " + se.Reason
			}
			msgs = append(msgs, msg)
		}
		k.t.Errorf("%s %s → %d does not fit the OpenAPI document:\n  %s\n  body: %.400s", req.Method, r2.URL.Path, resp.StatusCode,
			strings.Join(msgs, "\n  "), raw)
	}
}

// want fails the test unless the response has the status.
func (r res) want(t *testing.T, status int, what string) res {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: status %d, want %d: %.500s", what, r.status, status, r.body)
	}
	return r
}

// wantProblem fails the test unless the response is a problem of the
// status and type.
func (r res) wantProblem(t *testing.T, status int, typ, what string) res {
	t.Helper()
	if r.status != status || r.problemType() != typ || r.header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("%s: %d %s %q, want %d problem %q", what, r.status, r.header.Get("Content-Type"), r.problemType(), status, typ)
	}
	return r
}

// multipartBody is a body sent with its multipart Content-Type.
type multipartBody struct {
	data        []byte
	contentType string
}
