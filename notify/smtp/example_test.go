package smtp_test

import (
	"context"
	"log"
	"os"
	"os/signal"

	"casekit.dev/casekit"
	"casekit.dev/notify/smtp"
	"casekit.dev/storage/sqlite"
)

// A host mails its notifications through its submission server: STARTTLS
// (the default), AUTH PLAIN, and a per-case reply address that its mail
// intake routes back to the case. Kit.Run delivers the outbox through it,
// retrying failures with backoff.
func ExampleNew() {
	mailer, err := smtp.New(smtp.Config{
		Addr:     "smtp.acme.example:587",
		From:     "Acme Help Desk <help@acme.example>",
		Username: "help@acme.example",
		Password: os.Getenv("SMTP_PASSWORD"),
		ReplyTo: func(n casekit.Notification) string {
			return "help+case-" + n.CaseID + "@acme.example"
		},
		// Render: smtp.Render by default; give your own for HTML or
		// translated mails.
	})
	if err != nil {
		log.Fatal(err)
	}
	store, err := sqlite.Open("./data")
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	kit, err := casekit.New(store, casekit.WithNotifier(mailer))
	if err != nil {
		log.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := kit.Run(ctx); err != nil {
		log.Fatal(err)
	}
}
