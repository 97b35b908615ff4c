package ui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/remediate"
)

// act is a command that applies one flag action to the selection.
func act(a remediate.Action) func(*Model, string) tea.Cmd {
	return func(m *Model, _ string) tea.Cmd { return m.remedy(a, "", "") }
}

// remedy runs an action from the mailbox or from the open message (whose
// row is under the mailbox cursor); a message that leaves the folder
// takes the analyst back to the list.
func (m *Model) remedy(a remediate.Action, dest, keyword string) tea.Cmd {
	switch a {
	case remediate.Move, remediate.Trash, remediate.Delete:
		if m.screen == screenMessage {
			m.screen = screenMailbox
		}
	}
	return m.box().Act(a, dest, keyword)
}

func (m *Model) cmdSearch(arg string) tea.Cmd {
	if arg == "" {
		return m.setFlash("usage: search QUERY (from: to: subject: body: text: since: before: is: tag: in:all)", true)
	}
	m.screen = screenMailbox
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
	return m.box().Tag(kw)
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
	m.screen = screenMailbox
	if arg == "" {
		arg = m.box().Status().Folder
	}
	return m.box().FolderInfo(m.folderName(arg))
}

// cmdAudit shows the newest audit records of this session's log.
func (m *Model) cmdAudit(string) tea.Cmd {
	svc := m.c.Remedy
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
	m.screen = screenMailbox
	m.box().ShowInfo("Audit log "+svc.Audit.Path()+" (newest first)", lines)
	return nil
}
