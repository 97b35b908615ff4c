package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/mailtriage/mailtriage/backend/audit"
	"github.com/mailtriage/mailtriage/backend/watch"
	"github.com/mailtriage/mailtriage/config"
)

func runWatch(ctx context.Context, args []string, cfgPath, account string, stdout, stderr io.Writer) int {
	fs, cfgFlag, acctFlag := newHeadless("watch",
		"mailtriage watch --folder F [--exec CMD | --webhook URL [--hmac-secret-cmd CMD]] [--state FILE]",
		"Deliver each new message of a folder once, as it arrives: as JSON lines on stdout, on a\n"+
			"command's stdin or to a signed webhook.", cfgPath, account)
	folder := fs.String("folder", "", "folder to watch (required)")
	execCmd := fs.String("exec", "", "run this shell command per message, the record on its stdin")
	webhook := fs.String("webhook", "", "POST each record to this URL")
	secretCmd := fs.String("hmac-secret-cmd", "", "command printing the webhook's HMAC-SHA256 secret")
	secretEnv := fs.String("hmac-secret-env", "", "environment variable holding the webhook's HMAC-SHA256 secret")
	statePath := fs.String("state", "", "state file (default: the state dir, per account and folder)")
	fromStart := fs.Bool("from-start", false, "on the first run, deliver what is already in the folder")
	recheck := fs.Duration("recheck", time.Minute, "check the folder this often even without news from the server")
	if status, ok := fs.parse(args, stdout, stderr); !ok {
		return status
	}
	if *folder == "" {
		return fs.usageError(stderr, errors.New("--folder is required"))
	}
	if *execCmd != "" && *webhook != "" {
		return fs.usageError(stderr, errors.New("--exec and --webhook exclude each other"))
	}
	if (*secretCmd != "" || *secretEnv != "") && *webhook == "" {
		return fs.usageError(stderr, errors.New("the HMAC secret is for --webhook"))
	}
	h, err := openHeadless(*cfgFlag, *acctFlag)
	if err != nil {
		return fail(stderr, 2, err)
	}
	defer h.close()
	var sink watch.Sink = watch.NewLines(stdout)
	switch {
	case *execCmd != "":
		sink = watch.Exec{Command: *execCmd}
	case *webhook != "":
		hook := watch.Webhook{URL: *webhook}
		if *secretCmd != "" || *secretEnv != "" {
			s, err := config.Secret{Field: "hmac_secret", Cmd: *secretCmd, Env: *secretEnv}.Resolve(ctx)
			if err != nil {
				return fail(stderr, 2, err)
			}
			hook.Secret = []byte(s)
		}
		sink = hook
	}
	if *statePath == "" {
		def, err := audit.DefaultPath()
		if err != nil {
			return fail(stderr, 2, err)
		}
		name := fmt.Sprintf("watch-%s-%s.json", h.acct.Name, strings.NewReplacer("/", "_", "\\", "_").Replace(*folder))
		*statePath = filepath.Join(filepath.Dir(def), name)
	}
	err = watch.Run(ctx, h.acct.Mailbox, watch.Options{
		Account: h.acct.Name, Folder: *folder, StatePath: *statePath, Sink: sink,
		FromStart: *fromStart, Recheck: *recheck, MaxBytes: h.acct.MessageLimit, Limits: analysisLimits(h.cfg), Log: stderr,
	})
	if err != nil {
		return fail(stderr, 1, err)
	}
	return 0
}
