// Package jobs is the activity screen: every backend job of the session,
// running and finished, with progress, duration and outcome; a running job
// can be cancelled from here.
package jobs

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/progress"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/mailtriage/mailtriage/backend/analysis"
	bjobs "github.com/mailtriage/mailtriage/backend/jobs"
	"github.com/mailtriage/mailtriage/ui/common"
)

// KeyMap is the jobs screen's keys ([keys.jobs]).
type KeyMap struct {
	Up     key.Binding
	Down   key.Binding
	Cancel key.Binding
	Quiet  key.Binding
}

// DefaultKeyMap returns the default keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:     key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("k/↑", "up")),
		Down:   key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("j/↓", "down")),
		Cancel: key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "cancel job")),
		Quiet:  key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "show background jobs")),
	}
}

// Bindings names every binding for configuration overrides.
func (k *KeyMap) Bindings() common.Bindings {
	return common.Bindings{"up": &k.Up, "down": &k.Down, "cancel": &k.Cancel, "show_background": &k.Quiet}
}

// ShortHelp is the help bar.
func (k KeyMap) ShortHelp() []key.Binding { return []key.Binding{k.Down, k.Up, k.Cancel, k.Quiet} }

// FullHelp is the ? screen.
func (k KeyMap) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

// Model is the jobs screen.
type Model struct {
	c             *common.Common
	keys          KeyMap
	width, height int
	jobs          []bjobs.Info
	cursor        int
	showQuiet     bool
	bar           progress.Model
}

// New returns the jobs screen.
func New(c *common.Common, keys KeyMap) *Model {
	return &Model{c: c, keys: keys, bar: progress.New(progress.WithoutPercentage(), progress.WithWidth(20))}
}

// Init does nothing: the root feeds job changes in.
func (m *Model) Init() tea.Cmd { return nil }

// SetSize gives the screen its area.
func (m *Model) SetSize(w, h int) { m.width, m.height = w, h }

// Keys returns the key map.
func (m *Model) Keys() KeyMap { return m.keys }

// SetJobs replaces the snapshot shown.
func (m *Model) SetJobs(all []bjobs.Info) {
	m.jobs = m.jobs[:0]
	for _, j := range all {
		if m.showQuiet || !j.Quiet || j.State == bjobs.Failed {
			m.jobs = append(m.jobs, j)
		}
	}
	m.cursor = max(min(m.cursor, len(m.jobs)-1), 0)
}

// Update handles keys.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return m, nil
	}
	switch {
	case key.Matches(k, m.keys.Up):
		m.cursor = max(m.cursor-1, 0)
	case key.Matches(k, m.keys.Down):
		m.cursor = max(min(m.cursor+1, len(m.jobs)-1), 0)
	case key.Matches(k, m.keys.Quiet):
		m.showQuiet = !m.showQuiet
		m.SetJobs(m.c.Jobs.Snapshot())
	case key.Matches(k, m.keys.Cancel):
		if m.cursor < len(m.jobs) {
			j := m.jobs[m.cursor]
			if m.c.Jobs.Cancel(j.ID) {
				return m, common.Info(fmt.Sprintf("cancelling job %d (%s)", j.ID, j.Name))
			}
			return m, common.Info("that job is not running")
		}
	}
	return m, nil
}

// View draws the job list.
func (m *Model) View() tea.View { return tea.NewView(m.Render()) }

// Render returns exactly height lines.
func (m *Model) Render() string {
	st := m.c.Styles
	lines := make([]string, 0, m.height)
	title := "Jobs"
	if m.showQuiet {
		title += " (including background refreshes)"
	}
	lines = append(lines, st.Title.Render(title))
	if len(m.jobs) == 0 {
		lines = append(lines, st.Muted.Render(" no jobs yet"))
	}
	now := m.c.Now()
	for i, j := range m.jobs {
		if len(lines) >= m.height {
			break
		}
		lines = append(lines, m.jobLine(j, i == m.cursor, now))
	}
	for len(lines) < m.height {
		lines = append(lines, "")
	}
	return strings.Join(lines[:m.height], "\n")
}

func (m *Model) jobLine(j bjobs.Info, selected bool, now time.Time) string {
	st := m.c.Styles
	state := st.Muted
	switch j.State {
	case bjobs.Running:
		state = st.Accent
	case bjobs.Failed:
		state = st.Danger
	case bjobs.Done:
		state = st.Success
	}
	end := j.Ended
	if j.State == bjobs.Running {
		end = now
	}
	took := end.Sub(j.Started).Round(time.Millisecond)
	// Job names quote folder names, which come from the server.
	name := analysis.SanitizeLine(j.Name).Truncate(32, "…").String()
	line := fmt.Sprintf("%5d %s %-8s %-32s %8s", j.ID, j.Started.Format("15:04:05"), j.State, name, took)
	if j.Account != "" {
		line += "  " + j.Account
	}
	if j.State == bjobs.Running && j.Total > 0 {
		line += "  " + m.bar.ViewAs(float64(j.Done)/float64(j.Total)) + fmt.Sprintf(" %d/%d", j.Done, j.Total)
	}
	if j.Attempts > 1 {
		line += fmt.Sprintf("  (%d attempts)", j.Attempts)
	}
	if j.Err != nil {
		line += "  " + analysis.SanitizeLine(j.Err.Error()).String()
	}
	line = ansi.Truncate(line, m.width, "…")
	if selected {
		return st.Selected.Render(common.PadRight(line, m.width))
	}
	return state.Render(line)
}

// Capturing is false: the jobs screen has no input of its own.
func (m *Model) Capturing() bool { return false }

// ShortHelp is the help bar.
func (m *Model) ShortHelp() []key.Binding { return m.keys.ShortHelp() }

// FullHelp is the ? screen.
func (m *Model) FullHelp() [][]key.Binding { return m.keys.FullHelp() }

// Status has nothing to add: the status bar counts running jobs.
func (m *Model) Status() string { return "" }

// Focus shows the jobs as they are now.
func (m *Model) Focus() tea.Cmd {
	m.SetJobs(m.c.Jobs.Snapshot())
	return nil
}

// Blur does nothing: the list of jobs costs nothing to keep.
func (m *Model) Blur() {}
