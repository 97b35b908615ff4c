package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/mailtriage/mailtriage/backend/action"
	"github.com/mailtriage/mailtriage/backend/block"
	"github.com/mailtriage/mailtriage/backend/fortimail"
	"github.com/mailtriage/mailtriage/backend/mimecast"
	"github.com/mailtriage/mailtriage/backend/remediate"
	"github.com/mailtriage/mailtriage/config"
)

// The gateway commands (`mailtriage mimecast OPERATION`, `mailtriage
// fortimail OPERATION`) are the connectors' operations for SOAR
// playbooks: one operation per seed operation, its parameters as flags,
// JSON on stdout. Each family is a table of operations, and help,
// dispatch and the tests all walk that table.

// gatewayOp is one operation: one row of a family's table.
type gatewayOp struct {
	name    string   // the seed's operation in kebab case
	aliases []string // other names it answers to
	args    string   // the synopsis after the name: "--sender ADDR --to ADDR"
	about   string   // one line, for the family's list
	// action is the audited change a write makes; "" for a read. A
	// write takes --dry-run and goes through the action layer.
	action remediate.Action
	// guarded: the op can block senders, so the block guardrails apply
	// and it takes --confirm-domain.
	guarded bool
	// required lists the flags that must be given.
	required []string
	// define declares the op's own flags on c and returns what runs it.
	define func(c *command) gatewayRun
}

// gatewayRun carries out an operation and returns what is printed.
type gatewayRun func(ctx context.Context, g *gatewayCall) (any, error)

// gatewayFamily is one gateway's command: its name and operations.
type gatewayFamily struct {
	name  string // "mimecast"
	title string // "Mimecast"
	ops   []gatewayOp
}

// gatewayCall is what an operation runs with.
type gatewayCall struct {
	op        *gatewayOp
	mimecast  *mimecast.Client
	fortimail *fortimail.Client
	actions   *action.Layer
	guard     block.Guardrails
	dryRun    bool
	confirm   string // --confirm-domain
}

// badUsage is a mistake in the flags found while running an operation
// (a value out of range, a missing alternative): exit status 2.
type badUsage struct{ error }

func usagef(format string, args ...any) error { return badUsage{fmt.Errorf(format, args...)} }

// dryRunResult is what --dry-run prints: the change that would be sent.
type dryRunResult struct {
	DryRun    bool             `json:"dry_run"`
	Operation string           `json:"operation"`
	Action    remediate.Action `json:"action"`
	Detail    string           `json:"detail"`
	Request   any              `json:"request"`
}

// change applies a write through the action layer (role check, audit
// intent, fn, audit result), or with --dry-run only checks the role and
// says what would be sent.
func (g *gatewayCall) change(ctx context.Context, detail string, request any, fn func(ctx context.Context) (any, error)) (any, error) {
	if g.dryRun {
		if err := g.actions.Check(g.op.action); err != nil {
			return nil, err
		}
		return dryRunResult{DryRun: true, Operation: g.op.name, Action: g.op.action, Detail: detail, Request: request}, nil
	}
	return action.RunValue(ctx, g.actions, action.Change{Name: g.op.action, Detail: detail}, fn)
}

// guarded checks a block plan against the guardrails and returns the
// audit detail, which records an override typed with --confirm-domain.
func (g *gatewayCall) guarded(p block.Plan, detail string) (string, error) {
	concerns := g.guard.Check(p)
	if len(concerns) == 0 {
		return detail, nil
	}
	if !block.Confirmed(concerns, g.confirm) {
		whys := make([]string, len(concerns))
		for i, c := range concerns {
			whys[i] = c.Why
		}
		return "", fmt.Errorf("not blocked: %s (give --confirm-domain %s to block it anyway)", strings.Join(whys, "; "), concerns[0].Domain)
	}
	return detail + " — guardrail overridden by typing " + concerns[0].Domain + ": " + concerns[0].Why, nil
}

func (f *gatewayFamily) find(name string) *gatewayOp {
	for i := range f.ops {
		op := &f.ops[i]
		if op.name == name {
			return op
		}
		for _, a := range op.aliases {
			if a == name {
				return op
			}
		}
	}
	return nil
}

// operationList is the family's usage note: every operation, one line
// each.
func (f *gatewayFamily) operationList() string {
	var b strings.Builder
	b.WriteString("Operations (\"mailtriage " + f.name + " OPERATION --help\" describes each):\n")
	tw := tabwriter.NewWriter(&b, 0, 8, 2, ' ', 0)
	for _, op := range f.ops {
		kind := "read"
		if op.action != "" {
			kind = "write"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", op.name, kind, op.about)
	}
	tw.Flush()
	return b.String()
}

// subcommand makes the family a mailtriage subcommand.
func (f *gatewayFamily) subcommand() subcommand {
	return headlessCommand(f.name, f.run)
}

// run dispatches `mailtriage FAMILY [--config F] OPERATION [flags]`;
// without an operation it lists them.
func (f *gatewayFamily) run(ctx context.Context, args []string, cfgPath, _ string, stdout, stderr io.Writer) int {
	c := newCommand("mailtriage "+f.name, "mailtriage "+f.name+" OPERATION [flags]",
		"Run one "+f.title+" connector operation and print its result as JSON; writes are audited (via cli)\n"+
			"and take --dry-run. Exit status: 0 done, 1 the service refused or failed, 2 a usage mistake.")
	c.more = f.operationList()
	cfgFlag := c.String("config", cfgPath, "configuration file")
	if status, ok := c.parse(args, stdout, stderr); !ok {
		return status
	}
	rest := c.Args()
	if len(rest) == 0 {
		c.printUsage(stdout)
		return 0
	}
	op := f.find(rest[0])
	if op == nil {
		return c.usageError(stderr, fmt.Errorf("unknown operation %q", rest[0]))
	}
	return f.runOp(ctx, op, rest[1:], *cfgFlag, stdout, stderr)
}

// runOp parses an operation's flags, opens the gateway and runs it.
func (f *gatewayFamily) runOp(ctx context.Context, op *gatewayOp, args []string, cfgPath string, stdout, stderr io.Writer) int {
	c := newCommand("mailtriage "+f.name+" "+op.name, strings.TrimSpace("mailtriage "+f.name+" "+op.name+" "+op.args), op.about+".")
	cfgFlag := c.String("config", cfgPath, "configuration file")
	g := &gatewayCall{op: op}
	if op.action != "" {
		c.BoolVar(&g.dryRun, "dry-run", false, "print what would be sent and change nothing")
	}
	if op.guarded {
		c.StringVar(&g.confirm, "confirm-domain", "", "block although a guardrail objects: type the `DOMAIN` concerned")
	}
	runFn := op.define(c)
	if status, ok := c.parse(args, stdout, stderr); !ok {
		return status
	}
	if err := checkOpArgs(c, op); err != nil {
		return c.usageError(stderr, err)
	}
	closeFn, err := f.open(g, *cfgFlag)
	if err != nil {
		return fail(stderr, 2, err)
	}
	defer closeFn()
	out, err := runFn(ctx, g)
	var usage badUsage
	switch {
	case errors.As(err, &usage):
		return c.usageError(stderr, usage.error)
	case err != nil:
		return fail(stderr, 1, fmt.Errorf("%s %s: %w", f.name, op.name, err))
	}
	return printJSON(stdout, stderr, out)
}

// checkOpArgs refuses positional arguments and missing required flags.
func checkOpArgs(c *command, op *gatewayOp) error {
	if c.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", c.Arg(0))
	}
	set := map[string]bool{}
	c.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	for _, name := range op.required {
		if !set[name] {
			return fmt.Errorf("--%s is required", name)
		}
	}
	return nil
}

// open reads the configuration, builds the family's client and the audited
// action layer; the returned function closes them (FortiMail: logs out).
func (f *gatewayFamily) open(g *gatewayCall, cfgPath string) (func(), error) {
	cfg, err := loadConfig(cfgPath)
	if err != nil {
		return nil, err
	}
	gw, err := gateways(cfg)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", cfg.Path, err)
	}
	g.mimecast, g.fortimail = gw.Mimecast, gw.FortiMail
	if (f.name == "mimecast" && g.mimecast == nil) || (f.name == "fortimail" && g.fortimail == nil) {
		return nil, fmt.Errorf("config %s: no [%s] section", cfg.Path, f.name)
	}
	remedy, err := openRemedy(cfg.AuditLog, "audit.jsonl")
	if err != nil {
		return nil, err
	}
	remedy.Via = "cli"
	g.actions = &action.Layer{Remedy: remedy}
	g.guard = gatewayGuardrails(cfg)
	return func() {
		if g.fortimail != nil {
			lctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_ = g.fortimail.Logout(lctx)
			cancel()
		}
		remedy.Audit.Close()
	}, nil
}

// gatewayGuardrails are the block guardrails of the configuration: its
// internal and protected domains, and the domains of its accounts'
// user names (a mailbox's own domain).
func gatewayGuardrails(cfg *config.Config) block.Guardrails {
	var g block.Guardrails
	if a := cfg.Analysis; a != nil {
		g.Internal, g.Protected = a.InternalDomains, a.ProtectedDomains
	}
	for _, a := range cfg.Accounts {
		if _, d, ok := strings.Cut(a.Username, "@"); ok && d != "" {
			g.Own = append(g.Own, strings.ToLower(d))
		}
	}
	return g
}

// choice normalises a seed-style choice ("Email Domain", "email-domain")
// to the API's spelling (email_domain) and checks it is one of allowed.
func choice(name, value string, allowed ...string) (string, error) {
	v := strings.ToLower(strings.TrimSpace(value))
	v = strings.NewReplacer(" ", "_", "-", "_").Replace(v)
	for _, a := range allowed {
		if v == a {
			return v, nil
		}
	}
	return "", usagef("--%s %q: one of %s", name, value, strings.Join(allowed, ", "))
}

// orEmpty returns items, or an empty slice where it is nil, so that a list
// with no rows prints as [] and never as null (the seeds' output shape).
func orEmpty[T any](items []T) []T {
	if items == nil {
		return []T{}
	}
	return items
}
