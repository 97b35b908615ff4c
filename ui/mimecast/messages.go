package mimecast

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/mimecast"
)

// The Messages tab is Mimecast's Get Message List: one mailbox's archived
// inbox or sent items in a time window, each opened as archive detail.

func messageRows(ms []mimecast.ArchiveMessage) [][]string {
	rows := make([][]string, len(ms))
	for i, msg := range ms {
		rows[i] = []string{stamp(msg.Received), msg.From.String(), msg.Subject, msg.Status, strconv.Itoa(msg.AttachmentCount)}
	}
	return rows
}

func (m *Model) listMessages(q *mimecast.MessageListQuery) tea.Cmd {
	m.messagesQ = q
	query := *q
	m.panes[paneMessages].detail = nil
	return load(m, paneMessages, "list messages", true, func(ctx context.Context, cl Gateway, opts mimecast.ListOptions) ([]mimecast.ArchiveMessage, error) {
		return cl.ArchiveMessages(ctx, query, opts)
	})
}

func (m *Model) messagesKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Search):
		return m.messagesForm()
	case key.Matches(msg, k.ByID):
		return m.archiveByIDForm(paneMessages)
	case key.Matches(msg, k.Open):
		if i := m.selected(paneMessages, len(m.messages)); i >= 0 {
			return m.openArchived(paneMessages, m.messages[i].ID, m.messages[i].Subject)
		}
	}
	return nil
}

// openArchived shows the archive detail of the message with Mimecast id
// on pane id.
func (m *Model) openArchived(id paneID, msgID, subject string) tea.Cmd {
	return m.fetchDetail(id, "archived message "+subject, func(ctx context.Context, cl Gateway) (*detail, error) {
		md, err := cl.ArchiveMessageDetail(ctx, msgID)
		if err != nil {
			return nil, err
		}
		return archiveDetail(md), nil
	})
}

// messagesForm asks for Get Message List's filters, with the connector's
// defaults: the inbox, aliases included, the server's time window.
func (m *Model) messagesForm() tea.Cmd {
	var q mimecast.MessageListQuery
	if m.messagesQ != nil {
		q = *m.messagesQ
	}
	now := m.c.Now()
	submit := func(f *form) (tea.Cmd, error) {
		nq := &mimecast.MessageListQuery{Mailbox: f.Value("mailbox"), View: f.Value("view"),
			IncludeDelegates: f.On("delegates"), ExcludeAliases: !f.On("aliases")}
		if nq.Mailbox != "" {
			if err := checkAddress("mailbox", nq.Mailbox); err != nil {
				return nil, err
			}
		}
		var err error
		if nq.Start, err = parseWhen("since", f.Value("start"), now); err != nil {
			return nil, err
		}
		if nq.End, err = parseWhen("until", f.Value("end"), now); err != nil {
			return nil, err
		}
		if !nq.Start.IsZero() && !nq.End.IsZero() && nq.End.Before(nq.Start) {
			return nil, errors.New("until is before since")
		}
		return m.listMessages(nq), nil
	}
	view := q.View
	if view == "" {
		view = "INBOX"
	}
	m.form = m.newForm("List a mailbox's messages", submit,
		textField("mailbox", "Mailbox", q.Mailbox, "empty: the API user's own"),
		choiceField("view", "Folder", []string{"INBOX", "SENT"}, []string{"inbox", "sent"}, view),
		textField("start", "Since", when(q.Start), "YYYY-MM-DD [HH:MM] or an age: 24h, 7d; empty: start of last month"),
		textField("end", "Until", when(q.End), "YYYY-MM-DD [HH:MM] or an age; empty: end of today"),
		yesNo("delegates", "Include delegates", q.IncludeDelegates),
		yesNo("aliases", "Include aliases", !q.ExcludeAliases),
	)
	return nil
}

func messagesSummary(q *mimecast.MessageListQuery) string {
	if q == nil {
		return ""
	}
	box := q.Mailbox
	if box == "" {
		box = "own mailbox"
	}
	view := "inbox"
	if q.View == "SENT" {
		view = "sent"
	}
	parts := []string{box, view}
	if !q.Start.IsZero() || !q.End.IsZero() {
		parts = append(parts, strings.TrimSpace(when(q.Start)+" – "+when(q.End)))
	}
	return " · " + strings.Join(parts, ", ")
}

// archiveByIDForm asks for a Mimecast archive id and opens its detail on
// pane id (an id from a SOAR ticket or another console).
func (m *Model) archiveByIDForm(id paneID) tea.Cmd {
	m.form = m.newForm("Archived message by id", func(f *form) (tea.Cmd, error) {
		msgID := f.Value("id")
		if msgID == "" {
			return nil, errors.New("id: required")
		}
		return m.openArchived(id, msgID, msgID), nil
	}, textField("id", "Mimecast id", "", "the archive's id of the message"))
	return nil
}

// infoByIDForm asks for a Mimecast tracking id and opens its message info.
func (m *Model) infoByIDForm() tea.Cmd {
	m.form = m.newForm("Message info by id", func(f *form) (tea.Cmd, error) {
		msgID := f.Value("id")
		if msgID == "" {
			return nil, errors.New("id: required")
		}
		return m.fetchDetail(paneTracking, "message info "+msgID, func(ctx context.Context, cl Gateway) (*detail, error) {
			info, err := cl.MessageInfo(ctx, msgID)
			if err != nil {
				return nil, err
			}
			return infoDetail(mimecast.TrackedMessage{ID: msgID}, info), nil
		}), nil
	}, textField("id", "Mimecast id", "", "the tracking id of the message"))
	return nil
}
