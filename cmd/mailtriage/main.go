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
	"github.com/mailtriage/mailtriage/ui/session"
)

// commandList is the part of `mailtriage --help` that names every command.
const commandList = `Commands:
  mailtriage [--config FILE] [--account NAME] [--theme NAME]   the console on your accounts
  mailtriage demo [--theme NAME] [--new-mail 30s]              the console on a built-in demo mailbox
  mailtriage check [--config FILE] [--account NAME]            log in to each account and report, no console
  mailtriage pull [--folder F | --all-folders] [--unread] [--since YYYY-MM-DD] [--search QUERY] [--limit N]
                  [--oldest-first] [--mark-read] [--format json|jsonl] [--with-analysis]
                  [--save-email] [--attachments-dir DIR]
                                                               messages as SOAR alerts (JSON) on stdout
  mailtriage watch --folder F [--exec CMD | --webhook URL [--hmac-secret-cmd CMD]] [--state FILE]
                                                               each new message once, as it arrives
  mailtriage act VERB (--uid N ... | --message-id ID ... | --search QUERY) [--folder F] [--to FOLDER] [--dry-run]
                                                               VERB: move copy delete tag untag read unread
  mailtriage folders [--json]                                  the folder tree with counts
  mailtriage send --to A ... [--cc A ...] [--bcc A ...] --subject S (--body T | --body-file F) [--html]
                  [--attach FILE ...] [--attach-message UID ... [--folder F]] [--dry-run]
                                                               send a message (SMTP or Graph), audited
  mailtriage calendar list [--subject S] [--from D] [--to D]   calendar events (Graph accounts)
  mailtriage calendar create --subject S --start T --end T [--attendee A ...] [--optional A ...]
                  [--location L] [--body B] [--category C ...] [--show-as busy] [--reminder 15] [--all-day] [--private]
  mailtriage contacts                                          the address book (Graph accounts)
  mailtriage mimecast OPERATION [flags] [--dry-run]            a Mimecast connector operation, JSON on stdout
                                                               (block-sender, find-groups, decode-url, ...; --help lists them)
  mailtriage fortimail OPERATION [flags] [--dry-run]           a FortiMail connector operation, JSON on stdout
                                                               (get-domains, update-antispam-profile, ...; --help lists them)
  mailtriage purge --message-id ID [--dry-run] [--mode soft|junk|hard] [--yes] [--state FILE] [--undo] [--confirm DOMAIN]
                                                               every copy of a message, out of every mailbox (Graph: the tenant)
  mailtriage serve [--listen ADDR] [--host-key FILE] [--authorized-keys FILE]
                                                               the console over SSH (see [serve])
  mailtriage help [COMMAND]                                    this text, or a command's usage

The configuration is read from --config, else $MAILTRIAGE_CONFIG, else
$XDG_CONFIG_HOME/mailtriage/config.toml (~/.config/mailtriage/config.toml).
`

// globals are the flags given before the subcommand; a subcommand's own
// --config and --account, when given, win.
type globals struct {
	cfgPath, account, theme string
}

// subcommand is one of mailtriage's commands. Each builds its flags with
// newCommand, so each answers --help the same way.
type subcommand struct {
	name string
	// interrupt: ctrl+c ends the command cleanly. The console commands
	// leave it off: ctrl+c is a key there, handled by the console.
	interrupt bool
	run       func(ctx context.Context, args []string, g globals, stdout, stderr io.Writer) int
}

// subcommands lists every subcommand; the binary's --help test walks it.
var subcommands = []subcommand{
	{name: "demo", run: func(ctx context.Context, args []string, _ globals, stdout, stderr io.Writer) int {
		return runDemo(ctx, args, stdout, stderr)
	}},
	{name: "check", run: func(ctx context.Context, args []string, g globals, stdout, stderr io.Writer) int {
		return runCheck(ctx, args, g.cfgPath, g.account, stdout, stderr)
	}},
	{name: "serve", interrupt: true, run: func(ctx context.Context, args []string, g globals, stdout, stderr io.Writer) int {
		return runServe(ctx, args, g.cfgPath, stdout, stderr)
	}},
	headlessCommand("pull", runPull),
	headlessCommand("watch", runWatch),
	headlessCommand("act", runAct),
	headlessCommand("folders", runFolders),
	headlessCommand("send", runSend),
	headlessCommand("calendar", runCalendar),
	headlessCommand("contacts", runContacts),
	mimecastOps.subcommand(),
	fortimailOps.subcommand(),
	headlessCommand("purge", runPurge),
}

// headlessCommand is a subcommand without a console: stdout carries only
// data, and ctrl+c ends it cleanly.
func headlessCommand(name string, run func(ctx context.Context, args []string, cfgPath, account string, stdout, stderr io.Writer) int) subcommand {
	return subcommand{name: name, interrupt: true, run: func(ctx context.Context, args []string, g globals, stdout, stderr io.Writer) int {
		return run(ctx, args, g.cfgPath, g.account, stdout, stderr)
	}}
}

func findSubcommand(name string) (subcommand, bool) {
	for _, s := range subcommands {
		if s.name == name {
			return s, true
		}
	}
	return subcommand{}, false
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run returns the exit status: 0 fine, 1 a failure at run time, 2 a
// mistake in how we were called or configured.
func run(args []string, stdout, stderr io.Writer) int {
	top := newCommand("mailtriage", "mailtriage [--config FILE] [--account NAME] [--theme NAME] [COMMAND [flags]]",
		"A keyboard-driven console for triaging suspicious email; a COMMAND runs instead of it.\n"+
			"\"mailtriage COMMAND --help\" describes each command.")
	top.more = commandList
	var g globals
	top.StringVar(&g.cfgPath, "config", "", "configuration file")
	top.StringVar(&g.account, "account", "", "account to open first")
	top.StringVar(&g.theme, "theme", "", "colour theme: auto, dark, light, high-contrast, none")
	if status, ok := top.parse(args, stdout, stderr); !ok {
		return status
	}
	rest := top.Args()
	if len(rest) == 0 {
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
		defer stop()
		return runConsole(ctx, g.cfgPath, g.account, g.theme, stderr)
	}
	name, rest := rest[0], rest[1:]
	if name == "help" {
		return runHelp(top, rest, g, stdout, stderr)
	}
	sub, ok := findSubcommand(name)
	if !ok {
		return top.usageError(stderr, fmt.Errorf("unknown command %q", name))
	}
	sigs := []os.Signal{syscall.SIGTERM}
	if sub.interrupt {
		sigs = append(sigs, os.Interrupt)
	}
	ctx, stop := signal.NotifyContext(context.Background(), sigs...)
	defer stop()
	return sub.run(ctx, rest, g, stdout, stderr)
}

// runHelp prints the usage of mailtriage, or of the command named.
func runHelp(top *command, args []string, g globals, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		top.printUsage(stdout)
		return 0
	}
	sub, ok := findSubcommand(args[0])
	if !ok {
		return top.usageError(stderr, fmt.Errorf("help: unknown command %q", args[0]))
	}
	// --help makes every command print its usage and return before it
	// reads a configuration or touches a server.
	return sub.run(context.Background(), []string{"--help"}, g, stdout, stderr)
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
	verdicts, err := cfg.VerdictSet()
	if err != nil {
		return fail(stderr, 2, fmt.Errorf("config %s: %w", cfg.Path, err))
	}
	opts := ui.Options{Accounts: accounts, Initial: initial, Theme: theme, Colors: cfg.Colors, Keys: cfg.Keys, Operator: operator(), Remedy: remedy, Limits: analysisLimits(cfg), Verdicts: verdicts}
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

func closeAccounts(accounts []session.Account) {
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
