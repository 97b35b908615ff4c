// Command mailtriage is a keyboard-driven console for triaging suspicious
// email and remediating it in place.
//
//	mailtriage [--config FILE] [--account NAME]   the console on your accounts
//	mailtriage demo                               the console on a built-in demo mailbox
//	mailtriage serve --listen ADDR ...            the console over SSH
//
// This file is wiring only: flags, configuration, and handing both to the
// ui package.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/backend/audit"
	"github.com/mailtriage/mailtriage/backend/evidence"
	"github.com/mailtriage/mailtriage/backend/remediate"
	"github.com/mailtriage/mailtriage/config"
	"github.com/mailtriage/mailtriage/ui"
	"github.com/mailtriage/mailtriage/ui/common"
)

const usage = `usage:
  mailtriage [--config FILE] [--account NAME] [--theme NAME]   the console on your accounts
  mailtriage demo [--theme NAME] [--new-mail 30s]              the console on a built-in demo mailbox
  mailtriage check [--config FILE] [--account NAME]            log in to each account and report, no console
  mailtriage pull [--folder F | --all-folders] [--unread] [--since YYYY-MM-DD] [--limit N]
                  [--oldest-first] [--mark-read] [--format json|jsonl] [--with-analysis]
                                                               messages as SOAR alerts (JSON) on stdout
  mailtriage watch --folder F [--exec CMD | --webhook URL [--hmac-secret-cmd CMD]] [--state FILE]
                                                               each new message once, as it arrives
  mailtriage act VERB (--uid N ... | --message-id ID ... | --search QUERY) [--folder F] [--to FOLDER] [--dry-run]
                                                               VERB: move copy delete tag untag read unread
  mailtriage folders [--json]                                  the folder tree with counts
  mailtriage calendar list [--subject S] [--from D] [--to D]   calendar events (Graph accounts)
  mailtriage calendar create --subject S --start T --end T [--attendee A ...] [--optional A ...]
                  [--location L] [--body B] [--category C ...] [--show-as busy] [--reminder 15] [--all-day] [--private]
  mailtriage contacts                                          the address book (Graph accounts)
  mailtriage serve [--listen ADDR] [--host-key FILE] [--authorized-keys FILE]
                                                               the console over SSH (see [serve])

The configuration is read from --config, else $MAILTRIAGE_CONFIG, else
$XDG_CONFIG_HOME/mailtriage/config.toml (~/.config/mailtriage/config.toml).
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run returns the exit status: 0 fine, 1 a failure at run time, 2 a
// mistake in how we were called or configured.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mailtriage", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	cfgPath := fs.String("config", "", "configuration file")
	account := fs.String("account", "", "account to open first")
	theme := fs.String("theme", "", "colour theme: auto, dark, light, high-contrast, none")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			return 0
		}
		return fail(stderr, 2, err)
	}
	rest := fs.Args()
	sub := ""
	if len(rest) > 0 {
		sub, rest = rest[0], rest[1:]
	}
	switch sub {
	case "pull", "folders", "act", "watch", "calendar", "contacts":
		// Headless: ctrl+c ends them cleanly (the console handles its own).
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
		defer stop()
		return runHeadless(ctx, sub, rest, *cfgPath, *account, stdout, stderr)
	case "serve":
		// SIGTERM or ctrl+c: the sessions are told, then the server stops.
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
		defer stop()
		return runServe(ctx, rest, *cfgPath, stdout, stderr)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	switch sub {
	case "":
		return runConsole(ctx, *cfgPath, *account, *theme, stderr)
	case "demo":
		return runDemo(ctx, rest, stderr)
	case "check":
		// The same flags may follow the subcommand: mailtriage check --config F.
		if err := fs.Parse(rest); err != nil {
			return fail(stderr, 2, err)
		}
		return runCheck(ctx, *cfgPath, *account, stdout, stderr)
	case "help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprint(stderr, usage)
	return fail(stderr, 2, fmt.Errorf("unknown command %q", sub))
}

// fail reports err in one line. Errors quote servers and configuration
// files, so they are sanitized like anything else bound for a terminal.
func fail(stderr io.Writer, code int, err error) int {
	fmt.Fprintf(stderr, "mailtriage: %s\n", analysis.SanitizeLine(err.Error()))
	return code
}

func runConsole(ctx context.Context, cfgPath, account, theme string, stderr io.Writer) int {
	cfg, err := loadConfig(cfgPath)
	if err != nil {
		return fail(stderr, 2, err)
	}
	accounts, initial, err := openAccounts(cfg, account)
	if err != nil {
		return fail(stderr, 2, err)
	}
	defer closeAccounts(accounts)
	if theme == "" {
		theme = cfg.Theme
	}
	remedy, err := openRemedy(cfg.AuditLog, "audit.jsonl")
	if err != nil {
		return fail(stderr, 2, err)
	}
	defer remedy.Audit.Close()
	gw, err := gateways(cfg)
	if err != nil {
		return fail(stderr, 2, err)
	}
	opts := ui.Options{Accounts: accounts, Initial: initial, Theme: theme, Colors: cfg.Colors, Keys: cfg.Keys, Operator: operator(), Remedy: remedy, Limits: analysisLimits(cfg)}
	return runUI(ctx, withGateways(opts, gw), stderr)
}

// openRemedy opens the audit log (path, or file in the default state
// dir) and the remediation service that writes to it.
func openRemedy(path, file string) (*remediate.Service, error) {
	if path == "" {
		def, err := audit.DefaultPath()
		if err != nil {
			return nil, err
		}
		path = filepath.Join(filepath.Dir(def), file)
	}
	log, err := audit.Open(path)
	if err != nil {
		return nil, err
	}
	return &remediate.Service{Audit: log, Operator: operator(), Via: "console"}, nil
}

func loadConfig(flagPath string) (*config.Config, error) {
	path, err := config.Locate(flagPath, os.Getenv)
	if err != nil {
		return nil, err
	}
	return config.Load(path)
}

// runUI runs the console until the analyst quits.
func runUI(ctx context.Context, opts ui.Options, stderr io.Writer) int {
	opts.Ctx = ctx
	m, err := ui.New(opts)
	if err != nil {
		return fail(stderr, 2, err)
	}
	p := tea.NewProgram(m, tea.WithContext(ctx))
	if _, err := p.Run(); err != nil && !errors.Is(err, tea.ErrProgramKilled) && !errors.Is(err, context.Canceled) {
		return fail(stderr, 1, err)
	}
	return 0
}

func closeAccounts(accounts []common.Account) {
	for _, a := range accounts {
		_ = a.Mailbox.Close()
	}
}

func operator() string {
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return "analyst"
}

// analysisLimits carries [analysis] and max_message_bytes to the
// evidence analysis.
func analysisLimits(cfg *config.Config) evidence.Limits {
	lim := evidence.Limits{MaxBytes: int(cfg.MessageLimit())}
	if a := cfg.Analysis; a != nil {
		lim.Auth.TrustedAuthServIDs = a.TrustedAuthServIDs
		lim.Signals.InternalDomains = a.InternalDomains
		lim.Signals.InternalNames = a.InternalNames
		lim.Signals.ProtectedDomains = a.ProtectedDomains
	}
	return lim
}
