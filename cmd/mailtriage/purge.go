package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/mailtriage/mailtriage/backend/purge"
)

// purgeOutput is what `purge` prints: the plan, and what was done.
type purgeOutput struct {
	Account string      `json:"account"`
	DryRun  bool        `json:"dry_run"`
	Plan    *purge.Plan `json:"plan"`
	// Guard lists what stops the purge until --confirm names the domain.
	Guard  []purge.Concern `json:"guard,omitempty"`
	Result *purge.Result   `json:"result,omitempty"`
	Error  string          `json:"error,omitempty"`
}

func runPurge(ctx context.Context, args []string, cfgPath, account string, stdout, stderr io.Writer) int {
	fs, cfgFlag, acctFlag := newHeadless("purge",
		"mailtriage purge --message-id ID [--dry-run] [--mode soft|junk|hard] [--yes] [--state FILE] [--undo] [--confirm DOMAIN] [flags]",
		"Find every copy of a message and take them out, audited per mailbox; print the plan and the result as JSON.\n"+
			"A Graph account searches every mailbox of the tenant (application permission); an IMAP account\n"+
			"searches every folder of its own mailbox only. soft moves the copies to Recoverable Items (IMAP:\n"+
			"Trash), junk to Junk Email, hard deletes them for good (admins only, and only with --yes).", cfgPath, account)
	id := fs.String("message-id", "", "the Message-ID of the message to purge (with or without <>)")
	dry := fs.Bool("dry-run", false, "find the copies and print the plan, change nothing")
	modeFlag := fs.String("mode", "soft", "soft, junk or hard")
	yes := fs.Bool("yes", false, "confirm a hard purge")
	state := fs.String("state", "", "keep the plan in this file (0600): run again with it to continue an interrupted search, retry what failed, or --undo")
	undo := fs.Bool("undo", false, "move the copies the --state plan soft- or junk-purged back")
	confirm := fs.String("confirm", "", "go ahead although the message comes from this internal, protected or own `domain`")
	if status, ok := fs.parse(args, stdout, stderr); !ok {
		return status
	}
	mode, err := purge.ParseMode(*modeFlag)
	if err != nil {
		return fs.usageError(stderr, err)
	}
	switch {
	case *id == "":
		return fs.usageError(stderr, errors.New("--message-id is required"))
	case *undo && *state == "":
		return fs.usageError(stderr, errors.New("--undo needs the --state file of the purge"))
	case mode == purge.Hard && !*dry && !*yes && !*undo:
		return fs.usageError(stderr, errors.New("a hard purge deletes every copy for good: look at the plan with --dry-run, then confirm with --yes"))
	}
	msgID, err := purge.NormalizeID(*id)
	if err != nil {
		return fs.usageError(stderr, fmt.Errorf("--message-id: %w", err))
	}
	h, err := openHeadless(*cfgFlag, *acctFlag)
	if err != nil {
		return fail(stderr, 2, err)
	}
	defer h.close()
	guard := purgeGuard(h)
	p, closeP := purge.New(h.acct.Mailbox, purge.Options{Actions: h.actions, Account: h.acct.Name, Address: h.acct.Address, Guard: guard, Confirm: *confirm})
	defer closeP()
	out := purgeOutput{Account: h.acct.Name, DryRun: *dry}
	out.Plan, err = loadPlan(*state, msgID)
	if err == nil && *undo && out.Plan == nil {
		err = fmt.Errorf("--undo: no plan in %s", *state)
	}
	if err == nil {
		err = plan(ctx, p, &out, msgID)
	}
	if out.Plan != nil {
		out.Guard = guard.Check(out.Plan)
	}
	if err == nil && !*dry {
		var res purge.Result
		if *undo {
			res, err = p.Undo(ctx, out.Plan)
		} else {
			res, err = p.Apply(ctx, out.Plan, mode)
		}
		out.Result = &res
	}
	if err == nil && out.Plan != nil && len(out.Plan.Failed) > 0 {
		err = fmt.Errorf("could not search %d of the mailboxes (listed under failed): run again with --state to retry them", len(out.Plan.Failed))
	}
	if serr := savePlan(*state, out.Plan); serr != nil && err == nil {
		err = serr
	}
	return printPurge(stdout, stderr, out, err)
}

// purgeGuard is [analysis]'s internal and protected domains and the
// account's own.
func purgeGuard(h *headless) purge.Guard {
	var g purge.Guard
	if a := h.cfg.Analysis; a != nil {
		g.Internal, g.Protected = a.InternalDomains, a.ProtectedDomains
	}
	if _, domain, ok := strings.Cut(h.acct.Address, "@"); ok {
		g.Own = []string{domain}
	}
	return g
}

// plan makes the plan, or continues the one read from --state.
func plan(ctx context.Context, p purge.Purger, out *purgeOutput, msgID string) error {
	if out.Plan == nil {
		var err error
		out.Plan, err = p.Plan(ctx, msgID)
		return err
	}
	if out.Plan.Complete() {
		return nil
	}
	return p.Continue(ctx, out.Plan)
}

// loadPlan reads the plan kept in path, if any; it must be for msgID.
func loadPlan(path, msgID string) (*purge.Plan, error) {
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the plan: %w", err)
	}
	var p purge.Plan
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("read the plan %s: %w", path, err)
	}
	if p.MessageID != msgID {
		return nil, fmt.Errorf("the plan in %s is for %s, not %s", path, p.MessageID, msgID)
	}
	return &p, nil
}

// savePlan writes the plan to path (0600) through a temporary file, so
// an interruption leaves the old plan or the new one.
func savePlan(path string, p *purge.Plan) error {
	if path == "" || p == nil {
		return nil
	}
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".purge-*")
	if err != nil {
		return fmt.Errorf("save the plan: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("save the plan: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save the plan: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("save the plan: %w", err)
	}
	return nil
}

// printPurge writes the JSON (always, so a partial plan is seen) and the
// error line; exit status 1 when anything failed.
func printPurge(stdout, stderr io.Writer, out purgeOutput, err error) int {
	if err != nil {
		out.Error = err.Error()
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if werr := enc.Encode(out); werr != nil && err == nil {
		err = werr
	}
	if err != nil {
		return fail(stderr, 1, fmt.Errorf("purge: %w", err))
	}
	return 0
}
