package casehttp

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"casekit.dev/casekit"
)

// APIConfig configures an API.
type APIConfig struct {
	// Kit is the casekit the API serves.
	Kit *casekit.Kit
	// Authenticate says who sends the request: the tenant and the actor
	// the commands run as. The host checks its own credentials here (an
	// API key, a session, a verified token). An error that matches
	// casekit.ErrForbidden is answered 403, one that matches
	// casekit.ErrTenantNotFound 404, one that matches ErrAuthUnavailable
	// 503, any other 401; the error's text is never sent.
	Authenticate func(*http.Request) (tenant string, actor casekit.Actor, err error)
	// Logger logs the failures a client sees only as a 500; slog.Default()
	// when nil.
	Logger *slog.Logger
	// MaxBodyBytes bounds a JSON request body; 1 MiB when zero.
	MaxBodyBytes int64
	// MaxUploadBytes bounds an upload's whole multipart body; 25 MiB when
	// zero. Each file is also held to the tenant's
	// Settings.MaxAttachmentBytes and AttachmentTypes.
	MaxUploadBytes int64
	// IdempotencyTTL is how long a POST's Idempotency-Key and its
	// response are kept; 24 hours when zero.
	IdempotencyTTL time.Duration
}

// ErrAuthUnavailable is what APIConfig.Authenticate wraps when it could
// not check the credentials at all (its key table could not be read): the
// request is answered 503 with Retry-After and runs nothing, where a 401
// would tell a client with a good key that its key is bad. The host logs
// the cause; the API sends none of it.
var ErrAuthUnavailable = errors.New("casehttp: the credentials cannot be checked now")

// API serves every Desk and Config command as JSON over REST: an
// http.Handler for a host's own front end or integrations. The routes
// and their bodies are described by the OpenAPI 3.1 document it serves
// at /openapi.yaml (OpenAPIDocument), whose JSON field names are those of
// casekit's types.
//
// Conventions: errors are RFC 9457 problem details
// (application/problem+json), a *casekit.ValidationError a 422 listing
// its fields; a single case carries its Version as its ETag, and
// If-Match on PATCH /cases/{id} makes a stale write a 412; a POST with an
// Idempotency-Key runs its command once, a retry gets the first response
// again; GET /cases pages by keyset with a Link rel="next" header.
//
// Mount it under a prefix with http.StripPrefix; the Location and Link
// headers it sets keep the prefix.
type API struct {
	cfg    APIConfig
	mux    *http.ServeMux
	routes []apiRoute
}

// apiRoute is one route the API serves, as its OpenAPI document names
// it.
type apiRoute struct {
	method, path string
	// upload routes take a multipart body bounded by MaxUploadBytes.
	upload bool
	run    func(c *call) error
}

// call is one request on its way through a route: the desk of the
// authenticated actor, and the response.
type call struct {
	api  *API
	w    http.ResponseWriter
	r    *http.Request
	desk *casekit.Desk
	// ifMatch is the version If-Match named, 0 for none or "*".
	ifMatch int64
}

// OpenAPIDocument is the API's OpenAPI 3.1 description, in YAML.
//
//go:embed openapi.yaml
var OpenAPIDocument []byte

// NewAPI returns the API for cfg.
func NewAPI(cfg APIConfig) (*API, error) {
	switch {
	case cfg.Kit == nil:
		return nil, errors.New("casehttp: APIConfig.Kit is required")
	case cfg.Authenticate == nil:
		return nil, errors.New("casehttp: APIConfig.Authenticate is required")
	}
	cfg.Logger, cfg.MaxBodyBytes, cfg.MaxUploadBytes = withDefaults(cfg.Logger, cfg.MaxBodyBytes, cfg.MaxUploadBytes)
	if cfg.IdempotencyTTL <= 0 {
		cfg.IdempotencyTTL = 24 * time.Hour
	}
	a := &API{cfg: cfg, mux: http.NewServeMux()}
	a.mux.HandleFunc("GET /openapi.yaml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/yaml")
		_, _ = w.Write(OpenAPIDocument)
	})
	for _, group := range [][]apiRoute{caseRoutes, lifecycleRoutes, workRoutes, activityRoutes, contentRoutes,
		relationRoutes, configRoutes, autoAssignRoutes} {
		for _, rt := range group {
			a.routes = append(a.routes, rt)
			a.mux.Handle(rt.method+" "+rt.path, a.serve(rt))
		}
	}
	return a, nil
}

// Routes lists the method and path pattern of every route, as the
// OpenAPI document names them ("GET /cases/{id}"), the document's own
// (GET /openapi.yaml, served to anyone) first.
func (a *API) Routes() []string {
	out := []string{"GET /openapi.yaml"}
	for _, rt := range a.routes {
		out = append(out, rt.method+" "+rt.path)
	}
	return out
}

// ServeHTTP answers one request. An unknown path is a 404 problem and a
// known path with another method a 405 problem with Allow, as the
// ServeMux decides them.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	if _, pattern := a.mux.Handler(r); pattern == "" {
		rec := &statusRecorder{header: http.Header{}}
		a.mux.ServeHTTP(rec, r)
		if allow := rec.header.Get("Allow"); allow != "" {
			h.Set("Allow", allow)
		}
		if rec.status == http.StatusMethodNotAllowed {
			writeProblem(w, problem{Status: rec.status, Type: "method-not-allowed", Title: "Method not allowed",
				Detail: r.Method + " is not served on this path; see Allow."})
			return
		}
		writeProblem(w, problem{Status: http.StatusNotFound, Type: "no-route", Title: "No such route",
			Detail: "No route serves " + clip(r.URL.Path) + "; see /openapi.yaml."})
		return
	}
	a.mux.ServeHTTP(w, r)
}

// statusRecorder keeps what the ServeMux answers a request it has no
// route for, so that it can be said as a problem instead.
type statusRecorder struct {
	header http.Header
	status int
}

func (s *statusRecorder) Header() http.Header         { return s.header }
func (s *statusRecorder) Write(b []byte) (int, error) { return len(b), nil }
func (s *statusRecorder) WriteHeader(status int)      { s.status = status }

// serve authenticates the request, runs the route (once per
// Idempotency-Key) and turns its error into a problem response.
func (a *API) serve(rt apiRoute) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tenant, actor, err := a.cfg.Authenticate(r)
		switch {
		case errors.Is(err, casekit.ErrForbidden):
			a.fail(w, r, err)
			return
		case errors.Is(err, ErrAuthUnavailable):
			w.Header().Set("Retry-After", "1")
			writeProblem(w, problem{Status: http.StatusServiceUnavailable, Type: "auth-unavailable", Title: "Service unavailable",
				Detail: "The credentials cannot be checked now; retry later."})
			return
		case errors.Is(err, casekit.ErrTenantNotFound) || err == nil && casekit.ValidateTenantID(tenant) != nil:
			writeProblem(w, problem{Status: http.StatusNotFound, Type: "tenant-not-found", Title: "No such tenant"})
			return
		case err != nil || actor.IsZero():
			w.Header().Set("WWW-Authenticate", `Bearer realm="casekit"`)
			writeProblem(w, problem{Status: http.StatusUnauthorized, Type: "unauthenticated", Title: "Not authenticated",
				Detail: "The request's credentials are missing or not valid."})
			return
		}
		limit := a.cfg.MaxBodyBytes
		if rt.upload {
			limit = a.cfg.MaxUploadBytes
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		c := &call{api: a, w: w, r: r, desk: a.cfg.Kit.Desk(tenant).As(actor)}
		if v := r.Header.Get("If-Match"); v != "" {
			if c.ifMatch, err = parseIfMatch(v); err != nil {
				a.fail(w, r, err)
				return
			}
		}
		if r.Method == http.MethodPost && r.Header.Get("Idempotency-Key") != "" {
			a.once(c, rt)
			return
		}
		if err := rt.run(c); err != nil {
			a.fail(w, r, err)
		}
	})
}

// badRequest is an error the client made in the request itself (its
// JSON, a header, a query parameter), answered 400 unless status says
// otherwise. A field the body may not have, or has with the wrong type,
// is named in the problem's errors as a 422 names its fields.
type badRequest struct {
	status int
	kind   string
	msg    string
	field  *fieldProblem
}

func (e *badRequest) Error() string { return e.msg }

// parseIfMatch reads an If-Match of one strong entity tag, a case
// version ("3"), or "*".
func parseIfMatch(v string) (int64, error) {
	v = strings.TrimSpace(v)
	if v == "*" {
		return 0, nil
	}
	n, err := strconv.ParseInt(strings.Trim(v, `"`), 10, 64)
	if err != nil || n < 1 || len(v) < 3 || v[0] != '"' || v[len(v)-1] != '"' {
		return 0, &badRequest{kind: "bad-if-match", msg: "If-Match must be one entity tag this API gave, such as \"3\"."}
	}
	return n, nil
}

// unknownFieldPrefix starts the error encoding/json gives for a field
// DisallowUnknownFields refuses.
const unknownFieldPrefix = "json: unknown field "

// decode reads the body, one JSON object, into v: unknown fields,
// wrong types, trailing data and a body over the limit are refused.
func (c *call) decode(v any) error {
	dec := json.NewDecoder(c.r.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.Decode(&struct{}{}) != io.EOF {
		err = errors.New("unexpected data after the JSON object")
	}
	var (
		tooBig  *http.MaxBytesError
		typeErr *json.UnmarshalTypeError
	)
	switch {
	case err == nil:
		return nil
	case errors.As(err, &tooBig):
		return &badRequest{status: http.StatusRequestEntityTooLarge, kind: "too-large",
			msg: fmt.Sprintf("The body is over %d bytes.", tooBig.Limit)}
	case errors.Is(err, io.EOF):
		return &badRequest{kind: "bad-json", msg: "The body is empty; this route takes a JSON object."}
	case errors.As(err, &typeErr):
		msg := fmt.Sprintf("a JSON %s cannot be a %s", typeErr.Value, typeErr.Type)
		if typeErr.Field == "" {
			return &badRequest{kind: "bad-json", msg: "The body: " + msg + "."}
		}
		return &badRequest{kind: "bad-json", msg: fmt.Sprintf("Field %q: %s.", typeErr.Field, msg),
			field: &fieldProblem{Field: typeErr.Field, Rule: "type", Message: msg}}
	case strings.HasPrefix(err.Error(), unknownFieldPrefix):
		// encoding/json has no error type for it; its text is stable.
		name := strings.TrimPrefix(err.Error(), unknownFieldPrefix)
		if s, uerr := strconv.Unquote(name); uerr == nil {
			name = s
		}
		name = clip(name)
		return &badRequest{kind: "bad-json", msg: fmt.Sprintf("Field %q is not one of this route's fields.", name),
			field: &fieldProblem{Field: name, Rule: "unknown", Message: "is not one of this route's fields"}}
	default:
		return &badRequest{kind: "bad-json", msg: "The body is not one JSON object of this route's fields: " + clip(err.Error())}
	}
}

// reply sends v as JSON with status.
func (c *call) reply(status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	c.w.Header().Set("Content-Type", "application/json")
	c.w.WriteHeader(status)
	// Two writes into the response's buffer rather than append(b, '\n'),
	// which copies the whole body to a new array (Marshal's is full).
	_, _ = c.w.Write(b)
	_, _ = c.w.Write(newline)
	return nil
}

var newline = []byte{'\n'}

// replyCase sends a case with its version as the ETag.
func (c *call) replyCase(status int, cs *casekit.Case) error {
	c.w.Header().Set("ETag", `"`+strconv.FormatInt(cs.Version, 10)+`"`)
	return c.reply(status, cs)
}

// noContent answers 204.
func (c *call) noContent() error {
	c.w.WriteHeader(http.StatusNoContent)
	return nil
}

// path gives a path parameter.
func (c *call) path(name string) string { return c.r.PathValue(name) }

// base is the prefix the API is mounted at: what http.StripPrefix took
// from the path the client asked for.
func (c *call) base() string {
	u, err := url.ParseRequestURI(c.r.RequestURI)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(u.Path, c.r.URL.Path)
}

// noIfMatch refuses If-Match on a route that cannot honor it, rather
// than run a command its sender wanted held to a version.
func (c *call) noIfMatch() error {
	if c.r.Header.Get("If-Match") != "" {
		return &badRequest{kind: "bad-if-match", msg: "If-Match is honored on PATCH /cases/{id} only."}
	}
	return nil
}

// orEmpty gives an empty list for none, so that a list is [] in JSON,
// never null.
func orEmpty[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}

// caseCmd is a route that runs a Desk command taking the case in the
// path and a JSON body, and answers the case it returns.
func caseCmd[T any](run func(d *casekit.Desk, ctx context.Context, id string, in T) (*casekit.Case, error)) func(c *call) error {
	return bodyCmd(run, func(c *call, cs *casekit.Case) error { return c.replyCase(http.StatusOK, cs) })
}

// caseAction is a route that runs a Desk command taking only the case in
// the path, and answers the case it returns.
func caseAction(run func(d *casekit.Desk, ctx context.Context, id string) (*casekit.Case, error)) func(c *call) error {
	return func(c *call) error {
		if err := c.noIfMatch(); err != nil {
			return err
		}
		cs, err := run(c.desk, c.r.Context(), c.path("id"))
		if err != nil {
			return err
		}
		return c.replyCase(http.StatusOK, cs)
	}
}

// caseList is a route that answers a list read about the case in the
// path.
func caseList[T any](read func(d *casekit.Desk, ctx context.Context, id string) ([]T, error)) func(c *call) error {
	return func(c *call) error {
		xs, err := read(c.desk, c.r.Context(), c.path("id"))
		if err != nil {
			return err
		}
		return c.reply(http.StatusOK, orEmpty(xs))
	}
}

// created is a route that runs a Desk command adding a record to the
// case in the path from a JSON body, and answers 201 with the record.
func created[T, R any](run func(d *casekit.Desk, ctx context.Context, id string, in T) (R, error)) func(c *call) error {
	return recordCmd(http.StatusCreated, run)
}

// command is a route that runs a Desk command on the record in the path
// with a JSON body, and answers 200 with the record it returns.
func command[T, R any](run func(d *casekit.Desk, ctx context.Context, id string, in T) (R, error)) func(c *call) error {
	return recordCmd(http.StatusOK, run)
}

// recordCmd is created and command: a body command answering status
// with the record it returns.
func recordCmd[T, R any](status int, run func(d *casekit.Desk, ctx context.Context, id string, in T) (R, error)) func(c *call) error {
	return bodyCmd(run, func(c *call, out R) error { return c.reply(status, out) })
}

// bodyCmd runs a Desk command on the record in the path with the JSON
// body decoded into T, refusing If-Match (only a case edit has a version
// to check), and answers what the command returns.
func bodyCmd[T, R any](run func(d *casekit.Desk, ctx context.Context, id string, in T) (R, error), answer func(*call, R) error) func(c *call) error {
	return func(c *call) error {
		if err := c.noIfMatch(); err != nil {
			return err
		}
		var in T
		if err := c.decode(&in); err != nil {
			return err
		}
		out, err := run(c.desk, c.r.Context(), c.path("id"), in)
		if err != nil {
			return err
		}
		return answer(c, out)
	}
}
