package main

import (
	"context"
	"crypto/rand"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"casekit.dev/casekit"
	"casekit.dev/casekit/casehttp"
	"casekit.dev/casekit/store"
	"casekit.dev/templates"
)

//go:embed web
var webFS embed.FS

// tenant is the one tenant the helpdesk serves.
const tenant = "acme"

// appConfig is what newApp needs.
type appConfig struct {
	Store store.Store
	// Blobs keeps the files attached to replies and notes; without it,
	// the forms take no files.
	Blobs  casekit.BlobStore
	Logger *slog.Logger
	// BaseURL is the server's address as people reach it, for the links
	// in notifications, e.g. "http://127.0.0.1:8080".
	BaseURL string
	// Deliver, when not nil, is given every notification before the mail
	// view records it (e.g. notify/smtp).
	Deliver casekit.Notifier
	// Accounts are the people who may sign in, and the kit's directory.
	Accounts *accountStore
	// Demo seeds sample cases when the tenant has none, adds the sample
	// people to the directory and offers the pick-who-you-are sign-in.
	Demo bool
	// PollInterval is Kit.Run's; a second when zero.
	PollInterval time.Duration
	// SecureCookies marks the cookies Secure even when the request is
	// plain HTTP: behind a proxy that ends TLS.
	SecureCookies bool
	// ProxyHeader, when set, names the request header in which a trusted
	// front proxy gives the signed-in person's ID or e-mail address.
	ProxyHeader string
	// SessionIdle and SessionMax end a session after that long without a
	// request, and after that long at all; sessionIdle and sessionMax
	// when zero.
	SessionIdle, SessionMax time.Duration
	// Now is the sessions' and the sign-in limit's clock; time.Now when nil.
	Now func() time.Time
	// PrivateWebhooks lets the webhook subscriptions post to localhost
	// and private addresses (casekit.WithPrivateWebhookTargets).
	PrivateWebhooks bool
}

// app is the helpdesk: one http.Handler over one Kit.
type app struct {
	kit           *casekit.Kit
	log           *slog.Logger
	accounts      *accountStore
	sessions      *sessionStore
	limiter       *limiter
	demo          bool
	secureCookies bool
	proxyHeader   string
	mail          *mailbox
	clock         *shiftClock
	key           []byte // signs sessions and CSRF tokens; random per process
	pages         map[string]*template.Template
	engine        *templates.Engine // renders notifications and the portal; previews templates
	handler       http.Handler
	base          atomic.Value // string
}

// newApp builds the kit on cfg.Store, makes sure the tenant and its
// teams, queues and SLA exist, seeds the demo cases when asked, and
// returns the helpdesk's handler. The caller runs app.kit.Run.
func newApp(ctx context.Context, cfg appConfig) (*app, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Accounts == nil {
		return nil, errors.New("helpdesk: appConfig.Accounts is required")
	}
	a := &app{log: cfg.Logger, accounts: cfg.Accounts, sessions: newSessionStore(cfg.Now, cfg.SessionIdle, cfg.SessionMax),
		limiter: newLimiter(cfg.Now), demo: cfg.Demo, secureCookies: cfg.SecureCookies, proxyHeader: cfg.ProxyHeader,
		clock: &shiftClock{}, key: make([]byte, 32)}
	if cfg.Demo {
		a.accounts.withDemo(demoPeople())
	}
	a.base.Store(cfg.BaseURL)
	a.mail = &mailbox{next: cfg.Deliver}
	if _, err := rand.Read(a.key); err != nil {
		return nil, err
	}
	engine := templates.New(templates.WithLinks(a.links))
	a.engine = engine
	opts := []casekit.Option{casekit.WithLogger(cfg.Logger), casekit.WithDirectory(a.accounts),
		casekit.WithNotifier(a.mail), casekit.WithTemplates(engine), casekit.WithClock(a.clock),
		casekit.WithPollInterval(cfg.PollInterval), casekit.WithPrivateWebhookTargets(cfg.PrivateWebhooks)}
	if cfg.Blobs != nil {
		opts = append(opts, casekit.WithBlobStore(cfg.Blobs))
	}
	kit, err := casekit.New(cfg.Store, opts...)
	if err != nil {
		return nil, err
	}
	a.kit = kit
	if err := kit.Migrate(ctx); err != nil {
		return nil, err
	}
	if err := setUp(ctx, kit); err != nil {
		return nil, fmt.Errorf("setting up tenant %s: %w", tenant, err)
	}
	if cfg.Demo {
		if err := seedDemo(ctx, kit, demoPeople(), a.clock); err != nil {
			return nil, fmt.Errorf("seeding the demo: %w", err)
		}
	}
	if err := a.parsePages(); err != nil {
		return nil, err
	}
	portal, err := casehttp.NewPortal(casehttp.PortalConfig{Kit: kit, Templates: engine, CSRFKey: a.key, Base: "/portal", Logger: cfg.Logger, SecureCookies: cfg.SecureCookies})
	if err != nil {
		return nil, err
	}
	// Web-form cases wait in the General queue, in the same transaction
	// that opens them.
	webForm, err := casehttp.NewWebForm(casehttp.WebFormConfig{Kit: kit, Tenant: func(*http.Request) string { return tenant },
		Queue: func(*http.Request) string { return "general" }, Done: "/form/thanks", Logger: cfg.Logger,
		Verified: func(r *http.Request, email string) bool { return a.session(r).ID == casekit.EmailContactID(email) }})
	if err != nil {
		return nil, err
	}
	a.routes(portal, webForm)
	return a, nil
}

// setBaseURL changes the address notification links point to (tests
// learn theirs only once the server listens).
func (a *app) setBaseURL(u string) { a.base.Store(u) }

// links gives notifications their addresses: the portal for customers
// and watchers, the console for agents.
func (a *app) links(n casekit.Notification) templates.Links {
	base := a.base.Load().(string)
	num := fmt.Sprint(n.CaseNumber)
	if n.Recipient.Kind == casekit.RecipientAgent || n.Recipient.Kind == casekit.RecipientTeam {
		return templates.Links{Case: base + "/cases/" + num}
	}
	l := templates.Links{Case: base + "/portal/cases/" + num}
	if n.Event == casekit.EventResolved {
		l.Rate = func(level int) string { return fmt.Sprintf("%s/portal/cases/%s/rate?level=%d", base, num, level) }
	}
	return l
}

func (a *app) routes(portal http.Handler, webForm http.Handler) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", a.home)
	mux.HandleFunc("GET /login", a.loginPage)
	mux.HandleFunc("POST /login", a.login)
	if a.demo {
		mux.HandleFunc("POST /login/pick", a.pickPerson)
	}
	mux.HandleFunc("POST /logout", a.logout)
	mux.Handle("GET /static/", http.StripPrefix("/static", http.FileServerFS(mustSub(webFS, "web/static"))))

	mux.HandleFunc("GET /cases", a.agent(a.listCases))
	mux.HandleFunc("GET /cases/new", a.agent(a.newCase))
	mux.HandleFunc("POST /cases/new", a.agent(a.openCase))
	mux.HandleFunc("GET /cases/{number}", a.agent(a.caseDetail))
	mux.HandleFunc("POST /cases/{number}/{action}", a.agent(a.caseAction))
	mux.HandleFunc("GET /cases/{number}/files/{id}", a.agent(a.attachment))
	mux.HandleFunc("POST /cases/{number}/activities/{id}/complete", a.agent(a.completeActivity))
	mux.HandleFunc("GET /queues", a.agent(a.queues))
	mux.HandleFunc("POST /queues/{id}/pick", a.agent(a.pick))
	mux.HandleFunc("GET /mail", a.agent(a.mailView))
	mux.HandleFunc("GET /reports", a.agent(a.dashboard))
	mux.HandleFunc("GET /reports/{what}", a.agent(a.dashboardCSV))
	mux.HandleFunc("GET /admin", a.admin(a.adminHome))
	mux.HandleFunc("GET /admin/{area}", a.admin(a.adminList))
	mux.HandleFunc("GET /admin/statuses", a.admin(a.statusesEditor))
	mux.HandleFunc("POST /admin/statuses", a.admin(a.saveStatuses))
	mux.HandleFunc("GET /admin/slas", a.admin(a.slaEditor))
	mux.HandleFunc("POST /admin/slas/{op}", a.admin(a.saveSLA))
	mux.HandleFunc("GET /admin/calendars", a.admin(a.calendarEditor))
	mux.HandleFunc("POST /admin/calendars/{op}", a.admin(a.saveCalendar))
	mux.HandleFunc("GET /admin/processes", a.admin(a.processEditor))
	mux.HandleFunc("POST /admin/processes/{op}", a.admin(a.saveProcess))
	mux.HandleFunc("GET /admin/templates", a.admin(a.templateList))
	mux.HandleFunc("GET /admin/templates/edit", a.admin(a.templateEditor))
	mux.HandleFunc("POST /admin/templates/{op}", a.admin(a.templateAction))
	mux.HandleFunc("GET /admin/triggers", a.admin(a.triggerList))
	mux.HandleFunc("GET /admin/triggers/edit", a.admin(a.triggerEditor))
	mux.HandleFunc("POST /admin/triggers/{op}", a.admin(a.triggerAction))
	mux.HandleFunc("GET /admin/macros", a.admin(a.macroList))
	mux.HandleFunc("GET /admin/macros/edit", a.admin(a.macroEditor))
	mux.HandleFunc("POST /admin/macros/{op}", a.admin(a.macroAction))
	mux.HandleFunc("GET /admin/webhooks", a.admin(a.webhookList))
	mux.HandleFunc("GET /admin/webhooks/edit", a.admin(a.webhookEditor))
	mux.HandleFunc("GET /admin/webhooks/log", a.admin(a.webhookLog))
	mux.HandleFunc("POST /admin/webhooks/{op}", a.admin(a.webhookAction))
	mux.HandleFunc("GET /admin/accounts", a.admin(a.accountList))
	mux.HandleFunc("POST /admin/accounts/{op}", a.admin(a.accountAction))
	mux.HandleFunc("POST /admin/{area}/{op}", a.admin(a.adminSave))
	mux.HandleFunc("GET /admin/assignment", a.admin(a.assignAdmin))
	mux.HandleFunc("POST /admin/assignment/{op}", a.admin(a.assignSave))
	mux.HandleFunc("POST /availability", a.agent(a.setAvailable))

	mux.Handle("/portal/", http.StripPrefix("/portal", a.customer(portal)))

	mux.HandleFunc("GET /form", a.formPage)
	mux.HandleFunc("GET /form/thanks", a.formThanks)
	formPost := a.formPost(webForm)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		a.fail(w, r, http.StatusNotFound, "There is no such page.")
	})
	protected := http.NewCrossOriginProtection().Handler(mux)
	a.handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = a.withSession(w, r)
		if r.URL.Path == "/form" && r.Method == http.MethodPost {
			formPost(w, r) // a public form: any origin may post, as casehttp.WebForm intends
			return
		}
		if !strings.HasPrefix(r.URL.Path, "/portal/") { // the portal sets its own headers
			h := w.Header()
			h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Referrer-Policy", "same-origin")
			h.Set("Cache-Control", "no-store")
		}
		protected.ServeHTTP(w, r)
	})
}

// ServeHTTP serves the helpdesk.
func (a *app) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.handler.ServeHTTP(w, r) }

func mustSub(f fs.FS, dir string) fs.FS {
	s, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return s
}

func (a *app) home(w http.ResponseWriter, r *http.Request) {
	s := a.session(r)
	switch s.Kind {
	case kindAgent:
		http.Redirect(w, r, "/cases", http.StatusSeeOther)
	case kindCustomer:
		http.Redirect(w, r, "/portal/", http.StatusSeeOther)
	default:
		http.Redirect(w, r, "/login", http.StatusSeeOther)
	}
}

// agent serves h to signed-in agents only: others are sent to sign in,
// and a customer gets 403.
func (a *app) agent(h func(http.ResponseWriter, *http.Request, *request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s := a.session(r)
		switch s.Kind {
		case kindAgent:
		case kindCustomer:
			a.fail(w, r, http.StatusForbidden, "This page is for agents. You are signed in as a customer.")
			return
		default:
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			a.fail(w, r, http.StatusUnauthorized, "Please sign in first.")
			return
		}
		req := &request{app: a, s: s, desk: a.kit.Desk(tenant).As(casekit.Agent(s.ID))}
		if r.Method == http.MethodPost {
			if status, err := readForm(w, r); err != nil {
				a.fail(w, r, status, "The form could not be read: "+err.Error())
				return
			}
			if r.MultipartForm != nil {
				defer r.MultipartForm.RemoveAll()
			}
			if !a.csrfValid(r, s) {
				a.fail(w, r, http.StatusForbidden, "This form has expired or did not come from this site. Please go back, reload the page and try again.")
				return
			}
		}
		h(w, r, req)
	}
}

// portalLinkCookie is the cookie casehttp.Portal gives a portal link's
// visitor (TestPortalLinkOpensWithoutAccount fails should it change).
const portalLinkCookie = "casekit_link"

// customer serves the portal to signed-in customers: others are sent to
// sign in, and an agent gets 403.
func (a *app) customer(portal http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := a.session(r)
		switch s.Kind {
		case kindCustomer:
			portal.ServeHTTP(w, r.WithContext(casehttp.WithCustomer(r.Context(), tenant, s.ID)))
		case kindAgent:
			a.fail(w, r, http.StatusForbidden, "The portal is for customers. You are signed in as an agent.")
		default:
			// A portal link needs no account: the portal serves its
			// /link/ and then the visitor with the link's cookie (it
			// checks the cookie and the link on every request).
			if _, err := r.Cookie(portalLinkCookie); err == nil || strings.HasPrefix(r.URL.Path, "/link/") {
				portal.ServeHTTP(w, r)
				return
			}
			http.Redirect(w, r, "/login", http.StatusSeeOther)
		}
	})
}

// request is one agent's request: the session and the agent's desk.
type request struct {
	app  *app
	s    session
	desk *casekit.Desk
}

// fail answers with the error page.
func (a *app) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	s := a.session(r)
	a.render(w, r, status, "error", &errorPage{basePage: a.basePage(r, s, http.StatusText(status)), Status: status, Message: msg})
}

// internal logs err and answers 500.
func (a *app) internal(w http.ResponseWriter, r *http.Request, err error) {
	a.log.ErrorContext(r.Context(), "helpdesk", slog.String("path", r.URL.Path), slog.Any("err", err))
	a.fail(w, r, http.StatusInternalServerError, "Something went wrong on our side. Please try again in a moment.")
}

type errorPage struct {
	basePage
	Status  int
	Message string
}

// explain turns a sentinel error into words for the page; "" when err is
// none of them.
func explain(err error) string {
	var open *casekit.OpenActivitiesError
	switch {
	case errors.As(err, &open):
		names := make([]string, len(open.Activities))
		for i, act := range open.Activities {
			names[i] = "“" + act.Subject + "”"
		}
		return "The case still has open activities: " + strings.Join(names, ", ") + ". Complete or cancel them first."
	case errors.Is(err, casekit.ErrInvalidTransition):
		return "That status change is not allowed from the case's current status."
	case errors.Is(err, casekit.ErrReadOnly):
		return "The case is resolved or closed: it cannot be changed until it is reopened."
	case errors.Is(err, casekit.ErrConflict):
		return "Someone else changed the case or has it already. Reload the page and try again."
	case errors.Is(err, casekit.ErrNotResolved):
		return "The case is not resolved, so it cannot be rated."
	case errors.Is(err, casekit.ErrForbidden):
		return "You may not do that."
	}
	return ""
}
