package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
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
		"mailtriage pull [--folder F | --all-folders] [--unread] [--since YYYY-MM-DD] [--search QUERY] [--limit N]\n"+
			"                       [--save-email] [--attachments-dir DIR] [--format json|jsonl] [flags]",
		"Write the messages of a folder to stdout as SOAR alerts (JSON), newest first. With --all-folders\n"+
			"and --limit N, the N newest across all folders.", cfgPath, account)
	f := pullFlagSet(fs)
	if status, ok := fs.parse(args, stdout, stderr); !ok {
		return status
	}
	opts, err := f.options()
	if err != nil {
		return fs.usageError(stderr, err)
	}
	h, err := openHeadless(*cfgFlag, *acctFlag)
	if err != nil {
		return fail(stderr, 2, err)
	}
	defer h.close()
	if opts.Folders, err = pullFolders(ctx, h, f.folder, f.all); err != nil {
		return fail(stderr, 1, err)
	}
	if opts.AttachmentsDir, err = attachmentsDir(f.attachmentsDir); err != nil {
		return fail(stderr, 2, err)
	}
	opts.Account, opts.Limits, opts.MaxBytes = h.acct.Name, analysisLimits(h.cfg), h.acct.MessageLimit
	if f.markRead {
		opts.Written = func(ctx context.Context, ref mail.FolderRef, uids []mail.UID) error {
			_, err := h.actions.Do(ctx, remediate.Request{Account: h.acct.Name, Box: h.acct.Mailbox, Action: remediate.Read, Folder: ref, UIDs: uids}, nil)
			return err
		}
	}
	if err := h.pull(ctx, opts, stdout); err != nil {
		if ctx.Err() != nil {
			return fail(stderr, 1, errors.New("pull: interrupted; every record written is complete"))
		}
		return fail(stderr, 1, err)
	}
	return 0
}

// pullFlags are pull's arguments.
type pullFlags struct {
	folder, since, search, format, attachmentsDir string
	all, unread, oldest, markRead, withAnalysis   bool
	saveEmail                                     bool
	limit                                         int
}

func pullFlagSet(fs *command) *pullFlags {
	f := &pullFlags{}
	fs.StringVar(&f.folder, "folder", "", "folder to pull from (default: the account's default folder, else INBOX)")
	fs.BoolVar(&f.all, "all-folders", false, "pull from every folder")
	fs.BoolVar(&f.unread, "unread", false, "only unread messages")
	fs.StringVar(&f.since, "since", "", "only messages that arrived on or after this date (YYYY-MM-DD)")
	fs.StringVar(&f.search, "search", "", "only messages matching `QUERY`, in the console's search language (from: subject: tag: is: since: in:all …)")
	fs.IntVar(&f.limit, "limit", 0, "at most this many messages, the newest (0: all)")
	fs.BoolVar(&f.oldest, "oldest-first", false, "oldest first (default: newest first)")
	fs.BoolVar(&f.markRead, "mark-read", false, "mark what was written as read, after writing it")
	fs.StringVar(&f.format, "format", "jsonl", "json or jsonl")
	fs.BoolVar(&f.withAnalysis, "with-analysis", false, "add the evidence: auth, hops, URLs, signals")
	fs.BoolVar(&f.saveEmail, "save-email", false, "fill email_as_attachment with the whole message (base64 of the .eml)")
	fs.StringVar(&f.attachmentsDir, "attachments-dir", "", "write each attachment into `DIR` (mode 0600, names of our own making) and list them in attachment_files")
	return f
}

// options checks the flags and turns them into pull's options (folders,
// account and limits are the caller's).
func (f *pullFlags) options() (pull.Options, error) {
	opts := pull.Options{Unread: f.unread, Limit: f.limit, OldestFirst: f.oldest, WithAnalysis: f.withAnalysis, Format: f.format, SaveEmail: f.saveEmail}
	if f.since != "" {
		t, err := time.Parse("2006-01-02", f.since)
		if err != nil {
			return opts, fmt.Errorf("--since %q: use YYYY-MM-DD", f.since)
		}
		opts.Since = t
	}
	if f.search != "" {
		q, err := mail.ParseQuery(f.search)
		if err != nil {
			return opts, fmt.Errorf("--search: %w", err)
		}
		opts.Query = q
		f.all = f.all || q.AllFolders // in:all searches every folder, as in the console
		if q.AllFolders && f.folder != "" {
			return opts, errors.New("--search in:all and --folder exclude each other")
		}
	}
	switch {
	case f.folder != "" && f.all:
		return opts, errors.New("--folder and --all-folders exclude each other")
	case f.limit < 0:
		return opts, errors.New("--limit must not be negative")
	}
	return opts, nil
}

// attachmentsDir makes --attachments-dir (0700 when created) and returns
// it absolute, so attachment_files name files wherever the playbook runs.
func attachmentsDir(dir string) (string, error) {
	if dir == "" {
		return "", nil
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("--attachments-dir: %w", err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return "", fmt.Errorf("--attachments-dir: %w", err)
	}
	return abs, nil
}

// pull runs the pull; when it writes attachment files, the whole run is
// audited as save-attachment (the files are changes on this machine).
func (h *headless) pull(ctx context.Context, opts pull.Options, stdout io.Writer) error {
	if opts.AttachmentsDir == "" {
		_, err := pull.Pull(ctx, h.acct.Mailbox, opts, stdout)
		return err
	}
	ch := action.Change{Name: remediate.SaveAttachment, Target: action.Target{Account: h.acct.Name},
		Detail: "pull: the attachments of the pulled messages into " + opts.AttachmentsDir}
	return h.actions.Run(ctx, ch, func(ctx context.Context) error {
		_, err := pull.Pull(ctx, h.acct.Mailbox, opts, stdout)
		return err
	})
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
