package graph

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/mailtriage/mailtriage/backend/mail"
)

// folderFields is what the sidebar needs of a folder.
const folderFields = "id,displayName,parentFolderId,childFolderCount,totalItemCount,unreadItemCount"

type mailFolder struct {
	ID               string `json:"id"`
	DisplayName      string `json:"displayName"`
	ParentFolderID   string `json:"parentFolderId"`
	ChildFolderCount int    `json:"childFolderCount"`
	TotalItemCount   uint32 `json:"totalItemCount"`
	UnreadItemCount  uint32 `json:"unreadItemCount"`
}

// wellKnown maps Graph's well-known folder names to roles.
var wellKnown = []struct {
	name string
	role mail.Role
}{
	{"inbox", mail.RoleInbox},
	{"drafts", mail.RoleDrafts},
	{"sentitems", mail.RoleSent},
	{"archive", mail.RoleArchive},
	{"junkemail", mail.RoleJunk},
	{"deleteditems", mail.RoleTrash},
}

// Folders lists the whole folder tree, depth first, names joined with
// "/", with counters (Graph gives them with every folder).
func (m *Mailbox) Folders(ctx context.Context) ([]mail.Folder, error) {
	roles, err := m.wellKnownRoles(ctx)
	if err != nil {
		return nil, fmt.Errorf("list folders: %w", err)
	}
	var out []mail.Folder
	names := map[string]string{}
	var walk func(path string, list []mailFolder) error
	walk = func(path string, list []mailFolder) error {
		for _, f := range list {
			name := f.DisplayName
			if path != "" {
				name = path + "/" + f.DisplayName
			}
			role := roles[f.ID]
			if r, ok := m.cfg.Roles[name]; ok {
				role = r
			}
			names[name] = f.ID
			out = append(out, mail.Folder{Name: name, Delim: '/', Role: role, Status: m.statusOf(name, f)})
			if f.ChildFolderCount > 0 {
				kids, err := getAll[mailFolder](ctx, m, "/mailFolders/"+url.PathEscape(f.ID)+"/childFolders?$top=100&$select="+folderFields)
				if err != nil {
					return err
				}
				if err := walk(name, kids); err != nil {
					return err
				}
			}
		}
		return nil
	}
	top, err := getAll[mailFolder](ctx, m, "/mailFolders?$top=100&$select="+folderFields)
	if err == nil {
		err = walk("", top)
	}
	if err != nil {
		return nil, fmt.Errorf("list folders: %w", err)
	}
	m.mu.Lock()
	m.names = names
	m.mu.Unlock()
	return out, nil
}

func (m *Mailbox) statusOf(name string, f mailFolder) mail.FolderStatus {
	m.mu.Lock()
	st := m.state(f.ID)
	next, validity := uint32(st.next), st.validity
	m.mu.Unlock()
	return mail.FolderStatus{Folder: name, Known: true, Messages: f.TotalItemCount, Unseen: f.UnreadItemCount, UIDNext: next, UIDValidity: validity}
}

// wellKnownRoles finds the ids of the well-known folders once per session,
// in one $batch. A mailbox without one (no archive yet) just lacks it.
func (m *Mailbox) wellKnownRoles(ctx context.Context) (map[string]mail.Role, error) {
	m.mu.Lock()
	roles := m.roles
	m.mu.Unlock()
	if roles != nil {
		return roles, nil
	}
	calls := make([]call, len(wellKnown))
	for i, wk := range wellKnown {
		calls[i] = call{method: http.MethodGet, path: "/mailFolders/" + wk.name + "?$select=id"}
	}
	res, err := m.batch(ctx, calls)
	if err != nil {
		return nil, err
	}
	roles = map[string]mail.Role{}
	for i, r := range res {
		if r.err != nil {
			if IsNotFound(r.err) {
				continue
			}
			return nil, fmt.Errorf("well-known folder %s: %w", wellKnown[i].name, r.err)
		}
		var f mailFolder
		if err := decode(r.body, &f); err != nil {
			return nil, err
		}
		roles[f.ID] = wellKnown[i].role
	}
	m.mu.Lock()
	m.roles = roles
	m.mu.Unlock()
	return roles, nil
}

// folderID resolves a folder path to its Graph id, listing the folders
// again when the name is not known yet. "INBOX" (IMAP's name) is the inbox.
func (m *Mailbox) folderID(ctx context.Context, name string) (string, error) {
	if strings.TrimSpace(name) == "" {
		return "", fmt.Errorf("no folder name given")
	}
	if id, ok := m.knownFolder(name); ok {
		return id, nil
	}
	if strings.EqualFold(name, "INBOX") {
		// The inbox is found by its well-known name: one batch, not
		// the whole folder tree.
		if _, err := m.wellKnownRoles(ctx); err != nil {
			return "", err
		}
		if id, ok := m.knownFolder(name); ok {
			return id, nil
		}
	}
	if _, err := m.Folders(ctx); err != nil {
		return "", err
	}
	if id, ok := m.knownFolder(name); ok {
		return id, nil
	}
	return "", &FolderError{Name: name}
}

func (m *Mailbox) knownFolder(name string) (string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if id, ok := m.names[name]; ok {
		return id, true
	}
	if strings.EqualFold(name, "INBOX") {
		for id, r := range m.roles {
			if r == mail.RoleInbox {
				return id, true
			}
		}
	}
	for n, id := range m.names {
		if strings.EqualFold(n, name) {
			return id, true
		}
	}
	return "", false
}

// Status returns fresh counters of the named folders in one $batch.
func (m *Mailbox) Status(ctx context.Context, names ...string) ([]mail.FolderStatus, error) {
	ids := make([]string, len(names))
	calls := make([]call, len(names))
	for i, n := range names {
		id, err := m.folderID(ctx, n)
		if err != nil {
			return nil, err
		}
		ids[i] = id
		calls[i] = call{method: http.MethodGet, path: "/mailFolders/" + url.PathEscape(id) + "?$select=" + folderFields}
	}
	res, err := m.batch(ctx, calls)
	if err != nil {
		return nil, fmt.Errorf("folder counters: %w", err)
	}
	out := make([]mail.FolderStatus, 0, len(names))
	for i, r := range res {
		if r.err != nil {
			return out, fmt.Errorf("folder %q: %w", names[i], r.err)
		}
		var f mailFolder
		if err := decode(r.body, &f); err != nil {
			return out, err
		}
		out = append(out, m.statusOf(names[i], f))
	}
	return out, nil
}

// FolderInfo returns a folder's counters, role and children.
func (m *Mailbox) FolderInfo(ctx context.Context, name string) (mail.FolderInfo, error) {
	info := mail.FolderInfo{Name: name, Size: -1, CanKeywords: true}
	id, err := m.folderID(ctx, name)
	if err != nil {
		return info, err
	}
	var f mailFolder
	if err := m.getJSON(ctx, "/mailFolders/"+url.PathEscape(id)+"?$select="+folderFields, &f); err != nil {
		return info, fmt.Errorf("folder %q: %w", name, err)
	}
	st := m.statusOf(name, f)
	info.Messages, info.Unseen, info.UIDNext, info.UIDValidity = st.Messages, st.Unseen, st.UIDNext, st.UIDValidity
	roles, err := m.wellKnownRoles(ctx)
	if err != nil {
		return info, err
	}
	info.Role = roles[id]
	if r, ok := m.cfg.Roles[name]; ok {
		info.Role = r
	}
	if f.ChildFolderCount > 0 {
		kids, err := getAll[mailFolder](ctx, m, "/mailFolders/"+url.PathEscape(id)+"/childFolders?$top=100&$select=id,displayName")
		if err != nil {
			return info, fmt.Errorf("folder %q: children: %w", name, err)
		}
		for _, k := range kids {
			info.Children = append(info.Children, name+"/"+k.DisplayName)
		}
	}
	return info, nil
}
