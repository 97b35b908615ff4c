// Package themes turns a named colour theme into the styles every screen
// uses. Colours are chosen by role (text, muted, accent, selection,
// warning, danger, success, marker), never by screen, so a new screen needs
// no new colours and a theme missing a colour falls back instead of failing.
package themes

import (
	"fmt"
	"image/color"
	"sort"
	"strings"

	"charm.land/lipgloss/v2"
)

// Theme is a set of colours by role. A nil colour means "the terminal's
// default".
type Theme struct {
	Name string
	// Mono themes use no colour at all: attributes (bold, reverse,
	// underline) carry the meaning. Chosen for NO_COLOR and "none".
	Mono bool

	Text        color.Color
	Muted       color.Color
	Accent      color.Color
	SelectionFG color.Color
	SelectionBG color.Color
	Warning     color.Color
	Danger      color.Color
	Success     color.Color
	Marker      color.Color // hidden characters shown by Sanitize
	MarkerBG    color.Color
	BarFG       color.Color // status bar
	BarBG       color.Color
}

// Names lists the built-in themes.
func Names() []string { return []string{"dark", "light", "high-contrast", "none"} }

// Builtin returns the theme called name.
func Builtin(name string) (Theme, error) {
	switch name {
	case "dark", "":
		return dark(), nil
	case "light":
		return light(), nil
	case "high-contrast":
		return highContrast(), nil
	case "none":
		return mono(), nil
	}
	return Theme{}, fmt.Errorf("unknown theme %q (built in: %s)", name, strings.Join(Names(), ", "))
}

func dark() Theme {
	return Theme{
		Name:        "dark",
		Text:        lipgloss.Color("#d0d0d0"),
		Muted:       lipgloss.Color("#808080"),
		Accent:      lipgloss.Color("#5fafff"),
		SelectionFG: lipgloss.Color("#ffffff"),
		SelectionBG: lipgloss.Color("#30466e"),
		Warning:     lipgloss.Color("#e5c07b"),
		Danger:      lipgloss.Color("#ff6b6b"),
		Success:     lipgloss.Color("#98c379"),
		Marker:      lipgloss.Color("#000000"),
		MarkerBG:    lipgloss.Color("#e5c07b"),
		BarFG:       lipgloss.Color("#e0e0e0"),
		BarBG:       lipgloss.Color("#3a3a3a"),
	}
}

func light() Theme {
	return Theme{
		Name:        "light",
		Text:        lipgloss.Color("#1f1f1f"),
		Muted:       lipgloss.Color("#6a6a6a"),
		Accent:      lipgloss.Color("#0057b8"),
		SelectionFG: lipgloss.Color("#000000"),
		SelectionBG: lipgloss.Color("#bcd7f5"),
		Warning:     lipgloss.Color("#8a5a00"),
		Danger:      lipgloss.Color("#c00000"),
		Success:     lipgloss.Color("#2e7d32"),
		Marker:      lipgloss.Color("#ffffff"),
		MarkerBG:    lipgloss.Color("#b35900"),
		BarFG:       lipgloss.Color("#1f1f1f"),
		BarBG:       lipgloss.Color("#d8d8d8"),
	}
}

func highContrast() Theme {
	return Theme{
		Name:        "high-contrast",
		Text:        lipgloss.Color("#ffffff"),
		Muted:       lipgloss.Color("#c0c0c0"),
		Accent:      lipgloss.Color("#00ffff"),
		SelectionFG: lipgloss.Color("#000000"),
		SelectionBG: lipgloss.Color("#ffff00"),
		Warning:     lipgloss.Color("#ffff00"),
		Danger:      lipgloss.Color("#ff3030"),
		Success:     lipgloss.Color("#00ff00"),
		Marker:      lipgloss.Color("#000000"),
		MarkerBG:    lipgloss.Color("#ff00ff"),
		BarFG:       lipgloss.Color("#000000"),
		BarBG:       lipgloss.Color("#ffffff"),
	}
}

func mono() Theme { return Theme{Name: "none", Mono: true} }

// roles maps the names used in [colors] to theme fields.
func (t *Theme) roles() map[string]*color.Color {
	return map[string]*color.Color{
		"text": &t.Text, "muted": &t.Muted, "accent": &t.Accent,
		"selection_fg": &t.SelectionFG, "selection_bg": &t.SelectionBG,
		"warning": &t.Warning, "danger": &t.Danger, "success": &t.Success,
		"marker": &t.Marker, "marker_bg": &t.MarkerBG,
		"bar_fg": &t.BarFG, "bar_bg": &t.BarBG,
	}
}

// Override replaces colours by role name ("accent" = "#ff8800"). Roles not
// named keep the theme's colour; an unknown role or a bad colour is an
// error that names it.
func (t Theme) Override(colors map[string]string) (Theme, error) {
	if t.Mono || len(colors) == 0 {
		return t, nil
	}
	roles := t.roles()
	keys := make([]string, 0, len(colors))
	for k := range colors {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		field, ok := roles[k]
		if !ok {
			return t, fmt.Errorf("colors.%s: unknown colour role", k)
		}
		v := colors[k]
		if !validColor(v) {
			return t, fmt.Errorf("colors.%s: %q is not a colour (#rrggbb or 0-255)", k, v)
		}
		*field = lipgloss.Color(v)
	}
	return t, nil
}

func validColor(v string) bool {
	if strings.HasPrefix(v, "#") {
		if len(v) != 4 && len(v) != 7 {
			return false
		}
		for _, r := range v[1:] {
			if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
				return false
			}
		}
		return true
	}
	n := 0
	for _, r := range v {
		if r < '0' || r > '9' {
			return false
		}
		n = n*10 + int(r-'0')
	}
	return v != "" && n <= 255
}
