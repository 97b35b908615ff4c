package fortimail

import (
	"charm.land/bubbles/v2/key"

	"github.com/mailtriage/mailtriage/ui/common"
)

// KeyMap is the FortiMail screen's keys. Names in Bindings are what users
// rebind in [keys.fortimail]. The digits 1–4 are the console's, so tabs
// move with tab/shift+tab and ]/[.
type KeyMap struct {
	common.TabListKeys
	Open key.Binding
	Back key.Binding

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
		TabListKeys: common.DefaultTabListKeys(),
		Open:        key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		Back:        key.NewBinding(key.WithKeys("esc", "backspace"), key.WithHelp("esc", "back")),

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
		Cancel:     key.NewBinding(key.WithKeys("esc", "ctrl+c"), key.WithHelp("esc", "cancel")),
		Yes:        key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "yes")),
		No:         key.NewBinding(key.WithKeys("n", "N", "esc"), key.WithHelp("n/esc", "no")),
	}
}

// answerDialogKeys makes the form and question keys those of
// [keys.dialog] (keeping this screen's words for them), so that a key
// means one thing on every screen; [keys.fortimail] may still rebind
// them here, as it always could.
func (k *KeyMap) answerDialogKeys(d common.DialogKeys) {
	d = d.Or()
	for _, p := range []struct {
		own    *key.Binding
		dialog key.Binding
	}{
		{&k.NextField, d.NextField}, {&k.PrevField, d.PrevField},
		{&k.Toggle, d.NextChoice}, {&k.ToggleBack, d.PrevChoice},
		{&k.Submit, d.Submit}, {&k.Cancel, d.Cancel}, {&k.Yes, d.Yes}, {&k.No, d.No},
	} {
		p.own.SetKeys(p.dialog.Keys()...)
		p.own.SetHelp(p.dialog.Help().Key, p.own.Help().Desc)
	}
}

// dialog is the screen's answer keys as components take them.
func (k KeyMap) dialog(d common.DialogKeys) common.DialogKeys {
	d = d.Or()
	d.NextField, d.PrevField, d.NextChoice, d.PrevChoice = k.NextField, k.PrevField, k.Toggle, k.ToggleBack
	d.Submit, d.Cancel, d.Yes, d.No = k.Submit, k.Cancel, k.Yes, k.No
	return d
}

// scopes says which keys live in forms and which in questions: they are
// never active with the list's keys, so esc may be both back and cancel.
var scopes = map[string]string{
	"next_field": "form", "prev_field": "form", "toggle": "form", "toggle_back": "form", "submit": "form", "cancel": "form",
	"yes": "question", "no": "question",
}

// Bindings names every binding for configuration overrides.
func (k *KeyMap) Bindings() common.Bindings {
	return k.TabListKeys.AddTo(common.Bindings{
		"open": &k.Open, "back": &k.Back,
		"edit": &k.Edit, "new": &k.New, "delete": &k.Delete, "add": &k.Add, "scope": &k.Scope,
		"next_field": &k.NextField, "prev_field": &k.PrevField, "toggle": &k.Toggle,
		"toggle_back": &k.ToggleBack, "submit": &k.Submit, "cancel": &k.Cancel,
		"yes": &k.Yes, "no": &k.No,
	})
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
