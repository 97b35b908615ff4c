package components

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/themes"
	"github.com/mailtriage/mailtriage/ui/common"
)

// PickItem is one choice of a Picker. Label and Note may come from the
// server or from mail (a folder name, a keyword, a subject): they are
// drawn sanitised, never as they are.
type PickItem struct {
	Label string // shown, and matched against what is typed
	Value string // what the caller gets back
	Note  string // drawn after the label, e.g. "(remove)"
}

// Picker filters its items as the analyst types (fuzzy: the typed letters
// in order); PickUp and PickDown move the highlight, Submit takes the
// highlighted item — or, with allowNew, the typed text when no item's
// value is exactly that — and Cancel drops the picker.
type Picker struct {
	keys     common.DialogKeys
	title    analysis.Text
	ti       textinput.Model
	items    []PickItem
	shown    []PickItem
	cursor   int
	allowNew bool
	onPick   func(item PickItem, typed string) tea.Cmd
}

// PickerRows is how many items show at once; the list scrolls with the
// highlight.
const PickerRows = 8

// NewPicker offers items under title. onPick gets the item taken and the
// text typed (with allowNew, a new item is {Label: typed, Value: typed}).
func NewPicker(keys common.DialogKeys, title analysis.Text, items []PickItem, allowNew bool, onPick func(item PickItem, typed string) tea.Cmd) *Picker {
	ti := common.SteadyInput()
	ti.Prompt = "› "
	ti.Placeholder = "type to filter"
	if allowNew {
		ti.Placeholder = "type to filter, or a new name"
	}
	ti.CharLimit = 200
	ti.Focus()
	p := &Picker{keys: keys.Or(), title: title, ti: ti, items: items, allowNew: allowNew, onPick: onPick}
	p.filter()
	return p
}

// Title is the picker's title, for the frame it is drawn in.
func (p *Picker) Title() analysis.Text { return p.title }

// Shown is the items that match what is typed, in order.
func (p *Picker) Shown() []PickItem { return p.shown }

// Cursor is the index in Shown of the highlighted item.
func (p *Picker) Cursor() int { return p.cursor }

// Key handles a key; done says the picker is over.
func (p *Picker) Key(msg tea.KeyPressMsg) (done bool, cmd tea.Cmd) {
	switch {
	case key.Matches(msg, p.keys.Cancel):
		return true, nil
	case key.Matches(msg, p.keys.PickUp):
		p.cursor = max(p.cursor-1, 0)
		return false, nil
	case key.Matches(msg, p.keys.PickDown):
		p.cursor = min(p.cursor+1, max(len(p.shown)-1, 0))
		return false, nil
	case key.Matches(msg, p.keys.Submit):
		return p.submit()
	}
	p.ti, cmd = p.ti.Update(msg)
	p.filter()
	return false, cmd
}

// submit takes the typed name (allowNew, when it names no item) or the
// highlighted item; with nothing to take the picker stays open.
func (p *Picker) submit() (bool, tea.Cmd) {
	typed := strings.TrimSpace(p.ti.Value())
	if p.allowNew && typed != "" && !p.exact(typed) {
		return true, p.onPick(PickItem{Label: typed, Value: typed}, typed)
	}
	if len(p.shown) == 0 {
		return false, nil
	}
	return true, p.onPick(p.shown[p.cursor], typed)
}

func (p *Picker) filter() {
	typed := strings.ToLower(p.ti.Value())
	p.shown = p.shown[:0]
	for _, it := range p.items {
		if fuzzy(strings.ToLower(it.Label), typed) {
			p.shown = append(p.shown, it)
		}
	}
	p.cursor = min(max(p.cursor, 0), max(len(p.shown)-1, 0))
}

// fuzzy reports whether the letters of pattern appear in s in order.
func fuzzy(s, pattern string) bool {
	for _, r := range pattern {
		i := strings.IndexRune(s, r)
		if i < 0 {
			return false
		}
		s = s[i+len(string(r)):]
	}
	return true
}

func (p *Picker) exact(typed string) bool {
	for _, it := range p.shown {
		if strings.EqualFold(it.Value, typed) {
			return true
		}
	}
	return false
}

// ShortHelp is the picker's keys, for a help bar.
func (p *Picker) ShortHelp() []key.Binding {
	return []key.Binding{p.keys.PickUp, p.keys.PickDown, relabel(p.keys.Submit, "pick"), p.keys.Cancel}
}

// Hint is the key line, built from the keys actually bound.
func (p *Picker) Hint(st *themes.Styles) string { return Hint(st, p.ShortHelp()) }

// Lines draws the picker at width w: the typed line, the items around the
// highlight (sanitised), and the key line. The title is the caller's to
// draw (Title), in its own frame.
func (p *Picker) Lines(st *themes.Styles, w int) []string {
	body := []string{" " + common.EditLine(p.ti, w-1, st)}
	top := max(p.cursor-PickerRows+1, 0)
	for i := top; i < len(p.shown) && i < top+PickerRows; i++ {
		body = append(body, p.itemLine(st, w, i))
	}
	if len(p.shown) == 0 {
		hint := "  no match"
		if p.allowNew && strings.TrimSpace(p.ti.Value()) != "" {
			hint = "  " + p.keys.Submit.Help().Key + " creates " + p.ti.Value()
		}
		body = append(body, st.Muted.Render(analysis.SanitizeLine(hint).String()))
	}
	return append(body, " "+p.Hint(st))
}

func (p *Picker) itemLine(st *themes.Styles, w, i int) string {
	it := p.shown[i]
	style, prefix := st.Text, "  "
	if i == p.cursor {
		style, prefix = st.Selected, "› "
	}
	label := analysis.Concat(analysis.Plain(prefix), analysis.SanitizeLine(it.Label))
	if it.Note != "" {
		label = analysis.Concat(label, analysis.Plain(" "), analysis.SanitizeLine(it.Note))
	}
	return common.Cell(label, w, style, st.Marker)
}
