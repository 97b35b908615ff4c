package message

import (
	"context"
	"errors"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/action"
	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/backend/jobs"
	"github.com/mailtriage/mailtriage/backend/mimecast"
	"github.com/mailtriage/mailtriage/backend/remediate"
	"github.com/mailtriage/mailtriage/ui/common"
	"github.com/mailtriage/mailtriage/ui/components"
	"github.com/mailtriage/mailtriage/ui/session"
)

// From the evidence to the gateway in one key: block the sender (the
// mailbox's plan flow), track the message in Mimecast, and block, permit
// or decode the URL under the cursor.

// trackInMimecast asks the root to open Mimecast tracking on this
// message's Message-ID.
func (m *Model) trackInMimecast() tea.Cmd {
	if m.c.Gateways.Mimecast == nil {
		return common.Error(errors.New("no Mimecast gateway is configured: add a [mimecast] table"))
	}
	env, _ := m.ActionEnvelope()
	id := strings.Trim(env.MessageID, "<>")
	if id == "" {
		return common.Error(errors.New("this message has no Message-ID to track"))
	}
	when := env.SortTime()
	return func() tea.Msg { return session.TrackMsg{MessageID: id, Date: when} }
}

// blockSender asks the root to run the mailbox's block flow on this
// message — exactly this one, whatever the list has selected.
func (m *Model) blockSender() tea.Cmd {
	t, ok := m.Target()
	if !ok {
		return common.Info("no message is open")
	}
	env, reporters := m.ActionEnvelope()
	return func() tea.Msg { return session.BlockSenderMsg{Target: t, Envelope: &env, Reporters: reporters} }
}

// urlAction asks before blocking or permitting the URL under the cursor
// on Mimecast (managed URLs, explicit match), audited.
func (m *Model) urlAction(block bool) tea.Cmd {
	mc, u, stop := m.mimecastURL()
	if stop != nil {
		return stop
	}
	target := u.URL
	if u.Wrapped != nil && u.Wrapped.Original != "" {
		target = u.Wrapped.Original // where the link really goes, not the wrapper
	}
	if safe(target).Markers > 0 {
		return common.Error(errors.New("this URL hides characters; it is not sent to the gateway as it is"))
	}
	verb := "permit"
	if block {
		verb = "block"
	}
	question := fmt.Sprintf("%s %s on Mimecast?", verb, u.Defanged)
	return m.confirm(components.NewConfirm(m.c.Dialog, question, nil,
		components.Choice{Key: m.keys.ThisURL, Label: "this URL", Run: func() tea.Cmd { return m.manageURL(mc, target, block, mimecast.MatchExplicit) }},
		components.Choice{Key: m.keys.WholeDomain, Label: "its whole domain", Run: func() tea.Cmd { return m.manageURL(mc, target, block, mimecast.MatchDomain) }},
	))
}

func analysisDefang(u string) string { return safe(analysis.Defang(u)).String() }

func (m *Model) manageURL(mc urlDefence, target string, block bool, match mimecast.MatchType) tea.Cmd {
	layer, acct, msgID := m.c.Actions, m.acct, strings.Trim(m.env.MessageID, "<>")
	name := remediate.MimecastPermitURL
	if block {
		name = remediate.MimecastBlockURL
	}
	t, _ := m.Target()
	ch := action.Change{Name: name, Target: t, Detail: string(match) + " " + target}
	return common.RunJob(m.c.Common, jobs.Spec{Name: string(name), Account: acct.Name},
		func(ctx context.Context, _ *jobs.Progress) (string, error) {
			err := layer.Run(ctx, ch, func(ctx context.Context) error {
				spec := mimecast.ManagedURLSpec{URL: target, MatchType: match, Action: mimecast.URLPermit,
					Comment: "mailtriage: from message " + msgID}
				if block {
					spec.Action = mimecast.URLBlock
				}
				_, err := mc.CreateManagedURL(ctx, spec)
				return err
			})
			return string(name), err
		},
		func(_ jobs.ID, what string, err error) tea.Msg {
			if err != nil {
				return common.ErrorMsg{Err: err}
			}
			return common.InfoMsg{Text: strings.TrimPrefix(what, "mimecast-") + " (" + string(match) + "): " + analysisDefang(target) + " on Mimecast"}
		})
}

// decodeURL asks Mimecast for the original of a rewritten link that only
// its decode-url API knows.
func (m *Model) decodeURL() tea.Cmd {
	mc, u, stop := m.mimecastURL()
	if stop != nil {
		return stop
	}
	if u.Wrapped == nil || !u.Wrapped.NeedsAPIDecode {
		return common.Info("this link needs no API decode")
	}
	acct := m.acct.Name
	return common.RunJob(m.c.Common, jobs.Spec{Name: "decode URL", Account: acct},
		func(ctx context.Context, _ *jobs.Progress) (string, error) { return mc.DecodeURL(ctx, u.URL) },
		func(_ jobs.ID, orig string, err error) tea.Msg {
			if err != nil {
				return common.ErrorMsg{Err: fmt.Errorf("decode URL: %w", err)}
			}
			return common.InfoMsg{Text: "Mimecast says it goes to " + analysisDefang(orig)}
		})
}

// urlDefence is all the message screen asks of Mimecast: manage a URL
// (block or permit it) and decode a rewritten one.
type urlDefence interface {
	CreateManagedURL(ctx context.Context, spec mimecast.ManagedURLSpec) (mimecast.ManagedURL, error)
	DecodeURL(ctx context.Context, encoded string) (string, error)
}

// mimecastURL is the Mimecast gateway and the URL under the cursor, or
// the command that says why there is none.
func (m *Model) mimecastURL() (urlDefence, analysis.URL, tea.Cmd) {
	mc := m.c.Gateways.Mimecast
	if mc == nil {
		return nil, analysis.URL{}, common.Error(errors.New("no Mimecast gateway is configured: add a [mimecast] table"))
	}
	pg := m.page()
	i := pg.cursor[tabURLs]
	if i >= len(pg.doc.ev.URLs) {
		return nil, analysis.URL{}, common.Info("no URL here")
	}
	return mc, pg.doc.ev.URLs[i], nil
}
