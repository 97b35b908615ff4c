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
)

func archiveRows(hs []mimecast.ArchiveHit) [][]string {
	rows := make([][]string, len(hs))
	for i, h := range hs {
		from := h.DisplayFromAddress
		if from == "" {
			from = h.DisplayFrom
		}
		rows[i] = []string{stamp(h.ReceivedDate), from, h.Subject, strconv.Itoa(h.Size), strconv.Itoa(h.AttachmentCount)}
	}
	return rows
}

func (m *Model) searchArchive(s *mimecast.ArchiveSearch) tea.Cmd {
	m.archiveQ = s
	q := *s
	m.panes[paneArchive].detail = nil
	return load(m, paneArchive, "search the archive", true, func(ctx context.Context, cl Gateway, opts mimecast.ListOptions) ([]mimecast.ArchiveHit, error) {
		return cl.SearchArchive(ctx, q, opts)
	})
}

func (m *Model) archiveKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Search):
		return m.archiveForm()
	case key.Matches(msg, k.ByID):
		return m.archiveByIDForm(paneArchive)
	case key.Matches(msg, k.Open):
		if i := m.selected(paneArchive, len(m.archive)); i >= 0 {
			return m.openArchived(paneArchive, m.archive[i].ID, m.archive[i].Subject)
		}
	}
	return nil
}

var periods = []string{"", string(mimecast.PeriodToday), string(mimecast.PeriodYesterday), string(mimecast.PeriodLastWeek),
	string(mimecast.PeriodLastMonth), string(mimecast.PeriodLastYear), string(mimecast.PeriodBetween)}

// archiveForm asks for an archive search with every field the connector
// offers.
func (m *Model) archiveForm() tea.Cmd {
	s := mimecast.ArchiveSearch{Admin: true, Period: mimecast.PeriodLastWeek}
	if m.archiveQ != nil {
		s = *m.archiveQ
	}
	now := m.c.Now()
	submit := func(f *form) (tea.Cmd, error) {
		ns := &mimecast.ArchiveSearch{Mailbox: f.Value("mailbox"), Text: f.Value("text"), Admin: f.On("admin"),
			Period: mimecast.Period(f.Value("period")), DocumentType: f.Value("docs")}
		var err error
		if ns.From, err = parseWhen("from", f.Value("from"), now); err != nil {
			return nil, err
		}
		if ns.To, err = parseWhen("to", f.Value("to"), now); err != nil {
			return nil, err
		}
		switch {
		case ns.Period == mimecast.PeriodBetween && (ns.From.IsZero() || ns.To.IsZero() || ns.To.Before(ns.From)):
			return nil, errors.New("between: give a from before a to")
		case ns.Period != mimecast.PeriodBetween && (!ns.From.IsZero() || !ns.To.IsZero()):
			return nil, errors.New("from and to apply to the period \"between\" only")
		case ns.Mailbox == "" && !ns.Admin:
			return nil, errors.New("mailbox: required unless the search is an admin search")
		case ns.Mailbox != "":
			if err := checkAddress("mailbox", ns.Mailbox); err != nil {
				return nil, err
			}
		}
		return m.searchArchive(ns), nil
	}
	m.form = m.newForm("Search the archive", submit,
		textField("text", "Text", s.Text, "words to find"),
		textField("mailbox", "Mailbox", s.Mailbox, "limit to this address; empty with admin: every mailbox"),
		yesNo("admin", "Admin search", s.Admin),
		choiceField("period", "Period", periods, []string{"any", "today", "yesterday", "last week", "last month", "last year", "between"}, string(s.Period)),
		textField("from", "From", when(s.From), "for between: YYYY-MM-DD [HH:MM] or an age like 7d"),
		textField("to", "To", when(s.To), "for between"),
		choiceField("docs", "Attachments", []string{"", "documents", "spreadsheets", "presentations", "text", "images", "media", "archives", "pdfs"},
			[]string{"any message", "documents", "spreadsheets", "presentations", "text", "images", "media", "archives", "PDFs"}, s.DocumentType),
	)
	return nil
}

func archiveSummary(s *mimecast.ArchiveSearch) string {
	if s == nil {
		return ""
	}
	parts := []string{}
	if s.Text != "" {
		parts = append(parts, fmt.Sprintf("%q", s.Text))
	}
	if s.Mailbox != "" {
		parts = append(parts, "in "+s.Mailbox)
	}
	if s.Period != "" {
		parts = append(parts, strings.ReplaceAll(string(s.Period), "_", " "))
	}
	if len(parts) == 0 {
		return ""
	}
	return " · " + strings.Join(parts, ", ")
}

func addresses(as []mimecast.Address) string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.String()
	}
	return strings.Join(out, ", ")
}

func archiveDetail(md mimecast.MessageDetail) *detail {
	d := &detail{title: "Archived message: " + md.Subject}
	d.add("Subject", md.Subject)
	d.add("From", md.From.String())
	d.addIf("Envelope from", md.EnvelopeFrom.String())
	d.addIf("Reply-To", md.ReplyTo.String())
	d.add("To", addresses(md.To))
	d.addIf("Cc", addresses(md.CC))
	d.addIf("Received", stamp(md.Received))
	d.addIf("Processed", stamp(md.Processed))
	d.addIf("Date header", stamp(md.HeaderDate))
	d.add("Message-ID", md.MessageID)
	d.addIf("Status", md.Status)
	d.add("Size", fmt.Sprintf("%d bytes", md.Size))
	if len(md.Attachments) > 0 {
		d.section("Attachments")
		for _, a := range md.Attachments {
			d.add(a.Filename, fmt.Sprintf("%s, %d bytes, sha256 %s", a.ContentType, a.Size, a.SHA256))
		}
	}
	if len(md.Headers) > 0 {
		d.section("Headers")
		for _, h := range md.Headers {
			for _, v := range h.Values {
				d.add(h.Name, v)
			}
		}
	}
	if md.MessageBodyPreview != "" {
		d.section("Preview")
		d.addText("", md.MessageBodyPreview)
	}
	d.section("Ids")
	d.add("Mimecast id", md.ID)
	return d
}
