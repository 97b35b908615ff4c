package imap

import (
	"context"
	"fmt"
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
		folders, err = foldersWithStatus(cn.c, m.cfg.Roles)
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

func listFolders(c *imapclient.Client, roles map[string]mail.Role) ([]mail.Folder, error) {
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
		folders = append(folders, folderFromList(d, roles))
	}
	SortFolders(folders)
	return folders, nil
}

func folderFromList(d *imap.ListData, roles map[string]mail.Role) mail.Folder {
	f := mail.Folder{Name: d.Mailbox, Delim: d.Delim}
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
	if r, ok := roles[f.Name]; ok {
		f.Role = r
	}
	if d.Status != nil {
		f.Status = statusFrom(d.Status)
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

func statusFrom(d *imap.StatusData) mail.FolderStatus {
	st := mail.FolderStatus{Folder: d.Mailbox, Known: true, UIDNext: uint32(d.UIDNext), UIDValidity: d.UIDValidity}
	if d.NumMessages != nil {
		st.Messages = *d.NumMessages
	}
	if d.NumUnseen != nil {
		st.Unseen = *d.NumUnseen
	}
	return st
}

// foldersWithStatus lists the folder tree with every folder's counters.
func foldersWithStatus(c *imapclient.Client, roles map[string]mail.Role) ([]mail.Folder, error) {
	folders, err := listFolders(c, roles)
	if err != nil {
		return nil, err
	}
	return folders, fillStatus(c, folders)
}

// fillStatus asks STATUS for every folder LIST did not count, all in flight
// at once.
func fillStatus(c *imapclient.Client, folders []mail.Folder) error {
	cmds := make(map[int]*imapclient.StatusCommand)
	for i, f := range folders {
		if f.Status.Known || f.NoSelect {
			continue
		}
		cmds[i] = c.Status(f.Name, statusItems)
	}
	for i, cmd := range cmds {
		d, err := cmd.Wait()
		if err != nil {
			if isAnswer(err) {
				continue // one unreadable folder must not hide the others
			}
			return err
		}
		folders[i].Status = statusFrom(d)
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
			cmds[i] = cn.c.Status(name, statusItems)
		}
		for i, cmd := range cmds {
			d, err := cmd.Wait()
			if err != nil {
				return fmt.Errorf("status %q: %w", names[i], serverWords(err))
			}
			out = append(out, statusFrom(d))
		}
		return nil
	})
	return out, err
}
