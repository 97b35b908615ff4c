package mailbox

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/ui/common"
)

// OpenFolder opens the named folder (case-insensitively for INBOX-like
// names) and reports an error when there is none.
func (m *Model) OpenFolder(name string) tea.Cmd {
	target, ok := m.findFolder(name)
	if !ok && len(m.folders) > 0 {
		return common.Error(fmt.Errorf("no folder named %q", name))
	}
	if ok {
		if target.NoSelect {
			return common.Error(fmt.Errorf("%q holds folders only, no messages", target.Name))
		}
		name = target.Name
	}
	for i, f := range m.folders {
		if f.Name == name {
			m.folderCursor = i
			m.clampFolders()
		}
	}
	m.cancelFolderWork() // the old folder's answers are no longer wanted
	m.open = &folder{name: name, env: map[mail.UID]*mail.Envelope{}, pending: map[mail.UID]bool{}, marked: map[mail.UID]bool{}, reading: map[mail.UID]bool{}, recognised: map[mail.UID]*mail.Envelope{}}
	return m.loadListing(name, m.prefetch(), false)
}

// findFolder looks a folder up by exact name, then ignoring case. A
// mailbox that shows names without its namespace prefix (IMAP's "INBOX."
// on Courier and Cyrus) also takes the full name.
func (m *Model) findFolder(name string) (mail.Folder, bool) {
	// Through a session's view of a shared mailbox too (over SSH).
	if cn, ok := mail.As[interface{ CanonicalName(string) string }](m.acct.Mailbox); ok {
		name = cn.CanonicalName(name)
	}
	for _, f := range m.folders {
		if f.Name == name {
			return f, true
		}
	}
	for _, f := range m.folders {
		if strings.EqualFold(f.Name, name) {
			return f, true
		}
	}
	return mail.Folder{}, false
}

// foldersLoaded takes the folder tree and opens the start folder the
// first time (or after a failed first attempt).
func (m *Model) foldersLoaded(msg FoldersLoadedMsg) tea.Cmd {
	if msg.Err != nil {
		m.foldersErr = msg.Err
		if m.open == nil {
			m.open = &folder{name: m.startFolder(), err: msg.Err, reading: map[mail.UID]bool{}, recognised: map[mail.UID]*mail.Envelope{}}
		}
		return common.Error(msg.Err)
	}
	m.foldersErr = nil
	m.mergeFolders(msg.Folders)
	if m.open != nil && (m.open.loaded || m.open.err == nil) {
		return nil
	}
	start := m.startFolder()
	if f, ok := m.findFolder(start); ok && !f.NoSelect {
		return m.OpenFolder(f.Name)
	}
	// The configured folder is not there: say so, and show INBOX rather
	// than nothing.
	err := common.Error(fmt.Errorf("default_folder %q: no such folder; opened INBOX", start))
	return tea.Batch(err, m.OpenFolder("INBOX"))
}

// startFolder is the account's default_folder, else INBOX.
func (m *Model) startFolder() string {
	if m.acct.DefaultFolder != "" {
		return m.acct.DefaultFolder
	}
	return "INBOX"
}

// mergeFolders takes a new folder tree, keeping counters we already know
// better (the open folder's come from its listing).
func (m *Model) mergeFolders(folders []mail.Folder) {
	cur := ""
	if len(m.folders) > 0 {
		cur = m.folders[m.folderCursor].Name
	}
	m.folders = folders
	for i, f := range m.folders {
		if f.Name == cur {
			m.folderCursor = i
		}
		if m.open != nil && m.open.loaded && f.Name == m.open.name {
			m.folders[i].Status.Known = true
			m.folders[i].Status.Messages = uint32(len(m.open.uids))
			m.folders[i].Status.Unseen = m.open.unseen
		}
	}
	m.clampFolders()
}

// setFolderStatus updates one folder's counters in the sidebar.
func (m *Model) setFolderStatus(st mail.FolderStatus) {
	for i := range m.folders {
		if m.folders[i].Name == st.Folder {
			m.folders[i].Status = st
		}
	}
}

// FolderNames lists folders, for command completion.
func (m *Model) FolderNames() []string {
	out := make([]string, 0, len(m.folders))
	for _, f := range m.folders {
		out = append(out, f.Name)
	}
	return out
}
