package mimecast

import (
	"context"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/mimecast"
	"github.com/mailtriage/mailtriage/backend/remediate"
)

func heldRows(hs []mimecast.HeldMessage) [][]string {
	rows := make([][]string, len(hs))
	for i, h := range hs {
		rows[i] = []string{stamp(h.DateReceived), h.From.EmailAddress, h.To.EmailAddress, h.Subject, h.Reason}
	}
	return rows
}

func (m *Model) loadHeld(user bool) tea.Cmd {
	q := m.heldQ
	return load(m, paneHeld, "list held messages", user, func(ctx context.Context, cl Gateway, opts mimecast.ListOptions) ([]mimecast.HeldMessage, error) {
		return cl.HeldMessages(ctx, q, opts)
	})
}

func (m *Model) heldKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	i := m.selected(paneHeld, len(m.held))
	switch {
	case key.Matches(msg, k.Search):
		m.form = m.heldFilterForm()
	case key.Matches(msg, k.Open) && i >= 0:
		m.panes[paneHeld].detail = heldDetail(m.held[i])
	case key.Matches(msg, k.Release) && i >= 0:
		h := m.held[i]
		m.ask(fmt.Sprintf("Release %q from %s to %s?", h.Subject, h.From.EmailAddress, h.To.EmailAddress), func() tea.Cmd {
			return m.change(remediate.MimecastReleaseHeld, h.ID+" "+h.Subject, []tabID{tabHeld}, func(ctx context.Context, cl Gateway) (string, error) {
				_, err := cl.ReleaseHeld(ctx, h.ID)
				return "released " + h.Subject, err
			})
		})
	case key.Matches(msg, k.Reject) && i >= 0:
		m.form = m.rejectForm(m.held[i])
	}
	return nil
}

var rejectReasons = []string{"", string(mimecast.RejectUndesirable), string(mimecast.RejectConfidential),
	string(mimecast.RejectDisapproved), string(mimecast.RejectInappropriate), string(mimecast.RejectAgainstRules)}

// rejectForm asks how to reject, then asks (y/N) before doing it.
func (m *Model) rejectForm(h mimecast.HeldMessage) *form {
	shown := make([]string, len(rejectReasons))
	for i, r := range rejectReasons {
		shown[i] = strings.ToLower(r)
	}
	shown[0] = "none given"
	return m.newForm("Reject held message "+h.Subject, func(f *form) (tea.Cmd, error) {
		spec := mimecast.RejectSpec{IDs: []string{h.ID}, Message: f.Value("message"),
			ReasonType: mimecast.RejectReason(f.Value("reason")), Notify: f.On("notify")}
		m.ask(fmt.Sprintf("Reject %q from %s? It will not be delivered.", h.Subject, h.From.EmailAddress), func() tea.Cmd {
			return m.change(remediate.MimecastRejectHeld, h.ID+" "+h.Subject, []tabID{tabHeld}, func(ctx context.Context, cl Gateway) (string, error) {
				_, err := cl.RejectHeld(ctx, spec)
				return "rejected " + h.Subject, err
			})
		})
		return nil, nil
	},
		choiceField("reason", "Reason", rejectReasons, shown, ""),
		textField("message", "Message to sender", "", "sent only when notifying"),
		yesNo("notify", "Notify sender", false),
	)
}

func (m *Model) heldFilterForm() *form {
	q := m.heldQ
	return m.newForm("Filter held messages", func(f *form) (tea.Cmd, error) {
		m.heldQ = mimecast.HeldQuery{Admin: f.On("admin"), SearchBy: f.Value("by"), Value: f.Value("value"), Route: f.Value("route")}
		return m.loadHeld(true), nil
	},
		choiceField("by", "Search in", []string{"all", "subject", "sender", "recipient", "reason_code"},
			[]string{"everything", "subject", "sender", "recipient", "reason code"}, q.SearchBy),
		textField("value", "Value", q.Value, "empty: every held message"),
		choiceField("route", "Route", []string{"", "inbound", "outbound", "internal", "external"},
			[]string{"all", "inbound", "outbound", "internal", "external"}, q.Route),
		yesNo("admin", "Every recipient", q.Admin),
	)
}

func heldSummary(q mimecast.HeldQuery) string {
	if q.Value == "" {
		return ""
	}
	by := q.SearchBy
	if by == "" || by == "all" {
		by = "matching"
	}
	return " · " + by + " " + q.Value
}

func heldDetail(h mimecast.HeldMessage) *detail {
	d := &detail{title: "Held: " + h.Subject}
	d.add("Subject", h.Subject)
	d.add("From", h.From.String())
	d.addIf("From header", h.FromHeader.String())
	d.add("To", h.To.String())
	d.addIf("To header", h.ToHeader.String())
	d.add("Received", stamp(h.DateReceived))
	d.add("Reason", joinNonEmpty(" · ", h.Reason, h.ReasonCode))
	d.addIf("Policy", h.PolicyInfo)
	d.addIf("Route", h.Route)
	d.add("Size", fmt.Sprintf("%d bytes", h.Size))
	d.add("Attachments", yes(h.HasAttachments))
	d.add("Id", h.ID)
	return d
}
