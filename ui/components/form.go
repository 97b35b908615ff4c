package components

import (
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/themes"
	"github.com/mailtriage/mailtriage/ui/common"
)

// FormKeys are the keys a form answers to. Every key is a binding, so a
// rebinding in the configuration reaches the form and its hint.
type FormKeys struct {
	NextField, PrevField   key.Binding
	NextChoice, PrevChoice key.Binding
	Submit, Cancel         key.Binding
}

// DialogFormKeys are the form keys of [keys.dialog].
func DialogFormKeys(k common.DialogKeys) FormKeys {
	k = k.Or()
	return FormKeys{NextField: k.NextField, PrevField: k.PrevField, NextChoice: k.NextChoice, PrevChoice: k.PrevChoice,
		Submit: k.Submit, Cancel: k.Cancel}
}

// ErrStayOpen, returned by a form's submit function, keeps the form open
// without an error: a question about its values is being asked, say.
var ErrStayOpen = errors.New("the form stays open")

// Form is the one form of the console: text, choice and toggle fields,
// moved between with the field keys, submitted and cancelled with the
// form keys. A field's value is its original byte for byte until the
// analyst edits it. Everything drawn is sanitised, so hidden characters
// show as markers. A submit whose checks fail keeps the form open with the
// reasons drawn; fields taller than the form scroll with the cursor.
type Form struct {
	// Title, when set, is the form's first line.
	Title string
	// ShowKeys draws a line of the keys at the foot (for hosts without a
	// help bar below the form).
	ShowKeys bool
	// SubmitLabel says what submitting does, in the hint (default: the
	// Submit binding's help).
	SubmitLabel string
	// Cancelled is what cancelling returns (default: an info "cancelled").
	Cancelled func() tea.Cmd

	keys   FormKeys
	fields []*field
	focus  int
	top    int    // first body line shown
	err    string // the form's error line
	note   string // drawn in the error line while there is no error
	submit func(f *Form) (tea.Cmd, error)
	// labelWidth is the widest label, sanitised: the labels never change,
	// and measuring them all on every frame was a tenth of a frame of a
	// long form.
	labelWidth int
}

// NewForm asks for fields with keys. submit runs once every field's check
// passed; it returns the command acting on the values, or an error to
// show while the form stays open (ErrStayOpen: stay open quietly).
func NewForm(keys FormKeys, fields []Field, submit func(f *Form) (tea.Cmd, error)) *Form {
	f := &Form{keys: keys, submit: submit}
	for _, fd := range fields {
		f.fields = append(f.fields, newField(fd))
		f.labelWidth = max(f.labelWidth, analysis.SanitizeLine(fd.Label).Width())
	}
	f.FocusIndex(0)
	return f
}

func (f *Form) find(key string) *field {
	for _, fl := range f.fields {
		if fl.Key == key {
			return fl
		}
	}
	return nil
}

// Value is the field's value: a text field's original until edited, then
// the trimmed text; a choice's option value; a toggle's "yes" or "no".
func (f *Form) Value(key string) string {
	if fl := f.find(key); fl != nil {
		return fl.value()
	}
	return ""
}

// On reports a toggle that is on, or a choice whose value is "yes".
func (f *Form) On(key string) bool { return f.Value(key) == "yes" }

// Pick is the index of a choice field's option (-1: no such field).
func (f *Form) Pick(key string) int {
	if fl := f.find(key); fl != nil {
		return fl.pick
	}
	return -1
}

// FieldChanged reports a field whose value differs from its original.
func (f *Form) FieldChanged(key string) bool {
	fl := f.find(key)
	return fl != nil && fl.changed()
}

// Changed reports that some field differs from what the form opened
// with: unchanged, saving it would send nothing new.
func (f *Form) Changed() bool {
	for _, fl := range f.fields {
		if fl.changed() {
			return true
		}
	}
	return false
}

// Focused is the key of the field with the cursor.
func (f *Form) Focused() string {
	if len(f.fields) == 0 {
		return ""
	}
	return f.fields[f.focus].Key
}

// SetError shows err in the form's error line ("" clears it).
func (f *Form) SetError(err string) { f.err = err }

// Err is the form's error line.
func (f *Form) Err() string { return f.err }

// SetNote shows s in the error line while there is no error (e.g. that
// the change is on its way).
func (f *Form) SetNote(s string) { f.note = s }

// FocusIndex puts the cursor on field i, counted round.
func (f *Form) FocusIndex(i int) {
	n := len(f.fields)
	if n == 0 {
		return
	}
	if cur := f.fields[f.focus]; cur.ti != nil {
		cur.ti.Blur()
	}
	f.focus = (i%n + n) % n
	if next := f.fields[f.focus]; next.ti != nil {
		next.ti.Focus()
		next.ti.CursorEnd()
	}
}

// Key handles a key; done says the form is over.
func (f *Form) Key(msg tea.KeyPressMsg) (done bool, cmd tea.Cmd) {
	k := f.keys
	switch {
	case key.Matches(msg, k.Cancel):
		if f.Cancelled != nil {
			return true, f.Cancelled()
		}
		return true, common.Info("cancelled")
	case key.Matches(msg, k.Submit):
		return f.trySubmit()
	case len(f.fields) == 0:
		return false, nil
	case key.Matches(msg, k.NextField):
		f.fields[f.focus].check()
		f.FocusIndex(f.focus + 1)
		return false, nil
	case key.Matches(msg, k.PrevField):
		f.fields[f.focus].check()
		f.FocusIndex(f.focus - 1)
		return false, nil
	}
	cur := f.fields[f.focus]
	if cur.ti == nil {
		switch {
		case key.Matches(msg, k.NextChoice):
			cur.cycle(1)
		case key.Matches(msg, k.PrevChoice):
			cur.cycle(-1)
		}
		return false, nil
	}
	cur.err = ""
	ti, cmd := cur.ti.Update(msg)
	*cur.ti = ti
	return false, cmd
}

// trySubmit checks every field; the first bad one gets the cursor and
// nothing is submitted.
func (f *Form) trySubmit() (bool, tea.Cmd) {
	bad := -1
	count := 0
	for i, fl := range f.fields {
		if !fl.check() {
			count++
			if bad < 0 {
				bad = i
			}
		}
	}
	if count > 0 {
		f.FocusIndex(bad)
		f.err = fmt.Sprintf("%d field(s) need attention: nothing was sent", count)
		return false, nil
	}
	cmd, err := f.submit(f)
	switch {
	case errors.Is(err, ErrStayOpen):
		f.err = ""
		return false, cmd
	case err != nil:
		f.err = err.Error()
		return false, cmd
	}
	return true, cmd
}

// ShortHelp is the keys that apply now, for a help bar: the choice key
// only on a choice or a toggle.
func (f *Form) ShortHelp() []key.Binding {
	k := f.keys
	out := []key.Binding{k.NextField}
	if f.onChoice() {
		out = append(out, k.NextChoice)
	}
	return append(out, f.submitKey(), k.Cancel)
}

func (f *Form) onChoice() bool { return len(f.fields) > 0 && f.fields[f.focus].ti == nil }

func (f *Form) submitKey() key.Binding {
	submit := f.keys.Submit
	if f.SubmitLabel != "" {
		submit.SetHelp(submit.Help().Key, f.SubmitLabel)
	}
	return submit
}

// Height is how many lines the form needs to show every field.
func (f *Form) Height() int {
	head, body, _ := f.body()
	return len(head) + len(body) + f.footLines()
}

func (f *Form) footLines() int {
	if f.ShowKeys {
		return 3
	}
	return 2
}

// Lines draws the form in exactly h lines of width w (h ≤ 0: Height),
// scrolled so that the field with the cursor is in view. The foot holds
// the focused field's hint (or its error), the form's error line and,
// with ShowKeys, the keys.
func (f *Form) Lines(st *themes.Styles, w, h int) []string {
	if h <= 0 {
		h = f.Height()
	}
	head, body, focusLine := f.body()
	room := max(h-len(head)-f.footLines(), 1)
	if focusLine < f.top {
		f.top = focusLine
		if focusLine > 0 && body[focusLine-1].field == nil {
			f.top-- // the group's heading comes into view with its first field
		}
	}
	if focusLine >= f.top+room {
		f.top = focusLine - room + 1
	}
	f.top = max(min(f.top, len(body)-room), 0)
	out := make([]string, 0, h)
	for _, l := range head {
		out = append(out, common.Cell(l, w, st.Title, st.Marker))
	}
	labelW, valueW := f.columns(w)
	for _, l := range body[f.top:min(f.top+room, len(body))] {
		out = append(out, l.draw(f, st, labelW, valueW, w))
	}
	for len(out) < h-f.footLines() {
		out = append(out, "")
	}
	out = append(out, f.foot(st, w)...)
	return out[:min(len(out), h)]
}

// A formLine is a group heading or a field.
type formLine struct {
	heading string
	field   *field
	focused bool
}

// body lists the heading, group headings and fields, and where the
// focused field is.
func (f *Form) body() (head []analysis.Text, body []formLine, focusLine int) {
	if f.Title != "" {
		head = append(head, analysis.SanitizeLine(" "+f.Title))
	}
	group := ""
	for i, fl := range f.fields {
		if fl.Group != group && fl.Group != "" {
			body = append(body, formLine{heading: fl.Group})
		}
		group = fl.Group
		if i == f.focus {
			focusLine = len(body)
		}
		body = append(body, formLine{field: fl, focused: i == f.focus})
	}
	return head, body, focusLine
}

// columns splits a line between labels and values: the labels as wide
// as the widest, but never leaving the values less than a third.
func (f *Form) columns(w int) (labelW, valueW int) {
	valueMin := min(max(w/3, 16), 40)
	labelW = max(min(f.labelWidth, w-valueMin-4), 4)
	return labelW, max(w-labelW-4, 4)
}

func (l formLine) draw(f *Form, st *themes.Styles, labelW, valueW, w int) string {
	if l.field == nil {
		return common.Cell(analysis.SanitizeLine(" "+l.heading), w, st.Header, st.Marker)
	}
	fl := l.field
	lead, label := "  ", st.Text
	if l.focused {
		lead, label = "› ", st.Accent
	}
	if fl.changed() {
		lead = lead[:len(lead)-1] + "*"
	}
	var value string
	switch {
	case fl.err != "":
		value = common.Cell(analysis.SanitizeLine(fl.ti.Value()+"  ✗ "+fl.err), valueW, st.Danger, st.Marker)
	case fl.ti != nil && l.focused && (fl.edited() || fl.loaded == fl.Value):
		// The input holds the real value; EditLine draws it with hidden
		// characters as markers. An untouched value the input could not
		// hold as is (a control character) is drawn from the original.
		value = common.EditLine(*fl.ti, valueW, st)
	case l.focused && fl.ti == nil:
		value = common.Cell(fl.shown(), valueW, st.Selected, st.Marker)
	default:
		value = common.Cell(fl.shown(), valueW, st.Text, st.Marker)
	}
	return common.PadRight(label.Render(lead)+common.Cell(analysis.SanitizeLine(fl.Label), labelW, label, st.Marker)+"  "+value, w)
}

// foot is the focused field's hint (its error first), the form's error
// or note, and the keys.
func (f *Form) foot(st *themes.Styles, w int) []string {
	hint, hintStyle := "", st.Muted
	if len(f.fields) > 0 {
		cur := f.fields[f.focus]
		hint = cur.Hint
		if cur.err != "" {
			hint, hintStyle = strings.TrimSuffix("✗ "+cur.err+" · "+hint, " · "), st.Danger
		}
	}
	out := []string{common.Cell(analysis.SanitizeLine(" "+hint), w, hintStyle, st.Marker)}
	switch {
	case f.err != "":
		out = append(out, common.Cell(analysis.SanitizeLine(" ✗ "+f.err), w, st.Danger, st.Marker))
	default:
		out = append(out, common.Cell(analysis.SanitizeLine(" "+f.note), w, st.Accent, st.Marker))
	}
	if f.ShowKeys {
		out = append(out, common.PadRight(" "+f.keyHint(st), w))
	}
	return out
}

// keyHint draws the keys actually bound, never a fixed string: each
// pair of moves under one word, the choice keys only on a choice.
func (f *Form) keyHint(st *themes.Styles) string {
	k := f.keys
	type item struct {
		keys []key.Binding
		desc string
	}
	items := []item{{[]key.Binding{k.NextField, k.PrevField}, "field"}}
	if f.onChoice() {
		items = append(items, item{[]key.Binding{k.NextChoice, k.PrevChoice}, "choose"})
	}
	submit := f.submitKey()
	items = append(items, item{[]key.Binding{submit}, submit.Help().Desc}, item{[]key.Binding{k.Cancel}, k.Cancel.Help().Desc})
	var parts []string
	for _, it := range items {
		var names []string
		for _, kb := range it.keys {
			if kb.Enabled() {
				names = append(names, kb.Help().Key)
			}
		}
		if len(names) > 0 {
			parts = append(parts, st.HelpKey.Render(strings.Join(names, " "))+st.HelpDesc.Render(" "+it.desc))
		}
	}
	return strings.Join(parts, st.HelpDesc.Render("  "))
}
