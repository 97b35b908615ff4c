package ui

import (
	"fmt"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/action"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/remediate"
	"github.com/mailtriage/mailtriage/ui/common"
	"github.com/mailtriage/mailtriage/ui/components"
)

// act is a command that applies one flag action to the analyst's target.
func act(a remediate.Action) func(*Model, string) tea.Cmd {
	return func(m *Model, _ string) tea.Cmd { return m.remedy(a, "", "") }
}

// remedy runs a mailbox action on what the analyst is looking at: on the
// message screen the open message, and only that; on the list the
// selection, else the row under the cursor.
func (m *Model) remedy(name remediate.Action, dest, keyword string) tea.Cmd {
	if m.screen != screenMessage {
		if name == remediate.Tag {
			return m.box().Tag(keyword)
		}
		return m.box().Act(name, dest, keyword)
	}
	t, ok := m.message.Target()
	if !ok {
		return m.setFlash("no message is open", true)
	}
	return m.actOnOpen(t, name, dest, keyword)
}

// actOnOpen plans name on the open message. When the list has a
// selection, the question says that the selection is not what will be
// touched, and offers it as an explicit other answer.
func (m *Model) actOnOpen(t action.Target, name remediate.Action, dest, keyword string) tea.Cmd {
	box := m.box()
	plan, err := box.Plan(t, name, dest, keyword)
	if err != nil {
		return m.setFlash(err.Error(), true)
	}
	run := func(p action.MailboxPlan) func() tea.Cmd {
		return func() tea.Cmd {
			if leavesFolder(p.Name) {
				m.show(screenMailbox)
			}
			return tea.Batch(box.Run(p), common.Info(p.Doing()))
		}
	}
	var choices []components.Choice
	if sel, err := box.Target(); err == nil && box.Selected() > 0 && !sameMessages(sel, t) {
		if alt, err := box.Plan(sel, name, dest, keyword); err == nil {
			choices = append(choices, components.Choice{Key: m.c.Dialog.Selection,
				Label: "the " + sel.Describe() + " selected instead", Run: func() tea.Cmd { m.show(screenMailbox); return run(alt)() }})
		}
	}
	if !plan.NeedsConfirm() && len(choices) == 0 {
		return run(plan)()
	}
	m.dialog = components.NewConfirm(m.c.Dialog, plan.Question(), run(plan), choices...)
	return nil
}

// leavesFolder reports actions after which the open message is no longer
// in its folder: the message screen gives way to the list.
func leavesFolder(a remediate.Action) bool {
	return a == remediate.Move || a == remediate.Trash || a == remediate.Delete
}

func sameMessages(a, b action.Target) bool {
	return a.Account == b.Account && a.Folder == b.Folder && slices.Equal(a.UIDs, b.UIDs)
}

func (m *Model) cmdSearch(arg string) tea.Cmd {
	if arg == "" {
		return m.setFlash("usage: search QUERY (from: to: subject: body: text: since: before: is: tag: in:all)", true)
	}
	m.show(screenMailbox)
	return m.box().Search(arg)
}

func (m *Model) cmdMove(arg string) tea.Cmd {
	if arg == "" {
		return m.setFlash("usage: move FOLDER", true)
	}
	return m.remedy(remediate.Move, m.folderName(arg), "")
}

func (m *Model) cmdCopy(arg string) tea.Cmd {
	if arg == "" {
		return m.setFlash("usage: copy FOLDER", true)
	}
	return m.remedy(remediate.Copy, m.folderName(arg), "")
}

// folderName resolves a typed folder name the way :folder does (exact,
// then ignoring case), so `:move junk` finds Junk.
func (m *Model) folderName(arg string) string {
	for _, name := range m.box().FolderNames() {
		if name == arg {
			return name
		}
	}
	for _, name := range m.box().FolderNames() {
		if strings.EqualFold(name, arg) {
			return name
		}
	}
	return arg
}

func (m *Model) cmdDelete(arg string) tea.Cmd {
	switch arg {
	case "":
		return m.remedy(remediate.Trash, "", "")
	case "--soft":
		return m.remedy(remediate.SoftDelete, "", "")
	case "--hard":
		return m.remedy(remediate.Delete, "", "")
	}
	return m.setFlash("usage: delete [--soft|--hard]", true)
}

func (m *Model) cmdTag(arg string) tea.Cmd {
	if arg == "" {
		return m.setFlash("usage: tag NAME", true)
	}
	kw, err := mail.EncodeKeyword(arg)
	if err != nil {
		return m.setFlash(err.Error(), true)
	}
	return m.remedy(remediate.Tag, "", kw)
}

func (m *Model) cmdUntag(arg string) tea.Cmd {
	if arg == "" {
		return m.setFlash("usage: untag NAME", true)
	}
	kw, err := mail.EncodeKeyword(arg)
	if err != nil {
		return m.setFlash(err.Error(), true)
	}
	return m.remedy(remediate.Untag, "", kw)
}

func (m *Model) cmdInfo(arg string) tea.Cmd {
	m.show(screenMailbox)
	if arg == "" {
		arg = m.box().State().Folder
	}
	return m.box().FolderInfo(m.folderName(arg))
}

// cmdAudit shows the newest audit records of this session's log.
func (m *Model) cmdAudit(string) tea.Cmd {
	svc := m.c.Actions.Remedy
	if svc == nil || svc.Audit == nil {
		return m.setFlash("no audit log in this session", true)
	}
	recs, err := svc.Audit.Recent(12)
	if err != nil {
		return m.setFlash(err.Error(), true)
	}
	lines := make([]string, 0, len(recs))
	for _, r := range recs {
		line := fmt.Sprintf("%s %-6s %-12s %s %s", r.Time.Local().Format("15:04:05"), r.Phase, r.Action, r.Account, r.Folder)
		if r.Dest != "" {
			line += " → " + r.Dest
		}
		if r.Phase == "intent" {
			line += fmt.Sprintf(" (%d msgs)", len(r.UIDs))
		} else {
			line += fmt.Sprintf(" %s done %d", r.Result, r.Done)
			if r.NotDone > 0 {
				line += fmt.Sprintf(" not %d", r.NotDone)
			}
			if r.Error != "" {
				line += ": " + r.Error
			}
		}
		lines = append(lines, line)
	}
	m.show(screenMailbox)
	m.box().ShowInfo("Audit log "+svc.Audit.Path()+" (newest first)", lines)
	return nil
}
