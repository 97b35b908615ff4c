package components

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/themes"
	"github.com/mailtriage/mailtriage/ui/common"
	"github.com/mailtriage/mailtriage/ui/uitest"
)

// press hands each key to f; it fails the test if the form ends before
// the last one.
func press(t *testing.T, f *Form, keys ...string) (done bool, cmd tea.Cmd) {
	t.Helper()
	for i, k := range keys {
		done, cmd = f.Key(uitest.Key(k))
		if done && i < len(keys)-1 {
			t.Fatalf("the form ended at %q, before %q", k, keys[i+1:])
		}
	}
	return done, cmd
}

func typeText(t *testing.T, f *Form, s string) {
	t.Helper()
	for _, r := range s {
		press(t, f, string(r))
	}
}

func screen(f *Form, w, h int) string {
	return strings.Join(f.Lines(themes.NewPlainStyles(), w, h), "\n")
}

func plainScreen(f *Form, w, h int) string { return uitest.Plain(screen(f, w, h)) }

// submitted records what a form's submit saw.
type submitted struct {
	calls  int
	values map[string]string
}

func (s *submitted) fn(keys ...string) func(*Form) (tea.Cmd, error) {
	return func(f *Form) (tea.Cmd, error) {
		s.calls++
		s.values = map[string]string{}
		for _, k := range keys {
			s.values[k] = f.Value(k)
		}
		return nil, nil
	}
}

func choices(values ...string) []Option {
	out := make([]Option, len(values))
	for i, v := range values {
		out[i] = Option{Value: v}
	}
	return out
}

// Rebinding [keys.dialog] changes what the form answers to and what its
// hint says: the old keys stop working.
func TestReboundFormKeysWorkAndShowInTheHint(t *testing.T) {
	dk := common.DefaultDialogKeys()
	err := common.ApplyScopedKeys("dialog", dk.Bindings(), common.DialogScopes, map[string][]string{
		"submit": {"ctrl+s"}, "cancel": {"ctrl+g"}, "next_field": {"ctrl+j"}, "prev_field": {"ctrl+k"},
		"next_choice": {"+"}, "prev_choice": {"-"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var got submitted
	newForm := func() *Form {
		f := NewForm(DialogFormKeys(dk), []Field{
			{Key: "name", Label: "Name"},
			{Key: "route", Label: "Route", Kind: ChoiceField, Options: choices("in", "out", "both")},
		}, got.fn("name", "route"))
		f.ShowKeys = true
		return f
	}
	f := newForm()
	press(t, f, "tab") // typed into the name now, not a move
	if f.Focused() != "name" {
		t.Fatalf("tab moved the cursor to %q after next_field was rebound", f.Focused())
	}
	press(t, f, "ctrl+j")
	if f.Focused() != "route" {
		t.Fatalf("ctrl+j left the cursor on %q", f.Focused())
	}
	hint := plainScreen(f, 100, 6)
	for _, want := range []string{"ctrl+j ctrl+k field", "+ - choose", "ctrl+s done", "ctrl+g cancel"} {
		if !strings.Contains(hint, want) {
			t.Errorf("the hint lacks %q:\n%s", want, hint)
		}
	}
	for _, stale := range []string{"tab", "esc", "enter", "→"} {
		if strings.Contains(hint, stale) {
			t.Errorf("the hint still names %q:\n%s", stale, hint)
		}
	}
	press(t, f, "right", "space", "+", "+", "-", "+") // only + and - count
	if done, _ := press(t, f, "esc"); done {
		t.Fatal("esc ended the form after cancel was rebound")
	}
	if done, _ := press(t, f, "enter"); done || got.calls != 0 {
		t.Fatalf("enter submitted (done %v, %d calls) after submit was rebound", done, got.calls)
	}
	if done, _ := press(t, f, "ctrl+s"); !done || got.calls != 1 {
		t.Fatalf("ctrl+s: done %v, %d submits", done, got.calls)
	}
	if got.values["route"] != "both" || got.values["name"] != "" {
		t.Fatalf("submitted %v, want route both and an empty name (tab was not a character to keep)", got.values)
	}
	if done, _ := press(t, newForm(), "ctrl+g"); !done {
		t.Fatal("ctrl+g did not cancel")
	}
}

// A value the text input cannot hold as it is (control characters) is
// handed on byte for byte while the analyst leaves it alone, and again
// once an edit is undone.
func TestUntouchedFieldReturnsItsOriginalBytes(t *testing.T) {
	const hostile = "pay\x07 \x1b[31minvoice\u202e\u200b "
	f := NewForm(DialogFormKeys(common.DialogKeys{}), []Field{
		{Key: "desc", Label: "Description", Value: hostile},
		{Key: "comment", Label: "Comment", Value: "kept"},
		{Key: "on", Label: "On", Kind: ToggleField, On: true},
	}, (&submitted{}).fn())
	press(t, f, "tab", "shift+tab", "down", "down", "up", "up") // through every field and back
	if v := f.Value("desc"); v != hostile {
		t.Fatalf("untouched value %q, want %q", v, hostile)
	}
	if f.Changed() || f.FieldChanged("desc") {
		t.Fatal("an untouched form says it changed")
	}
	press(t, f, "end", "x")
	if v := f.Value("desc"); v == hostile || !strings.HasSuffix(v, "x") || !f.FieldChanged("desc") || !f.Changed() {
		t.Fatalf("after typing the value is %q (changed %v)", v, f.FieldChanged("desc"))
	}
	press(t, f, "backspace")
	if v := f.Value("desc"); v != hostile || f.Changed() {
		t.Fatalf("after undoing the edit the value is %q (changed %v)", v, f.Changed())
	}
	press(t, f, "tab", "tab", "space")
	if !f.FieldChanged("on") || f.On("on") {
		t.Fatal("space did not turn the toggle off")
	}
	press(t, f, "left")
	if f.Changed() {
		t.Fatal("turning the toggle back on still counts as a change")
	}
}

// A field's check and the submit function's error both keep the form
// open, say why, and nothing is submitted while a field is wrong.
func TestValidationErrorKeepsTheFormOpenAndIsDrawn(t *testing.T) {
	number := func(s string) error {
		if strings.Trim(s, "0123456789") != "" || s == "" {
			return errors.New("a whole number, please")
		}
		return nil
	}
	var got submitted
	refuse := true
	f := NewForm(DialogFormKeys(common.DialogKeys{}), []Field{
		{Key: "name", Label: "Name", Value: "x"},
		{Key: "limit", Label: "Limit", Value: "10", Check: number, Hint: "messages per hour"},
	}, func(f *Form) (tea.Cmd, error) {
		got.calls++
		if refuse {
			return nil, fmt.Errorf("the server wants a limit above %s", f.Value("limit"))
		}
		return nil, nil
	})
	press(t, f, "tab", "ctrl+u")
	typeText(t, f, "ten")
	press(t, f, "tab") // leaving the field checks it
	out := plainScreen(f, 80, 8)
	if !strings.Contains(out, "ten  ✗ a whole number, please") {
		t.Fatalf("the field's error is not drawn on leaving it:\n%s", out)
	}
	if done, _ := press(t, f, "enter"); done || got.calls != 0 {
		t.Fatalf("a wrong field was submitted (done %v, %d calls)", done, got.calls)
	}
	out = plainScreen(f, 80, 8)
	if f.Focused() != "limit" || !strings.Contains(out, "✗ 1 field(s) need attention: nothing was sent") ||
		!strings.Contains(out, "✗ a whole number, please · messages per hour") {
		t.Fatalf("focus %q; the form does not say what is wrong:\n%s", f.Focused(), out)
	}
	press(t, f, "ctrl+u")
	typeText(t, f, "5")
	if done, _ := press(t, f, "enter"); done || got.calls != 1 {
		t.Fatalf("a refused submit closed the form (done %v, %d calls)", done, got.calls)
	}
	if out := plainScreen(f, 80, 8); !strings.Contains(out, "✗ the server wants a limit above 5") || strings.Contains(out, "need attention") {
		t.Fatalf("the submit's reason is not drawn:\n%s", out)
	}
	refuse = false
	if done, _ := press(t, f, "enter"); !done || got.calls != 2 {
		t.Fatalf("a good submit: done %v, %d calls", done, got.calls)
	}
}

// ErrStayOpen keeps the form open without an error line.
func TestStayOpenKeepsTheFormQuietly(t *testing.T) {
	f := NewForm(DialogFormKeys(common.DialogKeys{}), []Field{{Key: "a", Label: "A"}},
		func(*Form) (tea.Cmd, error) { return nil, ErrStayOpen })
	if done, _ := press(t, f, "enter"); done || f.Err() != "" {
		t.Fatalf("done %v, error %q", done, f.Err())
	}
}

// However far down the cursor goes, and back round, its field is drawn;
// group headings come with their fields.
func TestScrollingKeepsTheFocusedFieldVisible(t *testing.T) {
	var fields []Field
	for i := range 30 {
		fields = append(fields, Field{Key: fmt.Sprint(i), Label: fmt.Sprintf("field %02d", i), Group: fmt.Sprintf("group %d", i/5)})
	}
	f := NewForm(DialogFormKeys(common.DialogKeys{}), fields, (&submitted{}).fn())
	f.Title = "Long form"
	const h = 9
	if f.Height() <= h {
		t.Fatalf("the form needs %d lines: too few to scroll in %d", f.Height(), h)
	}
	check := func(step string) {
		t.Helper()
		lines := strings.Split(plainScreen(f, 60, h), "\n")
		if len(lines) != h {
			t.Fatalf("%s: %d lines, want %d", step, len(lines), h)
		}
		want := "› field " + fmt.Sprintf("%02s", f.Focused())
		at := -1
		for i, l := range lines {
			if strings.HasPrefix(l, want) {
				at = i
			}
		}
		if at < 0 || !strings.HasPrefix(lines[0], " Long form") {
			t.Fatalf("%s: %q is not drawn, or the title scrolled away:\n%s", step, want, strings.Join(lines, "\n"))
		}
		var n int
		fmt.Sscan(f.Focused(), &n)
		if heading := fmt.Sprintf(" group %d", n/5); n%5 == 0 && strings.TrimRight(lines[at-1], " ") != heading {
			t.Fatalf("%s: the first field of a group is drawn without its heading %q:\n%s", step, heading, strings.Join(lines, "\n"))
		}
	}
	for i := range 31 { // down to the last field and round to the first
		check(fmt.Sprintf("tab %d", i))
		press(t, f, "tab")
	}
	for i := range 31 {
		check(fmt.Sprintf("shift+tab %d", i))
		press(t, f, "shift+tab")
	}
	if out := plainScreen(f, 60, 0); !strings.Contains(out, " group 5\n  field 25") {
		t.Fatalf("the whole form lacks a group heading:\n%s", out)
	}
}

// Labels, values (text, choice, focused or not, being typed in), hints,
// headings, the title and errors are drawn sanitised: escape sequences
// and bidi controls show as markers, never as raw bytes.
func TestEverythingIsDrawnSanitised(t *testing.T) {
	const evil = "\x1b]8;;https://evil.example\x07x\u202eyz\u2066"
	checkFails := func(string) error { return errors.New("bad " + evil) }
	f := NewForm(DialogFormKeys(common.DialogKeys{}), []Field{
		{Key: "text", Label: "Label " + evil, Value: "value " + evil, Hint: "hint " + evil, Group: "group " + evil, Check: checkFails},
		{Key: "choice", Label: "Choice " + evil, Kind: ChoiceField, Options: []Option{{Value: "a", Label: "option " + evil}, {Value: "b " + evil}}},
		{Key: "toggle", Label: "Toggle " + evil, Kind: ToggleField},
	}, func(*Form) (tea.Cmd, error) { return nil, errors.New("refused " + evil) })
	f.Title, f.ShowKeys = "Title "+evil, true
	seen := 0
	check := func(step string) {
		t.Helper()
		out := screen(f, 120, 12)
		if bad := uitest.Foreign(out, uitest.MonoScreen); len(bad) > 0 {
			t.Fatalf("%s: raw bytes drawn: %q\n%s", step, bad, uitest.Plain(out))
		}
		seen += strings.Count(uitest.Plain(out), "⟨RLO⟩")
	}
	check("opened")
	press(t, f, "end")
	typeText(t, f, "\u202e!")
	check("typing")
	press(t, f, "tab")
	check("field error")
	press(t, f, "space")
	check("choice focused")
	press(t, f, "space")
	check("second option")
	press(t, f, "tab", "space", "shift+tab", "shift+tab", "ctrl+u", "enter")
	check("form error")
	if seen < 10 {
		t.Fatalf("the markers showed only %d times: the hostile text was not drawn", seen)
	}
}
