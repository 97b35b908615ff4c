package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/mailtriage/mailtriage/backend/action"
	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/pull"
	"github.com/mailtriage/mailtriage/backend/remediate"
	"github.com/mailtriage/mailtriage/backend/report"
	"github.com/mailtriage/mailtriage/backend/safejson"
	"github.com/mailtriage/mailtriage/config"
	"github.com/mailtriage/mailtriage/ui/session"
)

// The headless commands (pull, watch, act, folders) use the console's
// configuration, backend and audit trail; stdout carries only data, errors
// go to stderr as one line with a non-zero exit status.

// headless is what every headless command needs: one account and the
// audited remediation service.
type headless struct {
	cfg    *config.Config
	acct   session.Account
	remedy *remediate.Service
	// actions is the action layer over remedy: the same path the
	// console takes (roles, audit, undo).
	actions *action.Layer
	// smtp is the account's submission server (nil: smtp not set).
	smtp  *report.Server
	close func()
}

// newHeadless is a subcommand (name as typed after mailtriage) with the
// global --config and --account, so they may come before or after it.
func newHeadless(name, synopsis, about, cfgPath, account string) (*command, *string, *string) {
	c := newCommand("mailtriage "+name, synopsis, about)
	return c, c.String("config", cfgPath, "configuration file"), c.String("account", account, "account (default: the first)")
}

func openHeadless(cfgPath, account string) (*headless, error) {
	cfg, err := loadConfig(cfgPath)
	if err != nil {
		return nil, err
	}
	a, err := cfg.Account(account)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", cfg.Path, err)
	}
	acct, smtp, err := newAccountSMTP(a, cfg.MessageLimit())
	if err != nil {
		return nil, fmt.Errorf("config %s: account %q: %w", cfg.Path, a.Name, err)
	}
	remedy, err := openRemedy(cfg.AuditLog, "audit.jsonl")
	if err != nil {
		acct.Mailbox.Close()
		return nil, err
	}
	remedy.Via = "cli"
	return &headless{cfg: cfg, acct: acct, remedy: remedy, actions: &action.Layer{Remedy: remedy}, smtp: smtp, close: func() {
		acct.Mailbox.Close()
		remedy.Audit.Close()
	}}, nil
}

func runPull(ctx context.Context, args []string, cfgPath, account string, stdout, stderr io.Writer) int {
	fs, cfgFlag, acctFlag := newHeadless("pull",
		"mailtriage pull [--folder F | --all-folders] [--unread] [--since YYYY-MM-DD] [--limit N] [--format json|jsonl] [flags]",
		"Write the messages of a folder to stdout as SOAR alerts (JSON), newest first.", cfgPath, account)
	folder := fs.String("folder", "", "folder to pull from (default: the account's default folder, else INBOX)")
	all := fs.Bool("all-folders", false, "pull from every folder")
	unread := fs.Bool("unread", false, "only unread messages")
	since := fs.String("since", "", "only messages that arrived on or after this date (YYYY-MM-DD)")
	limit := fs.Int("limit", 0, "at most this many messages (0: all)")
	oldest := fs.Bool("oldest-first", false, "oldest first (default: newest first)")
	markRead := fs.Bool("mark-read", false, "mark what was written as read, after writing it")
	format := fs.String("format", "jsonl", "json or jsonl")
	withAnalysis := fs.Bool("with-analysis", false, "add the evidence: auth, hops, URLs, signals")
	if status, ok := fs.parse(args, stdout, stderr); !ok {
		return status
	}
	if *folder != "" && *all {
		return fs.usageError(stderr, errors.New("--folder and --all-folders exclude each other"))
	}
	var sinceT time.Time
	if *since != "" {
		t, err := time.Parse("2006-01-02", *since)
		if err != nil {
			return fs.usageError(stderr, fmt.Errorf("--since %q: use YYYY-MM-DD", *since))
		}
		sinceT = t
	}
	h, err := openHeadless(*cfgFlag, *acctFlag)
	if err != nil {
		return fail(stderr, 2, err)
	}
	defer h.close()
	folders, err := pullFolders(ctx, h, *folder, *all)
	if err != nil {
		return fail(stderr, 1, err)
	}
	opts := pull.Options{Account: h.acct.Name, Folders: folders, Unread: *unread, Since: sinceT, Limit: *limit,
		OldestFirst: *oldest, WithAnalysis: *withAnalysis, Limits: analysisLimits(h.cfg), Format: *format, MaxBytes: h.acct.MessageLimit}
	if *markRead {
		opts.Written = func(ctx context.Context, ref mail.FolderRef, uids []mail.UID) error {
			_, err := h.actions.Do(ctx, remediate.Request{Account: h.acct.Name, Box: h.acct.Mailbox, Action: remediate.Read, Folder: ref, UIDs: uids}, nil)
			return err
		}
	}
	if _, err := pull.Pull(ctx, h.acct.Mailbox, opts, stdout); err != nil {
		if ctx.Err() != nil {
			return fail(stderr, 1, errors.New("pull: interrupted; every record written is complete"))
		}
		return fail(stderr, 1, err)
	}
	return 0
}

// pullFolders resolves --folder / --all-folders.
func pullFolders(ctx context.Context, h *headless, folder string, all bool) ([]string, error) {
	if !all {
		if folder == "" {
			folder = h.acct.DefaultFolder
		}
		if folder == "" {
			folder = "INBOX"
		}
		return []string{folder}, nil
	}
	fs, err := h.acct.Mailbox.Folders(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, f := range fs {
		if !f.NoSelect {
			out = append(out, f.Name)
		}
	}
	return out, nil
}

// folderJSON is one folder of `folders --json`.
type folderJSON struct {
	Name     string `json:"name"`
	Role     string `json:"role,omitempty"`
	Messages uint32 `json:"messages"`
	Unseen   uint32 `json:"unseen"`
	NoSelect bool   `json:"no_select,omitempty"`
}

func runFolders(ctx context.Context, args []string, cfgPath, account string, stdout, stderr io.Writer) int {
	fs, cfgFlag, acctFlag := newHeadless("folders", "mailtriage folders [--json]",
		"List the account's folders with their roles, message and unread counts.", cfgPath, account)
	asJSON := fs.Bool("json", false, "JSON instead of a table")
	if status, ok := fs.parse(args, stdout, stderr); !ok {
		return status
	}
	h, err := openHeadless(*cfgFlag, *acctFlag)
	if err != nil {
		return fail(stderr, 2, err)
	}
	defer h.close()
	folders, err := h.acct.Mailbox.Folders(ctx)
	if err != nil {
		return fail(stderr, 1, err)
	}
	var out []folderJSON
	for _, f := range folders {
		if !f.NoSelect && !f.Status.Known {
			if st, err := h.acct.Mailbox.Status(ctx, f.Name); err == nil && len(st) == 1 {
				f.Status = st[0]
			}
		}
		out = append(out, folderJSON{Name: f.Name, Role: string(f.Role), Messages: f.Status.Messages, Unseen: f.Status.Unseen, NoSelect: f.NoSelect})
	}
	if *asJSON {
		enc := safejson.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return fail(stderr, 1, err)
		}
		return 0
	}
	for _, f := range out {
		role := f.Role
		if role == "" {
			role = "-"
		}
		fmt.Fprintf(stdout, "%-40s %-8s %7d %7d\n", analysis.SanitizeLine(f.Name), role, f.Messages, f.Unseen)
	}
	return 0
}
