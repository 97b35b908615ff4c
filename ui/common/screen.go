package common

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// Screen is the one shape of every screen the root hosts — mailbox,
// message, Mimecast, FortiMail, jobs (soft-serve's Component). The root
// keeps them in a slice, gives each its area, routes keys to the one
// shown, hands every screen each non-key message (each keeps only the
// replies it asked for), and tells a screen when it is shown or left.
type Screen interface {
	Init() tea.Cmd
	Update(msg tea.Msg) (tea.Model, tea.Cmd)
	View() tea.View
	// SetSize gives the screen its area (below the one-line tab bar).
	SetSize(width, height int)
	// Render returns exactly height lines.
	Render() string
	// Capturing reports that a form, input or question has the keyboard:
	// the root then passes every key, even q and digits, to the screen.
	Capturing() bool
	// ShortHelp and FullHelp feed the help bar and the ? screen from the
	// screen's key map.
	ShortHelp() []key.Binding
	FullHelp() [][]key.Binding
	// Status is a short line for the status bar ("Mimecast · 12
	// policies", a TLS warning…); "" for none.
	Status() string
	// Focus is called when the screen is shown, Blur when it is left: a
	// screen cancels there the work it no longer needs.
	Focus() tea.Cmd
	Blur()
}

// ShowScreenMsg asks the root to switch to a hosted screen ("mimecast",
// "fortimail").
type ShowScreenMsg struct{ Name string }
