package themes

import (
	"image/color"

	"charm.land/lipgloss/v2"
)

// Styles are the lipgloss styles built once from a Theme. Screens use these
// and never build styles inside View.
type Styles struct {
	Theme Theme

	Text     Paint
	Muted    Paint
	Accent   Paint
	Bold     Paint
	Warning  Paint
	Danger   Paint
	Success  Paint
	Marker   Paint // a hidden character made visible
	Selected Paint // the row under the cursor
	// SelectedUnread is the cursor row of an unread message.
	SelectedUnread Paint
	Unread         Paint
	Tag            Paint // category names
	Title          Paint // pane titles
	Header         Paint // column headers
	Border         Paint // separators between panes
	FocusBar       Paint // the focused pane's title

	Tab       Paint
	ActiveTab Paint

	StatusBar   Paint
	StatusError Paint
	StatusInfo  Paint

	HelpKey  Paint
	HelpDesc Paint
	HelpSep  Paint
}

// NewStyles builds the styles of t.
func NewStyles(t Theme) *Styles {
	fg := func(c color.Color) lipgloss.Style {
		s := lipgloss.NewStyle()
		if c != nil && !t.Mono {
			s = s.Foreground(c)
		}
		return s
	}
	on := func(s lipgloss.Style, fgc, bgc color.Color) lipgloss.Style {
		if t.Mono {
			return s.Reverse(true)
		}
		return s.Foreground(fgc).Background(bgc)
	}
	muted := fg(t.Muted)
	if t.Mono {
		muted = muted.Faint(true)
	}
	marker := on(lipgloss.NewStyle(), t.Marker, t.MarkerBG)
	if t.Mono {
		marker = marker.Underline(true)
	}
	selected := on(lipgloss.NewStyle(), t.SelectionFG, t.SelectionBG)
	return &Styles{
		Theme:          t,
		Text:           NewPaint(fg(t.Text)),
		Muted:          NewPaint(muted),
		Accent:         NewPaint(fg(t.Accent).Bold(true)),
		Bold:           NewPaint(fg(t.Text).Bold(true)),
		Warning:        NewPaint(fg(t.Warning).Bold(true)),
		Danger:         NewPaint(fg(t.Danger).Bold(true)),
		Success:        NewPaint(fg(t.Success)),
		Marker:         NewPaint(marker),
		Selected:       NewPaint(selected),
		SelectedUnread: NewPaint(selected.Bold(true)),
		Unread:         NewPaint(fg(t.Text).Bold(true)),
		Tag:            NewPaint(fg(t.Accent)),
		Title:          NewPaint(fg(t.Accent).Bold(true)),
		Header:         NewPaint(fg(t.Muted).Bold(true)),
		Border:         NewPaint(fg(t.Muted)),
		FocusBar:       NewPaint(fg(t.Accent).Bold(true).Underline(true)),
		Tab:            NewPaint(fg(t.Muted)),
		ActiveTab:      NewPaint(fg(t.Accent).Bold(true).Underline(true)),
		StatusBar:      NewPaint(on(lipgloss.NewStyle(), t.BarFG, t.BarBG)),
		StatusError:    NewPaint(on(lipgloss.NewStyle().Bold(true), t.Danger, t.BarBG)),
		StatusInfo:     NewPaint(on(lipgloss.NewStyle(), t.Success, t.BarBG)),
		HelpKey:        NewPaint(fg(t.Accent)),
		HelpDesc:       NewPaint(muted),
		HelpSep:        NewPaint(muted),
	}
}

// NewPlainStyles returns styles that add nothing to the text: for golden
// files and for tests that must see exactly the characters on screen.
func NewPlainStyles() *Styles {
	t, _ := Builtin("none")
	return &Styles{Theme: t}
}
