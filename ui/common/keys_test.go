package common

import (
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
)

func TestApplyKeysRefusesOneKeyForTwoActions(t *testing.T) {
	mk := func() (key.Binding, key.Binding) {
		return key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "move")), key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "copy"))
	}
	move, cp := mk()
	b := Bindings{"move": &move, "copy": &cp}
	err := ApplyKeys("mailbox", b, map[string][]string{"copy": {"m"}})
	if err == nil || !strings.Contains(err.Error(), `keys.mailbox: "m" is bound to both copy and move`) {
		t.Fatalf("got %v", err)
	}
	move, cp = mk()
	b = Bindings{"move": &move, "copy": &cp, "copy_alias": &cp}
	if err := ApplyKeys("mailbox", b, map[string][]string{"copy": {"C"}, "move": {"c"}}); err != nil {
		t.Fatalf("a swap onto free keys was refused: %v", err)
	}
	move, cp = mk()
	b = Bindings{"move": &move, "copy": &cp}
	if err := ApplyKeys("mailbox", b, map[string][]string{"move": {}, "copy": {"m"}}); err != nil {
		t.Fatalf("a key freed by disabling its action was refused: %v", err)
	}
}

// The preview's scroll keys work while its question waits: a key that
// answers the question cannot also scroll. The defaults are fine (down
// both scrolls and moves a picker's highlight: never at the same time).
func TestDialogScrollKeysShareTheQuestionsScope(t *testing.T) {
	k := DefaultDialogKeys()
	if err := ApplyScopedKeys("dialog", k.Bindings(), DialogScopes, nil); err != nil {
		t.Fatalf("the default dialog keys conflict: %v", err)
	}
	k = DefaultDialogKeys()
	err := ApplyScopedKeys("dialog", k.Bindings(), DialogScopes, map[string][]string{"scroll_down": {"n"}})
	if err == nil || !strings.Contains(err.Error(), `"n" is bound to both no and scroll_down`) {
		t.Fatalf("scroll_down on the no key: %v", err)
	}
	k = DefaultDialogKeys()
	if err := ApplyScopedKeys("dialog", k.Bindings(), DialogScopes, map[string][]string{"scroll_down": {"ctrl+d"}}); err != nil {
		t.Fatalf("scroll_down on a free key: %v", err)
	}
	if got := k.ScrollDown.Help().Key; got != "ctrl+d" {
		t.Fatalf("scroll_down's help names %q, want the key bound", got)
	}
}
