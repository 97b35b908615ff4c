package mimecast

import (
	"charm.land/bubbles/v2/key"

	"github.com/mailtriage/mailtriage/ui/common"
)

// KeyMap is the Mimecast screen's keys. Names in Bindings are what users
// rebind in [keys.mimecast]. One binding may mean a tab's own version of
// an action (new policy, add member); the help bar shows only what the
// open tab does.
type KeyMap struct {
	common.TabListKeys
	Open    key.Binding
	Back    key.Binding
	Search  key.Binding
	New     key.Binding
	Edit    key.Binding
	Delete  key.Binding
	Block   key.Binding
	Permit  key.Binding
	Release key.Binding
	Reject  key.Binding
	Decode  key.Binding
	Aliases key.Binding
	View    key.Binding
	ByID    key.Binding
}

// DefaultKeyMap returns the default keys. Digits are left alone: 1–4
// switch screens.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		TabListKeys: common.DefaultTabListKeys(),
		Open:        key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "details")),
		Back:        key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Search:      key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "search")),
		New:         key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new")),
		Edit:        key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit")),
		Delete:      key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "delete")),
		Block:       key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "block")),
		Permit:      key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "permit")),
		Release:     key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "release")),
		Reject:      key.NewBinding(key.WithKeys("X"), key.WithHelp("X", "reject")),
		Decode:      key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "decode URL")),
		Aliases:     key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "aliases")),
		View:        key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "switch view")),
		ByID:        key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "by id")),
	}
}

// Bindings names every binding for configuration overrides.
func (k *KeyMap) Bindings() common.Bindings {
	return k.TabListKeys.AddTo(common.Bindings{
		"open": &k.Open, "back": &k.Back, "search": &k.Search,
		"new": &k.New, "edit": &k.Edit, "delete": &k.Delete, "block": &k.Block, "permit": &k.Permit,
		"release": &k.Release, "reject": &k.Reject, "decode": &k.Decode, "aliases": &k.Aliases,
		"view": &k.View, "by_id": &k.ByID,
	})
}

// with returns b with another description, for a tab's help.
func with(b key.Binding, desc string) key.Binding {
	b.SetHelp(b.Help().Key, desc)
	return b
}
