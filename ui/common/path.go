package common

import (
	"os"
	"path/filepath"
	"strings"
)

// ExpandHome turns a leading ~/ of a path the analyst typed into the home
// directory of the user running the console.
func ExpandHome(path string) (string, error) {
	if path != "~" && !strings.HasPrefix(path, "~/") {
		return path, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return path, err
	}
	return filepath.Join(home, strings.TrimPrefix(path, "~")), nil
}
