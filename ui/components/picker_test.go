package components

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/internal/poison"
	"github.com/mailtriage/mailtriage/themes"
	"github.com/mailtriage/mailtriage/ui/common"
	"github.com/mailtriage/mailtriage/ui/uitest"
)

func pickerStyles(t *testing.T) *themes.Styles {
	t.Helper()
	theme, err := themes.Builtin("none")
	if err != nil {
		t.Fatal(err)
	}
	return themes.NewStyles(theme)
}

// picked records what a picker handed back.
type picked struct {
	item  PickItem
	typed string
	n     int
}

func (p *picked) onPick(it PickItem, typed string) tea.Cmd {
	p.item, p.typed = it, typed
	p.n++
	return nil
}

func pressPicker(p *Picker, keys ...string) (done bool) {
	for _, k := range keys {
		done, _ = p.Key(uitest.Key(k))
	}
	return done
}

func pickFolders() []PickItem {
	return []PickItem{{Label: "INBOX", Value: "INBOX"}, {Label: "Junk", Value: "Junk", Note: "(junk)"}, {Label: "Phishing reports", Value: "Phishing reports"}}
}

// A pick_down rebound in [keys.dialog] moves the highlight, the keys it
// replaced no longer do, and the hint names the key bound.
func TestPickerKeysAreTheDialogBindings(t *testing.T) {
	keys := common.DefaultDialogKeys()
	if err := common.ApplyScopedKeys("dialog", keys.Bindings(), common.DialogScopes, map[string][]string{"pick_down": {"ctrl+f"}}); err != nil {
		t.Fatal(err)
	}
	var got picked
	p := NewPicker(keys, analysis.Plain("move to"), pickFolders(), false, got.onPick)
	pressPicker(p, "down")
	if p.Cursor() != 0 {
		t.Fatalf("down still moves the highlight after pick_down was rebound (cursor %d)", p.Cursor())
	}
	pressPicker(p, "ctrl+f", "ctrl+f")
	if p.Cursor() != 2 {
		t.Fatalf("the rebound pick_down left the highlight on %d, want 2", p.Cursor())
	}
	hint := uitest.Plain(p.Hint(pickerStyles(t)))
	if !strings.Contains(hint, "ctrl+f next") || strings.Contains(hint, "↓") {
		t.Fatalf("hint %q does not name the rebound key", hint)
	}
	if !pressPicker(p, "enter") || got.n != 1 || got.item.Value != "Phishing reports" {
		t.Fatalf("enter took %+v (%d picks)", got.item, got.n)
	}
}

// Typed letters filter the items in order (fuzzy); with allowNew a name
// no item has is handed back as typed; without it, a filter that matches
// nothing keeps the picker open.
func TestPickerFiltersAndTakesANewName(t *testing.T) {
	var got picked
	p := NewPicker(common.DialogKeys{}, analysis.Plain("tag"), pickFolders(), true, got.onPick)
	pressPicker(p, "p", "r", "p")
	if len(p.Shown()) != 1 || p.Shown()[0].Value != "Phishing reports" {
		t.Fatalf("prp shows %+v", p.Shown())
	}
	pressPicker(p, "backspace", "backspace", "backspace", "n", "e", "w")
	if len(p.Shown()) != 0 {
		t.Fatalf("new shows %+v", p.Shown())
	}
	if !pressPicker(p, "enter") || got.item.Value != "new" || got.typed != "new" {
		t.Fatalf("enter on a new name took %+v typed %q", got.item, got.typed)
	}

	strict := NewPicker(common.DialogKeys{}, analysis.Plain("move to"), pickFolders(), false, got.onPick)
	pressPicker(strict, "x", "y", "z")
	if pressPicker(strict, "enter") || got.n != 1 {
		t.Fatal("enter with no match closed the picker")
	}
	if !pressPicker(strict, "esc") || got.n != 1 {
		t.Fatal("esc did not drop the picker, or picked")
	}
}

// Labels and notes come from the server or from mail: every hostile kind
// is drawn as markers, never as the bytes themselves, and the highlight
// keeps to the width.
func TestPickerDrawsHostileLabelsSanitised(t *testing.T) {
	items := []PickItem{
		{Label: poison.Payload + "Reports", Value: "x", Note: "(" + poison.Payload + ")"},
		{Label: "Junk", Value: "Junk"},
	}
	p := NewPicker(common.DialogKeys{}, analysis.SanitizeLine(poison.Payload), items, false, func(PickItem, string) tea.Cmd { return nil })
	out := strings.Join(p.Lines(pickerStyles(t), 80), "\n")
	if bad := uitest.Foreign(out, uitest.MonoScreen); len(bad) > 0 {
		t.Fatalf("foreign bytes in the picker: %q\n%s", bad, uitest.Plain(out))
	}
	if plain := uitest.Plain(out); !strings.Contains(plain, "⟨OSC 8⟩") || !strings.Contains(plain, "Junk") {
		t.Fatalf("picker lines:\n%s", plain)
	}
	for i, l := range strings.Split(uitest.Plain(out), "\n") {
		if w := len([]rune(l)); w > 80 {
			t.Fatalf("line %d is %d wide: %q", i, w, l)
		}
	}
}
