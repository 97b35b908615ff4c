package message

import (
	"charm.land/bubbles/v2/key"

	"github.com/mailtriage/mailtriage/ui/common"
)

// KeyMap is the message screen's keys ([keys.message] in the config).
type KeyMap struct {
	Up         key.Binding
	Down       key.Binding
	PageUp     key.Binding
	PageDown   key.Binding
	Top        key.Binding
	Bottom     key.Binding
	RawHeaders key.Binding
	HTML       key.Binding
	ToggleRead key.Binding
	Back       key.Binding
}

// DefaultKeyMap returns the default keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:         key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("k/↑", "up")),
		Down:       key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("j/↓", "down")),
		PageUp:     key.NewBinding(key.WithKeys("pgup", "ctrl+b", "b"), key.WithHelp("pgup", "page up")),
		PageDown:   key.NewBinding(key.WithKeys("pgdown", "ctrl+f", "space"), key.WithHelp("pgdn/space", "page down")),
		Top:        key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "top")),
		Bottom:     key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "bottom")),
		RawHeaders: key.NewBinding(key.WithKeys("h"), key.WithHelp("h", "raw headers")),
		HTML:       key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "text/HTML part")),
		ToggleRead: key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "read/unread")),
		Back:       key.NewBinding(key.WithKeys("esc", "q"), key.WithHelp("esc/q", "back")),
	}
}

// Bindings names every binding for configuration overrides.
func (k *KeyMap) Bindings() common.Bindings {
	return common.Bindings{
		"up": &k.Up, "down": &k.Down, "page_up": &k.PageUp, "page_down": &k.PageDown,
		"top": &k.Top, "bottom": &k.Bottom, "raw_headers": &k.RawHeaders, "html": &k.HTML,
		"toggle_read": &k.ToggleRead, "back": &k.Back,
	}
}

// ShortHelp is the help bar.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Down, k.PageDown, k.RawHeaders, k.HTML, k.ToggleRead, k.Back}
}

// FullHelp is the ? screen.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.RawHeaders, k.HTML, k.ToggleRead, k.Back},
	}
}
