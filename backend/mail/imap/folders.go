package imap

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/mailtriage/mailtriage/backend/mail"
)

var statusItems = &imap.StatusOptions{NumMessages: true, NumUnseen: true, UIDNext: true, UIDValidity: true}

// Folders lists every folder with its role and, where the server offers
// LIST-STATUS, its counters in the same round trip; otherwise STATUS
// commands for all folders go out pipelined.
func (m *Mailbox) Folders(ctx context.Context) ([]mail.Folder, error) {
	var folders []mail.Folder
	err := m.with(ctx, mail.FolderRef{}, func(cn *conn) error {
		var err error
		folders, err = foldersWithStatus(cn.c, m.namespace(), m.cfg.Roles)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list folders: %w", err)
	}
	for _, f := range folders {
		if f.Status.Known {
			m.setKnownCount(f.Name, f.Status.Messages)
		}
	}
	return folders, nil
}

func listFolders(c *imapclient.Client, ns namespace, roles map[string]mail.Role) ([]mail.Folder, error) {
	var opts *imap.ListOptions
	// Servers without LIST-EXTENDED reject any RETURN option, so plain
	// LIST is the only safe form there (Exchange).
	if c.Caps().Has(imap.CapListStatus) {
		// With extended LIST, servers send special-use attributes only
		// when asked (Dovecot does exactly that).
		opts = &imap.ListOptions{ReturnStatus: statusItems, ReturnSpecialUse: c.Caps().Has(imap.CapSpecialUse)}
	}
	data, err := c.List("", "*", opts).Collect()
	if err != nil {
		return nil, serverWords(err)
	}
	folders := make([]mail.Folder, 0, len(data))
	for _, d := range data {
		folders = append(folders, folderFromList(d, ns, roles))
	}
	guessRoles(folders)
	SortFolders(folders)
	return folders, nil
}

func folderFromList(d *imap.ListData, ns namespace, roles map[string]mail.Role) mail.Folder {
	f := mail.Folder{Name: ns.shown(d.Mailbox), Delim: d.Delim}
	for _, a := range d.Attrs {
		switch imap.MailboxAttr(strings.ToLower(string(a))) {
		case lower(imap.MailboxAttrNoSelect), lower(imap.MailboxAttrNonExistent):
			f.NoSelect = true
		}
		if r := roleOfAttr(a); r != mail.RoleNone && f.Role == mail.RoleNone {
			f.Role = r
		}
	}
	if strings.EqualFold(f.Name, "INBOX") {
		f.Role = mail.RoleInbox
	}
	// Configured with or without the namespace prefix.
	if r, ok := roles[f.Name]; ok {
		f.Role = r
	} else if r, ok := roles[d.Mailbox]; ok {
		f.Role = r
	}
	if d.Status != nil {
		f.Status = statusFrom(d.Status, f.Name)
	}
	return f
}

func lower(a imap.MailboxAttr) imap.MailboxAttr { return imap.MailboxAttr(strings.ToLower(string(a))) }

func roleOfAttr(a imap.MailboxAttr) mail.Role {
	switch lower(a) {
	case lower(imap.MailboxAttrTrash):
		return mail.RoleTrash
	case lower(imap.MailboxAttrJunk):
		return mail.RoleJunk
	case lower(imap.MailboxAttrSent):
		return mail.RoleSent
	case lower(imap.MailboxAttrDrafts):
		return mail.RoleDrafts
	case lower(imap.MailboxAttrArchive):
		return mail.RoleArchive
	case lower(imap.MailboxAttrAll):
		return mail.RoleAll
	case lower(imap.MailboxAttrFlagged):
		return mail.RoleFlagged
	}
	return mail.RoleNone
}

// SortFolders puts INBOX first, then folders with a role in role order, then
// the rest by name; children follow their parent.
func SortFolders(folders []mail.Folder) {
	rank := func(f mail.Folder) int {
		top := f.Path()[0]
		for i, r := range mail.Roles {
			if f.Role == r && len(f.Path()) == 1 {
				return i
			}
		}
		if strings.EqualFold(top, "INBOX") {
			return 0
		}
		return len(mail.Roles)
	}
	sort.SliceStable(folders, func(i, j int) bool {
		a, b := folders[i], folders[j]
		ta, tb := topOf(folders, a), topOf(folders, b)
		if ra, rb := rank(ta), rank(tb); ra != rb {
			return ra < rb
		}
		return lessPath(a.Path(), b.Path())
	})
}

// topOf finds the top-level folder of f, or a stand-in when the server did
// not list the parent.
func topOf(all []mail.Folder, f mail.Folder) mail.Folder {
	top := f.Path()[0]
	if len(f.Path()) == 1 {
		return f
	}
	for _, g := range all {
		if g.Name == top {
			return g
		}
	}
	return mail.Folder{Name: top}
}

func lessPath(a, b []string) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return strings.ToLower(a[i]) < strings.ToLower(b[i])
		}
	}
	return len(a) < len(b)
}

// statusFrom is a STATUS answer about the folder the console calls name.
func statusFrom(d *imap.StatusData, name string) mail.FolderStatus {
	st := mail.FolderStatus{Folder: name, Known: true, UIDNext: uint32(d.UIDNext), UIDValidity: d.UIDValidity}
	if d.NumMessages != nil {
		st.Messages = *d.NumMessages
	}
	if d.NumUnseen != nil {
		st.Unseen = *d.NumUnseen
	}
	return st
}

// foldersWithStatus lists the folder tree with every folder's counters.
func foldersWithStatus(c *imapclient.Client, ns namespace, roles map[string]mail.Role) ([]mail.Folder, error) {
	folders, err := listFolders(c, ns, roles)
	if err != nil {
		return nil, err
	}
	return folders, fillStatus(c, ns, folders)
}

// fillStatus asks STATUS for every folder LIST did not count, all in flight
// at once.
func fillStatus(c *imapclient.Client, ns namespace, folders []mail.Folder) error {
	cmds := make(map[int]*imapclient.StatusCommand)
	for i, f := range folders {
		if f.Status.Known || f.NoSelect {
			continue
		}
		cmds[i] = c.Status(ns.wire(f.Name), statusItems)
	}
	for i, cmd := range cmds {
		d, err := cmd.Wait()
		if err != nil {
			if isAnswer(err) {
				continue // one unreadable folder must not hide the others
			}
			return err
		}
		folders[i].Status = statusFrom(d, folders[i].Name)
	}
	return nil
}

// Status returns fresh counters for the named folders.
func (m *Mailbox) Status(ctx context.Context, names ...string) ([]mail.FolderStatus, error) {
	out := make([]mail.FolderStatus, 0, len(names))
	err := m.with(ctx, mail.FolderRef{}, func(cn *conn) error {
		out = out[:0]
		cmds := make([]*imapclient.StatusCommand, len(names))
		for i, name := range names {
			cmds[i] = cn.c.Status(m.wire(name), statusItems)
		}
		for i, cmd := range cmds {
			d, err := cmd.Wait()
			if err != nil {
				return fmt.Errorf("status %q: %w", names[i], serverWords(err))
			}
			out = append(out, statusFrom(d, m.CanonicalName(names[i])))
		}
		return nil
	})
	return out, err
}

// commonRoleNames are the folder names clients and servers commonly give
// the roles, in order of preference, for servers that mark no folder with
// a special-use attribute (Courier, or Cyrus folders created without one).
var commonRoleNames = []struct {
	role  mail.Role
	names []string
}{
	{mail.RoleTrash, []string{"Trash", "Deleted Items", "Deleted Messages"}},
	{mail.RoleJunk, []string{"Junk", "Junk Email", "Spam"}},
	{mail.RoleSent, []string{"Sent", "Sent Items"}},
	{mail.RoleArchive, []string{"Archive"}},
}

// guessRoles gives each role no folder has (by attribute or configuration)
// to the top-level folder with its most common name, compared without
// regard to case and without the namespace prefix.
func guessRoles(folders []mail.Folder) {
	for _, c := range commonRoleNames {
		if slices.ContainsFunc(folders, func(f mail.Folder) bool { return f.Role == c.role }) {
			continue
		}
	names:
		for _, name := range c.names {
			for i, f := range folders {
				if f.Role == mail.RoleNone && !f.NoSelect && len(f.Path()) == 1 && strings.EqualFold(f.Name, name) {
					folders[i].Role = c.role
					break names
				}
			}
		}
	}
}

// CheckRoleFolders compares the configured role folders ([accounts.folders])
// with the server's folders: the error names the first key whose folder
// does not exist. folders is what Folders returned.
func (m *Mailbox) CheckRoleFolders(folders []mail.Folder) error {
	type want struct {
		role mail.Role
		name string
	}
	var wants []want
	for name, role := range m.cfg.Roles {
		wants = append(wants, want{role, name})
	}
	sort.Slice(wants, func(i, j int) bool { return wants[i].role < wants[j].role })
	for _, w := range wants {
		canon := m.CanonicalName(w.name)
		if !slices.ContainsFunc(folders, func(f mail.Folder) bool { return f.Name == canon }) {
			return fmt.Errorf("[accounts.folders] %s = %q: the server has no folder of that name", w.role, w.name)
		}
	}
	return nil
}
