package fortimail

import (
	"charm.land/bubbles/v2/key"

	"github.com/mailtriage/mailtriage/ui/common"
)

// KeyMap is the FortiMail screen's keys. Names in Bindings are what users
// rebind in [keys.fortimail]. The digits 1–4 are the console's, so tabs
// move with tab/shift+tab and ]/[.
type KeyMap struct {
	Up       key.Binding
	Down     key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	Top      key.Binding
	Bottom   key.Binding
	NextTab  key.Binding
	PrevTab  key.Binding
	Open     key.Binding
	Back     key.Binding
	Reload   key.Binding

	Edit   key.Binding
	New    key.Binding
	Delete key.Binding
	Add    key.Binding
	Scope  key.Binding

	// Forms and questions.
	NextField  key.Binding
	PrevField  key.Binding
	Toggle     key.Binding
	ToggleBack key.Binding
	Submit     key.Binding
	Cancel     key.Binding
	Yes        key.Binding
	No         key.Binding
}

// DefaultKeyMap returns the default keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:       key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("k/↑", "up")),
		Down:     key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("j/↓", "down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+f"), key.WithHelp("pgdn", "page down")),
		Top:      key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "top")),
		Bottom:   key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "bottom")),
		NextTab:  key.NewBinding(key.WithKeys("tab", "]"), key.WithHelp("tab/]", "next tab")),
		PrevTab:  key.NewBinding(key.WithKeys("shift+tab", "["), key.WithHelp("shift+tab/[", "previous tab")),
		Open:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		Back:     key.NewBinding(key.WithKeys("esc", "backspace"), key.WithHelp("esc", "back")),
		Reload:   key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "reload")),

		Edit:   key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit")),
		New:    key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new profile")),
		Delete: key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "delete/remove")),
		Add:    key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "add entry")),
		Scope:  key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "system/domain scope")),

		NextField:  key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab/↓", "next field")),
		PrevField:  key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab/↑", "previous field")),
		Toggle:     key.NewBinding(key.WithKeys("space", "right"), key.WithHelp("space/→", "toggle/next choice")),
		ToggleBack: key.NewBinding(key.WithKeys("left"), key.WithHelp("←", "previous choice")),
		Submit:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "submit")),
		Cancel:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		Yes:        key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "yes")),
		No:         key.NewBinding(key.WithKeys("n", "N", "esc"), key.WithHelp("n/esc", "no")),
	}
}

// Bindings names every binding for configuration overrides.
func (k *KeyMap) Bindings() common.Bindings {
	return common.Bindings{
		"up": &k.Up, "down": &k.Down, "page_up": &k.PageUp, "page_down": &k.PageDown,
		"top": &k.Top, "bottom": &k.Bottom, "next_tab": &k.NextTab, "prev_tab": &k.PrevTab,
		"open": &k.Open, "back": &k.Back, "reload": &k.Reload,
		"edit": &k.Edit, "new": &k.New, "delete": &k.Delete, "add": &k.Add, "scope": &k.Scope,
		"next_field": &k.NextField, "prev_field": &k.PrevField, "toggle": &k.Toggle,
		"toggle_back": &k.ToggleBack, "submit": &k.Submit, "cancel": &k.Cancel,
		"yes": &k.Yes, "no": &k.No,
	}
}

// FullHelp is the ? screen.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.NextTab, k.PrevTab, k.Open, k.Back, k.Reload, k.Scope},
		{k.Edit, k.New, k.Delete, k.Add},
		{k.NextField, k.PrevField, k.Toggle, k.ToggleBack, k.Submit, k.Cancel, k.Yes, k.No},
	}
}
