// Package components holds the pieces several screens share — the yes/no
// question, for a start — with their keys as bindings (common.DialogKeys),
// so that they can be rebound ([keys.dialog]) and their hints always name
// the keys bound.
package components

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/themes"
	"github.com/mailtriage/mailtriage/ui/common"
)

// Choice is an answer other than yes and no ("s: the 3 selected
// instead").
type Choice struct {
	Key   key.Binding
	Label string
	Run   func() tea.Cmd
}

// Confirm is a question: Yes runs onYes, a choice runs its own command,
// No (or any key bound to nothing) cancels.
type Confirm struct {
	keys     common.DialogKeys
	question string
	onYes    func() tea.Cmd
	onNo     func() tea.Cmd
	choices  []Choice
}

// NewConfirm asks question; onYes runs on yes. With choices, yes may be
// nil (only the choices act).
func NewConfirm(keys common.DialogKeys, question string, onYes func() tea.Cmd, choices ...Choice) *Confirm {
	return &Confirm{keys: keys.Or(), question: question, onYes: onYes, choices: choices}
}

// OnNo makes no (and every key bound to No) run fn instead of saying
// "cancelled".
func (c *Confirm) OnNo(fn func() tea.Cmd) *Confirm {
	c.onNo = fn
	return c
}

// Question is the question asked.
func (c *Confirm) Question() string { return c.question }

// Key answers the question: done says the dialog is over.
func (c *Confirm) Key(msg tea.KeyPressMsg) (done bool, cmd tea.Cmd) {
	if c.onYes != nil && key.Matches(msg, c.keys.Yes) {
		return true, c.onYes()
	}
	for _, ch := range c.choices {
		if key.Matches(msg, ch.Key) {
			return true, ch.Run()
		}
	}
	if key.Matches(msg, c.keys.No) {
		if c.onNo != nil {
			return true, c.onNo()
		}
		return true, common.Info("cancelled")
	}
	return false, nil
}

// ShortHelp is the answers, for a help bar: yes, each choice under its
// label, no.
func (c *Confirm) ShortHelp() []key.Binding {
	var out []key.Binding
	if c.onYes != nil {
		out = append(out, c.keys.Yes)
	}
	for _, ch := range c.choices {
		out = append(out, relabel(ch.Key, ch.Label))
	}
	return append(out, c.keys.No)
}

// Hint is the answer line, built from the keys actually bound.
func (c *Confirm) Hint(st *themes.Styles) string { return Hint(st, c.ShortHelp()) }

// Hint draws bindings as a key line: each enabled one's key and what it
// does.
func Hint(st *themes.Styles, bindings []key.Binding) string {
	var parts []string
	for _, b := range bindings {
		if b.Enabled() {
			parts = append(parts, st.HelpKey.Render(b.Help().Key)+st.HelpDesc.Render(" "+b.Help().Desc))
		}
	}
	return strings.Join(parts, st.HelpDesc.Render("   "))
}

// relabel is b saying label for what it does here.
func relabel(b key.Binding, label string) key.Binding {
	b.SetHelp(b.Help().Key, label)
	return b
}

// Lines draws the question (sanitised: it may quote a subject) and the
// answer line.
func (c *Confirm) Lines(st *themes.Styles) []string {
	return []string{
		" " + st.Danger.Render(analysis.SanitizeLine(c.question).String()),
		" " + c.Hint(st),
	}
}
