package common

import (
	"fmt"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
)

// Bindings names a screen's key bindings for configuration: the names are
// what users write in [keys.<screen>].
type Bindings map[string]*key.Binding

// ApplyKeys rebinds keys from overrides (action name → keys) and updates
// the help text to the keys actually bound, so help never lies.
func ApplyKeys(screen string, b Bindings, overrides map[string][]string) error {
	return ApplyScopedKeys(screen, b, nil, overrides)
}

// ApplyScopedKeys is ApplyKeys for a screen whose keys live in several
// scopes that are never active together (the list, a form, a question):
// scope names each action's ("" for the screen's own), and one key may
// serve one action in each scope.
func ApplyScopedKeys(screen string, b Bindings, scope map[string]string, overrides map[string][]string) error {
	names := make([]string, 0, len(overrides))
	for name := range overrides {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		binding, ok := b[name]
		if !ok {
			return fmt.Errorf("keys.%s.%s: no such action (actions: %s)", screen, name, strings.Join(b.names(), ", "))
		}
		keys := overrides[name]
		if len(keys) == 0 {
			binding.SetEnabled(false)
			continue
		}
		binding.SetKeys(keys...)
		binding.SetHelp(helpLabel(keys), binding.Help().Desc)
	}
	return b.conflicts(screen, scope)
}

// conflicts refuses a key bound to two actions of one screen: which one
// would run depends on the order the screen checks them in, so the
// analyst could not know. Names that alias one binding are one action.
func (b Bindings) conflicts(screen string, scope map[string]string) error {
	owner := map[string]string{} // scope + key → action
	seen := map[*key.Binding]string{}
	for _, name := range b.names() {
		kb := b[name]
		if first, dup := seen[kb]; dup && first != name {
			continue // an alias ("headers" and "raw_headers")
		}
		seen[kb] = name
		if !kb.Enabled() {
			continue
		}
		for _, k := range kb.Keys() {
			slot := scope[name] + "\x00" + k
			if other, taken := owner[slot]; taken {
				return fmt.Errorf("keys.%s: %q is bound to both %s and %s; give one of them another key", screen, k, other, name)
			}
			owner[slot] = name
		}
	}
	return nil
}

func (b Bindings) names() []string {
	out := make([]string, 0, len(b))
	for n := range b {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// helpLabel shows keys the way the help bar does: "j/↓".
func helpLabel(keys []string) string {
	pretty := make([]string, len(keys))
	for i, k := range keys {
		switch k {
		case "up":
			k = "↑"
		case "down":
			k = "↓"
		case "left":
			k = "←"
		case "right":
			k = "→"
		}
		pretty[i] = k
	}
	return strings.Join(pretty, "/")
}

// TabListKeys are the moves every tabbed list screen shares (the gateway
// screens): embed it in a screen's KeyMap and merge AddTo into its
// Bindings, so the names users rebind are the same everywhere.
type TabListKeys struct {
	Up       key.Binding
	Down     key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	Top      key.Binding
	Bottom   key.Binding
	NextTab  key.Binding
	PrevTab  key.Binding
	Reload   key.Binding
}

// DefaultTabListKeys returns the shared defaults. Digits are left alone:
// 1–4 switch screens.
func DefaultTabListKeys() TabListKeys {
	return TabListKeys{
		Up:       key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("k/↑", "up")),
		Down:     key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("j/↓", "down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+f"), key.WithHelp("pgdn", "page down")),
		Top:      key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "top")),
		Bottom:   key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "bottom")),
		NextTab:  key.NewBinding(key.WithKeys("tab", "]"), key.WithHelp("tab/]", "next tab")),
		PrevTab:  key.NewBinding(key.WithKeys("shift+tab", "["), key.WithHelp("shift+tab/[", "previous tab")),
		Reload:   key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "reload")),
	}
}

// AddTo names the shared bindings in b and returns it.
func (k *TabListKeys) AddTo(b Bindings) Bindings {
	for name, kb := range map[string]*key.Binding{
		"up": &k.Up, "down": &k.Down, "page_up": &k.PageUp, "page_down": &k.PageDown,
		"top": &k.Top, "bottom": &k.Bottom, "next_tab": &k.NextTab, "prev_tab": &k.PrevTab, "reload": &k.Reload,
	} {
		b[name] = kb
	}
	return b
}

// DialogKeys answer every question the console asks.
type DialogKeys struct {
	Yes key.Binding
	No  key.Binding
	// Selection answers "act on the list's selection instead" when a
	// question about the open message offers it.
	Selection key.Binding
	// Submit and Cancel end a line being typed (a search, a path, the
	// command line, a picker's filter); PickUp and PickDown move a
	// picker's highlight while the analyst types.
	Submit   key.Binding
	Cancel   key.Binding
	PickUp   key.Binding
	PickDown key.Binding
	// NextField and PrevField move between a form's fields; NextChoice
	// and PrevChoice change a field that is a choice.
	NextField  key.Binding
	PrevField  key.Binding
	NextChoice key.Binding
	PrevChoice key.Binding
	// ScrollUp and ScrollDown scroll a panel longer than its frame (the
	// replies previewed before they are sent, the ? screen) a line at a
	// time, PageUp and PageDown a frame at a time.
	ScrollUp   key.Binding
	ScrollDown key.Binding
	PageUp     key.Binding
	PageDown   key.Binding
}

// DefaultDialogKeys: y says yes; n, esc, q and ctrl+c say no. enter says
// no too, so that a question cannot be answered by a key pressed out of
// habit.
func DefaultDialogKeys() DialogKeys {
	return DialogKeys{
		Yes: key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "yes")),
		No:  key.NewBinding(key.WithKeys("n", "N", "esc", "q", "ctrl+c", "enter"), key.WithHelp("n/esc", "no")),

		Selection: key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "the selection instead")),

		Submit:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "done")),
		Cancel:   key.NewBinding(key.WithKeys("esc", "ctrl+c"), key.WithHelp("esc", "cancel")),
		PickUp:   key.NewBinding(key.WithKeys("up", "ctrl+p", "ctrl+k"), key.WithHelp("↑", "previous")),
		PickDown: key.NewBinding(key.WithKeys("down", "ctrl+n", "ctrl+j", "tab"), key.WithHelp("↓/tab", "next")),

		NextField:  key.NewBinding(key.WithKeys("tab", "down", "ctrl+n"), key.WithHelp("tab/↓", "next field")),
		PrevField:  key.NewBinding(key.WithKeys("shift+tab", "up", "ctrl+p"), key.WithHelp("shift+tab/↑", "previous field")),
		NextChoice: key.NewBinding(key.WithKeys("right", "l", "space"), key.WithHelp("space/→", "next choice")),
		PrevChoice: key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←", "previous choice")),

		ScrollUp:   key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("k/↑", "scroll up")),
		ScrollDown: key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("j/↓", "scroll down")),
		PageUp:     key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up")),
		PageDown:   key.NewBinding(key.WithKeys("pgdown", "space"), key.WithHelp("pgdn/space", "page down")),
	}
}

// DialogScopes: a question's answers and a typed line's keys are never
// active together, so n may say no and enter submit. Scrolling works
// while a question waits, so it shares the question's scope.
var DialogScopes = map[string]string{"yes": "question", "no": "question", "selection": "question",
	"scroll_up": "question", "scroll_down": "question", "page_up": "question", "page_down": "question",
	"pick_up": "picker", "pick_down": "picker",
	"next_field": "form", "prev_field": "form", "next_choice": "form", "prev_choice": "form"}

// Or returns k, or the defaults when k was never set (a Common built
// without them, as tests do).
func (k DialogKeys) Or() DialogKeys {
	if k.Yes.Keys() == nil && k.Submit.Keys() == nil {
		return DefaultDialogKeys()
	}
	return k
}

// Bindings names the keys for [keys.dialog].
func (k *DialogKeys) Bindings() Bindings {
	return Bindings{"yes": &k.Yes, "no": &k.No, "selection": &k.Selection,
		"submit": &k.Submit, "cancel": &k.Cancel, "pick_up": &k.PickUp, "pick_down": &k.PickDown,
		"next_field": &k.NextField, "prev_field": &k.PrevField, "next_choice": &k.NextChoice, "prev_choice": &k.PrevChoice,
		"scroll_up": &k.ScrollUp, "scroll_down": &k.ScrollDown, "page_up": &k.PageUp, "page_down": &k.PageDown}
}
