package casehttp

import (
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"

	"casekit.dev/casekit"
)

// WebFormConfig configures a WebForm.
type WebFormConfig struct {
	// Kit is the casekit the form feeds.
	Kit *casekit.Kit
	// Tenant gives the tenant a post is for, e.g. from the path or host;
	// "" answers 404.
	Tenant func(r *http.Request) string
	// RemoteAddr gives the sender's address for the rate limit; the
	// request's RemoteAddr without its port when nil (behind a proxy,
	// read the proxy's header here).
	RemoteAddr func(r *http.Request) string
	// Queue, when set, gives the queue a post's case waits in (for
	// example the tenant's web queue); the form itself never chooses it.
	Queue func(r *http.Request) string
	// Done is where a browser goes after a post, with ?case=<number>
	// added when a case was opened.
	Done string
	// Verified, when set, says whether the host vouches for a post's
	// email field (the visitor is signed in with that address): the
	// address then becomes the case's contact identity
	// (casekit.Submission.Verified). A typed address alone is not one.
	Verified func(r *http.Request, email string) bool
	// MaxBytes bounds a multipart post, files included; 25 MiB when
	// zero. Each file is also held to the tenant's
	// Settings.MaxAttachmentBytes, at most casekit.MaxSubmittedFiles.
	MaxBytes int64
	// MaxBodyBytes bounds a post without files (urlencoded); 1 MiB when
	// zero. Each field is held to its own bound besides (the case's
	// fields to NewCase's, custom text fields to 10,000 characters).
	MaxBodyBytes int64
	// Logger logs failures; slog.Default() when nil.
	Logger *slog.Logger
}

// WebForm is the http.Handler behind a public web form: a POST
// (urlencoded or multipart) becomes casekit.Desk.Intake's Submission.
// The form's fields are its fields; "idempotency_key" (a random value
// the form page puts in a hidden field) or the Idempotency-Key header
// names it; files come from any file field. A browser is sent to Done
// (junk too, without a case number); bad input is answered 422 with the
// field errors as JSON, {"fields":[{"field":...,"message":...}]}, and an
// address past its rate limit 429 with Retry-After. A field the tenant
// has not opened to the form (casekit.AudienceForm) is bad input: only
// a forged post sends one.
// It takes posts from any origin: it is a public form, guarded by the
// honeypot, the rate limit and the junk screen rather than by a session.
type WebForm struct{ cfg WebFormConfig }

// NewWebForm returns the form handler for cfg.
func NewWebForm(cfg WebFormConfig) (*WebForm, error) {
	if cfg.Kit == nil || cfg.Tenant == nil || cfg.Done == "" {
		return nil, errors.New("casehttp: WebFormConfig needs Kit, Tenant and Done")
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = 25 << 20
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &WebForm{cfg: cfg}, nil
}

// ServeHTTP takes one submission.
func (f *WebForm) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "post the form", http.StatusMethodNotAllowed)
		return
	}
	tenant := f.cfg.Tenant(r)
	if tenant == "" {
		http.NotFound(w, r)
		return
	}
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		r.Body = http.MaxBytesReader(w, r.Body, f.cfg.MaxBytes)
		err = r.ParseMultipartForm(multipartMemory)
	} else {
		r.Body = http.MaxBytesReader(w, r.Body, f.cfg.MaxBodyBytes)
		err = r.ParseForm()
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "the form is too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "the form could not be read", http.StatusBadRequest)
		return
	}
	s := casekit.Submission{IdempotencyKey: r.PostForm.Get("idempotency_key"), Fields: map[string]string{}}
	if f.cfg.Queue != nil {
		s.QueueID = f.cfg.Queue(r)
	}
	if s.IdempotencyKey == "" {
		s.IdempotencyKey = r.Header.Get("Idempotency-Key")
	}
	for k := range r.PostForm {
		if k != "idempotency_key" {
			s.Fields[k] = r.PostForm.Get(k)
		}
	}
	if f.cfg.Verified != nil && s.Fields["email"] != "" {
		s.Verified = f.cfg.Verified(r, s.Fields["email"])
	}
	if f.cfg.RemoteAddr != nil {
		s.RemoteAddr = f.cfg.RemoteAddr(r)
	} else if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		s.RemoteAddr = host
	}
	if r.MultipartForm != nil {
		for _, fhs := range r.MultipartForm.File {
			for _, fh := range fhs {
				file, err := fh.Open()
				if err != nil {
					http.Error(w, "a file could not be read", http.StatusBadRequest)
					return
				}
				defer file.Close()
				s.Files = append(s.Files, casekit.SubmittedFile{Name: fh.Filename, ContentType: fh.Header.Get("Content-Type"), Content: file})
			}
		}
	}
	res, err := f.cfg.Kit.Desk(tenant).As(casekit.System).Intake(r.Context(), s)
	var (
		ve      *casekit.ValidationError
		limited *casekit.RateLimitError
	)
	switch {
	case errors.As(err, &limited):
		secs := int64(math.Ceil(limited.RetryAfter.Seconds()))
		w.Header().Set("Retry-After", strconv.FormatInt(max(secs, 1), 10))
		http.Error(w, "too many submissions from your address; please try again later", http.StatusTooManyRequests)
		return
	case errors.As(err, &ve):
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnprocessableEntity)
		type field struct {
			Field   string `json:"field"`
			Rule    string `json:"rule"`
			Message string `json:"message"`
		}
		out := struct {
			Fields []field `json:"fields"`
		}{}
		for _, fe := range ve.Fields {
			out.Fields = append(out.Fields, field{fe.Field, fe.Rule, fe.Message})
		}
		_ = json.NewEncoder(w).Encode(out)
		return
	case errors.Is(err, casekit.ErrTenantNotFound):
		http.NotFound(w, r)
		return
	case err != nil:
		f.cfg.Logger.ErrorContext(r.Context(), "casehttp: web form", slog.String("tenant", tenant), slog.Any("err", err))
		http.Error(w, "something went wrong; please try again", http.StatusInternalServerError)
		return
	}
	to := f.cfg.Done
	if res.Case != nil {
		sep := "?"
		if strings.Contains(to, "?") {
			sep = "&"
		}
		to += sep + "case=" + strconv.FormatInt(res.Case.Number, 10)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}
