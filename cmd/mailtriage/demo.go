package main

import (
	"context"
	"io"
	"os"
	"time"

	"github.com/mailtriage/mailtriage/backend/mail/imap"
	"github.com/mailtriage/mailtriage/config"
	"github.com/mailtriage/mailtriage/demo"
	"github.com/mailtriage/mailtriage/ui"
	"github.com/mailtriage/mailtriage/ui/session"
)

// runDemo starts the built-in IMAP server on loopback, seeded with the
// sample corpus, and opens the console on it. No configuration is read.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newCommand("mailtriage demo", "mailtriage demo [--theme NAME] [--new-mail DURATION]",
		"The console on a built-in demo mailbox of sample phishing and hostile mail, with both gateway\n"+
			"emulators. No configuration is read.")
	theme := fs.String("theme", "", "colour theme: auto, dark, light, high-contrast, none")
	every := fs.Duration("new-mail", 0, "deliver a new message to INBOX this often (e.g. 30s), to watch mail arrive")
	if status, ok := fs.parse(args, stdout, stderr); !ok {
		return status
	}
	srv, err := demo.Start()
	if err != nil {
		return fail(stderr, 1, err)
	}
	defer srv.Close()
	if *every > 0 {
		stop := make(chan struct{})
		defer close(stop)
		go srv.DeliverEvery(*every, stop)
	}

	cfg := srv.IMAPConfig()
	// The demo server is in-process: refresh counters often so the sidebar
	// visibly follows changes.
	cfg.StatusInterval = 15 * time.Second
	mb := imap.New(cfg)
	acct := session.Account{Name: "demo", Server: "imap://" + srv.Addr + " (built-in demo)", Mailbox: mb, DefaultFolder: "INBOX", MessageLimit: config.DefaultMaxMessageBytes}
	defer mb.Close()
	// The demo's records go to a file of their own, so trying things out
	// never mixes with the audit trail of real work.
	remedy, err := openRemedy(os.Getenv("MAILTRIAGE_DEMO_AUDIT"), "demo-audit.jsonl")
	if err != nil {
		return fail(stderr, 1, err)
	}
	defer remedy.Audit.Close()
	gw, stopGateways, err := demoGateways()
	if err != nil {
		return fail(stderr, 1, err)
	}
	defer stopGateways()
	opts := ui.Options{Accounts: []session.Account{acct}, Theme: *theme, Operator: operator(), Remedy: remedy}
	return runUI(ctx, withGateways(opts, gw), stderr)
}
