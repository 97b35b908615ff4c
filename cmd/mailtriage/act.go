package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/mailtriage/mailtriage/backend/action"
	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/remediate"
	"github.com/mailtriage/mailtriage/backend/safejson"
)

// listFlag collects a repeatable flag; commas also separate values.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*l = append(*l, p)
		}
	}
	return nil
}

// repeatFlag collects a repeatable flag whose values may hold commas.
type repeatFlag []string

func (r *repeatFlag) String() string     { return strings.Join(*r, " ") }
func (r *repeatFlag) Set(v string) error { *r = append(*r, v); return nil }

// actResult is what `act` prints: exactly what happened to each target.
type actResult struct {
	Verb    string      `json:"verb"`
	Account string      `json:"account"`
	Folder  string      `json:"folder"`
	Dest    string      `json:"dest,omitempty"`
	DryRun  bool        `json:"dry_run"`
	AuditID string      `json:"audit_id,omitempty"`
	Targets []actTarget `json:"targets"`
	Error   string      `json:"error,omitempty"`
}

type actTarget struct {
	UID       uint32 `json:"uid,omitempty"`
	MessageID string `json:"message_id,omitempty"`
	// Result is done, not_done, not_found or (dry run) would.
	Result  string `json:"result"`
	DestUID uint32 `json:"dest_uid,omitempty"`
}

// actVerbs are the verbs of `act`.
var actVerbs = []string{"move", "copy", "delete", "tag", "untag", "read", "unread"}

func runAct(ctx context.Context, args []string, cfgPath, account string, stdout, stderr io.Writer) int {
	fs, cfgFlag, acctFlag := newHeadless("act",
		"mailtriage act VERB [NAME] (--uid N ... | --message-id ID ... | --search QUERY | --item-id ID ...) [--folder F] [--to FOLDER] [--dry-run]",
		"Apply one remediation, audited, to the messages named, and print what happened to each.\n"+
			"VERB is one of "+strings.Join(actVerbs, ", ")+"; tag and untag take the category NAME.", cfgPath, account)
	var uids, ids listFlag
	var items repeatFlag
	fs.Var(&uids, "uid", "target `UID` (repeatable, or comma-separated)")
	fs.Var(&items, "item-id", "target `ITEM-ID` as pull and exports print it: account/folder/uidvalidity/uid (repeatable)")
	fs.Var(&ids, "message-id", "target `Message-ID` (repeatable)")
	search := fs.String("search", "", "target every match of this query")
	folder := fs.String("folder", "", "folder of the targets (default: the account's default folder, else INBOX)")
	to := fs.String("to", "", "destination folder of move and copy")
	hard := fs.Bool("hard", false, "delete: permanently (\\Deleted + UID EXPUNGE)")
	soft := fs.Bool("soft", false, "delete: only flag \\Deleted")
	dry := fs.Bool("dry-run", false, "say what would be done, change nothing")
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		// No verb: maybe --help, else a usage error either way.
		if status, ok := fs.parse(args, stdout, stderr); !ok {
			return status
		}
		return fs.usageError(stderr, errors.New("which verb? "+strings.Join(actVerbs, ", ")))
	}
	verb, args := args[0], args[1:]
	if !slices.Contains(actVerbs, verb) {
		return fs.usageError(stderr, fmt.Errorf("unknown verb %q (%s)", verb, strings.Join(actVerbs, ", ")))
	}
	var name string // tag / untag NAME
	if (verb == "tag" || verb == "untag") && len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if status, ok := fs.parse(args, stdout, stderr); !ok {
		return status
	}
	if n := boolCount(len(uids) > 0, len(ids) > 0, *search != "", len(items) > 0); n != 1 {
		return fs.usageError(stderr, errors.New("give exactly one of --uid, --message-id, --search, --item-id"))
	}
	var target itemTargets
	if len(items) > 0 {
		var err error
		if target, err = parseItemIDs(items); err != nil {
			return fs.usageError(stderr, err)
		}
		if *acctFlag == "" {
			*acctFlag = target.account
		}
		if *folder != "" && *folder != target.folder {
			return fs.usageError(stderr, fmt.Errorf("--folder %q and the item ids' folder %q differ", *folder, target.folder))
		}
		*folder = target.folder
	}
	h, err := openHeadless(*cfgFlag, *acctFlag)
	if err != nil {
		return fail(stderr, 2, err)
	}
	defer h.close()
	req, err := actRequest(ctx, h, verb, name, *to, *hard, *soft)
	if err != nil {
		return fail(stderr, 2, err)
	}
	req.Folder.Name = *folder
	if req.Folder.Name == "" {
		req.Folder.Name = firstNonEmpty(h.acct.DefaultFolder, "INBOX")
	}
	res := actResult{Verb: verb, Account: h.acct.Name, Folder: req.Folder.Name, Dest: req.Dest, DryRun: *dry}
	if len(items) > 0 {
		if target.account != h.acct.Name {
			return fail(stderr, 2, fmt.Errorf("act: the item ids are of account %q, not %q", target.account, h.acct.Name))
		}
		req.Folder.UIDValidity = target.validity
		uids = target.uids
	}
	found, missing, err := resolveTargets(ctx, h.acct.Mailbox, &req, uids, ids, *search)
	if err != nil {
		return fail(stderr, 1, err)
	}
	if *dry && req.Dest != "" {
		// A real move to a missing folder is refused by the server;
		// a dry run must not say "would" for it either.
		if err := folderExists(ctx, h.acct.Mailbox, req.Dest); err != nil {
			return fail(stderr, 1, fmt.Errorf("act %s --to: %w", verb, err))
		}
	}
	res.Targets = append(res.Targets, missing...)
	status := 0
	if len(missing) > 0 {
		status = 1
	}
	if *dry || len(req.UIDs) == 0 {
		for _, uid := range req.UIDs {
			res.Targets = append(res.Targets, actTarget{UID: uint32(uid), MessageID: found[uid], Result: "would"})
		}
		return printAct(stdout, stderr, res, status)
	}
	out, err := h.actions.Do(ctx, req, nil)
	res.AuditID = out.AuditID
	res.Targets = append(res.Targets, targetsOf(out, found)...)
	if err != nil {
		res.Error = err.Error()
		status = 1
	}
	if len(out.NotDone) > 0 {
		status = 1
	}
	return printAct(stdout, stderr, res, status)
}

func boolCount(bs ...bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// actRequest maps a verb to a remediation request.
func actRequest(ctx context.Context, h *headless, verb, name, to string, hard, soft bool) (remediate.Request, error) {
	req := remediate.Request{Account: h.acct.Name, Box: h.acct.Mailbox}
	switch verb {
	case "move", "copy":
		if to == "" {
			return req, fmt.Errorf("act %s: --to FOLDER is required", verb)
		}
		req.Action, req.Dest = remediate.Action(verb), to
	case "delete":
		switch {
		case hard && soft:
			return req, errors.New("act delete: --hard and --soft exclude each other")
		case hard:
			req.Action = remediate.Delete
		case soft:
			req.Action = remediate.SoftDelete
		default:
			trash, err := trashFolder(ctx, h.acct.Mailbox)
			if err != nil {
				return req, err
			}
			req.Action, req.Dest = remediate.Trash, trash
		}
	case "tag", "untag":
		if name == "" {
			return req, fmt.Errorf("act %s NAME: which category?", verb)
		}
		kw, err := mail.EncodeKeyword(name)
		if err != nil {
			return req, err
		}
		req.Action, req.Keyword = remediate.Action(verb), kw
	case "read", "unread":
		req.Action = remediate.Action(verb)
	default:
		return req, fmt.Errorf("act: unknown verb %q (move, copy, delete, tag, untag, read, unread)", verb)
	}
	return req, nil
}

func trashFolder(ctx context.Context, box mail.Mailbox) (string, error) {
	folders, err := box.Folders(ctx)
	if err != nil {
		return "", err
	}
	if trash := action.FolderWithRole(folders, mail.RoleTrash); trash != "" {
		return trash, nil
	}
	if rc, ok := box.(roleChecker); ok {
		// A configured trash that does not exist is the likelier mistake.
		if err := rc.CheckRoleFolders(folders); err != nil {
			return "", fmt.Errorf("act delete: %w; or use --hard / --soft", err)
		}
	}
	return "", errors.New("act delete: no Trash folder (set trash in [accounts.folders]), or use --hard / --soft")
}

// canonicalNamer is a mailbox that accepts folder names with or without
// the namespace prefix and says how it shows them (IMAP).
type canonicalNamer interface {
	CanonicalName(string) string
}

// folderExists says whether the server has the folder the analyst named
// (with or without the namespace prefix).
func folderExists(ctx context.Context, box mail.Mailbox, name string) error {
	folders, err := box.Folders(ctx)
	if err != nil {
		return err
	}
	want := name
	if cn, ok := box.(canonicalNamer); ok {
		want = cn.CanonicalName(name)
	}
	for _, f := range folders {
		if f.Name == want && !f.NoSelect {
			return nil
		}
	}
	return fmt.Errorf("no folder %q on the server", analysis.SanitizeLine(name))
}

// resolveTargets fills req.Folder (with its UIDVALIDITY) and req.UIDs, and
// returns the Message-ID of each found UID and the targets not found.
func resolveTargets(ctx context.Context, box mail.Mailbox, req *remediate.Request, uids, ids []string, search string) (map[mail.UID]string, []actTarget, error) {
	var missing []actTarget
	var want []mail.UID
	switch {
	case search != "":
		q, err := mail.ParseQuery(search)
		if err != nil {
			return nil, nil, fmt.Errorf("--search: %w", err)
		}
		if q.AllFolders {
			return nil, nil, errors.New("--search: in:all is not supported by act; give --folder")
		}
		ref, found, err := box.Search(ctx, req.Folder.Name, q)
		if err != nil {
			return nil, nil, err
		}
		req.Folder, want = ref, found
	case len(ids) > 0:
		for _, id := range ids {
			ref, found, err := box.Search(ctx, req.Folder.Name, mail.Query{Terms: []mail.Term{{Field: mail.FieldMessageID, Value: id}}})
			if err != nil {
				return nil, nil, err
			}
			req.Folder = ref
			if len(found) == 0 {
				missing = append(missing, actTarget{MessageID: strings.Trim(id, "<>"), Result: "not_found"})
			}
			want = append(want, found...)
		}
	default:
		l, err := box.List(ctx, req.Folder.Name, 0)
		if err != nil {
			return nil, nil, err
		}
		if want := req.Folder.UIDValidity; want != 0 && want != l.Folder.UIDValidity {
			return nil, nil, fmt.Errorf("folder %q has UIDVALIDITY %d now, not %d as in the item ids: it was recreated (or its UID map lost), so the UIDs may name other mail; look the messages up again: %w",
				req.Folder.Name, l.Folder.UIDValidity, want, mail.ErrUIDValidityChanged)
		}
		req.Folder = l.Folder
		for _, s := range uids {
			n, err := strconv.ParseUint(s, 10, 32)
			if err != nil || n == 0 {
				return nil, nil, fmt.Errorf("--uid %q is not a UID", s)
			}
			if _, ok := slices.BinarySearch(l.UIDs, mail.UID(n)); !ok {
				missing = append(missing, actTarget{UID: uint32(n), Result: "not_found"})
				continue
			}
			want = append(want, mail.UID(n))
		}
	}
	slices.Sort(want)
	want = slices.Compact(want)
	req.UIDs = want
	found, err := box.MessageIDs(ctx, req.Folder, want)
	if err != nil {
		return nil, nil, err
	}
	return found, missing, nil
}

func targetsOf(out remediate.Outcome, ids map[mail.UID]string) []actTarget {
	dst := map[mail.UID]mail.UID{}
	for _, p := range out.Transfer.Done {
		dst[p.Src] = p.Dst
	}
	var t []actTarget
	for _, uid := range out.Done {
		t = append(t, actTarget{UID: uint32(uid), MessageID: ids[uid], Result: "done", DestUID: uint32(dst[uid])})
	}
	for _, uid := range out.NotDone {
		t = append(t, actTarget{UID: uint32(uid), MessageID: ids[uid], Result: "not_done"})
	}
	return t
}

func printAct(stdout, stderr io.Writer, res actResult, status int) int {
	enc := safejson.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(res); err != nil {
		return fail(stderr, 1, err)
	}
	if res.Error != "" {
		fail(stderr, status, errors.New(res.Error))
	}
	return status
}

// itemTargets are the messages named by --item-id: one account and
// folder, at one UIDVALIDITY.
type itemTargets struct {
	account, folder string
	validity        uint32
	uids            []string
}

// parseItemIDs reads account/folder/uidvalidity/uid ids (the folder may
// itself contain "/"), which must all name the same folder.
func parseItemIDs(ids []string) (itemTargets, error) {
	var t itemTargets
	for i, id := range ids {
		account, rest, ok := strings.Cut(id, "/")
		j := strings.LastIndexByte(rest, '/')
		if !ok || account == "" || j < 0 {
			return t, fmt.Errorf("--item-id %q: want account/folder/uidvalidity/uid", id)
		}
		uid := rest[j+1:]
		rest = rest[:j]
		k := strings.LastIndexByte(rest, '/')
		if k <= 0 {
			return t, fmt.Errorf("--item-id %q: want account/folder/uidvalidity/uid", id)
		}
		folder := rest[:k]
		v, err := strconv.ParseUint(rest[k+1:], 10, 32)
		if err != nil || v == 0 {
			return t, fmt.Errorf("--item-id %q: %q is not a UIDVALIDITY", id, rest[k+1:])
		}
		if i == 0 {
			t.account, t.folder, t.validity = account, folder, uint32(v)
		} else if account != t.account || folder != t.folder || uint32(v) != t.validity {
			return t, fmt.Errorf("--item-id %q: all item ids must name the same account, folder and UIDVALIDITY as %q", id, ids[0])
		}
		t.uids = append(t.uids, uid)
	}
	return t, nil
}
