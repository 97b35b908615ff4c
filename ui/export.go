package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/action"
	"github.com/mailtriage/mailtriage/backend/jobs"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/ui/common"
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
// existing file without --force; the write is audited.
func (m *Model) cmdExport(arg string) tea.Cmd {
	req, err := parseExport(arg)
	if err != nil {
		return m.setFlash(err.Error(), true)
	}
	spec := action.ExportSpec{Kind: action.ExportKind(req.kind), Path: req.path, Live: req.raw, Replace: req.force, Limits: m.c.Limits}
	if cur, ok := m.message.Current(); ok && m.screen == screenMessage {
		spec.Target, _ = m.message.Target()
		spec.Raw, spec.Truncated, spec.MaxBytes = cur.Raw, cur.Truncated, cur.Account.MessageLimit
		spec.Report = m.message.ReportContext() // a report exports its original, with the report as context
	} else {
		t, err := m.box().Target()
		if err != nil {
			return m.setFlash("export: "+err.Error(), true)
		}
		if t.Count() != 1 {
			// The list's target is its selection; an export is of one
			// message, so it takes the row under the cursor, named.
			ref, env, err := m.box().CurrentMessage()
			if err != nil {
				return m.setFlash("export: "+err.Error(), true)
			}
			t.Folder, t.UIDs, t.Subject = ref, []mail.UID{env.UID}, env.Subject
		}
		spec.Target, spec.MaxBytes = t, m.box().Account().MessageLimit
	}
	layer := m.c.Actions
	job := jobs.Spec{Name: fmt.Sprintf("export %s of %s", req.kind, spec.Target.Describe()), Account: spec.Target.Account}
	return common.RunJob(m.c.Common, job,
		func(ctx context.Context, _ *jobs.Progress) (string, error) { return layer.Export(ctx, spec) },
		func(_ jobs.ID, text string, err error) tea.Msg {
			switch {
			case errors.Is(err, action.ErrExists):
				return common.ErrorMsg{Err: fmt.Errorf("export: %w — add --force to replace it", err)}
			case err != nil:
				return common.ErrorMsg{Err: fmt.Errorf("export %s: %w", req.kind, err)}
			}
			return common.InfoMsg{Text: text}
		})
}
