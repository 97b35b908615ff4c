package mimecast

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/mimecast"
)

func senderRows(ss []mimecast.ManagedSender) [][]string {
	rows := make([][]string, len(ss))
	for i, s := range ss {
		rows[i] = []string{s.Type, s.Sender, s.To}
	}
	return rows
}

func (m *Model) loadSenders(user bool) tea.Cmd {
	return load(m, paneSenders, "list managed senders", user, func(ctx context.Context, cl Gateway, opts mimecast.ListOptions) ([]mimecast.ManagedSender, error) {
		return cl.ManagedSenders(ctx, opts)
	})
}

func (m *Model) senderKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Block):
		m.form = m.senderForm(mimecast.SenderBlock, "", "")
	case key.Matches(msg, k.Permit):
		sender, to := "", ""
		if i := m.selected(paneSenders, len(m.senders)); i >= 0 && m.senders[i].Blocked() {
			// Permitting is how a block is lifted: start from the entry.
			sender, to = m.senders[i].Sender, m.senders[i].To
		}
		m.form = m.senderForm(mimecast.SenderPermit, sender, to)
	}
	return nil
}

// senderForm blocks or permits a sender for one internal recipient.
func (m *Model) senderForm(action mimecast.SenderAction, sender, to string) *form {
	title := "Block a sender"
	if action == mimecast.SenderPermit {
		title = "Permit a sender (lifts a block)"
	}
	submit := func(f *form) (tea.Cmd, error) {
		sender, to := f.Value("sender"), f.Value("to")
		if err := checkAddress("sender", sender); err != nil {
			return nil, err
		}
		if err := checkAddress("recipient", to); err != nil {
			return nil, err
		}
		return m.change(senderAction(action), sender+" → "+to, []tabID{tabSenders},
			func(ctx context.Context, cl Gateway) (string, error) {
				if action == mimecast.SenderPermit {
					_, err := cl.PermitSender(ctx, sender, to)
					return "permitted " + sender + " for " + to, err
				}
				_, err := cl.BlockSender(ctx, sender, to)
				return "blocked " + sender + " for " + to, err
			}), nil
	}
	return m.newForm(title, submit,
		textField("sender", "Sender", sender, "the address whose mail is "+string(action)+"ed"),
		textField("to", "Recipient", to, "the internal address it applies to"),
	)
}

// checkAddress refuses what is plainly not an address before anything is
// sent (the client checks again).
func checkAddress(field, s string) error {
	at := strings.LastIndexByte(s, '@')
	switch {
	case s == "":
		return errors.New(field + ": required")
	case at <= 0 || at == len(s)-1 || strings.ContainsAny(s, " <>,;"):
		return fmt.Errorf("%s: %q is not an email address", field, s)
	}
	return nil
}
