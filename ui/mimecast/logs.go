package mimecast

import (
	"context"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/mimecast"
)

func clickRows(cs []mimecast.ClickLog) [][]string {
	rows := make([][]string, len(cs))
	for i, c := range cs {
		rows[i] = []string{stamp(c.Date), c.UserEmailAddress, c.ScanResult, c.Action, c.URL, c.Category}
	}
	return rows
}

func searchLogRows(ss []mimecast.SearchLog) [][]string {
	rows := make([][]string, len(ss))
	for i, s := range ss {
		rows[i] = []string{stamp(s.CreateTime), s.EmailAddr, s.Source, s.SearchText, s.SearchReason}
	}
	return rows
}

func (m *Model) loadClicks(user bool) tea.Cmd {
	q := m.clickQ
	return load(m, paneClicks, "list URL Protect clicks", user, func(ctx context.Context, cl Gateway, opts mimecast.ListOptions) ([]mimecast.ClickLog, error) {
		return cl.TTPURLLogs(ctx, q, opts)
	})
}

func (m *Model) loadSearchLogs(user bool) tea.Cmd {
	q := m.searchQ
	return load(m, paneSearchLogs, "list archive search logs", user, func(ctx context.Context, cl Gateway, opts mimecast.ListOptions) ([]mimecast.SearchLog, error) {
		return cl.SearchLogs(ctx, q, opts)
	})
}

func (m *Model) logKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.View):
		if m.logView == paneClicks {
			m.logView = paneSearchLogs
		} else {
			m.logView = paneClicks
		}
		return m.switchTab(tabLogs)
	case key.Matches(msg, k.Search):
		if m.logView == paneClicks {
			m.form = m.clickForm()
		} else {
			m.form = m.searchLogForm()
		}
	case key.Matches(msg, k.Open):
		if m.logView == paneClicks {
			if i := m.selected(paneClicks, len(m.clicks)); i >= 0 {
				m.panes[paneClicks].detail = clickDetail(m.clicks[i])
			}
		} else if i := m.selected(paneSearchLogs, len(m.searches)); i >= 0 {
			m.panes[paneSearchLogs].detail = searchLogDetail(m.searches[i])
		}
	}
	return nil
}

func (m *Model) clickForm() *form {
	q, now := m.clickQ, m.c.Now()
	return m.newForm("Filter URL Protect clicks", func(f *form) (tea.Cmd, error) {
		nq := mimecast.ClickLogQuery{Route: f.Value("route"), ScanResult: f.Value("result"), OldestFirst: f.On("oldest")}
		var err error
		if nq.From, err = parseWhen("from", f.Value("from"), now); err != nil {
			return nil, err
		}
		if nq.To, err = parseWhen("until", f.Value("to"), now); err != nil {
			return nil, err
		}
		m.clickQ = nq
		return m.loadClicks(true), nil
	},
		textField("from", "From", when(q.From), "YYYY-MM-DD [HH:MM] or an age like 7d; empty: today"),
		textField("to", "Until", when(q.To), "empty: now"),
		choiceField("route", "Route", []string{"", "inbound", "outbound", "internal"}, []string{"all", "inbound", "outbound", "internal"}, q.Route),
		choiceField("result", "Scan result", []string{"", "malicious", "clean"}, []string{"all", "malicious", "clean"}, q.ScanResult),
		yesNo("oldest", "Oldest first", q.OldestFirst),
	)
}

func (m *Model) searchLogForm() *form {
	q, now := m.searchQ, m.c.Now()
	return m.newForm("Filter archive search logs", func(f *form) (tea.Cmd, error) {
		nq := mimecast.SearchLogQuery{Query: f.Value("q")}
		var err error
		if nq.Start, err = parseWhen("from", f.Value("from"), now); err != nil {
			return nil, err
		}
		if nq.End, err = parseWhen("until", f.Value("to"), now); err != nil {
			return nil, err
		}
		m.searchQ = nq
		return m.loadSearchLogs(true), nil
	},
		textField("q", "Text", q.Query, "who searched for what"),
		textField("from", "From", when(q.Start), "YYYY-MM-DD [HH:MM] or an age like 7d; empty: today"),
		textField("to", "Until", when(q.End), "empty: now"),
	)
}

func (m *Model) clickSummary() string {
	switch {
	case m.clickQ.ScanResult != "" && !m.clickQ.From.IsZero():
		return " · " + m.clickQ.ScanResult + " since " + when(m.clickQ.From)
	case m.clickQ.ScanResult != "":
		return " · " + m.clickQ.ScanResult
	case !m.clickQ.From.IsZero():
		return " · since " + when(m.clickQ.From)
	}
	return " · today"
}

func (m *Model) searchLogSummary() string {
	s := ""
	if m.searchQ.Query != "" {
		s += " · " + m.searchQ.Query
	}
	if m.searchQ.Start.IsZero() {
		return s + " · today"
	}
	return s + " · since " + when(m.searchQ.Start)
}

func clickDetail(c mimecast.ClickLog) *detail {
	d := &detail{title: "Click on " + c.URL}
	d.add("When", stamp(c.Date))
	d.add("URL", c.URL)
	d.add("User", c.UserEmailAddress)
	d.add("Scan result", c.ScanResult)
	d.add("Action", c.Action)
	d.addIf("Category", c.Category)
	d.addIf("Route", c.Route)
	d.addIf("Admin override", c.AdminOverride)
	d.addIf("User override", c.UserOverride)
	d.addIf("User awareness", c.UserAwarenessAction)
	d.addIf("Definition", c.TTPDefinition)
	d.addIf("Found in", joinNonEmpty(", ", c.EmailPartsDescription...))
	d.addIf("Message-ID", c.MessageID)
	d.addIf("Sender", c.SenderAddress)
	d.addIf("Subject", c.Subject)
	return d
}

func searchLogDetail(s mimecast.SearchLog) *detail {
	d := &detail{title: "Archive search by " + s.EmailAddr}
	d.add("When", stamp(s.CreateTime))
	d.add("User", s.EmailAddr)
	d.addIf("Source", s.Source)
	d.add("Text", s.SearchText)
	d.addIf("Reason", s.SearchReason)
	d.addIf("Description", s.Description)
	d.add("Admin", yes(s.IsAdmin))
	d.addIf("Path", s.SearchPath)
	d.addText("Query", s.MuseQuery)
	return d
}
