//go:build !darwin && !dragonfly && !freebsd && !linux

package sshserve

// noTabMoves does nothing where Bubble Tea does not read the terminal's
// tab modes to decide how to move the cursor.
func noTabMoves(int) error { return nil }
