package common

import (
	"fmt"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
)

// Bindings names a screen's key bindings for configuration: the names are
// what users write in [keys.<screen>].
type Bindings map[string]*key.Binding

// ApplyKeys rebinds keys from overrides (action name → keys) and updates
// the help text to the keys actually bound, so help never lies.
func ApplyKeys(screen string, b Bindings, overrides map[string][]string) error {
	names := make([]string, 0, len(overrides))
	for name := range overrides {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		binding, ok := b[name]
		if !ok {
			return fmt.Errorf("keys.%s.%s: no such action (actions: %s)", screen, name, strings.Join(b.names(), ", "))
		}
		keys := overrides[name]
		if len(keys) == 0 {
			binding.SetEnabled(false)
			continue
		}
		binding.SetKeys(keys...)
		binding.SetHelp(helpLabel(keys), binding.Help().Desc)
	}
	return nil
}

func (b Bindings) names() []string {
	out := make([]string, 0, len(b))
	for n := range b {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// helpLabel shows keys the way the help bar does: "j/↓".
func helpLabel(keys []string) string {
	pretty := make([]string, len(keys))
	for i, k := range keys {
		switch k {
		case "up":
			k = "↑"
		case "down":
			k = "↓"
		case "left":
			k = "←"
		case "right":
			k = "→"
		}
		pretty[i] = k
	}
	return strings.Join(pretty, "/")
}
