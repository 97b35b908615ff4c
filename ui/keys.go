package ui

import (
	"charm.land/bubbles/v2/key"

	"github.com/mailtriage/mailtriage/ui/common"
)

// GlobalKeys work on every screen ([keys.global] in the config).
type GlobalKeys struct {
	Quit      key.Binding
	ForceQuit key.Binding
	Help      key.Binding
	Command   key.Binding
	Mailbox   key.Binding
	Mimecast  key.Binding
	FortiMail key.Binding
	Jobs      key.Binding
	Account   key.Binding
	Redraw    key.Binding
}

// DefaultGlobalKeys returns the keys of the design notes.
func DefaultGlobalKeys() GlobalKeys {
	return GlobalKeys{
		Quit:      key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		ForceQuit: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit now")),
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Command:   key.NewBinding(key.WithKeys(":"), key.WithHelp(":", "command")),
		Mailbox:   key.NewBinding(key.WithKeys("1"), key.WithHelp("1", "mailbox")),
		Mimecast:  key.NewBinding(key.WithKeys("2"), key.WithHelp("2", "Mimecast")),
		FortiMail: key.NewBinding(key.WithKeys("3"), key.WithHelp("3", "FortiMail")),
		Jobs:      key.NewBinding(key.WithKeys("4"), key.WithHelp("4", "jobs")),
		Account:   key.NewBinding(key.WithKeys("A"), key.WithHelp("A", "next account")),
		Redraw:    key.NewBinding(key.WithKeys("ctrl+l"), key.WithHelp("ctrl+l", "redraw the screen")),
	}
}

// Bindings names every binding for configuration overrides.
func (k *GlobalKeys) Bindings() common.Bindings {
	return common.Bindings{
		"quit": &k.Quit, "force_quit": &k.ForceQuit, "help": &k.Help, "command": &k.Command,
		"mailbox": &k.Mailbox, "mimecast": &k.Mimecast, "fortimail": &k.FortiMail, "jobs": &k.Jobs,
		"account": &k.Account, "redraw": &k.Redraw,
	}
}

func (k GlobalKeys) short() []key.Binding { return []key.Binding{k.Command, k.Help, k.Quit} }

func (k GlobalKeys) full() []key.Binding {
	return []key.Binding{k.Mailbox, k.Mimecast, k.FortiMail, k.Jobs, k.Account, k.Command, k.Help, k.Redraw, k.Quit, k.ForceQuit}
}
