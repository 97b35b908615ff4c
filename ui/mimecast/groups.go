package mimecast

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/mimecast"
	"github.com/mailtriage/mailtriage/backend/remediate"
)

func groupRows(gs []mimecast.Group) [][]string {
	rows := make([][]string, len(gs))
	for i, g := range gs {
		rows[i] = []string{g.Description, g.Source, strconv.Itoa(g.UserCount), strconv.Itoa(g.FolderCount), g.ID}
	}
	return rows
}

func memberRows(ms []mimecast.Member) [][]string {
	rows := make([][]string, len(ms))
	for i, mb := range ms {
		who, kind := mb.EmailAddress, "address"
		if who == "" {
			who, kind = mb.Domain, "domain"
		}
		where := "external"
		if mb.Internal {
			where = "internal"
		}
		rows[i] = []string{who, mb.Name, kind, where, mb.Notes}
	}
	return rows
}

func (m *Model) loadGroups(user bool) tea.Cmd {
	q := mimecast.GroupQuery{Query: m.groupQ, Source: m.groupSource}
	return load(m, paneGroups, "find groups", user, func(ctx context.Context, cl Gateway, opts mimecast.ListOptions) ([]mimecast.Group, error) {
		return cl.FindGroups(ctx, q, opts)
	})
}

func (m *Model) loadMembers(user bool) tea.Cmd {
	g := *m.group
	return load(m, paneMembers, "list members of "+g.Description, user, func(ctx context.Context, cl Gateway, opts mimecast.ListOptions) ([]mimecast.Member, error) {
		return cl.GroupMembers(ctx, g.ID, opts)
	})
}

func (m *Model) groupKey(msg tea.KeyPressMsg) tea.Cmd {
	if m.group != nil {
		return m.memberKey(msg)
	}
	k := m.keys
	i := m.selected(paneGroups, len(m.groups))
	switch {
	case key.Matches(msg, k.Open) && i >= 0:
		g := m.groups[i]
		m.group, m.members = &g, nil
		p := m.panes[paneMembers]
		p.loaded, p.tbl.cursor, p.tbl.top = false, 0, 0
		p.next, p.more = "", nil // another group's members: its token means nothing here
		p.tbl.setRows(nil)
		return m.loadMembers(true)
	case key.Matches(msg, k.Search):
		m.form = m.newForm("Find groups", func(f *form) (tea.Cmd, error) {
			m.groupQ, m.groupSource = f.Value("q"), f.Value("source")
			return m.loadGroups(true), nil
		}, textField("q", "Name contains", m.groupQ, "empty: every group"),
			choiceField("source", "Source", []string{"", "cloud", "ldap"}, []string{"any", "cloud", "LDAP"}, m.groupSource))
	case key.Matches(msg, k.Edit) && i >= 0:
		m.form = m.editGroupForm(m.groups[i])
	case key.Matches(msg, k.New):
		m.form = m.newForm("New profile group", func(f *form) (tea.Cmd, error) {
			name, parent := f.Value("name"), f.Value("parent")
			if name == "" {
				return nil, errors.New("name: required")
			}
			return m.change(remediate.MimecastCreateGroup, name, []tabID{tabGroups}, func(ctx context.Context, cl Gateway) (string, error) {
				g, err := cl.CreateGroup(ctx, name, parent)
				return "created group " + g.Description, err
			}), nil
		}, textField("name", "Name", "", "required"), textField("parent", "Parent group id", "", "empty: top level"))
	case key.Matches(msg, k.Delete) && i >= 0:
		g := m.groups[i]
		m.ask(fmt.Sprintf("Delete group %q and its %d members?", g.Description, g.UserCount), func() tea.Cmd {
			return m.change(remediate.MimecastDeleteGroup, g.ID+" "+g.Description, []tabID{tabGroups}, func(ctx context.Context, cl Gateway) (string, error) {
				return "deleted group " + g.Description, cl.DeleteGroup(ctx, g.ID)
			})
		})
	}
	return nil
}

// editGroupForm renames a group or moves it under another parent; only
// what the analyst changed is sent.
func (m *Model) editGroupForm(g mimecast.Group) *form {
	return m.newForm("Edit group "+g.Description, func(f *form) (tea.Cmd, error) {
		if !f.Changed() {
			return nil, errors.New("nothing changed")
		}
		u := mimecast.GroupUpdate{ID: g.ID}
		if name := f.Value("name"); name != g.Description {
			if name == "" {
				return nil, errors.New("name: required")
			}
			u.Description = name
		}
		if parent := f.Value("parent"); parent != g.ParentID {
			if parent == "" {
				return nil, errors.New("parent: Mimecast cannot move a group back to the top level; give a parent group id")
			}
			u.ParentID = parent
		}
		what := joinNonEmpty(", ", renamed(g.Description, u.Description), moved(u.ParentID))
		return m.change(remediate.MimecastUpdateGroup, g.ID+" "+g.Description+": "+what, []tabID{tabGroups},
			func(ctx context.Context, cl Gateway) (string, error) {
				got, err := cl.UpdateGroup(ctx, u)
				return "updated group " + got.Description, err
			}), nil
	}, textField("name", "Name (description)", g.Description, "required"),
		textField("parent", "Parent group id", g.ParentID, "the group this one sits under"))
}

func renamed(from, to string) string {
	if to == "" {
		return ""
	}
	return fmt.Sprintf("renamed %q to %q", from, to)
}

func moved(parent string) string {
	if parent == "" {
		return ""
	}
	return "moved under " + parent
}

func (m *Model) memberKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	g := *m.group
	i := m.selected(paneMembers, len(m.members))
	switch {
	case key.Matches(msg, k.Back):
		m.group = nil
		return nil
	case key.Matches(msg, k.New):
		m.form = m.newForm("Add members to "+g.Description, func(f *form) (tea.Cmd, error) {
			refs, err := memberRefs(f.Value("members"), f.Value("notes"))
			if err != nil {
				return nil, err
			}
			return m.change(remediate.MimecastAddGroupMembers, fmt.Sprintf("%s: %s", g.Description, f.Value("members")), []tabID{tabGroups},
				func(ctx context.Context, cl Gateway) (string, error) {
					got, err := cl.AddGroupMembers(ctx, g.ID, refs)
					already := 0
					for _, c := range got {
						if c.AlreadyMember {
							already++
						}
					}
					note := fmt.Sprintf("added %d to %s", len(got)-already, g.Description)
					if already > 0 {
						note += fmt.Sprintf(" (%d already members)", already)
					}
					return note, err
				}), nil
		},
			textField("members", "Addresses or domains", "", "comma-separated: user@example.com, example.net"),
			textField("notes", "Notes", "", ""))
	case key.Matches(msg, k.Delete) && i >= 0:
		mb := m.members[i]
		ref := mimecast.MemberRef{EmailAddress: mb.EmailAddress, Domain: mb.Domain}
		who := mb.EmailAddress + mb.Domain
		m.ask(fmt.Sprintf("Remove %s from %s?", who, g.Description), func() tea.Cmd {
			return m.change(remediate.MimecastRemoveGroupMember, g.Description+": "+who, []tabID{tabGroups},
				func(ctx context.Context, cl Gateway) (string, error) {
					_, err := cl.RemoveGroupMember(ctx, g.ID, ref)
					return "removed " + who + " from " + g.Description, err
				})
		})
	}
	return nil
}

// memberRefs reads a list of addresses and domains, refusing one that is
// neither before anything is sent.
func memberRefs(list, notes string) ([]mimecast.MemberRef, error) {
	var refs []mimecast.MemberRef
	for _, s := range splitList(list) {
		r := mimecast.ParseMemberRef(s)
		r.Notes = notes
		if r.EmailAddress != "" {
			if err := checkAddress("member", r.EmailAddress); err != nil {
				return nil, err
			}
		} else if !strings.Contains(r.Domain, ".") {
			return nil, fmt.Errorf("member: %q is neither an address nor a domain", r.Domain)
		}
		refs = append(refs, r)
	}
	if len(refs) == 0 {
		return nil, errors.New("members: give at least one address or domain")
	}
	return refs, nil
}
