package mimecast

import (
	"context"
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/backend/jobs"
	"github.com/mailtriage/mailtriage/backend/mimecast"
	"github.com/mailtriage/mailtriage/ui/common"
)

// toolsState is the last URL decoded and the last alias lookup.
type toolsState struct {
	encoded, decoded string
	decodeErr        error
	primary          string
	aliases          []mimecast.Alias
	aliasErr         error
	// slot holds the lookup in flight: a new one replaces it.
	slot common.Slot
}

// toolsMsg is the answer of a decode or an alias lookup.
type toolsMsg struct {
	ticket  common.Ticket
	decoded *string
	aliases []mimecast.Alias
	err     error
}

func (m *Model) toolsKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Decode):
		m.form = m.newForm("Decode a URL Protect link", func(f *form) (tea.Cmd, error) {
			u := f.Value("url")
			if u == "" {
				return nil, fmt.Errorf("url: required")
			}
			return m.decode(u), nil
		}, textField("url", "Rewritten URL", "", "https://protect-eu.mimecast.com/s/…"))
	case key.Matches(msg, k.Aliases):
		m.form = m.newForm("Look up aliases", func(f *form) (tea.Cmd, error) {
			a := f.Value("address")
			if err := checkAddress("address", a); err != nil {
				return nil, err
			}
			return m.lookupAliases(a), nil
		}, textField("address", "Primary address", m.tools.primary, ""))
	}
	return nil
}

func (m *Model) decode(u string) tea.Cmd {
	m.tools.encoded, m.tools.decoded, m.tools.decodeErr = u, "", nil
	cl := m.client
	m.inflight++
	return tea.Batch(m.spin(), common.Request(m.c.Common, &m.tools.slot, jobs.Spec{Name: "mimecast: decode URL", Account: account},
		func(ctx context.Context, _ *jobs.Progress) (string, error) { return cl.DecodeURL(ctx, u) },
		func(t common.Ticket, s string, err error) tea.Msg { return toolsMsg{ticket: t, decoded: &s, err: err} }))
}

func (m *Model) lookupAliases(a string) tea.Cmd {
	m.tools.primary, m.tools.aliases, m.tools.aliasErr = a, nil, nil
	cl := m.client
	m.inflight++
	return tea.Batch(m.spin(), common.Request(m.c.Common, &m.tools.slot, jobs.Spec{Name: "mimecast: aliases of " + a, Account: account},
		func(ctx context.Context, _ *jobs.Progress) ([]mimecast.Alias, error) { return cl.Aliases(ctx, a) },
		func(t common.Ticket, as []mimecast.Alias, err error) tea.Msg {
			if as == nil {
				as = []mimecast.Alias{}
			}
			return toolsMsg{ticket: t, aliases: as, err: err}
		}))
}

func (m *Model) toolsAnswer(msg toolsMsg) tea.Cmd {
	m.inflight--
	if !msg.ticket.Current() {
		return nil
	}
	m.noteLimit(msg.err)
	if msg.decoded != nil {
		m.tools.decoded, m.tools.decodeErr = *msg.decoded, msg.err
	} else {
		m.tools.aliases, m.tools.aliasErr = msg.aliases, msg.err
	}
	if msg.err != nil {
		return common.Error(msg.err)
	}
	return nil
}

func (m *Model) toolsLines(h int) []string {
	st, w, k := m.c.Styles, m.width, m.keys
	out := []string{" " + st.Title.Render("Tools")}
	if m.inflight > 0 {
		out[0] += " " + st.Accent.Render(m.spinner.View()+" working…")
	}
	val := func(label, v string) string {
		return "   " + st.Muted.Render(common.PadRight(label, 10)) + common.Cell(analysis.SanitizeLine(v), max(w-13, 1), st.Text, st.Marker)
	}
	fail := func(err error) string {
		return "   " + common.Cell(analysis.SanitizeLine("✗ "+err.Error()), max(w-3, 1), st.Danger, st.Marker)
	}
	out = append(out, "", " "+st.Accent.Render("Decode URL")+st.Muted.Render(" ("+k.Decode.Help().Key+")"))
	switch {
	case m.tools.encoded == "":
		out = append(out, "   "+st.Muted.Render("the original of a URL Protect rewritten link"))
	default:
		out = append(out, val("Rewritten", m.tools.encoded))
		if m.tools.decodeErr != nil {
			out = append(out, fail(m.tools.decodeErr))
		} else if m.tools.decoded != "" {
			out = append(out, val("Original", m.tools.decoded))
		}
	}
	out = append(out, "", " "+st.Accent.Render("Aliases")+st.Muted.Render(" ("+k.Aliases.Help().Key+")"))
	switch {
	case m.tools.primary == "":
		out = append(out, "   "+st.Muted.Render("the alias addresses of a user"))
	case m.tools.aliasErr != nil:
		out = append(out, val("Address", m.tools.primary), fail(m.tools.aliasErr))
	default:
		out = append(out, val("Address", m.tools.primary))
		if m.tools.aliases != nil && len(m.tools.aliases) == 0 {
			out = append(out, "   "+st.Muted.Render("no aliases"))
		}
		for _, a := range m.tools.aliases {
			where := "external"
			if a.IsInternal {
				where = "internal"
			}
			out = append(out, val("Alias", fmt.Sprintf("%s  %s  (%s, %s)", a.EmailAddress, a.DisplayName, a.Type, where)))
		}
	}
	if len(out) > h {
		out = out[:h]
	}
	return out
}
