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
