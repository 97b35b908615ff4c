package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/evidence"
	"github.com/mailtriage/mailtriage/backend/jobs"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/ui/common"
	"github.com/mailtriage/mailtriage/ui/message"
)

const exportUsage = "usage: export json|iocs|eml [--raw] [--force] FILE (iocs: CSV when FILE ends .csv, else JSON; defanged unless --raw)"

// exportReq is one :export, parsed.
type exportReq struct {
	kind  string // json, iocs, eml
	path  string
	raw   bool // iocs undefanged
	force bool // replace an existing file
}

func parseExport(arg string) (exportReq, error) {
	var r exportReq
	var rest []string
	for _, f := range strings.Fields(arg) {
		switch f {
		case "--raw":
			r.raw = true
		case "--force":
			r.force = true
		default:
			if r.kind == "" {
				r.kind = f
				continue
			}
			rest = append(rest, f)
		}
	}
	r.path = strings.Join(rest, " ")
	switch {
	case r.kind != "json" && r.kind != "iocs" && r.kind != "eml", r.path == "":
		return r, errors.New(exportUsage)
	case r.raw && r.kind != "iocs":
		return r, errors.New("--raw only applies to export iocs")
	}
	return r, nil
}

// cmdExport writes the open message (on the message screen) or the one
// under the list cursor to a file: its analysis as JSON, its indicators,
// or its original bytes. Files are created 0600 and never replace an
// existing file without --force.
func (m *Model) cmdExport(arg string) tea.Cmd {
	req, err := parseExport(arg)
	if err != nil {
		return m.setFlash(err.Error(), true)
	}
	var t message.Target
	if cur, ok := m.message.Current(); ok && m.screen == screenMessage {
		t = cur
	} else {
		ref, env, err := m.box().CurrentMessage()
		if err != nil {
			return m.setFlash("export: "+err.Error(), true)
		}
		t = message.Target{Account: m.box().Account(), Folder: ref, UID: env.UID}
	}
	lim := m.c.Limits
	spec := jobs.Spec{Name: fmt.Sprintf("export %s of message %d", req.kind, t.UID), Account: t.Account.Name}
	return common.RunJob(m.c, spec,
		func(ctx context.Context, _ *jobs.Progress) (string, error) {
			return runExport(ctx, req, t, lim)
		},
		func(_ jobs.ID, text string, err error) tea.Msg {
			switch {
			case errors.Is(err, evidence.ErrExists):
				return common.ErrorMsg{Err: fmt.Errorf("export: %w — add --force to replace it", err)}
			case err != nil:
				return common.ErrorMsg{Err: fmt.Errorf("export %s: %w", req.kind, err)}
			}
			return common.InfoMsg{Text: text}
		})
}

// ItemID names a message in exports: account/folder/uidvalidity/uid.
func ItemID(account string, ref mail.FolderRef, uid mail.UID) string {
	return fmt.Sprintf("%s/%s/%d/%d", account, ref.Name, ref.UIDValidity, uid)
}

// runExport fetches the message when the screen has not, writes the file
// and returns the status line.
func runExport(ctx context.Context, req exportReq, t message.Target, lim evidence.Limits) (string, error) {
	if t.Raw == nil {
		raw, err := t.Account.Mailbox.Fetch(ctx, t.Folder, t.UID, t.Account.MessageLimit)
		if err != nil {
			return "", fmt.Errorf("read message %d: %w", t.UID, err)
		}
		t.Raw, t.Truncated = raw.Raw, raw.Truncated
	}
	path, err := common.ExpandHome(req.path)
	if err != nil {
		return "", err
	}
	var what string
	write := func(w io.Writer) error { _, err := w.Write(t.Raw); return err }
	switch req.kind {
	case "json":
		what = "the analysis (JSON)"
		id := ItemID(t.Account.Name, t.Folder, t.UID)
		write = func(w io.Writer) error { return evidence.ExportJSON(w, t.Raw, id, t.Folder.Name, lim) }
	case "iocs":
		ev := evidence.Analyze(t.Raw, lim)
		iocs, form := evidence.IOCs(ev), "defanged"
		if req.raw {
			iocs, form = evidence.RawIOCs(ev), "live, not defanged"
		}
		format := "JSON"
		write = func(w io.Writer) error { return evidence.WriteIOCsJSON(w, iocs) }
		if strings.HasSuffix(strings.ToLower(path), ".csv") {
			format = "CSV"
			write = func(w io.Writer) error { return evidence.WriteIOCsCSV(w, iocs) }
		}
		what = fmt.Sprintf("%d indicators (%s, %s)", len(iocs), form, format)
	case "eml":
		what = fmt.Sprintf("the original message (%d bytes)", len(t.Raw))
	}
	if err := evidence.WriteFile(path, req.force, write); err != nil {
		return "", err
	}
	text := fmt.Sprintf("exported %s of message %d to %s (mode 0600)", what, t.UID, path)
	if t.Truncated {
		text += " — only the first part: the message is larger than max_message_bytes"
	}
	return text, nil
}
