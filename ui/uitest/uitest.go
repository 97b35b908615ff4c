// Package uitest helps screen tests drive models the way the analyst does:
// key presses in, commands run to completion, replies fed back.
package uitest

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

var named = map[string]rune{
	"enter": tea.KeyEnter, "esc": tea.KeyEscape, "tab": tea.KeyTab, "space": tea.KeySpace,
	"up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight,
	"pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown, "home": tea.KeyHome, "end": tea.KeyEnd,
	"backspace": tea.KeyBackspace,
}

// Key builds the key press a terminal would deliver for s: "j", "G",
// "enter", "ctrl+r".
func Key(s string) tea.KeyPressMsg {
	var mod tea.KeyMod
	for {
		switch {
		case strings.HasPrefix(s, "ctrl+") && len(s) > len("ctrl+"):
			mod |= tea.ModCtrl
			s = strings.TrimPrefix(s, "ctrl+")
			continue
		case strings.HasPrefix(s, "alt+") && len(s) > len("alt+"):
			mod |= tea.ModAlt
			s = strings.TrimPrefix(s, "alt+")
			continue
		}
		break
	}
	if code, ok := named[s]; ok {
		if code == tea.KeySpace && mod == 0 {
			return tea.KeyPressMsg{Code: code, Text: " "}
		}
		return tea.KeyPressMsg{Code: code, Mod: mod}
	}
	r := []rune(s)[0]
	if mod != 0 {
		return tea.KeyPressMsg{Code: r, Mod: mod}
	}
	return tea.KeyPressMsg{Code: r, Text: s}
}

// Model is what Drive can feed.
type Model interface {
	Update(tea.Msg) (tea.Model, tea.Cmd)
}

// Drive runs cmd and every command that follows from it, feeding each
// message to m (and to observe, when set), until nothing is left. Only use
// it with backends whose calls return promptly (e.g. mailtest with its
// event stream closed): it runs commands one after another.
func Drive(m Model, cmd tea.Cmd, observe func(tea.Msg)) {
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		msg := c()
		switch msg := msg.(type) {
		case nil:
			continue
		case tea.BatchMsg:
			queue = append(queue, msg...)
			continue
		}
		if observe != nil {
			observe(msg)
		}
		_, next := m.Update(msg)
		queue = append(queue, next)
	}
}

// Plain strips styling from rendered output, for assertions and golden
// files.
func Plain(s string) string {
	lines := strings.Split(ansi.Strip(s), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

// probe asks a running program a question about its model, answered on
// the program's own goroutine (so the test never races the UI).
type probe struct {
	ask   func(tea.Model) bool
	reply chan bool
}

// ProbeFilter must be installed with tea.WithFilter for WaitModel to work.
func ProbeFilter(m tea.Model, msg tea.Msg) tea.Msg {
	if p, ok := msg.(probe); ok {
		p.reply <- p.ask(m)
		return nil
	}
	return msg
}

// Sender is the part of a test program WaitModel needs.
type Sender interface{ Send(tea.Msg) }

// WaitModel asks the program about its model until cond holds. The
// deadline only bounds a broken test: a passing one returns as soon as the
// model is in the expected state.
func WaitModel(tb testing.TB, p Sender, what string, cond func(tea.Model) bool) {
	tb.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		reply := make(chan bool, 1)
		p.Send(probe{ask: cond, reply: reply})
		select {
		case ok := <-reply:
			if ok {
				return
			}
		case <-time.After(time.Until(deadline)):
		}
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
