package mimecast

import (
	"context"
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/mimecast"
	"github.com/mailtriage/mailtriage/backend/remediate"
	"github.com/mailtriage/mailtriage/ui/components"
)

func urlRows(us []mimecast.ManagedURL) [][]string {
	rows := make([][]string, len(us))
	for i, u := range us {
		rows[i] = []string{string(u.Action), string(u.MatchType), u.URL(), u.Comment}
	}
	return rows
}

func (m *Model) loadURLs(user bool) tea.Cmd {
	f := mimecast.ManagedURLFilter{DomainOrURL: m.urlQuery}
	return load(m, paneURLs, "list managed URLs", user, func(ctx context.Context, cl Gateway, opts mimecast.ListOptions) ([]mimecast.ManagedURL, error) {
		return cl.ManagedURLs(ctx, f, opts)
	})
}

func (m *Model) urlKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	i := m.selected(paneURLs, len(m.urls))
	switch {
	case key.Matches(msg, k.Block):
		m.form = m.urlForm(mimecast.URLBlock)
	case key.Matches(msg, k.Permit):
		m.form = m.urlForm(mimecast.URLPermit)
	case key.Matches(msg, k.Search):
		m.form = m.newForm("Filter managed URLs", func(f *form) (tea.Cmd, error) {
			m.urlQuery = f.Value("q")
			return m.loadURLs(true), nil
		}, textField("q", "Domain or URL", m.urlQuery, "empty: every entry"))
	case key.Matches(msg, k.Delete) && i >= 0:
		u := m.urls[i]
		m.ask(fmt.Sprintf("Delete the managed URL %s (%s)?", u.URL(), u.Action), func() tea.Cmd {
			return m.change(remediate.MimecastDeleteManagedURL, u.ID+" "+u.URL(), []tabID{tabURLs}, func(ctx context.Context, cl Gateway) (string, error) {
				return "deleted managed URL " + u.URL(), cl.DeleteManagedURL(ctx, u.ID)
			})
		})
	case key.Matches(msg, k.Open) && i >= 0:
		m.panes[paneURLs].detail = urlDetail(m.urls[i])
	}
	return nil
}

// urlForm blocks or permits a URL; the rewrite and awareness switches are
// offered for permits only, as the server takes them only there.
func (m *Model) urlForm(action mimecast.URLAction) *form {
	title := "Block a URL"
	if action == mimecast.URLPermit {
		title = "Permit a URL"
	}
	submit := func(f *form) (tea.Cmd, error) {
		spec := mimecast.ManagedURLSpec{URL: f.Value("url"), Action: action, MatchType: mimecast.MatchType(f.Value("match")),
			Comment: f.Value("comment"), DisableLogClick: f.On("noLog"),
			DisableRewrite: f.On("noRewrite"), DisableUserAwareness: f.On("noAwareness")}
		if err := spec.Validate(); err != nil {
			return nil, err
		}
		return m.change(urlAction(action), spec.URL+" ("+string(spec.MatchType)+")", []tabID{tabURLs},
			func(ctx context.Context, cl Gateway) (string, error) {
				got, err := cl.CreateManagedURL(ctx, spec)
				return fmt.Sprintf("%sed %s", action, got.URL()), err
			}), nil
	}
	fields := []components.Field{
		textField("url", "URL", "", "a URL, or a bare domain"),
		choiceField("match", "Match", []string{string(mimecast.MatchExplicit), string(mimecast.MatchDomain)},
			[]string{"this URL only", "the whole domain"}, string(mimecast.MatchExplicit)),
		textField("comment", "Comment", "", ""),
		yesNo("noLog", "Don't log clicks", false),
	}
	if action == mimecast.URLPermit {
		fields = append(fields, yesNo("noRewrite", "Don't rewrite", false), yesNo("noAwareness", "No user awareness", false))
	}
	return m.newForm(title, submit, fields...)
}

func urlDetail(u mimecast.ManagedURL) *detail {
	d := &detail{title: "Managed URL " + u.URL()}
	d.add("URL", u.URL())
	d.add("Action", string(u.Action))
	d.add("Match", string(u.MatchType))
	d.addIf("Comment", u.Comment)
	d.add("Log clicks", yes(!u.DisableLogClick))
	d.add("Rewrite", yes(!u.DisableRewrite))
	d.add("User awareness", yes(!u.DisableUserAwareness))
	d.add("Id", u.ID)
	return d
}
