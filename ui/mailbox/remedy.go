package mailbox

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/backend/jobs"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/remediate"
	"github.com/mailtriage/mailtriage/ui/common"
	"github.com/mailtriage/mailtriage/ui/components"
)

// actionKey handles the selection and remediation keys of the list.
func (m *Model) actionKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Select):
		return m.toggleMark()
	case key.Matches(msg, k.SelectRange):
		m.markRange()
	case key.Matches(msg, k.SelectAll):
		return m.markAll()
	case key.Matches(msg, k.SelectSender):
		return m.selectLike(likeSender)
	case key.Matches(msg, k.SelectDomain):
		return m.selectLike(likeDomain)
	case key.Matches(msg, k.SelectSubject):
		return m.selectLike(likeSubject)
	case key.Matches(msg, k.Campaigns):
		return m.pickCampaign()
	case key.Matches(msg, k.Clear):
		return m.clear()
	case key.Matches(msg, k.Move):
		return m.pickFolder(remediate.Move)
	case key.Matches(msg, k.Copy):
		return m.pickFolder(remediate.Copy)
	case key.Matches(msg, k.Trash):
		return m.Act(remediate.Trash, "", "")
	case key.Matches(msg, k.Delete):
		return m.Act(remediate.Delete, "", "")
	case key.Matches(msg, k.SoftDelete):
		return m.toggle(func(f mail.Flags) bool { return f.Deleted }, remediate.SoftDelete, remediate.Restore)
	case key.Matches(msg, k.ToggleRead):
		return m.toggle(func(f mail.Flags) bool { return f.Seen }, remediate.Read, remediate.Unread)
	case key.Matches(msg, k.Flag):
		return m.toggle(func(f mail.Flags) bool { return f.Flagged }, remediate.Flag, remediate.Unflag)
	case key.Matches(msg, k.Tag):
		return m.pickTag()
	case key.Matches(msg, k.Undo):
		return m.Undo()
	case key.Matches(msg, k.Search):
		return m.searchPrompt()
	case key.Matches(msg, k.Info):
		return m.FolderInfo(m.open.name)
	case key.Matches(msg, k.Report):
		return m.Report()
	case key.Matches(msg, k.Block):
		return m.BlockSender()
	case key.Matches(msg, k.AsReceived):
		return m.toggleRawView()
	case key.Matches(msg, k.Verdict):
		return m.PickVerdict(nil)
	case key.Matches(msg, k.Feedback):
		return m.Feedback()
	case key.Matches(msg, k.Purge):
		return m.Purge()
	}
	return nil
}

// pickFolder asks where to move or copy: special-use folders first, then
// the rest in tree order; the open folder is not offered.
func (m *Model) pickFolder(action remediate.Action) tea.Cmd {
	if err := m.c.Actions.Check(action); err != nil {
		return common.Error(err)
	}
	uids, err := m.targets()
	if err != nil {
		return common.Error(err)
	}
	var special, rest []components.PickItem
	for _, f := range m.folders {
		if f.NoSelect || f.Name == m.open.name {
			continue
		}
		it := components.PickItem{Label: f.Name, Value: f.Name}
		if f.Role != mail.RoleNone && f.Role != mail.RoleInbox {
			it.Note = "(" + string(f.Role) + ")"
			special = append(special, it)
			continue
		}
		rest = append(rest, it)
	}
	slices.SortStableFunc(special, func(a, b components.PickItem) int { return roleRank(a.Note) - roleRank(b.Note) })
	title := fmt.Sprintf("%s %d message(s) to…", action, len(uids))
	m.overlay = newPicker(m.c, analysis.Plain(title), append(special, rest...), false, func(it components.PickItem, _ string) tea.Cmd {
		return m.Act(action, it.Value, "")
	})
	return nil
}

// roleRank orders special-use folders the way triage uses them.
func roleRank(note string) int {
	order := []mail.Role{mail.RoleJunk, mail.RoleTrash, mail.RoleArchive, mail.RoleSent, mail.RoleDrafts, mail.RoleAll, mail.RoleFlagged}
	for i, r := range order {
		if note == "("+string(r)+")" {
			return i
		}
	}
	return len(order)
}

// pickTag offers the categories seen in this folder (and used this
// session); picking one every target already has removes it, anything
// typed that does not exist yet is created.
func (m *Model) pickTag() tea.Cmd {
	if err := m.c.Actions.Check(remediate.Tag); err != nil {
		return common.Error(err)
	}
	uids, err := m.targets()
	if err != nil {
		return common.Error(err)
	}
	f := m.open
	if !f.keywords {
		return common.Error(fmt.Errorf("the server cannot store categories in %q (no new keywords allowed, e.g. Exchange over IMAP)", f.name))
	}
	var items []components.PickItem
	seen := map[string]bool{}
	add := func(kw string) {
		if k := strings.ToLower(kw); !seen[k] {
			seen[k] = true
			it := components.PickItem{Label: mail.DecodeKeyword(kw), Value: kw}
			if m.allHave(func(fl mail.Flags) bool { return hasKeyword(fl, kw) }) {
				it.Note = "(remove)"
			}
			items = append(items, it)
		}
	}
	for _, kw := range m.usedTags {
		add(kw)
	}
	for _, e := range f.env {
		for _, kw := range e.Flags.Keywords {
			add(kw)
		}
	}
	slices.SortFunc(items, func(a, b components.PickItem) int {
		return strings.Compare(strings.ToLower(a.Label), strings.ToLower(b.Label))
	})
	title := fmt.Sprintf("tag %d message(s) — pick a category, or type a new one", len(uids))
	m.overlay = newPicker(m.c, analysis.Plain(title), items, true, func(it components.PickItem, typed string) tea.Cmd {
		if it.Note == "(remove)" {
			return m.Act(remediate.Untag, "", it.Value)
		}
		kw := it.Value
		if !seen[strings.ToLower(kw)] {
			if kw, err = mail.EncodeKeyword(typed); err != nil {
				return common.Error(err)
			}
		}
		return m.Tag(kw)
	})
	return nil
}

// Tag adds a category (as stored) to the targets and remembers it for
// the picker.
func (m *Model) Tag(kw string) tea.Cmd {
	if !slices.ContainsFunc(m.usedTags, func(k string) bool { return mail.SameKeyword(k, kw) }) {
		m.usedTags = append(m.usedTags, kw)
	}
	return m.Act(remediate.Tag, "", kw)
}

func hasKeyword(f mail.Flags, kw string) bool {
	return slices.ContainsFunc(f.Keywords, func(k string) bool { return mail.SameKeyword(k, kw) })
}

// FolderInfo shows a folder's metadata.
func (m *Model) FolderInfo(name string) tea.Cmd {
	acct := m.acct
	return common.RunJob(m.c.Common, jobs.Spec{Name: "folder info " + name, Account: acct.Name},
		func(ctx context.Context, _ *jobs.Progress) (mail.FolderInfo, error) {
			return acct.Mailbox.FolderInfo(ctx, name)
		},
		func(_ jobs.ID, info mail.FolderInfo, err error) tea.Msg {
			return folderInfoMsg{account: acct.Name, info: info, err: err}
		})
}

type folderInfoMsg struct {
	account string
	info    mail.FolderInfo
	err     error
}

func (m *Model) folderInfoDone(msg folderInfoMsg) tea.Cmd {
	if msg.err != nil {
		return common.Error(msg.err)
	}
	in := msg.info
	size := "unknown (the server does not report sizes)"
	if in.Size >= 0 {
		size = humanSize(in.Size)
	}
	role := "—"
	if f, ok := m.findFolder(in.Name); ok && f.Role != mail.RoleNone {
		role = string(f.Role)
	}
	children := "none"
	if len(in.Children) > 0 {
		children = strings.Join(in.Children, ", ")
	}
	m.overlay = &info{title: analysis.Concat(analysis.Plain("Folder "), analysis.SanitizeLine(in.Name)), body: []string{
		fmt.Sprintf("messages %d   unread %d   deleted %d   size %s", in.Messages, in.Unseen, in.Deleted, size),
		fmt.Sprintf("role %s   UIDVALIDITY %d   UIDNEXT %d", role, in.UIDValidity, in.UIDNext),
		"children " + children,
	}}
	return nil
}

// ShowInfo opens an information panel (e.g. the audit log). The title
// and lines may hold untrusted text: both are sanitized here.
func (m *Model) ShowInfo(title string, lines []string) {
	m.overlay = &info{title: analysis.SanitizeLine(title), body: lines}
}
